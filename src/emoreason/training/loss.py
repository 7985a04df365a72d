"""The CA-DPO loss: a pure tensor function over summed sequence log-probs.

Consistency-Aware DPO (SABER-LLM, arXiv 2601.18321; the exact weighting is **ours**, see
``docs/methods/ca-dpo.md``). For pair ``i`` with policy and reference log-probs of the chosen (grounded) and
rejected (unimodal-dominant or hallucinated) responses::

    z_i = β [(log π(c_i) − log π_ref(c_i)) − (log π(r_i) − log π_ref(r_i))]     (DPO, Rafailov 2023 eq. 7)
    L   = mean_i  w_i · (−log σ(z_i))  +  γ · mean_i NLL(c_i)                   (ours)
    w_i = 1 + η · conflict_i                                                     (ours)

With ``eta = 0`` and ``gamma = 0`` this is exactly the sigmoid DPO loss (TRL ``loss_type="sigmoid"``).
The trainer only gathers log-probs and logs the returned metrics.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

#: Metric names shared with TRL's DPOTrainer.
REWARD_METRICS: tuple[str, ...] = (
    "rewards/chosen",
    "rewards/rejected",
    "rewards/margins",
    "rewards/accuracies",
)


def _check_same_shape(**tensors: torch.Tensor) -> None:
    shapes = {name: tuple(t.shape) for name, t in tensors.items()}
    first = next(iter(shapes.values()))
    if len(first) != 1:
        raise ValueError(f"log-probs must be 1-D tensors [batch], got shapes {shapes}")
    if any(shape != first for shape in shapes.values()):
        raise ValueError(f"log-prob tensors must share one shape [batch], got {shapes}")


def ca_dpo_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    ref_chosen_logps: torch.Tensor,
    ref_rejected_logps: torch.Tensor,
    beta: float = 0.1,
    conflict: torch.Tensor | None = None,
    eta: float = 0.0,
    gamma: float = 0.0,
    chosen_nll: torch.Tensor | None = None,
) -> tuple[torch.Tensor, dict[str, float]]:
    """CA-DPO loss and its metrics.

    Args:
        policy_chosen_logps: ``[B]`` summed log π(c_i) over the chosen completion tokens.
        policy_rejected_logps: ``[B]`` summed log π(r_i).
        ref_chosen_logps: ``[B]`` summed log π_ref(c_i) (no gradient needed).
        ref_rejected_logps: ``[B]`` summed log π_ref(r_i).
        beta: β > 0, the inverse temperature of the implicit reward.
        conflict: ``[B]`` per-pair conflict score >= 0 (e.g. ``1 - consistency.agreement``);
            required when ``eta > 0``.
        eta: η >= 0, how much a conflicting pair is up-weighted (``w_i = 1 + η·conflict_i``).
        gamma: γ >= 0, weight of the SFT term on the chosen responses.
        chosen_nll: ``[B]`` (or scalar) per-pair negative log-likelihood of the chosen response,
            token-averaged; required when ``gamma > 0``.

    Returns:
        ``(loss, metrics)``: a scalar loss tensor and floats named ``rewards/chosen``,
        ``rewards/rejected``, ``rewards/margins``, ``rewards/accuracies`` (TRL's names) plus
        ``loss/dpo``, ``loss/nll`` and ``weights/mean``.
    """
    _check_same_shape(
        policy_chosen_logps=policy_chosen_logps,
        policy_rejected_logps=policy_rejected_logps,
        ref_chosen_logps=ref_chosen_logps,
        ref_rejected_logps=ref_rejected_logps,
    )
    if not beta > 0:
        raise ValueError(f"beta must be > 0, got {beta}")
    if eta < 0 or gamma < 0:
        raise ValueError(f"eta and gamma must be >= 0, got eta={eta}, gamma={gamma}")

    # [B] log-ratios of policy over reference
    chosen_logratios = policy_chosen_logps - ref_chosen_logps
    rejected_logratios = policy_rejected_logps - ref_rejected_logps
    z = beta * (chosen_logratios - rejected_logratios)  # [B]  DPO eq. 7 argument
    per_pair = -F.logsigmoid(z)  # [B]

    weights = torch.ones_like(per_pair)
    if eta > 0:
        if conflict is None:
            raise ValueError("eta > 0 needs a per-pair `conflict` tensor")
        conflict = conflict.to(per_pair.dtype).to(per_pair.device)
        if conflict.shape != per_pair.shape:
            raise ValueError(
                f"conflict must have shape {tuple(per_pair.shape)}, got {tuple(conflict.shape)}"
            )
        if not torch.isfinite(conflict).all() or (conflict < 0).any():
            raise ValueError("conflict scores must be finite and >= 0")
        weights = 1.0 + eta * conflict  # [B]  (ours)
    dpo_term = (weights * per_pair).mean()

    nll_term = per_pair.new_zeros(())
    if gamma > 0:
        if chosen_nll is None:
            raise ValueError("gamma > 0 needs `chosen_nll` (NLL of the chosen responses)")
        nll_term = chosen_nll.to(per_pair.dtype).mean()
    loss = dpo_term + gamma * nll_term  # (ours)

    with torch.no_grad():
        chosen_rewards = beta * chosen_logratios.detach()
        rejected_rewards = beta * rejected_logratios.detach()
        metrics = {
            "rewards/chosen": chosen_rewards.mean().item(),
            "rewards/rejected": rejected_rewards.mean().item(),
            "rewards/margins": (chosen_rewards - rejected_rewards).mean().item(),
            "rewards/accuracies": (chosen_rewards > rejected_rewards).float().mean().item(),
            "loss/dpo": dpo_term.detach().item(),
            "loss/nll": nll_term.detach().item(),
            "weights/mean": weights.detach().mean().item(),
        }
    return loss, metrics
