"""Property tests of the pure AR function against its invariants and a naive loop reference."""

from __future__ import annotations

import pytest
import torch
from ar_tiny import naive_reallocation
from hypothesis import given, settings
from hypothesis import strategies as st

from emoreason.steering import (
    ARConfig,
    detect_biased_heads,
    reallocate_attention,
    unimodal_attention_proportion,
)


@st.composite
def attention_case(draw):
    """Random probabilities (b, h, q, k) with some masked (zero) keys, key kinds and a config."""
    batch = draw(st.integers(1, 2))
    heads = draw(st.integers(1, 4))
    queries = draw(st.integers(1, 4))
    keys = draw(st.integers(2, 10))
    kinds = torch.tensor(
        draw(
            st.lists(
                st.lists(st.integers(0, 2), min_size=keys, max_size=keys),
                min_size=batch,
                max_size=batch,
            )
        )
    )  # (b, k): 0 text, 1 audio, 2 visual
    seed = draw(st.integers(0, 2**31 - 1))
    generator = torch.Generator().manual_seed(seed)
    scale = draw(st.sampled_from([0.5, 2.0, 6.0]))
    logits = torch.randn(batch, heads, queries, keys, generator=generator, dtype=torch.float64)
    logits = logits * scale
    if draw(st.booleans()):  # causal-style masking: some keys get probability exactly 0
        hidden = torch.rand(batch, 1, queries, keys, generator=generator) < 0.3
        hidden[..., 0] = False  # every row keeps at least one key
        logits = logits.masked_fill(hidden, float("-inf"))
    probs = torch.softmax(logits, dim=-1)
    config = ARConfig(
        alpha=draw(st.floats(0.0, 1.0)),
        tau=draw(st.floats(0.0, 3.0)),
        kappa=draw(st.floats(0.0, 2.0)),
        normalize_by_count=draw(st.booleans()),
    )
    return probs, kinds == 1, kinds == 2, config


def _masses(probs, mask):
    return (probs * mask[:, None, None, :].to(probs.dtype)).sum(-1)  # (b, h, q)


@settings(max_examples=80, deadline=None)
@given(attention_case())
def test_invariants_hold_on_random_attention(case):
    probs, audio, visual, config = case
    new, biased = reallocate_attention(probs, audio, visual, config)
    assert new.shape == probs.shape and new.dtype == probs.dtype
    assert biased.shape == probs.shape[:2] and biased.dtype == torch.bool
    # rows still sum to 1, nothing negative
    torch.testing.assert_close(new.sum(-1), probs.sum(-1), rtol=0, atol=1e-9)
    assert (new >= 0).all()
    # audio + visual mass conserved per row
    torch.testing.assert_close(
        _masses(new, audio) + _masses(new, visual),
        _masses(probs, audio) + _masses(probs, visual),
        rtol=0,
        atol=1e-9,
    )
    # text keys untouched, exactly
    text = ~(audio | visual)
    text_keys = text[:, None, None, :].expand_as(probs)
    assert torch.equal(new[text_keys], probs[text_keys])
    # within-modality proportions kept: new[k] * old_total == old[k] * new_total
    for mask in (audio, visual):
        keys = mask[:, None, None, :].to(probs.dtype)
        old_total = _masses(probs, mask)[..., None]
        new_total = _masses(new, mask)[..., None]
        torch.testing.assert_close(
            new * keys * old_total, probs * keys * new_total, rtol=0, atol=1e-9
        )


@settings(max_examples=80, deadline=None)
@given(attention_case())
def test_matches_naive_loop_reference(case):
    probs, audio, visual, config = case
    new, biased = reallocate_attention(probs, audio, visual, config)
    ref_new, ref_biased = naive_reallocation(
        probs, audio, visual, config.alpha, config.tau, config.kappa, config.normalize_by_count
    )
    assert torch.equal(biased, ref_biased)
    torch.testing.assert_close(new, ref_new, rtol=1e-9, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(attention_case())
def test_no_op_when_no_head_is_biased(case):
    probs, audio, visual, config = case
    unreachable = ARConfig(alpha=config.alpha, tau=1e300, kappa=config.kappa)
    new, biased = reallocate_attention(probs, audio, visual, unreachable)
    assert not biased.any()
    assert torch.equal(new, probs)


@settings(max_examples=40, deadline=None)
@given(attention_case(), st.sampled_from(["audio", "visual"]))
def test_no_op_when_a_modality_is_absent(case, absent):
    probs, audio, visual, _ = case
    if absent == "audio":
        audio = torch.zeros_like(audio)
    else:
        visual = torch.zeros_like(visual)
    eager_config = ARConfig(alpha=1.0, tau=0.0, kappa=0.0)  # would bias every head otherwise
    new, biased = reallocate_attention(probs, audio, visual, eager_config)
    assert not biased.any()
    assert torch.equal(new, probs)


def test_one_dominant_audio_key_is_detected_and_its_uap_lowered():
    """1 audio key out-shouts 48 visual keys in heads 0 and 1; AR halves their audio share."""
    keys, heads, queries = 52, 4, 3
    audio = torch.zeros(keys, dtype=torch.bool)
    audio[2] = True
    visual = torch.zeros(keys, dtype=torch.bool)
    visual[4:] = True
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(1, heads, queries, keys, generator=generator) * 0.1
    logits[:, :2, :, 2] += 8.0  # heads 0, 1: the one audio key dominates
    probs = torch.softmax(logits, dim=-1)
    before, _ = unimodal_attention_proportion(
        _masses(probs, audio[None]), _masses(probs, visual[None])
    )
    assert (before[0, :2] > 0.9).all() and (before[0, 2:] < 0.1).all()

    new, biased = reallocate_attention(probs, audio, visual, ARConfig(alpha=0.5))
    assert biased[0].tolist() == [True, True, False, False]
    after, _ = unimodal_attention_proportion(_masses(new, audio[None]), _masses(new, visual[None]))
    torch.testing.assert_close(after[0, :2], 0.5 * before[0, :2])  # (1 - alpha) a / (a + v)
    torch.testing.assert_close(after[0, 2:], before[0, 2:])
    assert after.mean() < before.mean() - 0.2


def test_count_normalisation_changes_detection():
    """Equal total mass on 1 audio key and 10 visual keys is audio-biased only per key."""
    probs = torch.zeros(1, 2, 1, 12)
    probs[0, 0, 0, 0] = 0.4  # head 0: audio total 0.4, visual total 0.4
    probs[0, 0, 0, 1:11] = 0.04
    probs[0, 0, 0, 11] = 0.2
    probs[0, 1, 0, 0] = 0.1  # head 1: mostly visual
    probs[0, 1, 0, 1:11] = 0.08
    probs[0, 1, 0, 11] = 0.1
    audio = torch.zeros(12, dtype=torch.bool)
    audio[0] = True
    visual = torch.zeros(12, dtype=torch.bool)
    visual[1:11] = True
    _, by_mass = reallocate_attention(probs, audio, visual, ARConfig(tau=1.0))
    _, by_count = reallocate_attention(
        probs, audio, visual, ARConfig(tau=1.0, normalize_by_count=True)
    )
    assert not by_mass.any()  # layer ratio 0.5 / 1.2 < 1
    assert by_count[0].tolist() == [True, False]  # per key: 0.5 / 0.12 > 1


def test_rows_without_visual_mass_are_left_alone():
    probs = torch.tensor([[[[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]]]])  # (1, 1, 2, 3)
    audio = torch.tensor([False, True, False])
    visual = torch.tensor([False, False, True])
    new, biased = reallocate_attention(probs, audio, visual, ARConfig(alpha=0.5, tau=0, kappa=0))
    assert biased.all()
    assert torch.equal(new[0, 0, 0], probs[0, 0, 0])  # causal row before the visual key
    torch.testing.assert_close(new[0, 0, 1], torch.tensor([0.2, 0.15, 0.65]))


def test_detect_biased_heads_matches_thresholds():
    a = torch.tensor([[[0.6], [0.2], [0.1]]])  # (1, 3, 1)
    v = torch.tensor([[[0.2], [0.2], [0.4]]])
    counts = torch.tensor([1.0]), torch.tensor([1.0])
    # ratios 3, 1, 0.25 (mean 1.4167); layer ratio 0.9 / 0.8 = 1.125
    assert detect_biased_heads(a, v, *counts, ARConfig(tau=1.0)).tolist() == [[True, False, False]]
    assert not detect_biased_heads(a, v, *counts, ARConfig(tau=1.2)).any()
    assert detect_biased_heads(a, v, *counts, ARConfig(tau=1.0, kappa=0.5)).tolist() == [
        [True, True, False]
    ]


def test_bad_mask_shapes_raise():
    probs = torch.full((1, 1, 1, 4), 0.25)
    with pytest.raises(ValueError, match="shape"):
        reallocate_attention(
            probs, torch.zeros(3, dtype=torch.bool), torch.zeros(3, dtype=torch.bool), ARConfig()
        )
    both = torch.tensor([True, False, False, False])
    with pytest.raises(ValueError, match="both audio and visual"):
        reallocate_attention(probs, both, both, ARConfig())
