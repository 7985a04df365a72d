"""Perception speed and memory on a 10 s 640x360 clip, models warm, 2 cores.

Targets (issue 3): whole perception <= 4 s wall (real-time factor <= 0.4), peak RSS <= 2 GB.
Prints, measured side by side in one run:

- default settings (3 fps sampling, audio and visual branches in two threads), per stage;
- the same with the branches run one after the other (what the threads buy), and with
  whisper on two threads instead of one;
- every decoded frame analysed (fps = the clip's frame rate): the ratio against sampling.

The clip is assembled from the example clips (a real face, synthetic speech): the 7 s
``sad_consistent.mp4`` followed by the first 3 s of ``sad_face_calm_voice.mp4``.
Wall times depend on other load on the machine: the load average and the CPU seconds the
process used are printed next to them.

    .venv/bin/python benchmarks/bench_perception.py [--repeats 3] [--keep]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from fractions import Fraction
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")

import av
import numpy as np

from emoreason.perception import Perceiver, PerceptionConfig
from emoreason.perception.decode import decode_audio

CLIPS = Path(__file__).resolve().parents[1] / "examples" / "clips"
STAGES = ("probe", "decode_audio", "decode_video", "face", "body", "scene", "visual",
          "acoustic", "speech", "verbal", "audio", "hypotheses", "total")  # fmt: skip


def build_clip(out: Path, seconds: float = 10.0) -> Path:
    """10 s, 640x360, 23.976 fps H.264 + AAC 16 kHz, from two example clips."""
    frames, rate = [], None
    for name in ("sad_consistent", "sad_face_calm_voice"):
        with av.open(str(CLIPS / f"{name}.mp4")) as c:
            stream = c.streams.video[0]
            rate = rate or stream.average_rate
            for f in c.decode(stream):
                frames.append(f.to_ndarray(format="rgb24"))
    n = round(seconds * float(rate))
    frames = frames[:n]
    audio = np.concatenate(
        [
            decode_audio(CLIPS / f"{m}.mp4").samples
            for m in ("sad_consistent", "sad_face_calm_voice")
        ]
    )
    audio = audio[: int(seconds * 16000)]
    with av.open(str(out), "w") as c:
        v = c.add_stream("libx264", rate=rate)
        v.width, v.height, v.pix_fmt = 640, 360, "yuv420p"
        v.options = {"preset": "veryfast", "crf": "23"}
        a = c.add_stream("aac", rate=16000)
        a.layout = "mono"
        for rgb in frames:
            for p in v.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                c.mux(p)
        for p in v.encode():
            c.mux(p)
        pcm = (audio * 32767).astype(np.int16)
        for start in range(0, len(pcm), 1024):
            frame = av.AudioFrame.from_ndarray(
                pcm[None, start : start + 1024], format="s16", layout="mono"
            )
            frame.sample_rate, frame.pts, frame.time_base = 16000, start, Fraction(1, 16000)
            for p in a.encode(frame):
                c.mux(p)
        for p in a.encode():
            c.mux(p)
    return out


def measure(perceiver: Perceiver, clip: Path, repeats: int) -> dict[str, float]:
    perceiver.perceive(clip)  # warm caches (first-call allocations)
    runs = []
    for _ in range(repeats):
        cpu = time.process_time()
        ev = perceiver.perceive(clip)
        timings = dict(ev.timings)
        timings["cpu_seconds"] = time.process_time() - cpu
        timings["frames"] = ev.clip.frames_sampled
        runs.append(timings)
    return {k: statistics.median(r.get(k, 0.0) for r in runs) for k in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the generated clip")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > 2:
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:2])
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    tmp = Path(tempfile.mkdtemp(prefix="bench_perception_"))
    clip = build_clip(tmp / "bench_10s_640x360.mp4")
    with av.open(str(clip)) as c:
        native_fps = float(c.streams.video[0].average_rate)
        duration = c.duration / av.time_base

    load_began = time.perf_counter()
    default = Perceiver(PerceptionConfig())
    loads = default.warm_up()
    load_s = time.perf_counter() - load_began
    sequential = Perceiver(PerceptionConfig(concurrent=False))
    sequential.extractors = default.extractors  # same loaded models
    every = Perceiver(PerceptionConfig(fps=min(30.0, native_fps), keep_keyframes=False))
    every.extractors = default.extractors
    two_threads = Perceiver(PerceptionConfig(whisper_threads=2))
    two_threads.extractors = dict(default.extractors)
    two_threads.extractors["speech"] = type(default.extractors["speech"])(two_threads.config)
    two_threads.extractors["speech"].model()
    visual_only = Perceiver(PerceptionConfig(stages=("face", "body", "scene")))
    visual_only.extractors = default.extractors
    audio_only = Perceiver(PerceptionConfig(stages=("acoustic", "speech", "verbal")))
    audio_only.extractors = default.extractors

    results = {
        "3 fps, threads": measure(default, clip, args.repeats),
        "3 fps, sequential": measure(sequential, clip, args.repeats),
        "whisper 2 threads": measure(two_threads, clip, args.repeats),
        "every frame": measure(every, clip, max(1, args.repeats - 2)),
        "visual branch only": measure(visual_only, clip, max(1, args.repeats - 1)),
        "audio branch only": measure(audio_only, clip, max(1, args.repeats - 1)),
    }
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"clip: {clip.name}, {duration:.1f} s, 640x360 @ {native_fps:.2f} fps; cores: {cores}; "
          f"load average now: {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(
        f"model loading (once per process): {load_s:.2f} s "
        + ", ".join(f"{k} {v:.2f}" for k, v in loads.items())
    )
    names = list(results)
    print(f"\n{'stage (s, median of runs)':<26}" + "".join(f"{n:>19}" for n in names))
    for stage in (*STAGES, "cpu_seconds", "frames"):
        row = [results[n].get(stage) for n in names]
        print(
            f"{stage:<26}" + "".join(f"{v:>19.3f}" if v is not None else f"{'-':>19}" for v in row)
        )
    base = results["3 fps, threads"]
    rtf = base["total"] / duration
    print(
        f"\nwhole perception: {base['total']:.2f} s  (target <= 4 s) -> real-time factor {rtf:.2f} (target <= 0.4)"
    )
    print(
        f"threads vs sequential: {results['3 fps, sequential']['total'] / base['total']:.2f}x faster"
    )
    ev_t, ev_v = results["every frame"]["total"], results["every frame"]["visual"]
    print(
        f"every frame vs 3 fps: total {ev_t / base['total']:.2f}x, visual branch {ev_v / base['visual']:.2f}x "
        f"({int(results['every frame']['frames'])} vs {int(base['frames'])} frames)"
    )
    v_cpu = results["visual branch only"]["cpu_seconds"]
    a_cpu = results["audio branch only"]["cpu_seconds"]
    floor = max(base["cpu_seconds"] / cores, v_cpu)  # the visual branch is one thread
    print(
        f"CPU seconds per run: {base['cpu_seconds']:.2f} (visual branch {v_cpu:.2f} on one thread, "
        f"audio branch {a_cpu:.2f} incl. whisper's {default.config.whisper_threads} thread(s))"
    )
    print(
        f"idle-machine estimate (not a measurement): wall >= max(CPU / {cores} cores, visual CPU)"
        f" = {floor:.2f} s -> real-time factor >= {floor / duration:.2f}"
    )
    print(f"peak RSS: {peak_gb:.2f} GB (target <= 2 GB)")
    if not args.keep:
        clip.unlink()
        tmp.rmdir()


if __name__ == "__main__":
    main()
