"""``emoreason analyze`` through typer's CliRunner (fake perception, rules backend)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from emoreason.cli.app import app
from emoreason.formats.jsonl import read_jsonl


@pytest.fixture
def runner():
    return CliRunner()


def test_single_clip_readable_view(runner, clip_dir, fake_perceiver):
    res = runner.invoke(app, ["analyze", str(clip_dir / "masking.mp4")])
    assert res.exit_code == 0, res.output
    out = res.output
    for text in ("Emotion:", "sad", "video-aligned", "masking", "Per-modality evidence", "visual",
                 "acoustic", "verbal", "Scene", "Speech content", "Acoustic features",
                 "Facial expression", "Body language", "Reasoning"):  # fmt: skip
        assert text in out, text


def test_single_clip_json_and_chinese(runner, clip_dir, fake_perceiver):
    res = runner.invoke(app, ["analyze", str(clip_dir / "sarcasm.mp4"), "--json", "--lang", "zh"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["language"] == "zh" and data["emotion"] == "angry"
    assert data["consistency"]["consistent"] is False
    assert "反讽" in data["saber"]["sentiment_analysis"]


def test_single_bad_clip_exits_1_with_one_line(runner, clip_dir, fake_perceiver):
    res = runner.invoke(app, ["analyze", str(clip_dir / "broken.mp4")])
    assert res.exit_code == 1
    assert "broken.mp4" in res.output and "Traceback" not in res.output


def test_batch_with_errors_resume_and_report(runner, clip_dir, tmp_path, fake_perceiver):
    out, report = tmp_path / "results.jsonl", tmp_path / "report.html"
    res = runner.invoke(app, ["analyze", str(clip_dir), "-o", str(out), "--report", str(report)])
    assert res.exit_code == 1  # 'broken' failed, the batch went on
    rows = read_jsonl(out)
    assert len(rows) == 5 and sum(r["status"] == "error" for r in rows) == 1
    assert "4 ok, 1 failed" in res.output
    assert report.read_text().count("data:image/png;base64,") == 4
    # cut the file mid-row, as a kill would, and resume: no duplicates, nothing lost
    data = out.read_bytes()
    out.write_bytes(data[: len(data) - 40])
    res = runner.invoke(app, ["analyze", str(clip_dir), "-o", str(out), "--resume"])
    ids = [r["id"] for r in read_jsonl(out)]
    assert sorted(ids) == ["broken", "consistent_sad", "masking", "sarcasm", "silence"]
    assert "skip" in res.output and "4 skipped" in res.output


def test_resume_needs_output(runner, clip_dir, fake_perceiver):
    res = runner.invoke(app, ["analyze", str(clip_dir), "--resume"])
    assert res.exit_code == 2 and "--resume" in res.output


def test_unknown_backend_is_one_line_error(runner, clip_dir, fake_perceiver):
    res = runner.invoke(app, ["analyze", str(clip_dir / "masking.mp4"), "--backend", "magic"])
    text = " ".join(res.output.replace("│", " ").split())
    assert res.exit_code == 2 and "'magic' is not one of 'rules', 'transformers'" in text


def test_batch_json_lines_without_output(runner, clip_dir, fake_perceiver):
    res = runner.invoke(
        app, ["analyze", str(clip_dir / "masking.mp4"), str(clip_dir / "silence.mp4"), "--json"]
    )
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    assert [r["id"] for r in rows] == ["masking", "silence"]


def test_manifest_of_ms_swift_rows(runner, clip_dir, tmp_path, fake_perceiver):
    manifest = tmp_path / "swift.jsonl"
    row = {
        "messages": [{"role": "user", "content": "<video><audio>..."}],
        "videos": [str(clip_dir / "sarcasm.mp4")],
    }
    manifest.write_text(json.dumps(row) + "\n")
    out = tmp_path / "o.jsonl"
    res = runner.invoke(app, ["analyze", str(manifest), "-o", str(out)])
    assert res.exit_code == 0, res.output
    (result,) = read_jsonl(out)
    assert result["id"] == "sarcasm" and result["emotion"] == "angry"
