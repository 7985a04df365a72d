"""``emoreason pipeline run --engine ray --ray-address ADDR``: joining an existing Ray cluster.

A head node is started in one Python process (``ray.init`` there, killed by its process group id
afterwards) and the CLI runs in another as a client of that cluster, so the items reach the
cluster through ``ray.data.from_items``. Ray 2.60 clusters require a token: one is made for this
test and given to both processes. Slow: two Ray start-ups.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys

import pytest

from emoreason.pipeline.shards import iter_rows

HEAD = """
import time, ray
ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1")
print(ray.get_runtime_context().gcs_address, flush=True)
time.sleep(600)
"""


@pytest.mark.slow
def test_cli_joins_a_ray_cluster_by_address(tmp_path):
    pytest.importorskip("ray")
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32),
           "RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}  # fmt: skip
    head = subprocess.Popen(
        [sys.executable, "-c", HEAD],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        address = head.stdout.readline().strip()
        assert address, "the head node did not start"
        inputs = tmp_path / "in"
        inputs.mkdir()
        for name in ("clip_a", "clip_b", "clip_c", "broken_d"):
            (inputs / f"{name}.mp4").write_bytes(b"x")
        config = tmp_path / "pipeline.yaml"
        config.write_text(
            "analyzer: 'emoreason.pipeline.testing:build_fake_analyzer'\nstages: [annotate, qc]\n"
        )
        out = tmp_path / "out"
        cmd = [sys.executable, "-m", "emoreason.cli.app", "pipeline", "run", "--input",
               str(inputs), "--output", str(out), "--config", str(config), "--engine", "ray",
               "--ray-address", address, "--workers", "2"]  # fmt: skip
        run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=400)
        assert run.returncode == 1, run.stderr[-2000:]  # 1: one clip failed, the run went on
        ids = sorted(r["id"] for r in iter_rows(out / "rows"))
        assert ids == ["broken_d", "clip_a", "clip_b", "clip_c"]
        manifest = json.loads((out / "manifest.json").read_text())
        engine = manifest["runs"][-1]["engine"]
        assert engine["ray_address"] == address and engine["cluster_cpus"] == 2
        assert manifest["status"] == {"error": 1, "ok": 3}
        assert head.poll() is None  # the client left the cluster running
    finally:
        os.killpg(head.pid, signal.SIGKILL)
        head.wait(timeout=30)
