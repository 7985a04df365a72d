"""The conflict set built from the example clips, perceived for real: the verdicts hold up.

Builds the 12-clip set (4 originals + 8 recombinations; full length) at test time and runs the
real perception stage on every clip once: slow.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from emoreason.evaluation.conflicts import build_conflicts, read_manifest
from emoreason.evaluation.consistency_fit import load_set, score
from emoreason.reasoning.consistency import ConsistencyConfig, decide

MANIFEST = Path(__file__).resolve().parents[2] / "examples" / "conflicts" / "example_clips.jsonl"
pytestmark = pytest.mark.slow


def test_example_conflict_set_verdicts(tmp_path):
    pytest.importorskip("emoreason.perception")
    report = build_conflicts(read_manifest(MANIFEST), tmp_path / "set")
    assert {r["verdict"] for r in report.rows} == {"consistent", "video-aligned", "audio-aligned"}
    clips = load_set(tmp_path / "set")
    scores = score(clips, ConsistencyConfig())
    # the four original clips are the product's own promise; the recombinations leave a margin
    for clip in clips:
        if clip.id.endswith("__own"):
            d = decide(clip.hypotheses, ConsistencyConfig())
            assert (d.verdict.value, d.final) == (clip.verdict, clip.emotion), clip.id
    assert scores.verdict_accuracy >= 0.75, scores
    assert len(list((tmp_path / "set" / "evidence").glob("*.json"))) == len(clips)
