"""Shared pieces of the service tests: a gate to hold an analysis mid-run, example clips."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from emoreason.errors import MediaError
from emoreason.pipeline.analyze import Analyzer
from emoreason.serve.testing import SyntheticPerceiver

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "clips"
SHORT_CLIP = EXAMPLES / "smile_angry_voice.mp4"


class GatedPerceiver(SyntheticPerceiver):
    """Synthetic evidence, but each clip waits for ``gate`` (so a test can hold a job running).

    A clip whose bytes start with ``BAD`` is refused as undecodable; ``CRASH`` raises a bug.
    """

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Semaphore(0)

    def perceive(self, path: str):
        head = Path(path).read_bytes()[:5]
        self.entered.release()
        assert self.gate.wait(20), "test gate never opened"
        if head.startswith(b"BAD"):
            raise MediaError("not a decodable video (invalid data)", path=path)
        if head.startswith(b"CRASH"):
            raise RuntimeError("boom")
        return super().perceive(path)


@pytest.fixture
def perceiver() -> GatedPerceiver:
    return GatedPerceiver()


@pytest.fixture
def analyzers(perceiver: GatedPerceiver) -> dict[str, Analyzer]:
    return {lang: Analyzer("rules", lang, perceiver=perceiver) for lang in ("en", "zh")}


@pytest.fixture
def examples_dir(tmp_path: Path) -> Path:
    """A small example folder: two real clips, a README table, and things that must not serve."""
    folder = tmp_path / "clips"
    folder.mkdir()
    shutil.copy(SHORT_CLIP, folder / "smile_angry_voice.mp4")
    shutil.copy(EXAMPLES / "happy_consistent.mp4", folder / "happy_consistent.mp4")
    (folder / "README.md").write_text(
        "| file | picture | says |\n| --- | --- | --- |\n"
        "| smile_angry_voice.mp4 | a smile | sarcasm; audio-aligned |\n"
    )
    secret = tmp_path / "secret.mp4"
    secret.write_bytes(b"outside the examples folder")
    (folder / "leak.mp4").symlink_to(secret)
    (folder / "sub").mkdir()
    (folder / "sub" / "nested.mp4").write_bytes(b"nested")
    return folder


def _wait_for(client, job_id: str, status: str | tuple[str, ...], timeout: float = 20.0) -> dict:
    wanted = (status,) if isinstance(status, str) else status
    deadline = time.monotonic() + timeout
    while True:
        view = client.get(f"/jobs/{job_id}").json()
        if view["status"] in wanted:
            return view
        assert time.monotonic() < deadline, f"job stayed {view['status']}, wanted {wanted}"
        time.sleep(0.02)


@pytest.fixture
def wait_for():
    """``wait_for(client, job_id, status)``: poll ``GET /jobs/{id}`` until it has ``status``."""
    return _wait_for


@pytest.fixture
def short_clip() -> Path:
    """A real 4.7 s example clip with face, voice and words."""
    return SHORT_CLIP
