"""MoSE vs PEFT LoRA training step on a Qwen2.5-Omni thinker fed a real clip (video + audio).

Both adapters are attached the way ``emoreason train-sft``/``train-ca-dpo`` attach them
(``emoreason.training.mose_support.apply_adapter``: same rank and target layers, the audio and
vision towers left alone) to copies of the same thinker. One step = forward over the processor
output (input_ids with expanded placeholders, input_features, pixel_values_videos ...) + LM loss
on the text tokens + backward + AdamW step. MoSE routes each token by the modality id of its
placeholder. Steps alternate order every repeat and the median is reported, so machine load
hits both alike.

    .venv/bin/python benchmarks/bench_mose_vs_lora_omni.py                 # tiny random thinker
    .venv/bin/python benchmarks/bench_mose_vs_lora_omni.py --model DIR --device cuda --dtype bfloat16
"""

from __future__ import annotations

import argparse
import copy
import statistics
import tempfile
import time
from pathlib import Path

import torch

from emoreason.adapters.mose import modality_ids, modality_ids_from_inputs
from emoreason.reasoning.omni_media import MediaLayout
from emoreason.training import SFTTrainConfig
from emoreason.training.media import MediaEncoder
from emoreason.training.mose_support import apply_adapter

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
CLIP = Path(__file__).resolve().parents[1] / "examples" / "clips" / "sad_face_calm_voice.mp4"


def load(folder: Path, dtype: torch.dtype, device: str) -> tuple[torch.nn.Module, object]:
    from emoreason.reasoning.omni_loading import load_omni_thinker
    from emoreason.reasoning.omni_processor import load_omni_processor

    model = load_omni_thinker(folder, dtype)  # thinker-only or full (SABER-LLM) folder
    return model.to(device), load_omni_processor(folder)[0]


def clip_inputs(processor, config, args) -> dict[str, torch.Tensor]:
    """The processor's output for the SED-style prompt on the clip, plus its answer tokens."""
    layout = MediaLayout(max_frames=args.frames)  # SABER-LLM's layout, analyze's defaults
    media = MediaEncoder(
        processor,
        layout,
        video_token_id=config.video_token_id,
        audio_token_id=config.audio_token_id,
    )
    prompt = [{"role": "user", "content": "<video><audio>Describe the speaker's emotion."}]
    clip = [str(args.clip)]
    ids = media.prompt_ids(prompt, clip, clip)
    ids += media.completion_ids(prompt, '{"sentiment_analysis": "calm words, sad face"}')
    input_ids = torch.tensor([ids])
    features = media.collate([(clip, clip)], input_ids)
    return {"input_ids": input_ids, "attention_mask": torch.ones_like(input_ids), **features}


def step_seconds(model, optimizer, inputs, labels, ids) -> float:
    """One forward + backward + optimizer step; returns wall seconds (device synchronised)."""
    optimizer.zero_grad(set_to_none=True)
    sync = torch.cuda.synchronize if inputs["input_ids"].is_cuda else (lambda: None)
    sync()
    start = time.perf_counter()
    if ids is None:
        model(**inputs, labels=labels).loss.backward()
    else:
        with modality_ids(model, ids):
            model(**inputs, labels=labels).loss.backward()
    optimizer.step()
    sync()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="Omni folder (default: tiny)")
    parser.add_argument("--clip", type=Path, default=CLIP)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--frames", type=int, default=40, help="most frames (SABER-LLM: 40)")
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    dtype = getattr(torch, args.dtype)

    from peft import get_peft_model

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.model
        if folder is None:
            from emoreason.assets.tiny_omni import build_tiny_omni

            folder = build_tiny_omni(Path(scratch) / "tiny_omni")
        base, processor = load(folder, dtype, args.device)
    base.train()
    inputs = {k: v.to(args.device) for k, v in clip_inputs(processor, base.config, args).items()}
    for key in ("input_features", "pixel_values_videos"):
        inputs[key] = inputs[key].to(dtype)
    ids = modality_ids_from_inputs(inputs, base.config)
    labels = inputs["input_ids"].masked_fill(ids != 0, -100)  # loss on text tokens

    def config(adapter: str) -> SFTTrainConfig:
        return SFTTrainConfig(
            model_path="unused",
            train_file="unused",
            output_dir="unused",
            adapter=adapter,
            lora_r=args.rank,
            lora_alpha=2.0 * args.rank,
            target_modules=list(TARGETS),
        )

    lora_model, lora_config = apply_adapter(copy.deepcopy(base), config("lora"))
    lora = get_peft_model(lora_model, lora_config)
    mose, _ = apply_adapter(copy.deepcopy(base), config("mose"))
    runs = {"mose": (mose, ids), "lora": (lora, None)}
    optimizers = {
        name: torch.optim.AdamW([p for p in m.parameters() if p.requires_grad], lr=1e-4)
        for name, (m, _) in runs.items()
    }
    times: dict[str, list[float]] = {"mose": [], "lora": []}
    for _ in range(args.warmup):
        for name, (model, mids) in runs.items():
            step_seconds(model, optimizers[name], inputs, labels, mids)
    for repeat in range(args.repeats):
        for name in ("mose", "lora") if repeat % 2 == 0 else ("lora", "mose"):
            model, mids = runs[name]
            times[name].append(step_seconds(model, optimizers[name], inputs, labels, mids))

    med = {name: statistics.median(values) for name, values in times.items()}
    counts = {name: int((ids == value).sum()) for name, value in (("text", 0), ("audio", 1))}
    counts["visual"] = int((ids == 2).sum())
    trainable = {
        name: sum(p.numel() for p in m.parameters() if p.requires_grad)
        for name, (m, _) in runs.items()
    }
    print(
        f"model={'tiny random thinker' if args.model is None else args.model} "
        f"device={args.device} dtype={args.dtype} rank={args.rank} repeats={args.repeats} "
        f"threads={torch.get_num_threads()}"
    )
    print(
        f"input: {args.clip.name}, {inputs['input_ids'].shape[1]} tokens "
        f"(text {counts['text']}, audio {counts['audio']}, visual {counts['visual']}); "
        f"video grid {inputs['video_grid_thw'].tolist()}"
    )
    print("\ntraining step (forward + backward + AdamW), median of interleaved repeats")
    print(f"  {'adapter':<10}{'median ms':>12}{'min ms':>10}{'max ms':>10}{'trainable':>14}")
    for name, values in times.items():
        print(
            f"  {name:<10}{1e3 * med[name]:>12.1f}{1e3 * min(values):>10.1f}"
            f"{1e3 * max(values):>10.1f}{trainable[name]:>14,}"
        )
    print(f"  MoSE / LoRA step time = {med['mose'] / med['lora']:.3f}x")


if __name__ == "__main__":
    main()
