"""CA-DPO step time vs SFT step time, same model, same batch size, measured side by side.

One optimizer step each, with a LoRA adapter on a Llama model:

- SFT: forward + backward over B prompt+response rows.
- CA-DPO (reference on the fly): ONE forward + backward over the concatenated [chosen; rejected]
  batch (2B rows) plus one no-grad forward of the same model with its adapter disabled.
- CA-DPO (precomputed reference): the same without the reference forward
  (``precompute_ref_logps: true``: reference log-probs computed once, adapter disabled).
- CA-DPO with two separate policy forwards (chosen, then rejected), for comparison.
- SFT over 2B rows (as many sequences as a CA-DPO batch), for comparison.

Target (issue 7): CA-DPO step <= 2.2x the SFT step. Run:
    .venv/bin/python benchmarks/bench_ca_dpo.py [--model tiny|small|smollm2] [--batch 2] [--seq 256]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoConfig, AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM

from emoreason.training import ca_dpo_loss
from emoreason.training.logprobs import completion_logps, concatenated_logps
from emoreason.training.mose_support import reference_context


def build_model(kind: str) -> torch.nn.Module:
    if kind == "smollm2":
        from emoreason.assets import smollm2_dir

        return AutoModelForCausalLM.from_pretrained(smollm2_dir(), dtype=torch.float32)
    if kind == "smollm2-random":
        from emoreason.assets import smollm2_dir

        return AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(smollm2_dir()))
    sizes = {"tiny": (64, 2, 1000), "small": (256, 4, 49152)}
    hidden, layers, vocab = sizes[kind]
    torch.manual_seed(0)
    return LlamaForCausalLM(
        LlamaConfig(
            hidden_size=hidden,
            num_hidden_layers=layers,
            num_attention_heads=4,
            num_key_value_heads=2,
            intermediate_size=hidden * 4,
            vocab_size=vocab,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", default="small", choices=["tiny", "small", "smollm2", "smollm2-random"]
    )
    parser.add_argument("--batch", type=int, default=2, help="SFT rows = preference pairs per step")
    parser.add_argument("--seq", type=int, default=256, help="tokens per sequence")
    parser.add_argument("--prompt", type=int, default=96, help="prompt tokens per sequence")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    model = get_peft_model(
        build_model(args.model),
        LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"),
    )
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5)
    vocab = model.config.vocab_size
    gen = torch.Generator().manual_seed(0)
    b, t = args.batch, args.seq
    ids = torch.randint(0, vocab, (2 * b, t), generator=gen)  # [2B, T]: chosen rows, rejected rows
    ids[b:, : args.prompt] = ids[:b, : args.prompt]  # shared prompts
    attention = torch.ones_like(ids)
    completion = torch.zeros_like(ids)
    completion[:, args.prompt :] = 1
    ref_cached = None

    def sft_step() -> None:
        out = model(input_ids=ids[:b], attention_mask=attention[:b], use_cache=False)
        logps, counts = completion_logps(out.logits, ids[:b], completion[:b])
        (-(logps / counts).mean()).backward()
        optimizer.step()
        optimizer.zero_grad()

    def reference() -> tuple[torch.Tensor, torch.Tensor]:
        with torch.no_grad(), reference_context(model):
            ref = concatenated_logps(model, ids, attention, completion)
        return ref.chosen, ref.rejected

    def dpo_step(precomputed: bool) -> None:
        policy = concatenated_logps(model, ids, attention, completion)  # one forward, 2B rows
        ref_c, ref_r = ref_cached if precomputed else reference()
        loss, _ = ca_dpo_loss(
            policy.chosen, policy.rejected, ref_c, ref_r, beta=0.1, conflict=torch.rand(b), eta=1.0
        )
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

    def half_logps(rows: slice) -> torch.Tensor:
        out = model(input_ids=ids[rows], attention_mask=attention[rows], use_cache=False)
        return completion_logps(out.logits, ids[rows], completion[rows])[0]  # [B]

    def dpo_two_forwards() -> None:
        chosen, rejected = half_logps(slice(0, b)), half_logps(slice(b, 2 * b))
        ref_c, ref_r = reference()
        loss, _ = ca_dpo_loss(chosen, rejected, ref_c, ref_r)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

    def sft_step_2b() -> None:  # SFT on as many sequences as a CA-DPO batch holds
        out = model(input_ids=ids, attention_mask=attention, use_cache=False)
        logps, counts = completion_logps(out.logits, ids, completion)
        (-(logps / counts).mean()).backward()
        optimizer.step()
        optimizer.zero_grad()

    ref_cached = reference()
    steps = {
        "sft": sft_step,
        "ca_dpo": lambda: dpo_step(False),
        "ca_dpo_precomputed_ref": lambda: dpo_step(True),
        "ca_dpo_two_forwards": dpo_two_forwards,
        "sft_same_sequence_count": sft_step_2b,
    }
    for fn in steps.values():  # warm-up
        fn()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(args.repeats):  # interleaved so background load hits all variants alike
        for name, fn in steps.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    median = {name: statistics.median(v) for name, v in times.items()}
    print(
        f"model={args.model} batch={b} seq={t} prompt={args.prompt} threads={args.threads} "
        f"repeats={args.repeats}"
    )
    for name, value in median.items():
        ratio = value / median["sft"]
        print(f"{name:26s} {value * 1000:9.1f} ms/step   ratio vs SFT {ratio:5.2f}x")
    target = median["ca_dpo_precomputed_ref"] / median["sft"]
    print(
        f"target <= 2.2x: on-the-fly reference {median['ca_dpo'] / median['sft']:.2f}x, "
        f"precomputed reference {target:.2f}x"
    )


if __name__ == "__main__":
    main()
