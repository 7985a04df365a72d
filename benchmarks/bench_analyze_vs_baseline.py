"""Warm ``analyze`` cost of this tree against an earlier commit, measured side by side in one run.

Target (issue 13): the learned voice, words and face models keep the 10 s benchmark clip's whole
analysis within 1.1x of the earlier warm time. The earlier commit is checked out into a temporary
git worktree; the same worker script (below) runs once per tree in a subprocess that imports that
tree's ``src``, loads the models, analyses the clip once cold and ``--repeats`` times warm. The
trees alternate (``--rounds``) so that other load on the machine hits both alike. Process CPU
seconds are the headline (wall time is printed too; it is noisier on a shared machine).

    .venv/bin/python benchmarks/bench_analyze_vs_baseline.py [--baseline 5ffc504] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The last commit before the learned voice/words/face models (session start, 2026-11-30).
DEFAULT_BASELINE = "5ffc504"

WORKER = r"""
import json, resource, sys, time
from emoreason.pipeline.analyze import Analyzer

def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime

clip = sys.argv[1]
analyzer = Analyzer("rules", "en")
analyzer.analyze(clip)  # cold: models load
walls, cpus = [], []
for _ in range(int(sys.argv[2])):
    t, c = time.perf_counter(), cpu()
    result = analyzer.analyze(clip)
    walls.append(time.perf_counter() - t)
    cpus.append(cpu() - c)
print(json.dumps({"wall": walls, "cpu": cpus, "emotion": result.emotion}))
"""


def run_tree(src: Path, clip: Path, repeats: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src), "OMP_NUM_THREADS": "2"}
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(clip), str(repeats)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="git ref to compare with")
    parser.add_argument("--repeats", type=int, default=3, help="warm analyses per process")
    parser.add_argument("--rounds", type=int, default=2, help="alternations of the two trees")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_perception import build_clip

    with tempfile.TemporaryDirectory(prefix="bench_baseline_") as tmp:
        tmp = Path(tmp)
        clip = build_clip(tmp / "clip10s.mp4")
        tree = tmp / "baseline"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), args.baseline],
            check=True,
        )
        try:
            results: dict[str, dict[str, list[float]]] = {
                "baseline": {"wall": [], "cpu": []},
                "current": {"wall": [], "cpu": []},
            }
            emotions = {}
            for _ in range(args.rounds):
                for name, src in (("baseline", tree / "src"), ("current", ROOT / "src")):
                    out = run_tree(src, clip, args.repeats)
                    results[name]["wall"] += out["wall"]
                    results[name]["cpu"] += out["cpu"]
                    emotions[name] = out["emotion"]
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)])

    print(f"10 s clip, warm analyses: {args.rounds} rounds x {args.repeats} per tree; "
          f"load average {os.getloadavg()}")  # fmt: skip
    print(f"{'':22s}{'baseline':>12s}{'current':>12s}{'ratio':>9s}")
    for key, label in (("cpu", "process CPU (s)"), ("wall", "wall (s)")):
        base = statistics.median(results["baseline"][key])
        cur = statistics.median(results["current"][key])
        print(f"{label + ' median':22s}{base:12.2f}{cur:12.2f}{cur / base:9.2f}x")
    print(f"final emotion: baseline {emotions['baseline']}, current {emotions['current']}")
    print(f"baseline: {args.baseline} (target: current within 1.1x)")


if __name__ == "__main__":
    main()
