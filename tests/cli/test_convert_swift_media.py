"""`convert --to swift` writes the one media convention, and its rows read back unchanged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from emoreason.cli.app import app
from emoreason.formats.jsonl import read_jsonl, write_jsonl
from emoreason.formats.saber_io import iter_items
from emoreason.formats.swift import SwiftRow, convention_problems
from emoreason.reasoning.rules import RulesReasoner
from saber_samples import RECORD
from synthetic_evidence import make_evidence

runner = CliRunner()
CLIPS = Path(__file__).resolve().parents[2] / "examples" / "clips"


def _media(tmp_path: Path) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    shutil.copy(CLIPS / "sad_consistent.mp4", folder / "with_audio.mp4")
    shutil.copy(CLIPS / "no_audio.mp4", folder / "without_audio.mp4")
    return folder


def _convert(source: Path, destination: Path, *extra: str) -> list[dict]:
    res = runner.invoke(app, ["convert", str(source), str(destination), "--to", "swift", *extra])
    assert res.exit_code == 0, res.output
    rows = read_jsonl(destination)
    for row in rows:
        assert convention_problems(SwiftRow.model_validate(row)) == [], row
    return rows


def _by_id(rows: list[dict]) -> dict[str, dict]:
    return {row["id"]: row for row in rows}


def test_saber_folder_with_media_dir_and_the_round_trip(tmp_path: Path) -> None:
    media = _media(tmp_path)
    folder = tmp_path / "saber"
    folder.mkdir()
    for stem in ("with_audio", "without_audio"):
        (folder / f"{stem}.json").write_text(json.dumps(RECORD), encoding="utf-8")
    rows = _by_id(_convert(folder, tmp_path / "rows.jsonl", "--media-dir", str(media)))
    sound, silent = rows["with_audio"], rows["without_audio"]
    assert sound["videos"] == sound["audios"] == [str(media / "with_audio.mp4")]
    assert sound["messages"][0]["content"].startswith("<video><audio>")
    assert silent["videos"] == [str(media / "without_audio.mp4")] and silent["audios"] == []
    assert "<audio>" not in silent["messages"][0]["content"]
    # read back: the items keep their media; written again: the same rows
    items = {o.item.id: o.item for o in iter_items(tmp_path / "rows.jsonl")}
    assert items["with_audio"].audio == str(media / "with_audio.mp4")
    assert items["without_audio"].audio is None
    again = _convert(tmp_path / "rows.jsonl", tmp_path / "again.jsonl")
    assert _by_id(again) == rows


def test_analysis_results_use_their_evidence(tmp_path: Path) -> None:
    media = _media(tmp_path)
    rows = []
    for stem, scenario in (("with_audio", "consistent_sad"), ("without_audio", "missing_audio")):
        evidence = make_evidence(scenario, path=str(media / f"{stem}.mp4"))
        result = RulesReasoner().reason(evidence, "en").model_copy(update={"id": stem})
        rows.append(json.loads(result.model_dump_json()))
    write_jsonl(tmp_path / "results.jsonl", rows)
    out = _by_id(_convert(tmp_path / "results.jsonl", tmp_path / "rows.jsonl"))
    assert out["with_audio"]["audios"] == out["with_audio"]["videos"]
    assert out["without_audio"]["audios"] == []
