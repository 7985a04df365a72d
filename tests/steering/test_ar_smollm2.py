"""AR and UAP on the real SmolLM2-135M-Instruct with synthetic audio / visual spans (slow)."""

from __future__ import annotations

import pytest
import torch

from emoreason.steering import (
    ARConfig,
    attention_reallocation,
    build_context,
    default_context_spec,
    diagnose_modality_bias,
)


@pytest.fixture(scope="module")
def smollm2():
    try:
        from emoreason.assets import smollm2_dir

        path = smollm2_dir()
    except Exception as exc:  # the asset package or its cache may be missing
        pytest.skip(f"SmolLM2-135M-Instruct asset not available: {exc}")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(path, attn_implementation="eager").eval()
    return model, AutoTokenizer.from_pretrained(path)


@pytest.mark.slow
def test_smollm2_alpha_zero_identical_and_ar_lowers_audio_uap(smollm2):
    model, tokenizer = smollm2
    spec = default_context_spec(audio=8, visual=64)
    input_ids, modality_ids = build_context(spec, model.config.vocab_size, tokenizer)
    kwargs = {"max_new_tokens": 2, "min_new_tokens": 2, "do_sample": False, "pad_token_id": 2}
    mask = torch.ones_like(input_ids)
    with torch.no_grad():
        eager = model.generate(input_ids=input_ids, attention_mask=mask, **kwargs)
        with attention_reallocation(model, ARConfig(alpha=0.0), modality_ids):
            steered = model.generate(input_ids=input_ids, attention_mask=mask, **kwargs)
    assert torch.equal(steered, eager)

    # One generated token: layer 0 sees the same prompt before and after AR, so each biased
    # head's audio share shrinks by exactly (1 - alpha) and the others are unchanged.
    config = ARConfig(alpha=0.5, normalize_by_count=True)  # 8 audio vs 64 visual keys
    report = diagnose_modality_bias(model, input_ids, modality_ids, config, max_new_tokens=1)
    biased = report.after.biased_heads
    assert biased.get(0) and biased[0] == report.before.biased_heads[0]  # same layer-0 input
    heads = model.config.num_attention_heads
    assert len(report.after.uap.audio) == model.config.num_hidden_layers
    for head in range(heads):
        factor = 0.5 if head in biased.get(0, []) else 1.0
        expected = report.before.uap.audio[0][head] * factor
        assert report.after.uap.audio[0][head] == pytest.approx(expected, rel=1e-3, abs=1e-7)
    assert report.after.uap.mean() < report.before.uap.mean()
