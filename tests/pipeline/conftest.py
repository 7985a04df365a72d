"""Pipeline fixtures: a fake perception stage that returns synthetic Evidence per file name."""

from __future__ import annotations

from pathlib import Path

import pytest

from emoreason.errors import MediaError
from synthetic_evidence import SCENARIOS, make_evidence


class FakePerceiver:
    """``<scenario>.mp4`` -> that scenario's Evidence; any other name -> MediaError."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def perceive(self, path: str):
        self.calls.append(path)
        stem = Path(path).stem
        if stem not in SCENARIOS:
            raise MediaError("cannot decode: not a video", path=path)
        return make_evidence(stem, path=path)


@pytest.fixture
def fake_perceiver(monkeypatch):
    fake = FakePerceiver()
    monkeypatch.setattr("emoreason.pipeline.analyze.make_perceiver", lambda options: fake)
    return fake


@pytest.fixture
def clip_dir(tmp_path):
    """A folder with four 'clips' (dummy bytes) and one bad file."""
    folder = tmp_path / "clips"
    folder.mkdir()
    for name in ("consistent_sad", "masking", "sarcasm", "silence", "broken"):
        (folder / f"{name}.mp4").write_bytes(b"\x00fake")
    (folder / "notes.txt").write_text("not media")
    return folder


CLIPS = Path(__file__).resolve().parents[2] / "examples" / "clips"


class CachingPerceiver:
    """The real perception stage, each clip perceived once per test session."""

    def __init__(self) -> None:
        from emoreason.perception import Perceiver

        self.inner = Perceiver()
        self.cache: dict[str, object] = {}

    def perceive(self, path: str):
        key = str(Path(path).resolve())
        if key not in self.cache:
            try:
                self.cache[key] = self.inner.perceive(path)
            except Exception as exc:  # cache failures too: they are deterministic
                self.cache[key] = exc
        value = self.cache[key]
        if isinstance(value, Exception):
            raise value
        return value


@pytest.fixture(scope="session")
def real_perceiver():
    pytest.importorskip("emoreason.perception")
    return CachingPerceiver()
