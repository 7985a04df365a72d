"""End-to-end ``emoreason analyze`` speed on a 10 s clip with the rules backend, models warm.

Target (issue 4): a 10 s clip analysed in <= 5 s wall, warm, on 2 cores. Prints, measured side by
side in one run:

- the cold first call (perception models load) and the warm calls (median of ``--repeats``);
- per stage: perception sub-stages (from ``Evidence.timings``), reasoning, report rendering;
- the rules reasoner alone, EN and ZH (ms per clip), to show where the time goes;
- the ratio warm total / 5 s target.

The 10 s clip is assembled the same way as in ``bench_perception.py`` (7 s of
``sad_consistent.mp4`` + 3 s of ``sad_face_calm_voice.mp4``). Wall times depend on other load on
the machine: the load average and the process CPU seconds are printed next to them.

    .venv/bin/python benchmarks/bench_analyze.py [--repeats 3] [--keep]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_perception import build_clip

from emoreason.pipeline.analyze import Analyzer
from emoreason.pipeline.report import report_html, timeline_png
from emoreason.reasoning import RulesReasoner

TARGET_S = 5.0
PERCEPTION_STAGES = ("probe", "decode_audio", "decode_video", "face", "body", "scene", "visual",
                     "acoustic", "speech", "verbal", "audio", "hypotheses")  # fmt: skip


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="warm runs (median reported)")
    parser.add_argument("--keep", action="store_true", help="keep the generated clip")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench_analyze_"))
    clip = build_clip(folder / "clip10s.mp4")
    analyzer = Analyzer("rules", "en")

    t0, c0 = time.perf_counter(), cpu_seconds()
    cold = analyzer.analyze(clip)
    cold_wall, cold_cpu = time.perf_counter() - t0, cpu_seconds() - c0

    warm = []
    for _ in range(args.repeats):
        t0, c0 = time.perf_counter(), cpu_seconds()
        result = analyzer.analyze(clip)
        warm.append((time.perf_counter() - t0, cpu_seconds() - c0, result))
    wall = statistics.median(w for w, _, _ in warm)
    cpu = statistics.median(c for _, c, _ in warm)

    print(f"clip: {clip.name}, {cold.evidence.clip.duration:.1f} s; load average {os.getloadavg()}")
    print(f"result: {cold.emotion} ({cold.consistency.verdict.value})")
    print(f"{'':24s}{'cold':>10s}{'warm (median)':>16s}")
    print(f"{'wall total (s)':24s}{cold_wall:10.2f}{wall:16.2f}")
    print(f"{'process CPU (s)':24s}{cold_cpu:10.2f}{cpu:16.2f}")
    print("per stage (s):")
    for stage in PERCEPTION_STAGES:
        warm_values = [r.evidence.timings.get(stage, 0.0) for _, _, r in warm]
        print(f"  perception.{stage:13s}{cold.evidence.timings.get(stage, 0.0):10.2f}"
              f"{statistics.median(warm_values):16.2f}")  # fmt: skip
    for stage in ("perception", "reasoning", "total"):
        warm_values = [r.timings.get(stage, 0.0) for _, _, r in warm]
        print(
            f"  {stage:24s}{cold.timings.get(stage, 0.0):8.2f}{statistics.median(warm_values):16.2f}"
        )

    evidence = warm[-1][2].evidence
    reasoner = RulesReasoner()
    for lang in ("en", "zh"):
        t0 = time.perf_counter()
        for _ in range(50):
            reasoner.reason(evidence, lang)
        print(f"  rules reasoning {lang} (ms/clip){(time.perf_counter() - t0) / 50 * 1000:14.2f}")
    t0 = time.perf_counter()
    timeline_png(warm[-1][2])
    png_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    report_html([warm[-1][2]])
    html_s = time.perf_counter() - t0
    print(f"  report PNG timeline (s){png_s:17.2f}")
    print(f"  report HTML (s){html_s:25.2f}")
    print(f"warm total / target ({TARGET_S:.0f} s): {wall / TARGET_S:.2f} "
          f"({'met' if wall <= TARGET_S else 'NOT met'})")  # fmt: skip
    if not args.keep:
        clip.unlink()
        folder.rmdir()
    else:
        print(f"clip kept: {clip}")


if __name__ == "__main__":
    main()
