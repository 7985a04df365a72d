"""MoSE vs PEFT LoRA of the same rank: forward+backward step time and trainable parameters.

Both adapters sit on the same target layers of copies of the same model. Steps are interleaved
(the order alternates every repeat) and the median is reported, so machine load hits both alike.
Target (issue 5): MoSE step time <= 1.3x LoRA.

    .venv/bin/python benchmarks/bench_mose.py --model smollm2      # SmolLM2-135M-Instruct
    .venv/bin/python benchmarks/bench_mose.py --model tiny         # mid-size random Llama
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch

from emoreason.adapters.mose import MoSEConfig, apply_mose, modality_ids, trainable_parameter_report

TARGET_RATIO = 1.3
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def load_model(name: str) -> torch.nn.Module:
    from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM

    if name == "smollm2":
        from emoreason.assets import smollm2_dir

        return AutoModelForCausalLM.from_pretrained(smollm2_dir(), dtype=torch.float32)
    torch.manual_seed(0)
    config = LlamaConfig(
        hidden_size=384,
        num_hidden_layers=6,
        num_attention_heads=6,
        num_key_value_heads=2,
        intermediate_size=1024,
        vocab_size=4096,
    )
    return LlamaForCausalLM(config)


def step_seconds(model, inputs: torch.Tensor, ids: torch.Tensor | None) -> float:
    """One forward + backward (loss = LM loss on the inputs); returns wall seconds."""
    model.zero_grad(set_to_none=True)
    start = time.perf_counter()
    if ids is None:
        loss = model(input_ids=inputs, labels=inputs).loss
        loss.backward()
    else:
        with modality_ids(model, ids):
            loss = model(input_ids=inputs, labels=inputs).loss
            loss.backward()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["tiny", "smollm2"], default="smollm2")
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    from peft import LoraConfig, get_peft_model

    base = load_model(args.model).train()
    vocab = base.config.vocab_size
    mose_config = MoSEConfig(r=args.rank, alpha=2 * args.rank, target_modules=TARGETS)
    lora = get_peft_model(
        copy.deepcopy(base),
        LoraConfig(r=args.rank, lora_alpha=2 * args.rank, target_modules=TARGETS, lora_dropout=0.0),
    )
    mose = apply_mose(copy.deepcopy(base), mose_config)
    report = trainable_parameter_report(mose, mose_config)

    g = torch.Generator().manual_seed(0)
    inputs = torch.randint(0, vocab, (args.batch, args.seq), generator=g)
    ids = torch.zeros_like(inputs)  # text, then a visual block, then audio, then text
    third = args.seq // 3
    ids[:, 4 : 4 + third] = 2
    ids[:, 4 + third : 4 + 2 * third] = 1

    runs = {"mose": (mose, ids), "lora": (lora, None)}
    times: dict[str, list[float]] = {"mose": [], "lora": []}
    for _ in range(args.warmup):
        for model, mids in runs.values():
            step_seconds(model, inputs, mids)
    for repeat in range(args.repeats):
        order = ["mose", "lora"] if repeat % 2 == 0 else ["lora", "mose"]
        for name in order:
            model, mids = runs[name]
            times[name].append(step_seconds(model, inputs, mids))

    med = {name: statistics.median(values) for name, values in times.items()}
    ratio = med["mose"] / med["lora"]
    lora_trainable = sum(p.numel() for p in lora.parameters() if p.requires_grad)
    print(
        f"model={args.model} rank={args.rank} batch={args.batch} seq={args.seq} "
        f"repeats={args.repeats} threads={torch.get_num_threads()}"
    )
    print("\nforward+backward step time (median of interleaved repeats)")
    print(f"  {'adapter':<10}{'median ms':>12}{'min ms':>10}{'max ms':>10}")
    for name, values in times.items():
        print(
            f"  {name:<10}{1e3 * med[name]:>12.1f}{1e3 * min(values):>10.1f}"
            f"{1e3 * max(values):>10.1f}"
        )
    verdict = "OK" if ratio <= TARGET_RATIO else "ABOVE TARGET"
    print(f"  MoSE / LoRA = {ratio:.3f}x  (target <= {TARGET_RATIO}x: {verdict})")

    mose_total = report["mose"]["total"]
    print("\ntrainable parameters")
    print(f"  {'MoSE (A + B_g + B_v + B_n + gate)':<38}{mose_total:>12,}")
    print(f"  {'  shared A':<38}{report['mose']['shared_A']:>12,}")
    print(f"  {'  experts B_g, B_v, B_n':<38}{report['mose']['experts_B']:>12,}")
    print(f"  {'  gates':<38}{report['mose']['gate']:>12,}")
    print(f"  {'one LoRA (PEFT, counted)':<38}{lora_trainable:>12,}")
    print(f"  {'three independent LoRAs':<38}{report['three_loras']:>12,}")
    print(f"  MoSE / three LoRAs = {report['mose_vs_three_loras']:.3f}")
    print(f"  MoSE / one LoRA    = {report['mose_vs_single_lora']:.3f}")
    print(f"  base model parameters: {report['base_parameters']:,}")


if __name__ == "__main__":
    main()
