"""Held-out preference pairs scored one by one, before and after CA-DPO training."""

from __future__ import annotations

from typing import Any

import torch

from emoreason.training.trainer import CADPOTrainer


def preference_report(trainer: CADPOTrainer) -> dict[str, Any]:
    """Every held-out pair scored once: the implicit-reward margin and the policy's preference.

    Per pair ``margin = β[(log π(c) − log π_ref(c)) − (log π(r) − log π_ref(r))]`` (> 0: the
    training moved the policy towards the grounded response) and ``prefers_chosen =
    log π(c) > log π(r)`` (the policy itself ranks the grounded response first). Summed per
    pair, not averaged per batch; grouped by pair kind and over ``all``.
    """
    model = trainer.model
    was_training = model.training
    model.eval()
    rows: list[tuple[str, float, bool]] = []
    try:
        with torch.no_grad():
            for batch in trainer.get_eval_dataloader():
                batch = {
                    k: v.to(trainer.args.device) if isinstance(v, torch.Tensor) else v
                    for k, v in batch.items()
                }
                policy = trainer._policy_logps(model, batch)
                if "ref_chosen_logps" in batch:
                    ref_chosen, ref_rejected = (
                        batch["ref_chosen_logps"],
                        batch["ref_rejected_logps"],
                    )
                else:
                    ref_chosen, ref_rejected = trainer.compute_ref_log_probs(model, batch)
                margins = trainer.beta * (
                    (policy.chosen - ref_chosen) - (policy.rejected - ref_rejected)
                )
                prefers = policy.chosen > policy.rejected
                kinds = batch.get("kind") or [""] * len(margins)
                rows.extend(
                    (kind or "unknown", float(m), bool(p))
                    for kind, m, p in zip(kinds, margins.tolist(), prefers.tolist(), strict=True)
                )
    finally:
        model.train(was_training)
    groups: dict[str, list[tuple[str, float, bool]]] = {"all": rows}
    for row in rows:
        groups.setdefault(row[0], []).append(row)
    return {
        name: {
            "pairs": len(items),
            "reward_accuracy": sum(m > 0 for _, m, _ in items) / len(items),
            "mean_margin": sum(m for _, m, _ in items) / len(items),
            "prefers_chosen": sum(p for _, _, p in items) / len(items),
        }
        for name, items in groups.items()
        if items
    }
