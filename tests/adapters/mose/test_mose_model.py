"""MoSE on tiny random Llama / Qwen2 models: the four checks, routing, generate, merge, save/load."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from mose_tiny import mixed_ids, naive_mose, tiny_model

from emoreason.adapters.mose import (
    MoSEConfig,
    apply_mose,
    gate_lambdas,
    load_mose,
    merge_mose,
    modality_ids,
    mose_disabled,
    mose_layers,
    save_mose,
    trainable_parameter_report,
    unmerge_mose,
)
from emoreason.errors import ConfigError, InputError

RANDOM = {"init_lora_b": "gaussian", "init_gate": "random", "gate_hidden": 4, "seed": 1}


@pytest.fixture(params=["llama", "qwen2"])
def arch(request: pytest.FixtureRequest) -> str:
    return request.param


def tokens(batch: int = 2, seq: int = 12, seed: int = 0) -> torch.Tensor:
    return torch.randint(0, 128, (batch, seq), generator=torch.Generator().manual_seed(seed))


def adapted(arch: str, **cfg) -> torch.nn.Module:
    return apply_mose(tiny_model(arch), MoSEConfig(**cfg))


def logits(model: torch.nn.Module, ids: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad(), modality_ids(model, ids):
        return model(input_ids=x).logits


def test_apply_wraps_targets_and_freezes_the_rest(arch: str) -> None:
    model = adapted(arch, r=4)
    layers = mose_layers(model)
    assert len(layers) == 7 * 2  # seven projections in each of two decoder layers
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all(".base." not in n for n in trainable)
    assert all(("lora_" in n) or (".gate." in n) for n in trainable)
    report = trainable_parameter_report(model, model.mose_config)
    assert report["trainable_now"] == report["mose"]["total"]


def test_zero_init_leaves_outputs_unchanged(arch: str) -> None:
    base = tiny_model(arch)
    model = apply_mose(tiny_model(arch), MoSEConfig(init_gate="random"))
    x = tokens()
    with torch.no_grad():
        expected = base(input_ids=x).logits
    assert torch.equal(logits(model, mixed_ids(), x), expected)


def test_modality_ids_reach_every_layer(arch: str) -> None:
    """Each layer's output inside a full model equals the naive equation on its captured input."""
    model = adapted(arch, r=4, **RANDOM)
    ids, x = mixed_ids(), tokens()
    seen: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    handles = [
        layer.register_forward_hook(
            lambda mod, args, out, name=name: seen.__setitem__(name, (args[0], out))
        )
        for name, layer in mose_layers(model).items()
    ]
    try:
        logits(model, ids, x)
    finally:
        for h in handles:
            h.remove()
    assert set(seen) == set(mose_layers(model))
    for name, (inp, out) in seen.items():
        expected, lambdas = naive_mose(mose_layers(model)[name], inp, ids)
        torch.testing.assert_close(out.double(), expected, rtol=1e-4, atol=1e-5)
        assert gate_lambdas(model)[name].tolist() == pytest.approx(lambdas, abs=1e-6)


def test_attention_mask_padding_is_excluded_from_the_gate() -> None:
    model = adapted("llama", r=4, **RANDOM)
    x, ids = tokens(1, 8), mixed_ids(1, 8)
    padded_x = torch.cat([torch.zeros(1, 3, dtype=torch.long), x], dim=1)
    padded_ids = torch.cat([torch.full((1, 3), 2), ids], dim=1)  # padding marked visual on purpose
    mask = torch.cat([torch.zeros(1, 3), torch.ones(1, 8)], dim=1).long()
    first = "model.layers.0.self_attn.q_proj"  # its input does not depend on positions
    with torch.no_grad(), modality_ids(model, ids):
        model(input_ids=x)
    alone = gate_lambdas(model)[first]
    with torch.no_grad(), modality_ids(model, padded_ids):
        model(input_ids=padded_x, attention_mask=mask)
    torch.testing.assert_close(gate_lambdas(model)[first], alone)


def test_training_lowers_loss_and_changes_every_trainable_parameter(arch: str) -> None:
    base = tiny_model(arch)
    model = adapted(arch, r=4, seed=0)
    model.train()
    ids, x = mixed_ids(), tokens()
    params = {n: p for n, p in model.named_parameters() if p.requires_grad}
    start = {n: p.detach().clone() for n, p in params.items()}
    frozen = {n: p.detach().clone() for n, p in model.named_parameters() if not p.requires_grad}
    optimizer = torch.optim.Adam(params.values(), lr=1e-2)
    losses = []
    for _ in range(8):
        with modality_ids(model, ids):
            loss = model(input_ids=x, labels=x).loss
            loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    assert losses[-1] < losses[0] - 0.1, losses
    unchanged = [n for n, p in params.items() if torch.equal(p, start[n])]
    assert not unchanged, f"trainable parameters that never moved: {unchanged}"
    assert all(torch.equal(p, frozen[n]) for n, p in model.named_parameters() if n in frozen)
    # disabling the adapter gives the base model back; enabling it again restores the change
    model.eval()
    with torch.no_grad():
        expected = base(input_ids=x).logits
    trained = logits(model, ids, x)
    assert not torch.allclose(trained, expected, atol=1e-3)
    with mose_disabled(model), torch.no_grad():
        assert torch.equal(model(input_ids=x).logits, expected)
    assert torch.equal(logits(model, ids, x), trained)


def test_save_load_reproduces_outputs_exactly(arch: str, tmp_path: Path) -> None:
    model = adapted(arch, r=4, alpha=4.0, target_modules=["q_proj", "down_proj"], **RANDOM)
    ids, x = mixed_ids(), tokens()
    expected = logits(model, ids, x)
    save_mose(model, tmp_path / "adapter")
    assert sorted(p.name for p in (tmp_path / "adapter").iterdir()) == [
        "mose_adapter.safetensors",
        "mose_config.json",
    ]
    fresh = load_mose(tiny_model(arch), tmp_path / "adapter")  # applies MoSE from the config
    assert fresh.mose_config == model.mose_config
    assert torch.equal(logits(fresh, ids, x), expected)
    other = adapted(arch, r=4, alpha=4.0, gate_hidden=4, target_modules=["q_proj", "down_proj"])
    load_mose(other, tmp_path / "adapter")  # into an already adapted model
    assert torch.equal(logits(other, ids, x), expected)


def test_load_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing MoSE adapter file"):
        load_mose(tiny_model(), tmp_path)
    save_mose(adapted("llama", r=4, target_modules=["q_proj"]), tmp_path)
    wrong_rank = adapted("llama", r=2, target_modules=["q_proj"])
    with pytest.raises(ConfigError, match=r"differs from the model's MoSE config in \['r'\]"):
        load_mose(wrong_rank, tmp_path)
    wrong_layers = adapted("llama", r=4, target_modules=["v_proj"])
    with pytest.raises(InputError, match="adapter does not fit this model: missing"):
        load_mose(wrong_layers, tmp_path)
    with pytest.raises(ConfigError, match="no MoSE layers"):
        save_mose(tiny_model(), tmp_path / "x")
    other_alpha = adapted("llama", r=4, alpha=1.0, target_modules=["q_proj"])
    with pytest.raises(ConfigError, match=r"differs from the model's MoSE config in \['alpha'\]"):
        load_mose(other_alpha, tmp_path)


def test_merge_equals_unmerged(arch: str) -> None:
    base = tiny_model(arch)
    model = adapted(arch, r=4, **RANDOM)
    ids, x = mixed_ids(), tokens()
    weights = {n: m.base.weight.detach().clone() for n, m in mose_layers(model).items()}
    unmerged = logits(model, ids, x)
    merge_mose(model)
    assert all(m.merged for m in mose_layers(model).values())
    assert any(not torch.equal(m.base.weight, weights[n]) for n, m in mose_layers(model).items())
    torch.testing.assert_close(logits(model, ids, x), unmerged, rtol=1e-5, atol=1e-5)
    with mose_disabled(model), torch.no_grad():  # reference model still works when merged
        torch.testing.assert_close(
            model(input_ids=x).logits, base(input_ids=x).logits, atol=1e-5, rtol=1e-5
        )
    merge_mose(model)  # idempotent
    unmerge_mose(model)
    for n, m in mose_layers(model).items():
        torch.testing.assert_close(m.base.weight, weights[n], rtol=0, atol=1e-6)
    torch.testing.assert_close(logits(model, ids, x), unmerged, rtol=1e-5, atol=1e-5)


def test_generate_with_cache_treats_new_tokens_as_text() -> None:
    """Cached generate == a no-cache greedy loop whose ids are the prompt ids + text (0) after.

    The gate is zero-initialised (λ = 0.5 for any input) so both paths use the same λ and the
    comparison checks only how ids follow the growing sequence.
    """
    model = adapted("llama", r=4, init_lora_b="gaussian", init_gate="zero", seed=2)
    for layer in mose_layers(model).values():
        with torch.no_grad():
            layer.lora_B_visual.mul_(20)  # make the visual expert decisive
    prompt, ids = tokens(2, 6, seed=3), mixed_ids(2, 6, seed=3)
    mask = torch.ones_like(prompt)
    with torch.no_grad(), modality_ids(model, ids):
        gen = model.generate(
            prompt,
            attention_mask=mask,
            max_new_tokens=5,
            do_sample=False,
            output_logits=True,
            return_dict_in_generate=True,
        )
    out = gen.sequences
    assert out.shape == (2, 11)
    for step, step_logits in enumerate(
        gen.logits
    ):  # teacher-forced, no cache, ids padded with text
        seq = out[:, : 6 + step]
        full_ids = torch.cat([ids, torch.zeros(2, step, dtype=torch.long)], dim=1)
        torch.testing.assert_close(
            logits(model, full_ids, seq)[:, -1], step_logits, atol=1e-4, rtol=1e-4
        )
    # the visual expert matters: routing everything as text generates something else
    with torch.no_grad(), modality_ids(model, torch.zeros_like(ids)):
        text_only = model.generate(prompt, attention_mask=mask, max_new_tokens=5, do_sample=False)
    assert not torch.equal(text_only, out)


def test_cached_chunks_take_their_slice_of_the_ids() -> None:
    """Two cached chunks (positions 0-4, then 5-9) == one full forward: the offset is tracked."""
    from transformers import DynamicCache

    model = adapted("llama", r=4, init_lora_b="gaussian", init_gate="zero", seed=5)
    x = tokens(2, 10, seed=5)
    ids = torch.zeros(2, 10, dtype=torch.long)
    ids[:, 6:9] = 2  # visual tokens only in the second chunk
    full = logits(model, ids, x)
    with torch.no_grad(), modality_ids(model, ids):
        cache = DynamicCache(config=model.config)
        first = model(input_ids=x[:, :5], past_key_values=cache, use_cache=True).logits
        second = model(input_ids=x[:, 5:], past_key_values=cache, use_cache=True).logits
    torch.testing.assert_close(torch.cat([first, second], dim=1), full, atol=1e-5, rtol=1e-5)
    text = logits(model, torch.zeros_like(ids), x)
    assert not torch.allclose(second, text[:, 5:], atol=1e-3)  # the visual slice was used


def test_decoding_reuses_the_prompt_lambda_and_expands_beams() -> None:
    model = adapted("llama", r=4, **RANDOM)
    prompt, ids = tokens(2, 6, seed=4), mixed_ids(2, 6, seed=4)
    with torch.no_grad(), modality_ids(model, ids):
        model(input_ids=prompt)
        prompt_lambdas = {k: v.clone() for k, v in gate_lambdas(model).items()}
        model.generate(prompt, max_new_tokens=3, do_sample=False, pad_token_id=0)
    after = gate_lambdas(model)  # λ of the last decoding step
    assert set(after) == set(prompt_lambdas)
    for name, lam in after.items():
        torch.testing.assert_close(lam, prompt_lambdas[name])
    with torch.no_grad(), modality_ids(model, ids):
        beams = model.generate(
            prompt, max_new_tokens=3, num_beams=2, num_return_sequences=2, pad_token_id=0
        )
    assert beams.shape == (4, 9)


def _hook_count(model: torch.nn.Module) -> int:
    return sum(len(m._forward_pre_hooks) for m in model.modules())


def test_hooks_are_removed_after_exceptions() -> None:
    model = adapted("llama", r=4)
    before = _hook_count(model)
    with pytest.raises(RuntimeError, match="boom"), modality_ids(model, mixed_ids()):
        assert _hook_count(model) == before + 1 + len(mose_layers(model))
        raise RuntimeError("boom")
    assert _hook_count(model) == before
    too_long = pytest.raises(InputError, match="ids cover 12 positions but the input has 5")
    with too_long, modality_ids(model, mixed_ids()):
        model(input_ids=tokens(2, 5))
    assert _hook_count(model) == before
    wrong_batch = pytest.raises(InputError, match="batch size 2 but the input has batch size 3")
    with wrong_batch, modality_ids(model, mixed_ids()):
        model(input_ids=tokens(3, 12))
    assert _hook_count(model) == before


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (torch.tensor([[0, 3]]), "unknown modality id 3; valid: 0 = text, 1 = audio, 2 = visual"),
        (torch.zeros(4, dtype=torch.long), r"expected shape \(batch, seq\)"),
        (torch.zeros(1, 4), "expected an integer tensor"),
        ([[0, 1]], "expected a LongTensor"),
    ],
)
def test_bad_modality_ids(ids: object, message: str) -> None:
    model = adapted("llama", r=4, target_modules=["q_proj"])
    with pytest.raises(InputError, match=message), modality_ids(model, ids):
        pass
    assert _hook_count(model) == 0


def test_modality_ids_needs_mose_layers() -> None:
    with (
        pytest.raises(ConfigError, match="apply_mose first"),
        modality_ids(tiny_model(), mixed_ids()),
    ):
        pass


def test_parameter_report_against_peft_lora() -> None:
    """MoSE count == trainable params after apply; three LoRAs == 3 × PEFT LoRA of the same rank."""
    from peft import LoraConfig, get_peft_model

    targets = ["q_proj", "v_proj", "down_proj"]
    cfg = MoSEConfig(r=4, target_modules=targets, gate_hidden=2)
    report_before = trainable_parameter_report(tiny_model(), cfg)
    model = apply_mose(tiny_model(), cfg)
    report = trainable_parameter_report(model, cfg)
    assert report["mose"] == report_before["mose"]
    assert report["trainable_now"] == report["mose"]["total"]
    lora = get_peft_model(tiny_model(), LoraConfig(r=4, target_modules=targets))
    one = sum(p.numel() for p in lora.parameters() if p.requires_grad)
    assert report["single_lora"] == one
    assert report["three_loras"] == 3 * one
    assert report["base_parameters"] == sum(p.numel() for p in tiny_model().parameters())


def test_prefill_ids_must_cover_the_prompt() -> None:
    from transformers import DynamicCache

    model = adapted("llama", r=4)
    short = pytest.raises(InputError, match="ids cover 4 positions but the input has 6")
    with short, torch.no_grad(), modality_ids(model, mixed_ids(2, 4)):
        model.generate(tokens(2, 6), attention_mask=torch.ones(2, 6), max_new_tokens=2)
    with torch.no_grad(), modality_ids(model, mixed_ids(2, 8)):  # chunked prefill is fine
        model(input_ids=tokens(2, 4), past_key_values=DynamicCache(config=model.config))


def test_half_precision_base_keeps_float32_adapters() -> None:
    model = tiny_model("llama").to(torch.bfloat16)
    apply_mose(model, MoSEConfig(r=4, init_lora_b="gaussian"))
    layer = next(iter(mose_layers(model).values()))
    assert layer.lora_A.dtype == torch.float32 and layer.base.weight.dtype == torch.bfloat16
    x = tokens()
    with modality_ids(model, mixed_ids()):
        out = model(input_ids=x, labels=x)
        out.loss.backward()
    assert out.logits.dtype == torch.bfloat16
    assert torch.isfinite(out.loss)
    assert layer.lora_B_visual.grad is not None and layer.lora_B_visual.grad.dtype == torch.float32


def test_gradient_checkpointing_recomputes_with_the_same_routing() -> None:
    """Backward inside the context: checkpointed gradients equal plain ones."""
    grads = []
    for checkpointing in (False, True):
        model = adapted("llama", r=4, **RANDOM)
        model.train()
        if checkpointing:
            model.gradient_checkpointing_enable(
                gradient_checkpointing_kwargs={"use_reentrant": False}
            )
        x = tokens()
        with modality_ids(model, mixed_ids()):
            model(input_ids=x, labels=x).loss.backward()
        grads.append({n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad})
    assert grads[0].keys() == grads[1].keys()
    for name, grad in grads[0].items():
        torch.testing.assert_close(grads[1][name], grad, rtol=1e-5, atol=1e-6)


def test_calling_an_inner_module_asks_for_the_module_you_call() -> None:
    model = adapted("llama", r=4)
    with (
        pytest.raises(InputError, match="pass the module you call to modality_ids"),
        modality_ids(model, mixed_ids()),
    ):
        model.model(input_ids=tokens())  # the hooks sit on the causal LM, not its inner model
    with torch.no_grad(), modality_ids(model.model, mixed_ids()):
        assert model.model(input_ids=tokens()).last_hidden_state.shape == (2, 12, 32)
