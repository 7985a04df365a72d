"""SIGKILL a running ``emoreason pipeline run`` mid-way, resume, get exactly one row per input.

The run is a real CLI subprocess in its own session (the whole process group - pool workers, or
Ray's driver and local services - is killed at once, as a crashed job would be), on the fake
analyser slowed down so that the kill lands after some rows and before the end. A line cut short
is simulated on top of whatever the kill left, and the resumed run must repair it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emoreason.pipeline.config import PipelineConfig
from emoreason.pipeline.run import run_pipeline
from emoreason.pipeline.shards import iter_rows, shard_paths

FAKE = "emoreason.pipeline.testing:build_fake_analyzer"
N_CLIPS = 30


def make_inputs(folder: Path) -> set[str]:
    folder.mkdir(parents=True)
    ids = set()
    for i in range(N_CLIPS):
        name = f"clip{i:03d}" if i % 10 else f"broken{i:03d}"
        (folder / f"{name}.mp4").write_bytes(b"x")
        ids.add(name)
    return ids


def row_count(output: Path) -> int:
    total = 0
    for shard in shard_paths(output / "rows"):
        total += shard.read_bytes().count(b"\n")
    return total


def kill_mid_run(tmp_path: Path, engine: str, wait_rows: int, startup_s: float) -> Path:
    inputs, output = tmp_path / "in", tmp_path / "out"
    config = tmp_path / "pipeline.yaml"
    config.write_text(
        f"analyzer: '{FAKE}'\nanalyzer_options: {{delay: 0.4}}\nstages: [annotate, qc]\n"
        f"shard_size: 7\nlanguages: [en]\n"
    )
    cmd = [sys.executable, "-m", "emoreason.cli.app", "pipeline", "run", "--input", str(inputs),
           "--output", str(output), "--config", str(config), "--engine", engine, "--workers", "2"]  # fmt: skip
    process = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + startup_s
        while row_count(output) < wait_rows:
            assert process.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no rows appeared in time"
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    return output


def resume_and_check(tmp_path: Path, output: Path, ids: set[str], engine: str) -> None:
    done_before = row_count(output)
    assert 3 <= done_before < N_CLIPS, done_before  # killed mid-way, not before or after
    last = shard_paths(output / "rows")[-1]
    with last.open("ab") as handle:  # a row cut short by the kill
        handle.write(b'{"id": "clip001", "status": "ok", "sab')
    config = PipelineConfig(
        analyzer=FAKE, stages=("annotate", "qc"), languages=("en",), workers=2, engine=engine,
        shard_size=7,
    )  # fmt: skip
    summary = run_pipeline(tmp_path / "in", output, config, resume=True)
    rows = list(iter_rows(output / "rows"))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["id"]] = counts.get(row["id"], 0) + 1
    assert set(counts) == ids
    assert all(n == 1 for n in counts.values()), {k: n for k, n in counts.items() if n != 1}
    assert summary.resumed + summary.processed == N_CLIPS
    assert summary.status == {"ok": 27, "error": 3}
    for shard in shard_paths(output / "rows"):  # every line parses: the cut line is gone
        for line in shard.read_text(encoding="utf-8").splitlines():
            json.loads(line)
    manifest = json.loads((output / "manifest.json").read_text())
    assert manifest["status"] == {"ok": 27, "error": 3}


def test_sigkill_then_resume_local(tmp_path):
    ids = make_inputs(tmp_path / "in")
    output = kill_mid_run(tmp_path, "local", wait_rows=4, startup_s=120)
    resume_and_check(tmp_path, output, ids, "local")


@pytest.mark.slow
def test_sigkill_then_resume_ray(tmp_path):
    pytest.importorskip("ray")
    ids = make_inputs(tmp_path / "in")
    output = kill_mid_run(tmp_path, "ray", wait_rows=4, startup_s=300)
    resume_and_check(tmp_path, output, ids, "ray")
