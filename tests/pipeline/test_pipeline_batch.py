"""Batches: input expansion, error rows, append-per-clip and resume without duplicates."""

from __future__ import annotations

import json

import pytest

from emoreason.errors import InputError
from emoreason.formats.jsonl import read_jsonl
from emoreason.pipeline.analyze import Analyzer
from emoreason.pipeline.batch import collect_jobs, done_ids, run_batch


def test_folder_expands_to_sorted_media_files(clip_dir):
    jobs = collect_jobs([clip_dir])
    assert [j.id for j in jobs] == ["broken", "consistent_sad", "masking", "sarcasm", "silence"]
    (clip_dir / "empty").mkdir()
    with pytest.raises(InputError, match="no media files"):
        collect_jobs([clip_dir / "empty"])


def test_manifest_rows_plain_and_ms_swift(clip_dir, tmp_path):
    manifest = tmp_path / "m.jsonl"
    rows = [
        {"id": "first", "path": str(clip_dir / "masking.mp4")},
        {"messages": [{"role": "user", "content": "<video>x"}], "videos": ["clips/sarcasm.mp4"]},
        {"audios": ["clips/silence.mp4"], "messages": []},
        {"nothing": 1},
    ]
    manifest.write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken json\n")
    jobs = collect_jobs([manifest, clip_dir / "masking.mp4"])
    assert [j.id for j in jobs[:3]] == ["first", "sarcasm", "silence"]
    assert jobs[1].path == str(tmp_path / "clips" / "sarcasm.mp4")  # relative to the manifest
    assert jobs[3].error is not None and "m.jsonl:4" in str(jobs[3].error)
    assert jobs[4].error is not None and "invalid JSON" in str(jobs[4].error)
    assert jobs[5].id == "masking"


def test_repeated_ids_get_suffixes(clip_dir):
    jobs = collect_jobs([clip_dir / "masking.mp4", clip_dir / "masking.mp4"])
    assert [j.id for j in jobs] == ["masking", "masking-2"]


def test_batch_writes_ok_and_error_rows(clip_dir, tmp_path, fake_perceiver):
    out = tmp_path / "out.jsonl"
    analyzer = Analyzer()
    jobs = collect_jobs([clip_dir, tmp_path / "missing.mp4"])
    seen = []
    summary = run_batch(jobs, analyzer.analyze, output=out, on_done=lambda j, r: seen.append(j.id))
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == [j.id for j in jobs] == seen
    status = {r["id"]: r["status"] for r in rows}
    assert status == {
        "broken": "error",
        "consistent_sad": "ok",
        "masking": "ok",
        "sarcasm": "ok",
        "silence": "ok",
        "missing": "error",
    }
    errors = {r["id"]: r for r in rows if r["status"] == "error"}
    assert (
        "not a video" in errors["broken"]["error"]
        and errors["broken"]["error_type"] == "MediaError"
    )
    assert "file not found" in errors["missing"]["error"]
    assert (summary.ok, summary.failed, summary.skipped) == (4, 2, 0)
    masking = next(r for r in rows if r["id"] == "masking")
    assert masking["consistency"]["pattern"] == "masking" and masking["emotion"] == "sad"


def test_resume_after_kill_has_no_duplicates(clip_dir, tmp_path, fake_perceiver):
    out = tmp_path / "out.jsonl"
    jobs = collect_jobs([clip_dir])
    analyzer = Analyzer()
    run_batch(jobs[:2], analyzer.analyze, output=out)  # the first two finished ...
    with out.open("a") as handle:  # ... and the third was cut mid-line by a kill
        handle.write('{"schema_version": "1.0", "status": "ok", "id": "masking", "sou')
    fake_perceiver.calls.clear()
    summary = run_batch(jobs, analyzer.analyze, output=out, resume=True)
    ids = [r["id"] for r in read_jsonl(out)]
    assert sorted(ids) == sorted(j.id for j in jobs) and len(ids) == len(set(ids))
    assert summary.skipped == 2
    # only the unfinished clips were perceived again: the cut 'masking' row and the rest
    assert [c.rsplit("/", 1)[-1] for c in fake_perceiver.calls] == [
        "masking.mp4",
        "sarcasm.mp4",
        "silence.mp4",
    ]
    assert done_ids(out) == {j.id for j in jobs}


def test_existing_output_is_never_replaced_by_accident(clip_dir, tmp_path, fake_perceiver):
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "old", "status": "ok"}\n')
    job = collect_jobs([clip_dir / "masking.mp4"])
    with pytest.raises(InputError, match="--resume to continue it or --overwrite"):
        run_batch(job, Analyzer().analyze, output=out)
    assert read_jsonl(out) == [{"id": "old", "status": "ok"}]
    run_batch(job, Analyzer().analyze, output=out, overwrite=True)
    assert [r["id"] for r in read_jsonl(out)] == ["masking"]


def test_resume_can_retry_failed_clips_without_duplicates(clip_dir, tmp_path, fake_perceiver):
    out = tmp_path / "out.jsonl"
    jobs = collect_jobs([clip_dir])
    analyzer = Analyzer()
    first = run_batch(jobs, analyzer.analyze, output=out)
    assert first.failed == 1  # broken.mp4
    fake_perceiver.calls.clear()
    again = run_batch(jobs, analyzer.analyze, output=out, resume=True)
    assert again.skipped == len(jobs) and fake_perceiver.calls == []  # errors are kept by default
    retried = run_batch(jobs, analyzer.analyze, output=out, resume=True, retry_errors=True)
    assert retried.skipped == len(jobs) - 1 and retried.failed == 1
    assert [c.rsplit("/", 1)[-1] for c in fake_perceiver.calls] == ["broken.mp4"]
    ids = [r["id"] for r in read_jsonl(out)]
    assert sorted(ids) == sorted(j.id for j in jobs)  # the old error row was replaced
    assert done_ids(out, include_errors=False) == {j.id for j in jobs} - {"broken"}


def test_dropping_error_rows_keeps_damaged_lines_byte_for_byte(tmp_path):
    from emoreason.pipeline.batch import drop_error_rows

    out = tmp_path / "out.jsonl"
    out.write_bytes(
        b'{"id": "a", "status": "ok"}\n{"id": "b", "status": "error", "error": "x"}\n'
        b'{"id": "c", "note": "caf\xe9"}\n'
    )
    assert drop_error_rows(out) == 1
    assert out.read_bytes() == b'{"id": "a", "status": "ok"}\n{"id": "c", "note": "caf\xe9"}\n'
