"""MoSE on a tiny random Qwen2.5-Omni thinker: only its language model is adapted."""

from __future__ import annotations

import pytest
import torch
from mose_tiny import naive_mose, tiny_omni_thinker

from emoreason.adapters.mose import (
    OMNI_THINKER_EXCLUDE,
    MoSEConfig,
    apply_mose,
    modality_ids,
    modality_ids_from_tokens,
    mose_layers,
)
from emoreason.errors import InputError


def test_thinker_language_model_only() -> None:
    base = tiny_omni_thinker()
    model = apply_mose(tiny_omni_thinker(), MoSEConfig(r=4, exclude_modules=OMNI_THINKER_EXCLUDE))
    names = list(mose_layers(model))
    assert len(names) == 14
    assert all(n.startswith("model.language_model.layers.") for n in names)
    x = torch.randint(0, 110, (2, 7), generator=torch.Generator().manual_seed(0))
    ids = torch.zeros_like(x)
    ids[:, 2:4] = 2
    with torch.no_grad():
        expected = base(input_ids=x).logits
        with modality_ids(model, ids):
            assert torch.equal(model(input_ids=x).logits, expected)


def test_thinker_routing_reaches_the_language_model() -> None:
    cfg = MoSEConfig(
        r=4,
        exclude_modules=OMNI_THINKER_EXCLUDE,
        init_lora_b="gaussian",
        init_gate="random",
        target_modules=["down_proj"],
        seed=0,
    )
    model = apply_mose(tiny_omni_thinker(), cfg)
    x = torch.randint(0, 110, (2, 7), generator=torch.Generator().manual_seed(1))
    ids = torch.tensor([[0, 2, 2, 2, 1, 0, 0], [0, 1, 1, 0, 0, 2, 0]])
    name = "model.language_model.layers.1.mlp.down_proj"
    seen = {}
    handle = mose_layers(model)[name].register_forward_hook(
        lambda mod, args, out: seen.update(inp=args[0], out=out)
    )
    try:
        with torch.no_grad(), modality_ids(model, ids):
            model(input_ids=x)
    finally:
        handle.remove()
    expected, _ = naive_mose(mose_layers(model)[name], seen["inp"], ids)
    torch.testing.assert_close(seen["out"].double(), expected, rtol=1e-4, atol=1e-5)


def test_modality_ids_from_placeholder_tokens() -> None:
    config = tiny_omni_thinker().config
    x = torch.tensor([[5, config.image_token_id, config.image_token_id, config.audio_token_id, 7]])
    ids = modality_ids_from_tokens(
        x,
        visual_token_ids=(config.image_token_id, config.video_token_id),
        audio_token_ids=(config.audio_token_id,),
    )
    assert ids.tolist() == [[0, 2, 2, 1, 0]]
    assert ids.dtype == torch.long


def _audio_prompt(model: torch.nn.Module) -> tuple[dict, torch.Tensor]:
    """Text + 200 mel frames of audio: input ids with one placeholder per audio-encoder output."""
    frames = 200
    _, n_audio = model.model.audio_tower._get_feat_extract_output_lengths(torch.tensor([frames]))
    cfg = model.config
    x = torch.tensor(
        [[5, cfg.audio_start_token_id, *[cfg.audio_token_id] * int(n_audio[0]), 126, 7, 8]]
    )
    inputs = {
        "input_ids": x,
        "input_features": torch.randn(1, 16, frames, generator=torch.Generator().manual_seed(0)),
        "feature_attention_mask": torch.ones(1, frames, dtype=torch.long),
    }
    ids = modality_ids_from_tokens(x, audio_token_ids=(cfg.audio_token_id,))
    return inputs, ids


def test_thinker_forward_with_audio_features() -> None:
    model = apply_mose(
        tiny_omni_thinker(),
        MoSEConfig(r=4, exclude_modules=OMNI_THINKER_EXCLUDE, init_lora_b="gaussian", seed=0),
    )
    inputs, ids = _audio_prompt(model)
    assert int((ids == 1).sum()) > 0
    with torch.no_grad(), modality_ids(model, ids):
        out = model(**inputs).logits
    assert out.shape == (1, ids.shape[1], 128) and torch.isfinite(out).all()


def test_adapting_the_audio_tower_by_mistake_names_the_fix() -> None:
    model = apply_mose(tiny_omni_thinker(), MoSEConfig(r=4, target_modules=["q_proj"]))
    assert any("audio_tower" in n for n in mose_layers(model))
    inputs, ids = _audio_prompt(model)
    with (
        pytest.raises(InputError, match=r"audio_tower.*add it to MoSEConfig\.exclude_modules"),
        torch.no_grad(),
        modality_ids(model, ids),
    ):
        model(**inputs)
