"""Tiny random Llama / Qwen2 models, synthetic modality ids and a naive AR reference (tests only)."""

from __future__ import annotations

import torch
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

TINY = {
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "intermediate_size": 64,
    "vocab_size": 128,
}


def tiny_model(arch: str = "llama", seed: int = 0, attn: str = "eager") -> torch.nn.Module:
    """A tiny random causal LM in eval mode (same seed -> same weights)."""
    torch.manual_seed(seed)
    if arch == "llama":
        config = LlamaConfig(**TINY)
        config._attn_implementation = attn
        model = LlamaForCausalLM(config)
    elif arch == "qwen2":
        config = Qwen2Config(**TINY)
        config._attn_implementation = attn
        model = Qwen2ForCausalLM(config)
    else:
        raise ValueError(arch)
    return model.eval()


def tiny_context(seed: int = 0, text: int = 4, audio: int = 3, visual: int = 12, tail: int = 3):
    """(input_ids, modality_ids), each (1, seq): text, audio span, visual span, text."""
    generator = torch.Generator().manual_seed(seed)
    lengths = (text, audio, visual, tail)
    total = sum(lengths)
    input_ids = torch.randint(0, TINY["vocab_size"], (1, total), generator=generator)
    kinds = torch.cat([torch.full((n,), k) for n, k in zip(lengths, (0, 1, 2, 0), strict=True)])
    return input_ids, kinds[None].long()


def naive_reallocation(probs, audio, visual, alpha, tau, kappa, normalize, eps=1e-12):
    """Loop-by-loop AR (docs/methods/ar-uap.md), independent of the library's vectorised code.

    probs: (b, h, q, k) float64; audio / visual: (b, k) bool. Returns (new_probs, biased (b, h)).
    """
    b_size, h_size, q_size, k_size = probs.shape
    new = probs.clone()
    biased = torch.zeros(b_size, h_size, dtype=torch.bool)
    for b in range(b_size):
        audio_keys = [k for k in range(k_size) if audio[b, k]]
        visual_keys = [k for k in range(k_size) if visual[b, k]]
        if not audio_keys or not visual_keys:
            continue
        head_a, head_v = [], []
        for h in range(h_size):
            a_sum = sum(float(probs[b, h, q, k]) for q in range(q_size) for k in audio_keys)
            v_sum = sum(float(probs[b, h, q, k]) for q in range(q_size) for k in visual_keys)
            a_h, v_h = a_sum / q_size, v_sum / q_size
            if normalize:
                a_h, v_h = a_h / len(audio_keys), v_h / len(visual_keys)
            head_a.append(a_h)
            head_v.append(v_h)
        ratios = [a / max(v, eps) for a, v in zip(head_a, head_v, strict=True)]
        layer_ratio = sum(head_a) / max(sum(head_v), eps)
        mean_ratio = sum(ratios) / h_size
        for h in range(h_size):
            if not (layer_ratio > tau and ratios[h] > kappa * mean_ratio):
                continue
            biased[b, h] = True
            for q in range(q_size):
                a = sum(float(probs[b, h, q, k]) for k in audio_keys)
                v = sum(float(probs[b, h, q, k]) for k in visual_keys)
                if v <= 0:
                    continue
                for k in audio_keys:
                    new[b, h, q, k] = probs[b, h, q, k] * (1 - alpha)
                for k in visual_keys:
                    new[b, h, q, k] = probs[b, h, q, k] * (v + alpha * a) / v
    return new, biased
