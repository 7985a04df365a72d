"""A line nested 100,000 levels deep is one bad line (file:line), never an aborted file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emoreason.cli.app import app
from emoreason.formats.jsonl import TOO_DEEP, iter_jsonl
from emoreason.formats.saber_io import iter_items
from saber_samples import RECORD

runner = CliRunner()
DEEP = "[" * 100_000


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """Line 1 valid, line 2 a 100,000-deep array, line 3 valid, line 4 deep inside an object."""
    path = tmp_path / "mixed.jsonl"
    rows = [
        json.dumps({"id": "a", "saber": RECORD}),
        DEEP,
        json.dumps({"id": "b", "saber": RECORD}),
        '{"id": "c", "saber": ' + DEEP,
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_iter_jsonl_reports_the_deep_lines_and_reads_the_rest(mixed: Path) -> None:
    lines = list(iter_jsonl(mixed, on_error="collect"))
    assert [line.ok for line in lines] == [True, False, True, False]
    assert lines[1].error is not None and TOO_DEEP in str(lines[1].error)
    assert f"{mixed}:2" in str(lines[1].error) and f"{mixed}:4" in str(lines[3].error)
    ids = [o.item.id for o in iter_items(mixed) if o.item is not None]
    assert ids == ["a", "b"]


def test_validate_names_the_deep_line(mixed: Path) -> None:
    res = runner.invoke(app, ["validate", str(mixed)])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert f"{mixed}:2" in res.output and "nested too deeply" in res.output
    assert "2 valid" in res.output and "2 invalid" in res.output


def test_convert_refuses_in_one_line_without_recursion_error(mixed: Path, tmp_path) -> None:
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["convert", str(mixed), str(out), "--to", "jsonl", "--keep-going"])
    assert "RecursionError" not in res.output and "Traceback" not in res.output
    assert f"{mixed}:2" in res.output


def test_build_sft_reports_the_deep_line(tmp_path) -> None:
    source = tmp_path / "deep_first.jsonl"
    source.write_text(DEEP + "\n", encoding="utf-8")  # build-sft stops at its first bad line
    res = runner.invoke(app, ["build-sft", str(source), "-o", str(tmp_path / "sft.jsonl")])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert f"{source}:1: JSON nested too deeply" in res.output


def test_deep_assistant_content_in_a_swift_row_is_one_bad_line(tmp_path: Path) -> None:
    row = {"messages": [{"role": "user", "content": "describe"},
                        {"role": "assistant", "content": DEEP}]}  # fmt: skip
    path = tmp_path / "swift.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    (outcome,) = list(iter_items(path))
    assert outcome.error is not None and "nested too deeply" in str(outcome.error)
