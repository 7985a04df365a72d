"""MoSE on the tiny Qwen2.5-Omni thinker fed real processor outputs (video frames + audio).

Modality ids come from the audio / video placeholder positions of the processor's input_ids; the
towers carry no adapter; a training step moves only MoSE parameters; ``generate`` runs on the
full processor output; a visual token receives nothing from the non-visual expert.
"""

from __future__ import annotations

import math

import pytest
import torch
from mose_tiny import naive_mose

from emoreason.adapters.mose import (
    AUDIO,
    OMNI_THINKER_EXCLUDE,
    TEXT,
    VISUAL,
    MoSEConfig,
    apply_mose,
    gate_lambdas,
    modality_ids,
    modality_ids_from_inputs,
    mose_layers,
    placeholder_token_ids,
)
from emoreason.errors import ConfigError, InputError
from emoreason.reasoning.omni_processor import audio_token_count
from emoreason.reasoning.omni_video import video_token_count
from omni_media import load_processor, load_thinker, omni_inputs

LAYER = "model.language_model.layers.1.mlp.down_proj"


@pytest.fixture(scope="module")
def inputs(omni_dir):
    return omni_inputs(load_processor(omni_dir))


def _mose_thinker(omni_dir, **overrides):
    values = {"r": 4, "exclude_modules": OMNI_THINKER_EXCLUDE, "seed": 0, **overrides}
    return apply_mose(load_thinker(omni_dir), MoSEConfig(**values))


def test_modality_ids_are_the_processor_placeholder_positions(omni_dir, inputs):
    config = load_thinker(omni_dir).config
    assert placeholder_token_ids(config) == (
        (config.image_token_id, config.video_token_id),
        (config.audio_token_id,),
    )
    ids = modality_ids_from_inputs(inputs, config)
    tokens = inputs["input_ids"]
    assert ids.shape == tokens.shape and ids.dtype == torch.long
    assert torch.equal(ids == VISUAL, tokens == config.video_token_id)
    assert torch.equal(ids == AUDIO, tokens == config.audio_token_id)
    # as many ids of each kind as the encoders write embeddings
    merge = config.vision_config.spatial_merge_size
    assert int((ids == VISUAL).sum()) == video_token_count(inputs["video_grid_thw"][0], merge)
    frames = int(inputs["feature_attention_mask"].sum())
    assert int((ids == AUDIO).sum()) == audio_token_count(frames)
    assert int((ids == TEXT).sum()) > 10  # the chat turn and the question


def test_placeholders_the_config_does_not_know_are_an_error(omni_dir, inputs):
    config = load_thinker(omni_dir).config
    wrong = type(config).from_dict({**config.to_dict(), "audio_token_index": 5})
    with pytest.raises(InputError, match=r"input_features.*audio placeholder ids \[5\]"):
        modality_ids_from_inputs(inputs, wrong)
    with pytest.raises(ConfigError, match="names no image/video/audio placeholder"):
        modality_ids_from_inputs(inputs, config.text_config)


def test_a_visual_token_receives_nothing_from_the_nonvisual_expert(omni_dir, inputs):
    model = _mose_thinker(omni_dir, init_lora_b="gaussian", init_gate="random")
    ids = modality_ids_from_inputs(inputs, model.config)
    layer = mose_layers(model)[LAYER]
    seen: dict[str, torch.Tensor] = {}
    handle = layer.register_forward_hook(lambda m, args, out: seen.update(x=args[0], out=out))
    try:
        with torch.no_grad(), modality_ids(model, ids):
            model(**inputs)
    finally:
        handle.remove()
    visual = (ids == VISUAL)[0]
    assert visual.any() and (~visual).any()
    # the whole layer against the token-by-token reference of docs/methods/mose.md
    expected, lambdas = naive_mose(layer, seen["x"], ids)
    torch.testing.assert_close(seen["out"].double(), expected, rtol=1e-4, atol=1e-5)
    # and written out here for the visual tokens: base + global + visual expert, no B_n term
    x = seen["x"][0].double()
    w0 = layer.base.weight.detach().double()
    a = layer.lora_A.detach().double()
    b_g, b_v, _ = (b.detach().double() for b in layer.experts())
    lam = lambdas[0]
    for t in torch.nonzero(visual).flatten().tolist():
        ax = a @ x[t]
        want = w0 @ x[t] + layer.scaling * (b_g @ ax + 2 * lam * (b_v @ ax))
        if layer.base.bias is not None:
            want = want + layer.base.bias.detach().double()
        torch.testing.assert_close(seen["out"][0, t].double(), want, rtol=1e-4, atol=1e-5)
    assert 0.4 <= lam <= 0.6 and not math.isclose(lam, 0.5)  # the random gate moved λ


def test_perturbing_the_nonvisual_expert_leaves_visual_positions_of_its_layer_unchanged(
    omni_dir, inputs
):
    # the first adapted layer sees identical inputs in both runs, so its visual outputs must be
    # bit-identical while its non-visual outputs move
    model = _mose_thinker(omni_dir, init_lora_b="gaussian", target_modules=["q_proj"])
    ids = modality_ids_from_inputs(inputs, model.config)
    name = "model.language_model.layers.0.self_attn.q_proj"
    layer = mose_layers(model)[name]
    outs = []
    handle = layer.register_forward_hook(lambda m, args, out: outs.append(out.detach().clone()))
    try:
        with torch.no_grad(), modality_ids(model, ids):
            model(**inputs)
            layer.lora_B_nonvisual.add_(torch.randn_like(layer.lora_B_nonvisual))
            model(**inputs)
    finally:
        handle.remove()
    visual = (ids == VISUAL)[0]
    assert torch.equal(outs[0][0, visual], outs[1][0, visual])
    assert (outs[0][0, ~visual] - outs[1][0, ~visual]).abs().max() > 1e-3


def test_towers_carry_no_adapter_and_a_train_step_moves_only_mose(omni_dir, inputs):
    model = _mose_thinker(omni_dir, init_lora_b="gaussian").train()
    names = list(mose_layers(model))
    assert names and all(n.startswith("model.language_model.layers.") for n in names)
    assert not any(t in n for n in names for t in OMNI_THINKER_EXCLUDE)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all(".lora_" in n or ".gate." in n for n in trainable)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    ids = modality_ids_from_inputs(inputs, model.config)
    labels = inputs["input_ids"].masked_fill(ids != TEXT, -100)  # text tokens only
    with modality_ids(model, ids):
        loss = model(**inputs, labels=labels).loss
        loss.backward()
    assert torch.isfinite(loss)
    optimizer.step()
    moved = {n for n, p in model.named_parameters() if not torch.equal(p, before[n])}
    assert moved and moved <= trainable
    assert any("lora_B_visual" in n for n in moved) and any("lora_B_nonvisual" in n for n in moved)
    frozen = [p for n, p in model.named_parameters() if n not in trainable]
    assert all(p.grad is None for p in frozen)


def test_generate_runs_on_the_processor_output(omni_dir, inputs):
    base = load_thinker(omni_dir)
    model = _mose_thinker(omni_dir)  # zero experts: the adapted model starts as the base model
    ids = modality_ids_from_inputs(inputs, model.config)
    options = {"max_new_tokens": 5, "min_new_tokens": 5, "do_sample": False}
    with torch.no_grad():
        expected = base.generate(**inputs, **options)
        with modality_ids(model, ids):
            got = model.generate(**inputs, **options)
    prompt = inputs["input_ids"].shape[1]
    assert got.shape == (1, prompt + 5)
    assert torch.equal(got, expected)
    lambdas = gate_lambdas(model)
    assert set(lambdas) == set(mose_layers(model))  # every layer routed during decoding


def test_generate_with_trained_experts_follows_the_routing(omni_dir, inputs):
    model = _mose_thinker(omni_dir, init_lora_b="gaussian", init_gate="random")
    ids = modality_ids_from_inputs(inputs, model.config)
    options = {"max_new_tokens": 4, "min_new_tokens": 4, "do_sample": False}
    with torch.no_grad():
        with modality_ids(model, ids):
            routed = model.generate(**inputs, **options)
            step = model(**inputs).logits[:, -1]
        with modality_ids(model, torch.zeros_like(ids)):  # everything as text
            as_text = model(**inputs).logits[:, -1]
    assert routed.shape[1] == inputs["input_ids"].shape[1] + 4
    assert int(routed[0, inputs["input_ids"].shape[1]]) == int(step.argmax())
    assert (step - as_text).abs().max() > 1e-4  # the visual expert really took part
