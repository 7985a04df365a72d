"""MoSE on the real package-shipped SmolLM2-135M-Instruct weights (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from emoreason.adapters.mose import (
    MoSEConfig,
    apply_mose,
    gate_lambdas,
    load_mose,
    merge_mose,
    modality_ids,
    mose_disabled,
    save_mose,
    trainable_parameter_report,
    unmerge_mose,
)


def _smollm2_path() -> Path:
    try:
        from emoreason.assets import smollm2_dir
    except ImportError as exc:  # the assets module is owned by another engineer
        pytest.skip(f"emoreason.assets.smollm2_dir is not available yet ({exc})")
    try:
        return smollm2_dir()
    except Exception as exc:  # package not installed: say why instead of failing
        pytest.skip(f"SmolLM2-135M-Instruct is not installed here: {exc}")


@pytest.mark.slow
def test_mose_on_smollm2(tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = _smollm2_path()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
    text = ["The speaker smiles but her voice is flat and slow.", "He shouts: I am fine!"]
    batch = tokenizer(text, return_tensors="pt", padding=True)
    x, mask = batch["input_ids"], batch["attention_mask"]
    ids = torch.zeros_like(x)
    ids[:, 1:4] = 2  # pretend a few positions carry visual features
    ids[:, 4:6] = 1
    with torch.no_grad():
        base = model(input_ids=x, attention_mask=mask).logits

    apply_mose(model, MoSEConfig(r=4, seed=0, init_gate="random"))
    report = trainable_parameter_report(model, model.mose_config)
    assert report["layers"] == 30 * 7
    assert report["mose"]["total"] == report["trainable_now"] < report["three_loras"]

    def run() -> torch.Tensor:
        with torch.no_grad(), modality_ids(model, ids):
            return model(input_ids=x, attention_mask=mask).logits

    assert torch.equal(run(), base)  # B = 0 at init

    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=5e-3)
    labels = x.masked_fill(mask == 0, -100)
    losses = []
    for _ in range(4):
        with modality_ids(model, ids):
            loss = model(input_ids=x, attention_mask=mask, labels=labels).loss
            loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    model.eval()
    assert losses[-1] < losses[0]
    lambdas = gate_lambdas(model)
    assert len(lambdas) == 210 and all(
        ((lam - 0.5).abs() <= 0.1 + 1e-6).all() for lam in lambdas.values()
    )

    trained = run()
    assert not torch.allclose(trained, base, atol=1e-3)
    with mose_disabled(model), torch.no_grad():
        assert torch.equal(model(input_ids=x, attention_mask=mask).logits, base)

    save_mose(model, tmp_path)
    fresh = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
    load_mose(fresh, tmp_path)
    with torch.no_grad(), modality_ids(fresh, ids):
        assert torch.equal(fresh(input_ids=x, attention_mask=mask).logits, trained)

    merge_mose(model)
    torch.testing.assert_close(run(), trained, atol=1e-4, rtol=1e-4)
    unmerge_mose(model)

    tokenizer.padding_side = "left"
    prompt = tokenizer(text, return_tensors="pt", padding=True)
    prompt_ids = torch.zeros_like(prompt["input_ids"])
    prompt_ids[:, -4:-2] = 2
    with torch.no_grad(), modality_ids(model, prompt_ids):
        out = model.generate(**prompt, max_new_tokens=4, do_sample=False)
    assert out.shape == (2, prompt["input_ids"].shape[1] + 4)
