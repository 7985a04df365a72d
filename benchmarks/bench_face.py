"""Cost of the face stage: the path before issue 19 (FER + 2-D action proxies) against today's
(FER + 3-D head frame, action prototypes, baseline and fusion), side by side in one run.

The old path is loaded from git (``BASELINE_REV``) into a temporary folder under other module
names, so both run in the same process on the same decoded frames, models warm, alternating
repeat by repeat; the median CPU time per clip is compared. Decoding is not timed. Target: new / old <= 1.2.

    .venv/bin/python benchmarks/bench_face.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")

from emoreason.perception.base import effective_fps
from emoreason.perception.config import PerceptionConfig
from emoreason.perception.decode import FrameStats, iter_frames, probe
from emoreason.perception.face import FaceExtractor

ROOT = Path(__file__).resolve().parents[1]
CLIPS = ROOT / "examples" / "clips"
BASELINE_REV = "5cde71e1bed43ba8026b36b750262aaeda17cf8d"  # last commit before issue 19's face work
OLD_MODULES = {
    "_old_face_geometry": "src/emoreason/perception/face_geometry.py",
    "_old_hypotheses": "src/emoreason/perception/hypotheses.py",
    "_old_face": "src/emoreason/perception/face.py",
}


def load_old_extractor(folder: Path) -> type:
    """The pre-issue FaceExtractor, its own geometry and hypotheses modules renamed."""
    for name, path in OLD_MODULES.items():
        text = subprocess.run(["git", "-C", str(ROOT), "show", f"{BASELINE_REV}:{path}"],
                              check=True, capture_output=True, text=True).stdout  # fmt: skip
        text = text.replace("emoreason.perception.face_geometry", "_old_face_geometry")
        text = text.replace("emoreason.perception.hypotheses", "_old_hypotheses")
        (folder / f"{name}.py").write_text(text)
    sys.path.insert(0, str(folder))
    import _old_face  # type: ignore[import-not-found]

    return _old_face.FaceExtractor


def run_once(extractor, facts, frames, stats) -> float:
    """CPU seconds of the process (all threads) for one clip: steadier than wall time on a
    shared machine."""
    began = time.process_time()
    extractor.start(facts)
    for frame in frames:
        extractor.update(frame)
    extractor.finish(stats)
    return time.process_time() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    config = PerceptionConfig()
    with tempfile.TemporaryDirectory() as tmp:
        old, new = load_old_extractor(Path(tmp))(config), FaceExtractor(config)
        old.load()
        new.load()
        for clip in ("sad_consistent", "happy_consistent"):
            path = CLIPS / f"{clip}.mp4"
            facts, stats = probe(path), FrameStats()
            frames = list(iter_frames(path, effective_fps(facts.duration, config), stats=stats))
            run_once(old, facts, frames, stats), run_once(new, facts, frames, stats)  # warm-up
            times: dict[str, list[float]] = {"old": [], "new": []}
            for _ in range(args.repeats):
                times["old"].append(run_once(old, facts, frames, stats))
                times["new"].append(run_once(new, facts, frames, stats))
            o, n = statistics.median(times["old"]), statistics.median(times["new"])
            print(
                f"{clip}: {len(frames)} frames; CPU old {1000 * o / len(frames):.1f} ms/frame, "
                f"new {1000 * n / len(frames):.1f} ms/frame; new/old = {n / o:.3f} "
                f"(load average {os.getloadavg()[0]:.1f})"
            )


if __name__ == "__main__":
    main()
