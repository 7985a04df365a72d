"""Per-token decode latency with AR on vs off, side by side, at a 1,024-token multimodal context.

Modes, on the same model and context, each decoding from its own KV cache:

* ``sdpa``    transformers' default attention;
* ``eager``   transformers' eager attention (the baseline AR must stay within 1.2x of);
* ``ar``      AR with ``--alpha/--tau/--kappa`` (per-key ratios by default), through the
              ``emoreason_ar`` attention function;
* ``ar-all``  AR with tau = kappa = 0: every head of every layer reallocated (worst case).

Each repeat prefills the context once per mode (untimed), then runs ``--steps`` rounds; in each
round every mode times one single-token decoding step, in a rotating order, so that the steps
compared are adjacent in time (the machine may be shared). Reported: median step latency per mode,
and the median over rounds of the paired ratios.

    .venv/bin/python benchmarks/bench_ar.py            # SmolLM2-135M-Instruct (package asset)
    .venv/bin/python benchmarks/bench_ar.py --random   # random weights, same config (no asset)
"""

from __future__ import annotations

import argparse
import contextlib
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


class Mode:
    """One attention setting with its own KV cache, entered only around its own steps."""

    def __init__(self, name: str, model, modality_ids, ar_config: ARConfig | None) -> None:
        self.name = name
        self.model = model
        self.modality_ids = modality_ids
        self.ar_config = ar_config
        self.cache = None
        self.token = None
        self.biased = 0

    @contextlib.contextmanager
    def active(self):
        self.model.set_attn_implementation("sdpa" if self.name == "sdpa" else "eager")
        if self.ar_config is None:
            yield
            return
        with attention_reallocation(self.model, self.ar_config, self.modality_ids) as state:
            yield
        # heads biased in this one forward pass (max over steps)
        self.biased = max(self.biased, sum(len(h) for h in state.biased_heads.values()))

    @torch.no_grad()
    def prefill(self, input_ids: torch.Tensor) -> None:
        with self.active():
            out = self.model(input_ids, use_cache=True)
        self.cache = out.past_key_values
        self.token = out.logits[:, -1:].argmax(-1)  # (1, 1)

    @torch.no_grad()
    def step(self) -> float:
        """One timed single-token decoding step with the KV cache."""
        with self.active():
            start = time.perf_counter()
            out = self.model(self.token, past_key_values=self.cache, use_cache=True)
            elapsed = time.perf_counter() - start
        self.token = out.logits[:, -1:].argmax(-1)
        return elapsed


PAIRS = (("ar", "eager"), ("ar-all", "eager"), ("ar", "sdpa"), ("eager", "sdpa"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--random", action="store_true", help="random weights, SmolLM2 config")
    parser.add_argument("--context", type=int, default=1024, help="context tokens")
    parser.add_argument("--audio", type=int, default=64, help="audio tokens in the context")
    parser.add_argument("--visual", type=int, default=832, help="visual tokens in the context")
    parser.add_argument("--steps", type=int, default=12, help="timed rounds per repeat")
    parser.add_argument("--repeats", type=int, default=2, help="repeats (fresh prefills)")
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
    print(
        f"model: {'random' if args.random else 'SmolLM2-135M-Instruct'} "
        f"({model.config.num_hidden_layers} layers x {model.config.num_attention_heads} heads); "
        f"context {input_ids.shape[1]} tokens (audio {args.audio}, visual {args.visual}); "
        f"{args.steps} timed rounds x {args.repeats} repeats; torch threads "
        f"{torch.get_num_threads()}; AR {ar_config}"
    )
    all_biased = ARConfig(alpha=ar_config.alpha, tau=0.0, kappa=0.0)
    configs = {"sdpa": None, "eager": None, "ar": ar_config, "ar-all": all_biased}
    samples: dict[str, list[float]] = {m: [] for m in configs}
    ratios: dict[tuple[str, str], list[float]] = {pair: [] for pair in PAIRS}
    for repeat in range(args.repeats):
        modes = [Mode(name, model, modality_ids, cfg) for name, cfg in configs.items()]
        for mode in modes:
            mode.prefill(input_ids)  # untimed; each mode decodes from its own cache
            mode.step()  # warm-up step, untimed
        for step in range(args.steps):
            shift = (repeat * args.steps + step) % len(modes)
            times = {}
            for mode in modes[shift:] + modes[:shift]:  # rotate who goes first
                times[mode.name] = mode.step()
            for name, value in times.items():
                samples[name].append(value)
            for a, b in PAIRS:
                ratios[(a, b)].append(times[a] / times[b])
        biased = {mode.name: mode.biased for mode in modes}
        line = ", ".join(
            f"{m} {statistics.median(samples[m][-args.steps :]) * 1e3:.1f} ms" for m in configs
        )
        print(f"repeat {repeat + 1}/{args.repeats}: {line}", flush=True)

    heads = model.config.num_hidden_layers * model.config.num_attention_heads
    print(f"\nmode     median ms/token   biased heads per step, max (of {heads})")
    for mode in configs:
        shown = biased.get(mode) if configs[mode] is not None else "-"
        print(f"{mode:8} {statistics.median(samples[mode]) * 1e3:10.2f}        {shown}")
    print("\nratios: median over rounds of paired step times (adjacent in time)")
    for a, b in PAIRS:
        print(f"  {a:6} / {b:5} = {statistics.median(ratios[(a, b)]):.3f}")
    verdict = "PASS" if statistics.median(ratios[("ar", "eager")]) <= 1.2 else "FAIL"
    print(f"target ar / eager <= 1.2: {verdict}")


if __name__ == "__main__":
    main()
