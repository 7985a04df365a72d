"""Streaming JSONL: bad lines reported with file/line/field, atomic and resumable writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emoreason.errors import InputError
from emoreason.formats.atomic import atomic_write
from emoreason.formats.jsonl import JsonlAppender, iter_jsonl, read_jsonl, write_jsonl
from emoreason.schema import SaberRecord

GOOD = {
    "video_desc": "v",
    "audio_desc": {"speech_content": "s", "acoustic_feat": "a"},
    "facial_exp_desc": "f",
    "body_lang_desc": "b",
    "sentiment_analysis": "x",
}


def _write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_collects_every_kind_of_bad_line(tmp_path: Path) -> None:
    wrong_type = {**GOOD, "facial_exp_desc": 5}
    missing = {k: v for k, v in GOOD.items() if k != "body_lang_desc"}
    unknown = {**GOOD, "mood": "sad"}
    path = _write(
        tmp_path / "d.jsonl",
        [
            json.dumps(GOOD).encode(),
            b"{not json",
            json.dumps(wrong_type).encode(),
            b"",
            json.dumps(missing).encode(),
            json.dumps(unknown).encode(),
            b'{"video_desc": "caf\xe9"}',
            b"[1, 2]",
            json.dumps(GOOD).encode(),
        ],
    )
    outcomes = list(iter_jsonl(path, SaberRecord, on_error="collect"))
    assert [o.line for o in outcomes] == [1, 2, 3, 5, 6, 7, 8, 9]
    assert [o.ok for o in outcomes] == [True, False, False, False, False, False, False, True]
    messages = [str(o.error) for o in outcomes if not o.ok]
    assert messages[0].startswith(f"{path}:2: invalid JSON")
    assert messages[1] == f"{path}:3: facial_exp_desc: Input should be a valid string"
    assert messages[2] == f"{path}:5: body_lang_desc: required field is missing"
    assert messages[3] == f"{path}:6: mood: unknown field (not in the schema)"
    assert messages[4].startswith(f"{path}:7: not valid UTF-8 (byte 0xe9")
    assert messages[5] == f"{path}:8: expected a JSON object, got list"
    assert all("\n" not in m for m in messages)


def test_raise_mode_stops_at_first_bad_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.jsonl", [json.dumps(GOOD).encode(), b"oops"])
    with pytest.raises(InputError, match=r"d\.jsonl:2: invalid JSON"):
        read_jsonl(path, SaberRecord)


def test_huge_line_is_rejected_without_reading_it_whole(tmp_path: Path) -> None:
    huge = json.dumps({**GOOD, "video_desc": "x" * 5000}).encode()
    path = _write(tmp_path / "d.jsonl", [huge, json.dumps(GOOD).encode()])
    outcomes = list(iter_jsonl(path, SaberRecord, on_error="collect", max_line_bytes=1000))
    assert not outcomes[0].ok and "longer than 1000 bytes" in str(outcomes[0].error)
    assert outcomes[1].ok and outcomes[1].line == 2


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "e.jsonl"
    empty.write_bytes(b"")
    assert read_jsonl(empty) == []
    with pytest.raises(InputError, match="file not found"):
        list(iter_jsonl(tmp_path / "nope.jsonl"))


def test_bom_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode() + b"\n")
    assert read_jsonl(path, SaberRecord)[0].video_desc == "v"


def test_atomic_write_leaves_old_file_on_failure(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    write_jsonl(path, [{"a": 1}])
    with pytest.raises(RuntimeError), atomic_write(path) as handle:
        handle.write("partial")
        raise RuntimeError("boom")
    assert path.read_text() == '{"a": 1}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]  # no temp file left


def test_appender_repairs_a_line_cut_by_a_kill(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_text('{"id": "a"}\n{"id": "b"}\n{"id": "c", "sab')
    with JsonlAppender(path) as out:
        assert out.repaired_bytes == len('{"id": "c", "sab')
        out.append({"id": "c"})
    assert [r["id"] for r in read_jsonl(path)] == ["a", "b", "c"]


def test_appender_on_file_with_only_a_partial_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": "a"')
    with JsonlAppender(path) as out:
        out.append({"id": "z"})
    assert read_jsonl(path) == [{"id": "z"}]


def test_atomic_write_gives_normal_permissions(tmp_path: Path) -> None:
    import os

    path = tmp_path / "report.json"
    write_jsonl(path, [{"a": 1}])
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    path.chmod(0o640)
    write_jsonl(path, [{"a": 2}])
    assert path.stat().st_mode & 0o777 == 0o640  # an existing file keeps its mode
