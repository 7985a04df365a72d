"""`convert --to swift --lang L`: a row's answer is in its prompt's language. English records
are rewritten in Chinese from the evidence of analysis results, or refused in one line."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from emoreason.cli.app import app
from emoreason.formats.jsonl import read_jsonl
from emoreason.prompts import sed_prompt
from emoreason.reasoning.rules import RulesReasoner
from synthetic_evidence import make_evidence

runner = CliRunner()
CJK = re.compile(r"[\u4e00-\u9fff]")


def _results(tmp_path: Path, lang: str, keep_evidence: bool = True) -> Path:
    path = tmp_path / f"results_{lang}.jsonl"
    rows = []
    for scenario in ("consistent_sad", "sarcasm"):
        result = RulesReasoner().reason(make_evidence(scenario), lang)
        row = json.loads(result.model_dump_json())
        row.update(id=scenario)
        if not keep_evidence:
            row["evidence"] = None
        rows.append(json.dumps(row, ensure_ascii=False))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _answer(row: dict) -> str:
    return row["messages"][-1]["content"]


def test_english_results_become_chinese_rows_from_their_evidence(tmp_path: Path) -> None:
    out = tmp_path / "swift_zh.jsonl"
    res = runner.invoke(
        app, ["convert", str(_results(tmp_path, "en")), str(out), "--to", "swift", "--lang", "zh"]
    )
    assert res.exit_code == 0, res.output
    assert "2 answer(s) rewritten in zh" in res.stdout
    for row in read_jsonl(out):
        assert sed_prompt("zh") in row["messages"][-2]["content"]
        answer = json.loads(_answer(row))
        assert CJK.search(answer["sentiment_analysis"]) and CJK.search(answer["video_desc"])


def test_rows_already_in_the_language_are_kept_as_they_are(tmp_path: Path) -> None:
    source = _results(tmp_path, "zh")
    out = tmp_path / "swift.jsonl"
    res = runner.invoke(app, ["convert", str(source), str(out), "--to", "swift", "--lang", "zh"])
    assert res.exit_code == 0 and "rewritten" not in res.stdout
    original = [json.loads(line)["saber"] for line in source.read_text().splitlines()]
    assert [json.loads(_answer(r)) for r in read_jsonl(out)] == original


def test_records_without_evidence_are_refused_in_one_line(tmp_path: Path) -> None:
    source = _results(tmp_path, "en", keep_evidence=False)
    out = tmp_path / "swift.jsonl"
    res = runner.invoke(app, ["convert", str(source), str(out), "--to", "swift", "--lang", "zh"])
    assert res.exit_code != 0 and not out.exists()
    line = res.stderr.strip()
    assert "\n" not in line and f"{source}:1" in line and "needs a zh answer" in line
    res = runner.invoke(
        app, ["convert", str(source), str(out), "--to", "swift", "--lang", "zh", "--keep-going"]
    )
    assert "no valid SABER records" in res.stderr  # both refused, reported, nothing written
