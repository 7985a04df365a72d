"""EmoCue-360 speed: N prediction/reference pairs scored with the real all-MiniLM-L6-v2, warm.

Target (issue 8): 400 pairs in <= 5 s warm on 2 cores. Printed side by side, one run:

- ``cold cache``  : model loaded and warmed up, every unique cue string embedded (one batch);
- ``refs cached`` : the benchmark's reference cues already embedded (scoring a second model on
                    the same benchmark), only the new prediction cues embedded;
- ``all cached``  : re-scoring (no embedding at all): the matching cost alone.

Wall time and process CPU time are both printed: on a shared machine the wall time depends on
the load; CPU time / 2 is what 2 otherwise idle cores would take.

Cue strings are generated from templates with per-sample details (seeded), so most are unique,
like real model outputs. ``--cues`` sets cues per category per side (XEmoGPT's example has
7 visual, 4 auditory, 7 emotional).

    .venv/bin/python benchmarks/bench_emocue.py --pairs 400 --cues 4
"""

from __future__ import annotations

import argparse
import os
import random
import time

import torch

from emoreason.evaluation.metrics.emocue360 import SentenceEmbedder, emocue360, minilm_model_dir

SUBJECTS = ["the woman", "the man", "the speaker", "she", "he", "the girl", "the boy", "the host"]
VISUAL = [
    "smiles with the corners of the mouth raised",
    "frowns with lowered eyebrows",
    "has tears in the eyes",
    "looks down avoiding eye contact",
    "leans forward",
    "crosses the arms",
    "nods slowly",
    "raises the eyebrows in surprise",
    "clenches the jaw",
    "covers the face with the hands",
    "stares at the other person",
    "shrugs the shoulders",
]
AUDITORY = [
    "speaks in a loud voice",
    "has a trembling voice",
    "speaks slowly with long pauses",
    "uses a sarcastic tone",
    "laughs while talking",
    "sighs deeply",
    "raises the pitch",
    "speaks quickly and sharply",
    "whispers",
    "has a flat monotone delivery",
]
EMOTIONAL = [
    "seems happy",
    "appears anxious",
    "is clearly angry",
    "feels sad and disappointed",
    "is surprised by the news",
    "shows contempt",
    "is calm and relaxed",
    "feels embarrassed",
    "is frustrated with the situation",
    "is relieved",
    "is nervous about the result",
]
DETAILS = [
    "at the start of the clip",
    "while talking on the phone",
    "near the end",
    "for a moment",
    "during the argument",
    "when the door opens",
    "after the question",
    "in the kitchen",
    "at the meeting",
    "on the phone call",
    "in the second half",
    "while listening",
]


def make_cues(rng: random.Random, n: int) -> dict[str, list[str]]:
    def cue(pool: list[str]) -> str:
        return f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(pool)} {rng.choice(DETAILS)} ({rng.randint(1, 99)})"

    return {
        "visual": [cue(VISUAL) for _ in range(n)],
        "auditory": [cue(AUDITORY) for _ in range(max(1, n - 1))],
        "emotional": [cue(EMOTIONAL) for _ in range(n)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=400)
    parser.add_argument("--cues", type=int, default=4, help="cues per category per side")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    refs = [make_cues(rng, args.cues) for _ in range(args.pairs)]
    preds = [make_cues(rng, args.cues) for _ in range(args.pairs)]
    unique_refs = {c for r in refs for cat in r.values() for c in cat}
    unique_all = unique_refs | {c for p in preds for cat in p.values() for c in cat}

    start = time.perf_counter()
    embedder = SentenceEmbedder(minilm_model_dir())
    embedder(["warm-up sentence one.", "warm-up two."])
    load_s = time.perf_counter() - start
    embedder.clear_cache()

    def timed(fn):
        wall, cpu = time.perf_counter(), time.process_time()
        out = fn()
        return out, time.perf_counter() - wall, time.process_time() - cpu

    cold, cold_s, cold_cpu = timed(lambda: emocue360(refs, preds, embedder=embedder))
    embedder.clear_cache()
    embedder(sorted(unique_refs))  # the benchmark's reference cues, embedded once earlier
    _, refs_cached_s, refs_cpu = timed(lambda: emocue360(refs, preds, embedder=embedder))
    again, all_cached_s, all_cpu = timed(lambda: emocue360(refs, preds, embedder=embedder))
    assert again == cold or all(abs(again[c][k] - cold[c][k]) < 1e-6 for c in cold for k in cold[c])

    print(
        f"torch threads: {torch.get_num_threads()}; pairs: {args.pairs}; cues/category/side: {args.cues}"
    )
    print(f"unique cue strings: {len(unique_all)} ({len(unique_refs)} in references)")
    print(f"model load + warm-up: {load_s:.2f} s")
    print(f"load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        f"{'mode':<13}{'wall s':>8}{'wall/5s':>9}{'cpu s':>8}{'cpu/2 s':>9}{'strings':>9}"
        f"{'str/cpu-s':>11}"
    )
    for name, seconds, cpu, embedded in (
        ("cold cache", cold_s, cold_cpu, len(unique_all)),
        ("refs cached", refs_cached_s, refs_cpu, len(unique_all) - len(unique_refs)),
        ("all cached", all_cached_s, all_cpu, 0),
    ):
        rate = f"{embedded / cpu:.0f}" if embedded else "-"
        print(
            f"{name:<13}{seconds:>8.2f}{seconds / 5.0:>8.2f}x{cpu:>8.2f}{cpu / 2:>9.2f}"
            f"{embedded:>9}{rate:>11}"
        )
    print("(cpu/2 s: process CPU time over 2 cores, the wall time on 2 otherwise idle cores)")
    print("scores:", {c: round(v["f1"], 4) for c, v in cold.items()})


if __name__ == "__main__":
    main()
