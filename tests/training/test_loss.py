"""CA-DPO loss against an independent per-pair loop and against TRL's own DPO loss code."""

from __future__ import annotations

import math
from collections import defaultdict
from types import SimpleNamespace

import pytest
import torch
from trl import DPOTrainer

from emoreason.training import REWARD_METRICS, ca_dpo_loss


def naive_ca_dpo(pc, pr, rc, rr, beta, conflict, eta, gamma, nll):
    """Independent reference: a plain Python loop over pairs (docs/methods/ca-dpo.md)."""
    total = 0.0
    for i in range(len(pc)):
        z = beta * ((pc[i] - rc[i]) - (pr[i] - rr[i]))
        w = 1.0 + eta * (conflict[i] if conflict is not None else 0.0)
        total += w * math.log1p(math.exp(-z))  # -log sigmoid(z)
    loss = total / len(pc)
    if gamma:
        loss += gamma * sum(nll) / len(nll)
    return loss


def _batch(n=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(n, generator=g, dtype=torch.float64) * 20 - 100) for _ in range(4)]


@pytest.mark.parametrize(("eta", "gamma"), [(0.0, 0.0), (0.7, 0.0), (0.0, 0.3), (1.5, 0.2)])
def test_matches_naive_loop(eta, gamma):
    pc, pr, rc, rr = _batch()
    conflict = torch.linspace(0, 1, 6, dtype=torch.float64)
    nll = torch.rand(6, dtype=torch.float64) * 3
    loss, metrics = ca_dpo_loss(
        pc, pr, rc, rr, beta=0.2, conflict=conflict, eta=eta, gamma=gamma, chosen_nll=nll
    )
    expected = naive_ca_dpo(
        pc.tolist(),
        pr.tolist(),
        rc.tolist(),
        rr.tolist(),
        0.2,
        conflict.tolist(),
        eta,
        gamma,
        nll.tolist(),
    )
    assert loss.item() == pytest.approx(expected, abs=1e-9)
    chosen = [0.2 * (a - b) for a, b in zip(pc.tolist(), rc.tolist(), strict=True)]
    rejected = [0.2 * (a - b) for a, b in zip(pr.tolist(), rr.tolist(), strict=True)]
    assert metrics["rewards/chosen"] == pytest.approx(sum(chosen) / 6)
    assert metrics["rewards/rejected"] == pytest.approx(sum(rejected) / 6)
    assert metrics["rewards/margins"] == pytest.approx((sum(chosen) - sum(rejected)) / 6)
    acc = sum(c > r for c, r in zip(chosen, rejected, strict=True)) / 6
    assert metrics["rewards/accuracies"] == pytest.approx(acc)
    assert set(REWARD_METRICS) <= set(metrics)


def test_conflict_weighting_changes_loss_only_with_eta():
    pc, pr, rc, rr = _batch(seed=1)
    conflict = torch.ones(6, dtype=torch.float64)
    base, _ = ca_dpo_loss(pc, pr, rc, rr)
    same, _ = ca_dpo_loss(pc, pr, rc, rr, conflict=conflict, eta=0.0)
    doubled, _ = ca_dpo_loss(pc, pr, rc, rr, conflict=conflict, eta=1.0)
    assert same.item() == base.item()
    assert doubled.item() == pytest.approx(2 * base.item())


def _trl_sigmoid_loss(pc, pr, rc, rr, beta):
    """Run TRL's DPOTrainer._compute_loss (loss_type='sigmoid') on exactly these log-probs.

    A stub model returns per-token log-probs whose sum over the single completion token is the
    given sequence log-prob; reference log-probs come in as precomputed inputs.
    """
    n = pc.shape[0]
    # sequences of 3 tokens, the last one is the completion: TRL scores positions 1..2
    completion_mask = torch.tensor([[0, 0, 1]] * (2 * n))

    class StubModel(torch.nn.Module):
        training = True

        def forward(self, **kwargs):
            # per-token log-probs [2B, 2]: 0 for the prompt token, the sequence log-prob last
            logps = torch.stack([torch.zeros(2 * n, dtype=pc.dtype), torch.cat([pc, pr])], dim=1)
            zeros = torch.zeros_like(logps)
            return SimpleNamespace(
                log_probs=logps, entropy=zeros, mean_logits=zeros, is_top1=zeros.bool()
            )

    identity = SimpleNamespace(gather_for_metrics=lambda x: x, gather=lambda x: x)
    fake_self = SimpleNamespace(
        model=StubModel(),
        accelerator=SimpleNamespace(device="cpu", **vars(identity)),
        aux_loss_enabled=False,
        ld_alpha=None,
        precompute_ref_logps=True,
        f_divergence_type="reverse_kl",
        loss_types=["sigmoid"],
        loss_weights=[1.0],
        beta=beta,
        use_weighting=False,
        label_smoothing=0.0,
        _metrics={"train": defaultdict(list), "eval": defaultdict(list)},
        _total_train_tokens=0,
        _tp_size=1,
    )
    inputs = {
        "input_ids": torch.zeros(2 * n, 3, dtype=torch.long),
        "attention_mask": torch.ones(2 * n, 3, dtype=torch.long),
        "completion_mask": completion_mask,
        "ref_chosen_logps": rc,
        "ref_rejected_logps": rr,
    }
    loss = DPOTrainer._compute_loss(fake_self, fake_self.model, inputs, return_outputs=False)
    return loss, {k: v[-1] for k, v in fake_self._metrics["train"].items()}


def test_equals_trl_sigmoid_dpo_when_eta_and_gamma_are_zero():
    pc, pr, rc, rr = (t.float() for t in _batch(n=8, seed=3))
    trl_loss, trl_metrics = _trl_sigmoid_loss(pc, pr, rc, rr, beta=0.1)
    ours, metrics = ca_dpo_loss(
        pc, pr, rc, rr, beta=0.1, conflict=torch.rand(8), eta=0.0, gamma=0.0
    )
    assert ours.item() == pytest.approx(trl_loss.item(), abs=1e-6)
    for name in REWARD_METRICS:
        assert metrics[name] == pytest.approx(trl_metrics[name], abs=1e-6)


def test_gradient_flows_to_policy_only():
    pc, pr, rc, rr = (t.clone().requires_grad_(True) for t in _batch(seed=4))
    loss, _ = ca_dpo_loss(pc, pr, rc.detach(), rr.detach())
    loss.backward()
    assert pc.grad is not None and (pc.grad < 0).all()  # raising log π(chosen) lowers the loss
    assert (pr.grad > 0).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"beta": 0.0}, "beta"),
        ({"eta": 1.0}, "conflict"),
        ({"gamma": 1.0}, "chosen_nll"),
        ({"eta": -1.0}, "eta"),
        ({"eta": 1.0, "conflict": torch.tensor([-1.0] * 6)}, "conflict"),
    ],
)
def test_bad_arguments_raise(kwargs, message):
    pc, pr, rc, rr = _batch()
    with pytest.raises(ValueError, match=message):
        ca_dpo_loss(pc, pr, rc, rr, **kwargs)


def test_shape_mismatch_raises():
    pc, pr, rc, rr = _batch()
    with pytest.raises(ValueError, match="shape"):
        ca_dpo_loss(pc, pr[:3], rc, rr)
