"""ms-swift rows and SABER per-clip folders: round trips and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emoreason.errors import InputError
from emoreason.formats.saber_io import iter_items, write_saber_folder
from emoreason.formats.swift import parse_swift_row, saber_to_swift, swift_to_saber
from emoreason.prompts import SED_PROMPT_EN, SED_PROMPT_ZH
from emoreason.schema import SaberItem, SaberRecord

RECORD = SaberRecord.model_validate(
    {
        "video_desc": "室内，一位女士",
        "audio_desc": {"speech_content": "没事", "acoustic_feat": "平稳"},
        "facial_exp_desc": "眉头紧锁",
        "body_lang_desc": "低头",
        "sentiment_analysis": "悲伤",
    }
)


def test_sft_row_round_trip() -> None:
    row = saber_to_swift(RECORD, video="clips/a.mp4", audio="clips/a.wav", lang="zh")
    data = row.to_json()
    assert data["videos"] == ["clips/a.mp4"] and data["audios"] == ["clips/a.wav"]
    assert data["messages"][0]["role"] == "user"
    assert data["messages"][0]["content"] == "<video><audio>" + SED_PROMPT_ZH
    assert "rejected_response" not in data
    assert json.loads(data["messages"][1]["content"])["facial_exp_desc"] == "眉头紧锁"
    assert "\\u" not in data["messages"][1]["content"]  # Chinese kept readable
    again = swift_to_saber(parse_swift_row(json.loads(json.dumps(data))))
    assert again == RECORD


def test_dpo_row_has_rejected_response() -> None:
    rejected = RECORD.replace_dimension("sentiment_analysis", "开心")
    row = saber_to_swift(RECORD, video="a.mp4", rejected=rejected, lang="en").to_json()
    assert row["messages"][0]["content"] == "<video>" + SED_PROMPT_EN
    assert json.loads(row["rejected_response"])["sentiment_analysis"] == "开心"


def test_swift_row_errors_name_the_field() -> None:
    row = parse_swift_row({"messages": [{"role": "user", "content": "hi"}]}, path="f", line=4)
    with pytest.raises(InputError, match="f:4: messages: row has no assistant message"):
        swift_to_saber(row, path="f", line=4)
    bad = {"messages": [{"role": "assistant", "content": '{"video_desc": "x"}'}]}
    with pytest.raises(InputError, match=r"messages\[-1\]\.content\.audio_desc: required field"):
        swift_to_saber(parse_swift_row(bad))
    with pytest.raises(InputError, match=r"messages\.0\.role"):
        parse_swift_row({"messages": [{"role": "robot", "content": "x"}]})


def test_folder_jsonl_swift_round_trip(tmp_path: Path) -> None:
    folder = tmp_path / "saber"
    items = [SaberItem(id="c1", saber=RECORD), SaberItem(id="c2", saber=RECORD)]
    write_saber_folder(folder, items)
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "c1.mp4").write_bytes(b"")
    read = [o.item for o in iter_items(folder, media_dir=tmp_path / "media")]
    assert [i.id for i in read] == ["c1", "c2"]
    assert read[0].video == str(tmp_path / "media" / "c1.mp4") and read[1].video is None
    assert all(i.saber == RECORD for i in read)


def test_folder_reports_bad_files_and_keeps_going(tmp_path: Path) -> None:
    folder = tmp_path / "saber"
    write_saber_folder(folder, [SaberItem(id="good", saber=RECORD)])
    (folder / "empty.json").write_bytes(b"  \n")
    (folder / "latin1.json").write_bytes(b'{"video_desc": "caf\xe9"}')
    (folder / "extra.json").write_text(json.dumps({**RECORD.model_dump(), "mood": "x"}))
    outcomes = {Path(o.source).name: o for o in iter_items(folder)}
    assert outcomes["good.json"].item is not None
    assert "empty file" in str(outcomes["empty.json"].error)
    assert "not valid UTF-8" in str(outcomes["latin1.json"].error)
    assert str(outcomes["extra.json"].error).endswith("mood: unknown field (not in the schema)")


def test_unsafe_ids_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot be a file name"):
        write_saber_folder(tmp_path, [SaberItem(id="../x", saber=RECORD)])
