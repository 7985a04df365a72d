"""``emoreason perceive``: JSON and table output, one-line errors (light stages only)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from emoreason.cli.app import app
from emoreason.schema import Evidence

runner = CliRunner()


def test_perceive_json_is_evidence(clips_dir) -> None:
    clip = str(clips_dir / "no_audio.mp4")
    result = runner.invoke(
        app, ["perceive", clip, "--json", "--fps", "1", "--stages", "scene,acoustic"]
    )
    assert result.exit_code == 0, result.output
    ev = Evidence.model_validate(json.loads(result.stdout))
    assert ev.clip.path == clip and ev.clip.frames_sampled >= 7
    assert ev.modalities["scene"].available and not ev.modalities["acoustic"].available
    assert ev.hypothesis("visual").available is False


def test_perceive_table_and_errors(clips_dir) -> None:
    clip = str(clips_dir / "no_audio.mp4")
    result = runner.invoke(app, ["perceive", clip, "--fps", "1", "--stages", "scene"])
    assert result.exit_code == 0, result.output
    assert "evidence" in result.stdout and "emotion hypotheses" in result.stdout
    assert "no audio" in result.stdout
    bad = runner.invoke(app, ["perceive", str(clips_dir / "not_a_video.mp4")])
    assert bad.exit_code == 2
    assert "not_a_video.mp4: not a decodable video" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    wrong = runner.invoke(app, ["perceive", clip, "--stages", "smell"])
    assert wrong.exit_code == 2 and "valid stages" in wrong.stderr
