"""``emoreason pipeline run`` at scale: worker scaling, Ray's overhead, memory over many clips.

Targets (issue 16), on a 2-core machine:

1. throughput of the ``local`` engine with 2 workers >= 1.6x its throughput with 1 worker;
2. Ray's overhead against ``local`` at the same worker count (reported, no target);
3. memory per clip flat over 200 clips (the driver plus its workers: no growth per clip).

(1) and (2) run the real analyser (rules backend, real perception; ``--quick`` samples 1 frame
per second) over ``--clips`` short clips cut from the example clips (the first 1.6-3.0 s of each
good clip, packets re-muxed without re-encoding) in a temporary folder. Throughput is reported
two ways: wall clock (including each worker's model load) and steady state (clips per second
after every worker has finished its first clip, from the rows' finish times). (3) runs the fake analyser
(``emoreason.pipeline.testing``: real rules reasoning, QC and output, no decoding) over
``--memory-clips`` inputs and samples the resident memory of the driver and its workers after
every clip. The load average, the whole machine's busy CPU seconds and (local) the workers' own
CPU seconds per clip are printed next to every number: the machine may be shared, and when
other programs hold a core, two workers cannot be twice as fast as one.

    .venv/bin/python benchmarks/bench_pipeline.py [--clips 42] [--quick] [--memory-clips 200]
        [--skip-ray] [--skip-real]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

import av
import psutil

from emoreason.pipeline.config import PipelineConfig
from emoreason.pipeline.run import run_pipeline
from emoreason.pipeline.shards import iter_rows

CLIPS = Path(__file__).resolve().parents[1] / "examples" / "clips"
GOOD = ("sad_consistent", "sad_face_calm_voice", "smile_angry_voice", "happy_consistent",
        "happy_zh", "garbled_speech")  # fmt: skip


def cut(source: Path, target: Path, seconds: float) -> None:
    """The first ``seconds`` of ``source``, every stream copied packet by packet."""
    with av.open(str(source)) as src, av.open(str(target), "w") as dst:
        streams = {}
        for stream in src.streams:
            if stream.type in ("video", "audio"):
                streams[stream.index] = dst.add_stream_from_template(stream)
        for packet in src.demux(*[s for s in src.streams if s.index in streams]):
            if packet.dts is None:
                continue
            if packet.pts is not None and float(packet.pts * packet.time_base) >= seconds:
                continue
            packet.stream = streams[packet.stream_index]
            dst.mux(packet)


def make_clips(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lengths = [1.6 + 0.2 * k for k in range(8)]
    for i in range(n):
        name = GOOD[i % len(GOOD)]
        seconds = lengths[(i // len(GOOD)) % len(lengths)]
        cut(CLIPS / f"{name}.mp4", folder / f"{name}_{i:03d}.mp4", seconds)
    return folder


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def steady_rate(output: Path) -> float | None:
    """Clips per second once every worker has finished its first clip (models loaded), from
    the rows' own finish times (independent of how the engine batches rows to the driver)."""
    rows = [r for r in iter_rows(output / "rows") if r.get("finished")]
    first: dict[int, float] = {}
    for row in rows:
        first[row["worker"]] = min(first.get(row["worker"], row["finished"]), row["finished"])
    start = max(first.values(), default=0.0)
    after = sorted(r["finished"] for r in rows if r["finished"] > start)
    if len(after) < 2:
        return None
    return len(after) / (after[-1] - start)


def tree_rss_mb() -> float:
    """Resident memory of this process and all its descendants (workers, Ray's processes)."""
    me = psutil.Process()
    total = me.memory_info().rss
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.Error):  # a worker that just exited
            total += child.memory_info().rss
    return total / 2**20


def timed_run(inputs: Path, out: Path, config: PipelineConfig) -> dict:
    cpu_before = psutil.cpu_times()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss: list[tuple[int, float]] = []
    start = time.perf_counter()
    summary = run_pipeline(
        inputs,
        out,
        config,
        overwrite=True,
        on_progress=lambda e: rss.append((e.done, tree_rss_mb())) if e.row_id else None,
    )
    wall = time.perf_counter() - start
    cpu_after = psutil.cpu_times()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = sum(
        getattr(children, f) - getattr(children_before, f) for f in ("ru_utime", "ru_stime")
    )
    busy = sum(getattr(cpu_after, f) - getattr(cpu_before, f) for f in ("user", "system", "nice"))
    steady = steady_rate(out)
    per_clip = [
        r["timings"]["annotate"] for r in iter_rows(out / "rows") if "annotate" in r["timings"]
    ]
    return {
        "engine": config.engine,
        "workers": summary.engine.get("workers", 1),
        "clips": summary.processed,
        "status": summary.status,
        "wall_s": round(wall, 1),
        "clips_per_s_wall": round(summary.processed / wall, 4),
        "clips_per_s_steady": round(steady, 4) if steady else None,
        "median_annotate_s_per_clip": round(statistics.median(per_clip), 2) if per_clip else None,
        "machine_cpu_busy_s": round(busy, 1),
        # CPU of the pool's workers (local only: Ray's workers are not our children)
        "worker_cpu_s_per_clip": round(worker_cpu / max(1, summary.processed), 2)
        if config.engine == "local"
        else None,
        "rss_mb_after_first_quarter": round(rss[len(rss) // 4][1], 1) if rss else None,
        "rss_mb_at_end": round(rss[-1][1], 1) if rss else None,
        "load_after": load(),
    }


def scaling(tmp: Path, n: int, quick: bool, with_ray: bool) -> dict:
    inputs = make_clips(tmp / "clips", n)
    perception = {"concurrent": False, **({"fps": 1.0} if quick else {})}
    base = {"languages": ("en",), "perception": perception, "stages": ("clean", "annotate", "qc")}
    results = {}
    for engine, workers in [("local", 1), ("local", 2)] + ([("ray", 2)] if with_ray else []):
        config = PipelineConfig(engine=engine, workers=workers, **base)
        key = f"{engine}x{workers}"
        print(f"[{key}] {n} clips, load {load()} ...", flush=True)
        results[key] = timed_run(inputs, tmp / f"out_{key}", config)
        print(json.dumps(results[key]), flush=True)
    one, two = results["localx1"], results["localx2"]
    results["speedup_2_vs_1_wall"] = round(one["wall_s"] / two["wall_s"], 3)
    if one["clips_per_s_steady"] and two["clips_per_s_steady"]:
        results["speedup_2_vs_1_steady"] = round(
            two["clips_per_s_steady"] / one["clips_per_s_steady"], 3
        )
    if with_ray:
        ray = results["rayx2"]
        results["ray_overhead_wall_s"] = round(ray["wall_s"] - two["wall_s"], 1)
        results["ray_vs_local_wall"] = round(ray["wall_s"] / two["wall_s"], 3)
        if ray["clips_per_s_steady"] and two["clips_per_s_steady"]:
            results["ray_vs_local_steady"] = round(
                two["clips_per_s_steady"] / ray["clips_per_s_steady"], 3
            )
    return results


def memory(tmp: Path, n: int) -> dict:
    inputs = tmp / "fake"
    inputs.mkdir()
    for i in range(n):
        (inputs / f"clip{i:04d}.mp4").write_bytes(b"x")
    samples: list[tuple[int, float]] = []

    def on_progress(event) -> None:
        if event.row_id:
            samples.append((event.done, tree_rss_mb()))

    config = PipelineConfig(
        analyzer="emoreason.pipeline.testing:build_fake_analyzer",
        analyzer_options={"busy": 0.02},
        stages=("annotate", "qc", "instructions"),
        languages=("en", "zh"),
        workers=2,
    )
    start = time.perf_counter()
    run_pipeline(inputs, tmp / "out_memory", config, overwrite=True, on_progress=on_progress)
    half = [s for s in samples if s[0] > n // 2]
    xs, ys = [s[0] for s in half], [s[1] for s in half]
    slope = statistics.linear_regression(xs, ys).slope if len(xs) > 2 else float("nan")
    at = {
        f"{q}%": round(samples[max(0, int(q / 100 * len(samples)) - 1)][1], 1)
        for q in (10, 25, 50, 75, 100)
    }
    return {
        "clips": n,
        "seconds": round(time.perf_counter() - start, 1),
        "rss_mb_driver_plus_workers_at": at,
        "slope_kb_per_clip_second_half": round(slope * 1024, 2),
        "load_after": load(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clips", type=int, default=42)
    parser.add_argument("--quick", action="store_true", help="perception at 1 frame per second")
    parser.add_argument("--memory-clips", type=int, default=200)
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    print(f"cores {psutil.cpu_count()}, load {load()}", flush=True)
    report = {}
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        if not args.skip_real:
            report["scaling"] = scaling(Path(tmp), args.clips, args.quick, not args.skip_ray)
        report["memory"] = memory(Path(tmp), args.memory_clips)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
