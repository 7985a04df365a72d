"""Per-token decode latency with AR on vs off, side by side, at a 1,024-token multimodal context.

Modes, measured interleaved (the order rotates every repeat) on the same model and context:

* ``sdpa``    transformers' default attention;
* ``eager``   transformers' eager attention (the baseline AR must stay within 1.2x of);
* ``ar``      AR with ``--alpha/--tau/--kappa`` (per-key ratios by default), through the
              ``emoreason_ar`` attention function;
* ``ar-all``  AR with tau = kappa = 0: every head of every layer reallocated (worst case).

Each repeat prefills the context (untimed) and times ``--steps`` single-token decoding steps with
the KV cache. Reported: median step latency per mode over all repeats, and the median over repeats
of the paired ratios (same repeat, adjacent in time).

    .venv/bin/python benchmarks/bench_ar.py            # SmolLM2-135M-Instruct (package asset)
    .venv/bin/python benchmarks/bench_ar.py --random   # random weights, same config (no asset)
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM

from emoreason.steering import ARConfig, attention_reallocation
from emoreason.steering.synthetic import ContextSegment, ContextSpec, build_context

#: SmolLM2-135M-Instruct's architecture, for --random when the asset is missing.
SMOLLM2_135M = {
    "hidden_size": 576,
    "intermediate_size": 1536,
    "num_hidden_layers": 30,
    "num_attention_heads": 9,
    "num_key_value_heads": 3,
    "head_dim": 64,
    "vocab_size": 49152,
    "max_position_embeddings": 8192,
    "rms_norm_eps": 1e-5,
    "rope_theta": 100000.0,
    "tie_word_embeddings": True,
}


def load_model(random: bool) -> torch.nn.Module:
    if not random:
        try:
            from emoreason.assets import smollm2_dir

            return AutoModelForCausalLM.from_pretrained(smollm2_dir()).eval()
        except Exception as exc:  # fall back to random weights with a visible note
            print(f"SmolLM2 asset unavailable ({exc}); using random weights, same config")
    torch.manual_seed(0)
    return LlamaForCausalLM(LlamaConfig(**SMOLLM2_135M)).eval()


def context(length: int, audio: int, visual: int, vocab: int) -> tuple[torch.Tensor, torch.Tensor]:
    head = 32
    tail = length - head - audio - visual
    if tail < 1:
        raise SystemExit(f"--audio + --visual must leave room for text in {length} tokens")
    spec = ContextSpec(
        segments=(
            ContextSegment("text_tokens", length=head),
            ContextSegment("audio", length=audio),
            ContextSegment("visual", length=visual),
            ContextSegment("text_tokens", length=tail),
        )
    )
    return build_context(spec, vocab)


@torch.no_grad()
def decode_step_times(model: torch.nn.Module, input_ids: torch.Tensor, steps: int) -> list[float]:
    """Prefill (untimed), then time each single-token step with the KV cache."""
    out = model(input_ids, use_cache=True)
    cache = out.past_key_values
    token = out.logits[:, -1:].argmax(-1)  # (1, 1)
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        out = model(token, past_key_values=cache, use_cache=True)
        times.append(time.perf_counter() - start)
        token = out.logits[:, -1:].argmax(-1)
    return times


def run_mode(model, mode, input_ids, modality_ids, steps, ar_config) -> list[float]:
    if mode in ("sdpa", "eager"):
        model.set_attn_implementation(mode)
        return decode_step_times(model, input_ids, steps)
    model.set_attn_implementation("eager")
    config = ar_config if mode == "ar" else ARConfig(alpha=ar_config.alpha, tau=0.0, kappa=0.0)
    with attention_reallocation(model, config, modality_ids) as state:
        times = decode_step_times(model, input_ids, steps)
    run_mode.biased[mode] = sum(len(h) for h in state.biased_heads.values())
    return times


run_mode.biased = {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--random", action="store_true", help="random weights, SmolLM2 config")
    parser.add_argument("--context", type=int, default=1024, help="context tokens")
    parser.add_argument("--audio", type=int, default=64, help="audio tokens in the context")
    parser.add_argument("--visual", type=int, default=832, help="visual tokens in the context")
    parser.add_argument("--steps", type=int, default=12, help="decoding steps per repeat")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved repeats")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--alpha", type=float, default=0.5)
    parser.add_argument("--tau", type=float, default=1.0)
    parser.add_argument("--kappa", type=float, default=1.0)
    parser.add_argument("--no-normalize-by-count", action="store_true")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    model = load_model(args.random)
    ar_config = ARConfig(
        alpha=args.alpha,
        tau=args.tau,
        kappa=args.kappa,
        normalize_by_count=not args.no_normalize_by_count,
    )
    input_ids, modality_ids = context(
        args.context, args.audio, args.visual, model.config.vocab_size
    )
    modes = ["sdpa", "eager", "ar", "ar-all"]
    print(
        f"model: {'random' if args.random else 'SmolLM2-135M-Instruct'} "
        f"({model.config.num_hidden_layers} layers x {model.config.num_attention_heads} heads); "
        f"context {input_ids.shape[1]} tokens (audio {args.audio}, visual {args.visual}); "
        f"{args.steps} decode steps x {args.repeats} repeats; torch threads "
        f"{torch.get_num_threads()}; AR {ar_config}"
    )
    decode_step_times(model, input_ids[:, :64], 2)  # warm-up
    samples: dict[str, list[float]] = {m: [] for m in modes}
    per_repeat: dict[str, list[float]] = {m: [] for m in modes}
    for repeat in range(args.repeats):
        order = modes[repeat % len(modes) :] + modes[: repeat % len(modes)]
        for mode in order:
            times = run_mode(model, mode, input_ids, modality_ids, args.steps, ar_config)
            samples[mode].extend(times)
            per_repeat[mode].append(statistics.median(times))
        line = ", ".join(f"{m} {per_repeat[m][-1] * 1e3:.1f} ms" for m in modes)
        print(f"repeat {repeat + 1}/{args.repeats}: {line}", flush=True)

    print("\nmode     median ms/token   biased heads (of layers x heads)")
    for mode in modes:
        biased = run_mode.biased.get(mode, "-")
        print(f"{mode:8} {statistics.median(samples[mode]) * 1e3:10.2f}        {biased}")

    def paired(a: str, b: str) -> float:
        return statistics.median(x / y for x, y in zip(per_repeat[a], per_repeat[b], strict=True))

    print("\nratios (median over repeats of paired per-repeat medians)")
    for a, b in (("ar", "eager"), ("ar-all", "eager"), ("ar", "sdpa"), ("eager", "sdpa")):
        print(f"  {a:6} / {b:5} = {paired(a, b):.3f}")
    verdict = "PASS" if paired("ar", "eager") <= 1.2 else "FAIL"
    print(f"target ar / eager <= 1.2: {verdict}")


if __name__ == "__main__":
    main()
