"""AR inside tiny random Llama / Qwen2 models through the AttentionInterface registry."""

from __future__ import annotations

import pytest
import torch
from ar_tiny import tiny_context, tiny_model

from emoreason.errors import ConfigError, InputError
from emoreason.steering import AR_ATTENTION, ARConfig, attention_reallocation
from emoreason.steering.attention import decoder_attention_modules

NEVER_BIASED = ARConfig(alpha=0.5, tau=1e30)
ALL_BIASED = ARConfig(alpha=0.8, tau=0.0, kappa=0.0)


def _greedy(model, input_ids, steps=6):
    return model.generate(
        input_ids=input_ids,
        attention_mask=torch.ones_like(input_ids),
        max_new_tokens=steps,
        min_new_tokens=steps,
        do_sample=False,
        pad_token_id=0,
    )


@pytest.mark.parametrize("arch", ["llama", "qwen2"])
def test_alpha_zero_equals_eager_attention(arch):
    model = tiny_model(arch, attn="eager")
    input_ids, modality_ids = tiny_context()
    with torch.no_grad():
        eager = model(input_ids).logits
        with attention_reallocation(model, ARConfig(alpha=0.0, tau=0, kappa=0), modality_ids) as st:
            assert model.config._attn_implementation == AR_ATTENTION
            steered = model(input_ids).logits
    assert torch.equal(steered, eager)
    assert st.biased_heads  # detection still ran and recorded heads (nothing moved)


@pytest.mark.parametrize("arch", ["llama", "qwen2"])
def test_identical_generation_when_no_head_is_biased(arch):
    model = tiny_model(arch, attn="eager")
    input_ids, modality_ids = tiny_context(seed=1)
    with torch.no_grad():
        reference = _greedy(model, input_ids)
        with attention_reallocation(model, NEVER_BIASED, modality_ids, record_uap=True) as state:
            steered = _greedy(model, input_ids)
    assert torch.equal(steered, reference)
    assert state.biased_heads == {}
    assert state.calls == {0: 6, 1: 6}  # prefill + 5 decoding steps, every layer


def test_ar_changes_outputs_when_heads_are_biased():
    model = tiny_model("llama")
    input_ids, modality_ids = tiny_context()
    with torch.no_grad():
        eager = model(input_ids).logits
        with attention_reallocation(model, ALL_BIASED, modality_ids) as state:
            steered = model(input_ids).logits
    assert not torch.allclose(steered, eager, atol=1e-4)
    assert state.biased_heads == {0: [0, 1, 2, 3], 1: [0, 1, 2, 3]}


def test_only_chosen_layers_are_reallocated():
    model = tiny_model("llama")
    input_ids, modality_ids = tiny_context()
    config = ARConfig(alpha=0.8, tau=0.0, kappa=0.0, layers=[1])
    with (
        torch.no_grad(),
        attention_reallocation(model, config, modality_ids, record_uap=True) as st,
    ):
        model(input_ids)
    assert list(st.biased_heads) == [1]
    assert st.uap is not None and all(r > 0 for r in st.uap.table().rows[0])  # UAP: all layers


@pytest.mark.parametrize("arch", ["llama", "qwen2"])
def test_decoding_with_cache_matches_full_forward(arch):
    """Each cached decoding step sees the same AR as one uncached pass over the whole text."""
    model = tiny_model(arch)
    input_ids, modality_ids = tiny_context(seed=2)
    prompt = input_ids.shape[1]
    with torch.no_grad(), attention_reallocation(model, ALL_BIASED, modality_ids):
        out = model.generate(
            input_ids=input_ids,
            attention_mask=torch.ones_like(input_ids),
            max_new_tokens=5,
            min_new_tokens=5,
            do_sample=False,
            pad_token_id=0,
            output_logits=True,
            return_dict_in_generate=True,
        )
        cached = torch.stack(out.logits, dim=1)  # (1, 5, vocab), raw logits
        full = model(out.sequences[:, :-1], use_cache=False).logits[:, prompt - 1 :]  # (1, 5, v)
    torch.testing.assert_close(cached, full, rtol=1e-4, atol=1e-5)


def test_batch_items_use_their_own_modality_ids():
    model = tiny_model("llama")
    ids_a, kinds_a = tiny_context(seed=3, audio=2, visual=14)
    ids_b, kinds_b = tiny_context(seed=4, audio=8, visual=8)
    with torch.no_grad():
        with attention_reallocation(model, ALL_BIASED, torch.cat([kinds_a, kinds_b])):
            batched = model(torch.cat([ids_a, ids_b])).logits
        singles = []
        for ids, kinds in ((ids_a, kinds_a), (ids_b, kinds_b)):
            with attention_reallocation(model, ALL_BIASED, kinds):
                singles.append(model(ids).logits)
    torch.testing.assert_close(batched, torch.cat(singles), rtol=1e-5, atol=1e-6)


def test_dominant_audio_key_lowers_audio_uap():
    """A 4D mask boosts one audio key; AR halves the audio share in layer 0's biased heads."""
    model = tiny_model("llama")
    input_ids, modality_ids = tiny_context(seed=5, text=3, audio=1, visual=24, tail=2)
    seq = input_ids.shape[1]
    causal = torch.full((seq, seq), torch.finfo(torch.float32).min).triu(1)  # (q, k)
    causal[3:, 3] += 6.0  # the audio key (position 3) out-shouts the visual span
    mask = causal[None, None]  # (1, 1, q, k) additive
    config = ARConfig(alpha=0.5, tau=1.0, kappa=0.8)
    tables = {}
    for name, cfg in (("before", ARConfig(alpha=0.0, tau=1.0, kappa=0.8)), ("after", config)):
        with (
            torch.no_grad(),
            attention_reallocation(model, cfg, modality_ids, record_uap=True) as state,
        ):
            model(input_ids, attention_mask=mask)
        tables[name] = (state.uap.table(), state.biased_heads)
    (before, biased_before), (after, biased_after) = tables["before"], tables["after"]
    assert biased_before[0] == biased_after[0] and biased_after[0]
    assert min(before.audio[0]) > 0.5  # the single audio key dominates every head
    for head in range(4):
        expected = before.audio[0][head] * (0.5 if head in biased_after[0] else 1.0)
        assert after.audio[0][head] == pytest.approx(expected, rel=1e-4)
    assert after.mean() < before.mean() - 0.1


def test_uap_rows_cover_generated_tokens_only():
    model = tiny_model("llama")
    input_ids, modality_ids = tiny_context()
    with (
        torch.no_grad(),
        attention_reallocation(model, NEVER_BIASED, modality_ids, record_uap=True) as state,
    ):
        _greedy(model, input_ids, steps=4)
    table = state.uap.table()
    assert table.rows == [[4] * 4, [4] * 4]  # 1 prefill row + 3 decoding rows per head
    assert all(0.0 < x < 1.0 for layer in table.audio for x in layer)


def test_restored_after_exception_in_block():
    model = tiny_model("llama", attn="sdpa")
    input_ids, modality_ids = tiny_context()
    with torch.no_grad():
        reference = model(input_ids).logits
        with (
            pytest.raises(RuntimeError, match="boom"),
            attention_reallocation(model, ALL_BIASED, modality_ids),
        ):
            model(input_ids)
            raise RuntimeError("boom")
        assert model.config._attn_implementation == "sdpa"
        for module in decoder_attention_modules(model).values():
            assert not module._forward_pre_hooks
        torch.testing.assert_close(model(input_ids).logits, reference)


def test_restored_after_exception_inside_forward():
    model = tiny_model("qwen2", attn="sdpa")
    input_ids, modality_ids = tiny_context()
    with torch.no_grad():
        reference = model(input_ids).logits
        three_rows = modality_ids.expand(3, -1)
        with (
            pytest.raises(InputError, match="modality_ids"),
            attention_reallocation(model, ALL_BIASED, three_rows),
        ):
            model(torch.cat([input_ids, input_ids]))  # batch 2 vs 3 modality rows
        assert model.config._attn_implementation == "sdpa"
        for module in decoder_attention_modules(model).values():
            assert not module._forward_pre_hooks
        torch.testing.assert_close(model(input_ids).logits, reference)


def test_unknown_layer_is_a_config_error_listing_valid_layers():
    model = tiny_model("llama")
    _, modality_ids = tiny_context()
    with (
        pytest.raises(ConfigError, match=r"valid: indices 0\.\.1"),
        attention_reallocation(model, ARConfig(layers=[0, 7]), modality_ids),
    ):
        pass
    assert model.config._attn_implementation == "eager"


@pytest.mark.parametrize(
    "bad",
    [torch.tensor([[0.0, 1.0]]), torch.tensor([[0, 3]]), [0, 1, 2], torch.zeros(1, 2, 2).long()],
)
def test_bad_modality_ids_are_input_errors(bad):
    model = tiny_model("llama")
    with (
        pytest.raises(InputError, match="modality_ids"),
        attention_reallocation(model, ARConfig(), bad),
    ):
        pass
