"""Tiny random Llama / Qwen2 causal LMs, modality ids and a naive MoSE reference (tests only)."""

from __future__ import annotations

import math

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


def tiny_model(arch: str = "llama", seed: int = 0) -> torch.nn.Module:
    """A tiny random causal LM in eval mode (same seed -> same weights)."""
    torch.manual_seed(seed)
    if arch == "llama":
        model = LlamaForCausalLM(LlamaConfig(**TINY))
    elif arch == "qwen2":
        model = Qwen2ForCausalLM(Qwen2Config(**TINY))
    else:
        raise ValueError(arch)
    return model.eval()


def tiny_omni_thinker(seed: int = 0) -> torch.nn.Module:
    """A tiny random Qwen2.5-Omni thinker (audio tower + vision tower + language model)."""
    from transformers.models.qwen2_5_omni.configuration_qwen2_5_omni import (
        Qwen2_5OmniThinkerConfig,
    )
    from transformers.models.qwen2_5_omni.modeling_qwen2_5_omni import (
        Qwen2_5OmniThinkerForConditionalGeneration,
    )

    rope = {"rope_type": "default", "rope_theta": 10000.0, "mrope_section": [1, 1, 2]}
    config = Qwen2_5OmniThinkerConfig(
        text_config={**TINY, "rope_parameters": rope},
        vision_config={
            "depth": 1,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_heads": 4,
            "out_hidden_size": 32,
            "fullatt_block_indexes": [0],
        },
        audio_config={
            "encoder_layers": 1,
            "d_model": 32,
            "encoder_attention_heads": 4,
            "encoder_ffn_dim": 64,
            "output_dim": 32,
            "num_mel_bins": 16,
        },
        audio_token_index=120,
        image_token_index=121,
        video_token_index=122,
        vision_start_token_id=123,
        vision_end_token_id=124,
        audio_start_token_id=125,
        audio_end_token_id=126,
        user_token_id=127,
    )
    torch.manual_seed(seed)
    return Qwen2_5OmniThinkerForConditionalGeneration(config).eval()


def mixed_ids(batch: int = 2, seq: int = 12, seed: int = 0) -> torch.Tensor:
    """Modality ids (batch, seq): text prefix, a visual block, an audio block, text after."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, 3, (batch, seq), generator=g)
    ids[:, 0] = 0
    ids[0, 1] = 2
    ids[-1, 2] = 1
    return ids


def naive_mose(
    layer, x: torch.Tensor, ids: torch.Tensor, valid: torch.Tensor | None = None
) -> tuple[torch.Tensor, list[float]]:
    """Token-by-token float64 loop of the MoSE equation of docs/methods/mose.md, from a layer's raw weights.

    h_t = W0 x_t + b + (α/r)[B_g A x_t + 2λ[t∈V] B_v A x_t + 2(1−λ)[t∉V] B_n A x_t]
    λ   = 0.5 + ε tanh(g([mean_{t∈V} x_t ; mean_{t∉V} x_t])), empty mean = 0, padding excluded.
    Returns (output (batch, L, d_out) float64, λ per row).
    """
    w0 = layer.base.weight.detach().double()
    bias = layer.base.bias
    a = layer.lora_A.detach().double()
    b_g, b_v, b_n = (b.detach().double() for b in layer.experts())
    eps, scale = layer.gate.epsilon, layer.scaling
    net = layer.gate.net

    def g(pooled: torch.Tensor) -> float:
        if isinstance(net, torch.nn.Linear):
            return float(net.weight.detach().double() @ pooled + net.bias.detach().double())
        first, last = net[0], net[2]
        hidden = first.weight.detach().double() @ pooled + first.bias.detach().double()
        hidden = hidden * torch.sigmoid(hidden)  # SiLU
        return float(last.weight.detach().double() @ hidden + last.bias.detach().double())

    batch, length, d_in = x.shape
    out = torch.empty(batch, length, w0.shape[0], dtype=torch.float64)
    lambdas = []
    for i in range(batch):
        keep = [valid is None or bool(valid[i, t]) for t in range(length)]
        vis = [t for t in range(length) if int(ids[i, t]) == 2 and keep[t]]
        non = [t for t in range(length) if int(ids[i, t]) != 2 and keep[t]]
        zero = torch.zeros(d_in, dtype=torch.float64)
        mean_v = x[i, vis].double().mean(0) if vis else zero
        mean_n = x[i, non].double().mean(0) if non else zero
        lam = 0.5 + eps * math.tanh(g(torch.cat([mean_v, mean_n])))
        lambdas.append(lam)
        for t in range(length):
            xt = x[i, t].double()
            h = w0 @ xt + (bias.detach().double() if bias is not None else 0.0)
            ax = a @ xt
            visual = int(ids[i, t]) == 2
            expert = 2 * lam * (b_v @ ax) if visual else 2 * (1 - lam) * (b_n @ ax)
            out[i, t] = h + scale * (b_g @ ax + expert)
    return out, lambdas
