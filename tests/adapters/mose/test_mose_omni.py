"""MoSE on a tiny random Qwen2.5-Omni thinker: only its language model is adapted."""

from __future__ import annotations

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
