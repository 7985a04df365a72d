"""Session-wide perception fixtures: models load once, each example clip is perceived once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from emoreason.perception import Perceiver, default_perceiver
from emoreason.schema import Evidence

CLIPS = Path(__file__).resolve().parents[2] / "examples" / "clips"


@pytest.fixture(scope="session")
def clips_dir() -> Path:
    return CLIPS


@pytest.fixture(scope="session")
def perceiver() -> Perceiver:
    """The default Perceiver (shared with ``emoreason.perception.perceive``), models warm."""
    p = default_perceiver()
    p.warm_up()
    return p


@pytest.fixture(scope="session")
def clip_evidence(perceiver: Perceiver) -> Callable[[str], Evidence]:
    """``clip_evidence("sad_consistent")`` -> Evidence, computed at most once per session."""
    cache: dict[str, Evidence] = {}

    def get(name: str) -> Evidence:
        if name not in cache:
            cache[name] = perceiver.perceive(CLIPS / f"{name}.mp4")
        return cache[name]

    return get
