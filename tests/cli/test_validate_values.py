"""``validate`` rejects meaningless values and names every violation (file:line: field)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emoreason.cli.app import app
from emoreason.schema import SaberItem
from emoreason.schema.checks import record_problems
from saber_samples import RECORD

runner = CliRunner()


def _result_row(**changes) -> dict:
    hypothesis = {"modality": "visual", "distribution": {"angry": 1.0}, "confidence": 0.8}
    row = {
        "status": "ok", "id": "clip1", "source": "clip1.mp4", "saber": RECORD, "emotion": "angry",
        "emotion_scores": {"angry": 0.8, "neutral": 0.2}, "hypotheses": {"visual": hypothesis},
        "consistency": {"verdict": "consistent", "modalities": {"visual": "angry"}},
        "timings": {"total": 1.5},
    }  # fmt: skip
    row.update(changes)
    return row


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ({"id": "a", "label": "banana", "saber": RECORD}, "label", "not an emotion label"),
        ({"id": "", "saber": RECORD}, "id", "non-empty"),
        ({"id": "a", "saber": {**RECORD, "video_desc": "  "}}, "saber.video_desc", "non-empty"),
        (_result_row(emotion="banana"), "emotion", "not an emotion label"),
        (_result_row(emotion_scores={"angry": float("nan")}), "emotion_scores.angry", "finite"),
        (_result_row(emotion_scores={"angry": -0.5}), "emotion_scores.angry", "[0, 1]"),
        (_result_row(timings={"total": float("inf")}), "timings.total", "finite"),
        (_result_row(timings={"total": -2.0}), "timings.total", ">= 0"),
        (
            _result_row(consistency={"verdict": "consistent", "modalities": {"banana": "angry"}}),
            "consistency.modalities.banana",
            "not a modality",
        ),
        (
            _result_row(
                hypotheses={
                    "banana": {
                        "modality": "banana",
                        "distribution": {"sad": 1.0},
                        "confidence": 0.5,
                    }
                }
            ),
            "hypotheses.banana",
            "not a modality",
        ),
    ],
)
def test_validate_names_each_meaningless_value(tmp_path: Path, row, field, words) -> None:
    path = tmp_path / "rows.jsonl"
    good = {"id": "ok", "label": "sad", "saber": RECORD}
    # json.dumps writes NaN/Infinity literals, which JSON readers (ours included) accept
    path.write_text(json.dumps(good) + "\n" + json.dumps(row) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 1, res.output
    assert f"{path}:2: {field}:" in res.output and words in res.output
    assert "1 valid" in res.output and "1 invalid" in res.output


def test_every_violation_of_a_row_is_listed() -> None:
    item = SaberItem(
        id=" ", label="banana", saber={**RECORD, "video_desc": "", "body_lang_desc": ""}
    )
    fields = [field for field, _ in record_problems(item)]
    assert fields == ["id", "label", "saber.video_desc", "saber.body_lang_desc"]


def test_a_result_may_leave_empty_only_the_dimensions_it_lists_as_missing(tmp_path) -> None:
    from emoreason.schema import AnalysisResult

    saber = {**RECORD, "body_lang_desc": ""}
    listed = AnalysisResult.model_validate(_result_row(saber=saber, missing=["body_lang_desc"]))
    assert record_problems(listed) == []
    unlisted = AnalysisResult.model_validate(_result_row(saber=saber))
    assert [f for f, _ in record_problems(unlisted)] == ["saber.body_lang_desc"]


def test_meaningful_rows_have_no_problems() -> None:
    from emoreason.schema import AnalysisResult

    assert record_problems(AnalysisResult.model_validate(_result_row())) == []
    assert record_problems(SaberItem(id="a", label="happy", saber=RECORD)) == []


def test_validate_streams_in_constant_memory(tmp_path: Path) -> None:
    import tracemalloc

    from emoreason.cli.validate import _validate_file

    path = tmp_path / "many.jsonl"
    line = json.dumps({"id": "x", "label": "sad", "saber": RECORD}) + "\n"
    path.write_text(line * 20_000, encoding="utf-8")  # 4.5 MB; held as items it is ~100 MB
    _validate_file(path, max_errors=5)  # imports and caches warm
    tracemalloc.start()
    ok, bad, _ = _validate_file(path, max_errors=5)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert (ok, bad) == (20_000, 0)
    assert peak < 4_000_000  # bytes: a few records at a time, whatever the file's length
