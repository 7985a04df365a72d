"""EmoCue-360 speed: N prediction/reference pairs scored with each cue embedder, warm.

Target (issue 8): 400 pairs in <= 5 s warm on 2 cores. Both embedders, side by side, one run:
``minilm`` (all-MiniLM-L6-v2, the metric's default) and ``static`` (the model2vec table
distilled from it, opt-in). Each is loaded and warmed up first; then, per embedder:

- ``cold cache``  : every unique cue string embedded (one batch);
- ``refs cached`` : the benchmark's reference cues already embedded (scoring a second model on
                    the same benchmark), only the new prediction cues embedded;
- ``all cached``  : re-scoring (no embedding at all): the matching cost alone.

and, for MiniLM, a new embedder reading every vector from the on-disk store (``emoreason
evaluate`` keeps one by default): what re-running an evaluation costs.

Then the agreement of ``static`` with ``minilm``: per category, the difference of the mean F1
and the Pearson correlation of the per-sample F1 scores (does it rank samples the same way?).

Wall time and process CPU time are both printed: on a shared machine the wall time depends on
the load; CPU time / 2 is what 2 otherwise idle cores would take.

Cue strings are generated from templates with per-sample details (seeded), so most are unique,
like real model outputs; half the predicted cues restate a reference cue in other words. ``--cues`` sets cues per category per side (XEmoGPT's example has
7 visual, 4 auditory, 7 emotional).

    .venv/bin/python benchmarks/bench_emocue.py --pairs 400 --cues 4
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time

import numpy as np
import torch

from emoreason.evaluation.embedders import SentenceEmbedder, StaticEmbedder
from emoreason.evaluation.metrics.emocue360 import CATEGORIES, emocue360, emocue360_per_sample

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


POOLS = {"visual": VISUAL, "auditory": AUDITORY, "emotional": EMOTIONAL}


def _cue(rng: random.Random, core: str) -> str:
    subject = rng.choice(SUBJECTS).capitalize()
    return f"{subject} {core} {rng.choice(DETAILS)} ({rng.randint(1, 99)})"


def make_pair(rng: random.Random, n: int) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """A reference and a prediction; each predicted cue restates a reference cue's content
    (other subject and detail) with probability 1/2, else is another cue of the category, so
    the true overlap varies from sample to sample."""
    ref, pred = {}, {}
    for category, pool in POOLS.items():
        count = n if category != "auditory" else max(1, n - 1)
        cores = [rng.choice(pool) for _ in range(count)]
        ref[category] = [_cue(rng, core) for core in cores]
        pred[category] = [
            _cue(rng, rng.choice(cores) if rng.random() < 0.5 else rng.choice(pool))
            for _ in range(count)
        ]
    return ref, pred


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def bench_embedder(name, load, refs, preds, unique_refs, unique_all):
    start = time.perf_counter()
    embedder = load()
    embedder(["warm-up sentence one.", "warm-up two."])
    load_s = time.perf_counter() - start
    embedder.clear_cache()
    cold, cold_s, cold_cpu = timed(lambda: emocue360(refs, preds, embedder=embedder))
    embedder.clear_cache()
    embedder(sorted(unique_refs))  # the benchmark's reference cues, embedded once earlier
    _, refs_cached_s, refs_cpu = timed(lambda: emocue360(refs, preds, embedder=embedder))
    again, all_cached_s, all_cpu = timed(lambda: emocue360(refs, preds, embedder=embedder))
    assert all(abs(again[c][k] - cold[c][k]) < 1e-6 for c in cold for k in cold[c])
    print(f"\n[{name}] load + warm-up: {load_s:.2f} s")
    print(
        f"{'mode':<13}{'wall s':>8}{'wall/5s':>9}{'cpu s':>8}{'cpu/2 s':>9}{'strings':>9}"
        f"{'str/cpu-s':>11}"
    )
    for mode, seconds, cpu, embedded in (
        ("cold cache", cold_s, cold_cpu, len(unique_all)),
        ("refs cached", refs_cached_s, refs_cpu, len(unique_all) - len(unique_refs)),
        ("all cached", all_cached_s, all_cpu, 0),
    ):
        rate = f"{embedded / cpu:.0f}" if embedded and cpu > 0 else "-"
        print(
            f"{mode:<13}{seconds:>8.2f}{seconds / 5.0:>8.2f}x{cpu:>8.2f}{cpu / 2:>9.2f}"
            f"{embedded:>9}{rate:>11}"
        )
    print("scores (f1):", {c: round(v["f1"], 4) for c, v in cold.items()})
    return embedder, cold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=400)
    parser.add_argument("--cues", type=int, default=4, help="cues per category per side")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-minilm", action="store_true", help="time the static embedder only")
    args = parser.parse_args()

    from emoreason import assets

    rng = random.Random(args.seed)
    pairs = [make_pair(rng, args.cues) for _ in range(args.pairs)]
    refs, preds = [r for r, _ in pairs], [p for _, p in pairs]
    unique_refs = {c for r in refs for cat in r.values() for c in cat}
    unique_all = unique_refs | {c for p in preds for cat in p.values() for c in cat}
    print(
        f"torch threads: {torch.get_num_threads()}; pairs: {args.pairs}; "
        f"cues/category/side: {args.cues}"
    )
    print(f"unique cue strings: {len(unique_all)} ({len(unique_refs)} in references)")
    print(f"load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("(cpu/2 s: process CPU time over 2 cores, the wall time on 2 otherwise idle cores)")

    static, _ = bench_embedder(
        "static", lambda: StaticEmbedder(assets.minilm_static_dir()), refs, preds,
        unique_refs, unique_all,
    )  # fmt: skip
    if args.skip_minilm:
        return
    minilm, _ = bench_embedder(
        "minilm", lambda: SentenceEmbedder(assets.minilm_dir()), refs, preds,
        unique_refs, unique_all,
    )  # fmt: skip
    tokens = sum(len(ids) for ids in minilm.encoder.tokenizer(sorted(unique_all))["input_ids"])
    print(f"MiniLM tokens embedded cold: {tokens} ({tokens / len(unique_all):.1f} per string)")
    with tempfile.TemporaryDirectory() as folder:  # the CLI's disk store, filled by a past run
        stored = SentenceEmbedder(assets.minilm_dir(), store_dir=folder)
        stored.store.put({t: minilm._cache[t] for t in unique_all})
        reloaded = SentenceEmbedder(assets.minilm_dir(), store_dir=folder)  # a new process
        _, disk_s, disk_cpu = timed(lambda: emocue360(refs, preds, embedder=reloaded))
    print(
        f"minilm, every cue in the disk store (a re-run): {disk_s:.2f} s wall, {disk_cpu:.2f} s cpu"
    )

    exact = emocue360_per_sample(refs, preds, embedder=minilm)
    fast = emocue360_per_sample(refs, preds, embedder=static)
    print(
        "\nstatic vs minilm, per category: mean F1 (minilm, static, diff), per-sample F1 Pearson r"
    )
    for category in CATEGORIES:
        a = np.array([s[2] for s in exact[category] if s is not None])
        b = np.array([s[2] for s in fast[category] if s is not None])
        r = float(np.corrcoef(a, b)[0, 1]) if a.std() > 0 and b.std() > 0 else float("nan")
        print(
            f"  {category:<10} {a.mean():.4f} {b.mean():.4f} {b.mean() - a.mean():+.4f}   "
            f"r = {r:.3f}"
        )


if __name__ == "__main__":
    main()
