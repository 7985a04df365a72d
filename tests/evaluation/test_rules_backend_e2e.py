"""The rules backend evaluated end to end on a CA-MER-format fixture built from the example clips."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from emoreason.evaluation import evaluate, get_task, write_report

CLIPS = Path(__file__).resolve().parents[2] / "examples" / "clips"

pytestmark = [
    pytest.mark.slow,  # real perception models on 5 clips: about a minute or more on 2 cores
    pytest.mark.skipif(
        importlib.util.find_spec("emoreason.pipeline.analyze") is None,
        reason="emoreason.pipeline.analyze (the analysis pipeline) is not available",
    ),
]


def make_camer_from_examples(root: Path) -> Path:
    """CA-MER layout: one JSON list per subset, labels as the clips README states them."""
    root.mkdir(parents=True, exist_ok=True)
    subsets = {
        "consistent.json": [
            {
                "id": "happy_consistent",
                "video": str(CLIPS / "happy_consistent.mp4"),
                "label": "happy",
            },
            {"id": "sad_consistent", "video": str(CLIPS / "sad_consistent.mp4"), "label": "sad"},
        ],
        "video_aligned.json": [
            {
                "id": "sad_face_calm_voice",
                "video": str(CLIPS / "sad_face_calm_voice.mp4"),
                "label": "sad",
            },
            {"id": "truncated", "video": str(CLIPS / "truncated.mp4"), "label": "sad"},
        ],
        "audio_aligned.json": [
            {
                "id": "smile_angry_voice",
                "video": str(CLIPS / "smile_angry_voice.mp4"),
                "label": "angry",
            },
        ],
    }
    for name, items in subsets.items():
        (root / name).write_text(json.dumps(items))
    return root


def test_rules_backend_on_camer_fixture(tmp_path):
    root = make_camer_from_examples(tmp_path / "camer")
    report = evaluate(get_task("camer"), root, backend="rules", lang="en", n_resamples=200)
    assert report["n_samples"] == 5
    counts = report["counts"]
    assert counts.get("missing_media", 0) == 0
    assert counts.get("prediction_error", 0) == 1  # truncated.mp4: counted, the run went on
    assert any("truncated" in p for p in report["problems"])
    assert counts.get("unparseable", 0) == 0  # every analysed clip gave a label the rule maps
    scores = report["scores"]
    for name in (
        "accuracy",
        "accuracy[consistent]",
        "accuracy[video-aligned]",
        "accuracy[audio-aligned]",
        "bias_gap",
        "uar",
        "war",
    ):
        value = scores[name]
        assert value["ci_low"] <= value["value"] + 1e-9 <= value["ci_high"] + 1e-9
    assert report["source"] == {"backend": "rules", "lang": "en"}
    paths = write_report(report, tmp_path / "out")
    assert paths["chart"].stat().st_size > 0
