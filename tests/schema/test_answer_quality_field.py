"""The ``quality`` field of an analysis result: typed, round-trips, optional for old records."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from emoreason.cli.app import app
from emoreason.reasoning.assemble import result_from_text
from emoreason.schema import AnalysisResult, AnswerProblem, AnswerQuality
from synthetic_evidence import make_evidence


def _degenerate() -> AnalysisResult:
    text = "\n".join(["the face is a face."] * 12)
    return result_from_text(make_evidence("masking"), text, lang="en", backend="openai", model="m")


def test_round_trip_and_old_records_without_the_field(tmp_path):
    result = _degenerate()
    assert result.quality is not None and result.quality.degenerate
    data = json.loads(result.model_dump_json())
    assert data["quality"]["problems"][0]["kind"] == "missing_dimension"
    assert AnalysisResult.model_validate(data) == result
    del data["quality"]
    old = AnalysisResult.model_validate(data)
    assert old.quality is None
    path = tmp_path / "results.jsonl"
    path.write_text(result.model_dump_json() + "\n" + json.dumps(data) + "\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["validate", str(path)])
    assert res.exit_code == 0, res.output


def test_unknown_kinds_and_dimensions_are_rejected():
    with pytest.raises(ValidationError, match="kind"):
        AnswerProblem.model_validate({"kind": "boring"})
    with pytest.raises(ValidationError, match="unknown SABER dimension"):
        AnswerProblem(kind="repetition", dimension="video")
    with pytest.raises(ValidationError, match="unknown SABER dimension"):
        AnswerQuality(score=0.5, degenerate=False, filled_from_rules=["face"])
    with pytest.raises(ValidationError):
        AnswerQuality(score=1.5, degenerate=False)
    quality = AnswerQuality(
        score=0.5,
        degenerate=False,
        problems=[AnswerProblem(kind="repetition", dimension="body_lang_desc"),
                  AnswerProblem(kind="ignores_evidence")],
    )  # fmt: skip
    assert not quality.ok and quality.dimensions_with_problems() == ["body_lang_desc"]
