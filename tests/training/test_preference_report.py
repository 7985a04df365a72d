"""Held-out pairs scored one by one, against a separate loop with the adapter on and off."""

from __future__ import annotations

import torch
from training_fixtures import write_toy_pairs

from emoreason.formats.jsonl import iter_jsonl, write_jsonl
from emoreason.training import CADPOTrainConfig
from emoreason.training.collators import ConflictPreferenceCollator
from emoreason.training.logprobs import concatenated_logps
from emoreason.training.preference_report import preference_report
from emoreason.training.run import build_ca_dpo_trainer


def test_preference_report_scores_every_pair_by_kind(
    tmp_path, tiny_model_dir, tiny_model, tiny_tokenizer
):
    path = write_toy_pairs(tmp_path / "pairs.jsonl", n=6)
    rows = [item.value for item in iter_jsonl(path)]
    for i, row in enumerate(rows):
        row["kind"] = "label_flip" if i % 2 else "hallucination"
    write_jsonl(path, rows)
    config = CADPOTrainConfig.from_dict(
        {
            "model_path": str(tiny_model_dir),
            "train_file": str(path),
            "eval_file": str(path),
            "output_dir": str(tmp_path / "run"),
            "per_device_train_batch_size": 4,  # 6 pairs: batches of 4 and 2
            "beta": 0.5,
        }
    )
    trainer, _ = build_ca_dpo_trainer(config, model=tiny_model, tokenizer=tiny_tokenizer)
    with torch.no_grad():
        torch.manual_seed(1)
        for name, p in trainer.model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.5)
    got = preference_report(trainer)
    # independent: each pair alone, adapter on and off
    margins, prefers = [], []
    model = trainer.model.eval()
    data = trainer.eval_dataset
    for i in range(len(data)):
        example = {k: data[i][k] for k in ("prompt_ids", "chosen_ids", "rejected_ids")}
        batch = ConflictPreferenceCollator(pad_token_id=tiny_tokenizer.pad_token_id)([example])
        args = (batch["input_ids"], batch["attention_mask"], batch["completion_mask"])
        with torch.no_grad():
            policy = concatenated_logps(model, *args)
            with model.disable_adapter():
                ref = concatenated_logps(model, *args)
        margins.append(0.5 * float((policy.chosen - ref.chosen) - (policy.rejected - ref.rejected)))
        prefers.append(bool(policy.chosen > policy.rejected))
    assert got["all"]["pairs"] == 6
    assert got["hallucination"]["pairs"] == got["label_flip"]["pairs"] == 3
    assert abs(got["all"]["mean_margin"] - sum(margins) / 6) < 1e-4
    assert got["all"]["reward_accuracy"] == sum(m > 0 for m in margins) / 6
    assert got["all"]["prefers_chosen"] == sum(prefers) / 6
    flips = [m for i, m in enumerate(margins) if i % 2]
    assert abs(got["label_flip"]["mean_margin"] - sum(flips) / 3) < 1e-4
