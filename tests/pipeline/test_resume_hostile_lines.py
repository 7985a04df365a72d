"""``analyze -o f --resume`` over an output file holding a 100,000-deep line: the line is
reported, the rows before and after it still count as done."""

from __future__ import annotations

from typer.testing import CliRunner

from emoreason.cli.app import app
from emoreason.formats.jsonl import iter_jsonl

runner = CliRunner()


def test_resume_survives_a_deep_line(clip_dir, tmp_path, fake_perceiver) -> None:
    out = tmp_path / "results.jsonl"
    res = runner.invoke(app, ["analyze", str(clip_dir), "-o", str(out)])
    assert res.exit_code == 1  # 'broken' failed
    lines = out.read_text(encoding="utf-8").splitlines()
    out.write_text("\n".join([lines[0], "[" * 100_000, *lines[1:]]) + "\n", encoding="utf-8")
    fake_perceiver.calls.clear()
    for flags in (["--resume"], ["--resume", "--retry-errors"]):
        res = runner.invoke(app, ["analyze", str(clip_dir), "-o", str(out), *flags])
        assert "RecursionError" not in res.output and "Traceback" not in res.output, res.output
        assert f"{out}:2: JSON nested too deeply" in res.output.replace("\n", "")
    assert [c for c in fake_perceiver.calls if "broken" not in c] == []  # done clips not redone
    rows = [line.value for line in iter_jsonl(out, on_error="collect") if line.ok]
    assert sorted(r["id"] for r in rows) == sorted({r["id"] for r in rows})


def test_what_analyze_writes_passes_validate(clip_dir, tmp_path, fake_perceiver) -> None:
    out = tmp_path / "results.jsonl"
    runner.invoke(app, ["analyze", str(clip_dir), "-o", str(out)])
    res = runner.invoke(app, ["validate", str(out)])
    assert res.exit_code == 0, res.output
    assert "5 valid (1 error, 4 result), 0 invalid" in res.output


def test_folder_scan_says_what_it_passed_over(clip_dir, tmp_path, fake_perceiver) -> None:
    (clip_dir / "cover.png").write_bytes(b"\x89PNG\r\n")
    (clip_dir / "gone.mp4").symlink_to(tmp_path / "nowhere.mp4")
    res = runner.invoke(app, ["analyze", str(clip_dir), "-o", str(tmp_path / "r.jsonl")])
    assert "Traceback" not in res.output
    assert "gone.mp4: dangling symbolic link" in res.output
    assert "cover.png: not a media file (.png)" in res.output
    assert "notes.txt: not a media file (.txt)" in res.output
    assert not any("gone" in call or "cover" in call for call in fake_perceiver.calls)
