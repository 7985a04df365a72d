"""CA-DPO and SFT trainers on tiny random Llama models (LoRA and MoSE adapters)."""

from __future__ import annotations

import copy

import pytest
import torch
from peft import PeftModel
from training_fixtures import dpo_config, write_toy_pairs, write_toy_sft
from trl import DPOConfig, DPOTrainer

from emoreason.errors import InputError
from emoreason.training import SFTTrainConfig
from emoreason.training.logprobs import completion_logps
from emoreason.training.run import build_ca_dpo_trainer, build_sft_trainer, train_ca_dpo


def _adapter_params(model):
    return {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}


def _first_batch(trainer):
    return next(iter(trainer.get_train_dataloader()))


def test_ca_dpo_equals_trl_dpo_loss(tmp_path, tiny_model_dir, tiny_model, tiny_tokenizer):
    config = dpo_config(tmp_path, tiny_model_dir)
    ours, _ = build_ca_dpo_trainer(config, model=tiny_model, tokenizer=tiny_tokenizer)
    # TRL's own DPOTrainer (sigmoid loss) on the same PEFT model; it keeps a frozen "ref" copy
    # of the (still zero, i.e. base-equivalent) adapter as its reference
    trl_args = DPOConfig(
        output_dir=str(tmp_path / "trl"),
        beta=config.beta,
        bf16=False,
        report_to=[],
        gradient_checkpointing=False,
        use_cpu=True,
        max_length=512,
    )
    trl = DPOTrainer(
        model=ours.model,
        args=trl_args,
        train_dataset=ours.train_dataset,
        processing_class=tiny_tokenizer,
    )
    with torch.no_grad():  # a non-trivial trained adapter so policy != reference
        for name, p in ours.model.named_parameters():
            if "lora_B.default" in name:
                p.normal_(0, 0.5)
    batch = _first_batch(ours)
    ours.model.train()
    our_loss = ours.compute_loss(ours.model, dict(batch)).item()
    trl_batch = {k: v for k, v in batch.items() if k != "conflict"}
    trl_loss = trl.compute_loss(trl.model, trl_batch).item()
    assert our_loss == pytest.approx(trl_loss, abs=1e-5)
    assert our_loss != pytest.approx(0.6931, abs=1e-3)  # not the trivial log 2


def test_training_raises_margin_and_changes_only_the_adapter(
    tmp_path, tiny_model_dir, tiny_model, tiny_tokenizer
):
    config = dpo_config(tmp_path, tiny_model_dir, eta=1.0, gamma=0.05, max_steps=5)
    trainer, report = build_ca_dpo_trainer(config, model=tiny_model, tokenizer=tiny_tokenizer)
    assert report.written == 8 and trainer.ref_model is None
    frozen = {
        n: p.detach().clone() for n, p in trainer.model.named_parameters() if not p.requires_grad
    }
    before = _adapter_params(trainer.model)
    trainer.train()
    logs = [h for h in trainer.state.log_history if "rewards/margins" in h]
    for key in ("rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies"):
        assert key in logs[0]
    assert logs[-1]["rewards/margins"] > logs[0]["rewards/margins"] + 0.05
    assert logs[-1]["loss/dpo"] < logs[0]["loss/dpo"]
    assert logs[-1]["rewards/accuracies"] == 1.0
    after = _adapter_params(trainer.model)
    assert any(not torch.equal(before[n], after[n]) for n in before)
    for n, p in trainer.model.named_parameters():
        if not p.requires_grad:
            assert torch.equal(frozen[n], p.detach())


def test_reference_is_the_adapter_disabled_model(
    tmp_path, tiny_model_dir, tiny_model, tiny_tokenizer
):
    base_copy = copy.deepcopy(tiny_model)  # test-only copy for comparison; the trainer holds none
    config = dpo_config(tmp_path, tiny_model_dir)
    trainer, _ = build_ca_dpo_trainer(config, model=tiny_model, tokenizer=tiny_tokenizer)
    assert isinstance(trainer.model, PeftModel) and trainer.ref_model is None
    with torch.no_grad():
        for name, p in trainer.model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.5)
    batch = _first_batch(trainer)
    ref_chosen, ref_rejected = trainer.compute_ref_log_probs(trainer.model, batch)
    with torch.no_grad():
        logits = base_copy(
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
        ).logits
    expected, _ = completion_logps(logits, batch["input_ids"], batch["completion_mask"])
    torch.testing.assert_close(
        torch.cat([ref_chosen, ref_rejected]), expected, atol=1e-4, rtol=1e-5
    )
    policy = trainer._policy_logps(trainer.model, batch)
    assert not torch.allclose(policy.chosen, ref_chosen)  # adapter on != reference


def test_checkpoint_resume_continues_the_same_run(
    tmp_path, tiny_model_dir, tiny_tokenizer, build_model
):

    (tmp_path / "a").mkdir()
    full = dpo_config(tmp_path / "a", tiny_model_dir, max_steps=4, save_steps=2)
    t1, _ = build_ca_dpo_trainer(
        full, model=build_model(len(tiny_tokenizer)), tokenizer=tiny_tokenizer
    )
    t1.train()
    final = _adapter_params(t1.model)
    assert (tmp_path / "a" / "run" / "checkpoint-2").is_dir()
    resumed_config = dpo_config(
        tmp_path / "a",
        tiny_model_dir,
        max_steps=4,
        save_steps=2,
        resume_from_checkpoint=str(tmp_path / "a" / "run" / "checkpoint-2"),
        output_dir=str(tmp_path / "b"),
    )
    t2, _ = build_ca_dpo_trainer(
        resumed_config, model=build_model(len(tiny_tokenizer)), tokenizer=tiny_tokenizer
    )
    t2.train(resume_from_checkpoint=resumed_config.resume_from_checkpoint)
    assert t2.state.global_step == 4
    resumed = _adapter_params(t2.model)
    for name, value in final.items():
        torch.testing.assert_close(resumed[name], value, atol=1e-5, rtol=1e-4)


def test_train_ca_dpo_writes_adapter_and_summary(tmp_path, tiny_model_dir):
    config = dpo_config(tmp_path, tiny_model_dir, max_steps=2, resume_from_checkpoint=None)
    summary = train_ca_dpo(config)
    assert summary.global_step == 2
    assert (tmp_path / "run" / "adapter" / "adapter_config.json").is_file()
    assert (tmp_path / "run" / "training_summary.json").is_file()
    assert any("rewards/margins" in h for h in summary.log_history)


def test_mose_adapter_trains_with_mose_disabled_reference(
    tmp_path, tiny_model_dir, tiny_model, tiny_tokenizer
):
    from emoreason.adapters.mose import load_mose, mose_layers

    base_copy = copy.deepcopy(tiny_model)
    config = dpo_config(tmp_path, tiny_model_dir, adapter="mose", max_steps=3, save_steps=2)
    trainer, _ = build_ca_dpo_trainer(config, model=tiny_model, tokenizer=tiny_tokenizer)
    assert mose_layers(trainer.model) and trainer.ref_model is None
    before = _adapter_params(trainer.model)
    assert before and all("base" not in n for n in before)
    trainer.train()
    after = _adapter_params(trainer.model)
    assert any(not torch.equal(before[n], after[n]) for n in before)
    batch = _first_batch(trainer)
    ref_chosen, ref_rejected = trainer.compute_ref_log_probs(trainer.model, batch)
    with torch.no_grad():
        logits = base_copy(
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
        ).logits
    expected, _ = completion_logps(logits, batch["input_ids"], batch["completion_mask"])
    torch.testing.assert_close(
        torch.cat([ref_chosen, ref_rejected]), expected, atol=1e-4, rtol=1e-5
    )
    # the checkpoint holds only the adapter, and it reloads
    checkpoint = tmp_path / "run" / "checkpoint-2"
    assert (checkpoint / "mose_adapter.safetensors").is_file()
    assert not (checkpoint / "model.safetensors").exists()
    reloaded = load_mose(copy.deepcopy(base_copy), checkpoint)
    assert mose_layers(reloaded)


def test_sft_trainer_lowers_loss(tmp_path, tiny_model_dir, tiny_model, tiny_tokenizer):
    config = SFTTrainConfig.from_dict(
        {
            "model_path": str(tiny_model_dir),
            "train_file": str(write_toy_sft(tmp_path / "sft.jsonl")),
            "output_dir": str(tmp_path / "sft"),
            "max_steps": 6,
            "learning_rate": 2e-2,
            "per_device_train_batch_size": 4,
            "max_length": 512,
            "save_steps": 100,
        }
    )
    trainer, report = build_sft_trainer(config, model=tiny_model, tokenizer=tiny_tokenizer)
    assert report.written == 8
    trainer.train()
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    assert losses[-1] < losses[0]


def test_overlength_rows_are_counted(tmp_path, tiny_model_dir, tiny_model, tiny_tokenizer):
    skip = dpo_config(tmp_path, tiny_model_dir, max_length=240, overlength="skip")
    with pytest.raises(InputError, match="no row fits max_length=240"):
        build_ca_dpo_trainer(skip, model=tiny_model, tokenizer=tiny_tokenizer)
    truncate = dpo_config(tmp_path, tiny_model_dir, max_length=240, overlength="truncate")
    _, report = build_ca_dpo_trainer(truncate, model=tiny_model, tokenizer=tiny_tokenizer)
    assert report.by_kind["truncated_to_max_length"] == 8


def test_bad_rows_are_errors_or_counted(tmp_path, tiny_model_dir, tiny_model, tiny_tokenizer):
    path = write_toy_pairs(tmp_path / "p.jsonl", media=str(tmp_path / "missing.mp4"))
    config = dpo_config(tmp_path, tiny_model_dir, train_file=str(path))
    with pytest.raises(InputError, match="media file not found"):
        build_ca_dpo_trainer(config, model=tiny_model, tokenizer=tiny_tokenizer)
    lines = path.read_text(encoding="utf-8").splitlines()
    good = write_toy_pairs(tmp_path / "good.jsonl")
    import json

    rows = [json.loads(x) for x in good.read_text(encoding="utf-8").splitlines()]
    rows[0]["rejected_response"] = rows[0]["messages"][-1]["content"]
    good.write_text("\n".join([*map(json.dumps, rows), lines[0]]) + "\n", encoding="utf-8")
    config = dpo_config(tmp_path, tiny_model_dir, train_file=str(good), missing_media="skip")
    _, report = build_ca_dpo_trainer(config, model=tiny_model, tokenizer=tiny_tokenizer)
    assert report.skipped["identical_chosen_rejected"] == 1
    assert report.skipped["missing_media"] == 1
    assert report.written == 7


def test_prediction_step_returns_pair_logps(tmp_path, tiny_model_dir, tiny_model, tiny_tokenizer):
    trainer, _ = build_ca_dpo_trainer(
        dpo_config(tmp_path, tiny_model_dir), model=tiny_model, tokenizer=tiny_tokenizer
    )
    trainer.model.eval()
    loss, logits, _ = trainer.prediction_step(
        trainer.model, _first_batch(trainer), prediction_loss_only=False
    )
    assert loss.ndim == 0 and logits.shape == (4, 2)


def test_media_tags_become_modality_ids(tiny_tokenizer):
    from emoreason.training.mose_support import media_tag_modalities

    ids = tiny_tokenizer(
        ["<video><audio>Describe the face", "plain text only here"],
        padding=True,
        return_tensors="pt",
    )["input_ids"]
    modalities = media_tag_modalities(ids, tiny_tokenizer)
    assert modalities.shape == ids.shape
    decoded_visual = tiny_tokenizer.decode(ids[0][modalities[0] == 2])
    decoded_audio = tiny_tokenizer.decode(ids[0][modalities[0] == 1])
    assert "video" in decoded_visual and "audio" not in decoded_visual
    assert "audio" in decoded_audio
    assert (modalities[1] == 0).all()


def test_keep_end_truncation_keeps_the_response(
    tmp_path, tiny_model_dir, tiny_model, tiny_tokenizer
):
    config = dpo_config(tmp_path, tiny_model_dir, max_length=64, truncation_mode="keep_end")
    trainer, report = build_ca_dpo_trainer(config, model=tiny_model, tokenizer=tiny_tokenizer)
    assert report.by_kind["truncated_to_max_length"] == 8
    batch = _first_batch(trainer)
    assert batch["input_ids"].shape[1] == 64
    assert (batch["completion_mask"].sum(dim=1) > 0).all()
    with torch.no_grad():
        for name, p in trainer.model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.5)
    policy = trainer._policy_logps(trainer.model, batch)
    ref_chosen, _ = trainer.compute_ref_log_probs(trainer.model, batch)
    assert not torch.allclose(policy.chosen, ref_chosen)


@pytest.mark.slow
def test_real_smollm2_two_ca_dpo_steps(tmp_path):
    """Real weights: the package-shipped SmolLM2-135M-Instruct with a LoRA, two CA-DPO steps."""
    try:
        from emoreason.assets import smollm2_dir

        smollm2_dir()
    except Exception as exc:  # asset not installed in this environment
        pytest.skip(f"SmolLM2 asset unavailable: {exc}")
    config = dpo_config(
        tmp_path,
        "smollm2",
        max_steps=2,
        per_device_train_batch_size=2,
        learning_rate=1e-3,
        max_length=160,
        truncation_mode="keep_end",
        layers=[28, 29],
        eta=1.0,
    )
    trainer, _ = build_ca_dpo_trainer(config)
    assert trainer.ref_model is None
    before = _adapter_params(trainer.model)
    trainer.train()
    after = _adapter_params(trainer.model)
    assert any(not torch.equal(before[n], after[n]) for n in before)
    logs = [h for h in trainer.state.log_history if "rewards/accuracies" in h]
    assert logs and all(
        k in logs[-1] for k in ("rewards/chosen", "rewards/rejected", "rewards/margins")
    )
