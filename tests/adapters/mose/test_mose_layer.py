"""MoSELinear and the regularized gate against a naive loop of the equation of docs/methods/mose.md."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from mose_tiny import naive_mose
from torch import nn

from emoreason.adapters.mose import MoSEConfig, MoSELinear, RegularizedGate, TokenRouting


def make_layer(bias: bool = True, seed: int = 0, **overrides) -> MoSELinear:
    torch.manual_seed(seed)
    base = nn.Linear(16, 12, bias=bias)
    cfg = {"r": 4, "alpha": 8.0, "init_lora_b": "gaussian", "init_gate": "random", **overrides}
    layer = MoSELinear(base, MoSEConfig(**cfg), module_name="layer")
    with torch.no_grad():  # make the experts large enough that every term matters
        for b in layer.experts():
            b.normal_(std=0.5)
    return layer


def routing_of(ids: torch.Tensor, valid: torch.Tensor | None = None) -> TokenRouting:
    return TokenRouting(visual=ids == 2, valid=valid)


IDS = torch.tensor([[0, 2, 2, 1, 0, 2], [1, 1, 0, 0, 2, 0], [0, 0, 1, 1, 0, 0]])


@pytest.mark.parametrize("gate_hidden", [0, 4])
@pytest.mark.parametrize("bias", [True, False])
def test_layer_matches_naive_reference(gate_hidden: int, bias: bool) -> None:
    layer = make_layer(bias=bias, gate_hidden=gate_hidden)
    x = torch.randn(3, 6, 16)
    out = layer(x, routing_of(IDS))
    expected, lambdas = naive_mose(layer, x, IDS)
    torch.testing.assert_close(out.double(), expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(
        layer.last_lambda.double(), torch.tensor(lambdas, dtype=torch.float64)
    )


def test_padding_is_left_out_of_the_pooled_means() -> None:
    layer = make_layer()
    x = torch.randn(3, 6, 16)
    valid = torch.ones(3, 6, dtype=torch.bool)
    valid[0, :2] = False
    valid[2, 4:] = False
    out = layer(x, routing_of(IDS, valid))
    expected, lambdas = naive_mose(layer, x, IDS, valid)
    torch.testing.assert_close(out.double(), expected, rtol=1e-5, atol=1e-5)
    assert layer.last_lambda.tolist() == pytest.approx(lambdas, abs=1e-6)


def test_no_routing_means_every_token_is_text() -> None:
    layer = make_layer()
    x = torch.randn(2, 5, 16)
    text = torch.zeros(2, 5, dtype=torch.long)
    expected, _ = naive_mose(layer, x, text)
    torch.testing.assert_close(layer(x).double(), expected, rtol=1e-5, atol=1e-5)


def test_batch_without_visual_tokens() -> None:
    layer = make_layer()
    x = torch.randn(2, 5, 16)
    ids = torch.tensor([[0, 1, 1, 0, 0], [0, 0, 0, 0, 0]])
    out = layer(x, routing_of(ids))
    assert torch.isfinite(out).all()
    expected, _ = naive_mose(layer, x, ids)
    torch.testing.assert_close(out.double(), expected, rtol=1e-5, atol=1e-5)
    out.sum().backward()
    assert layer.lora_B_visual.grad is not None
    assert torch.count_nonzero(layer.lora_B_visual.grad) == 0  # no visual token, no gradient
    assert torch.count_nonzero(layer.lora_B_nonvisual.grad) > 0


@pytest.mark.parametrize(("expert", "untouched"), [("lora_B_nonvisual", 2), ("lora_B_visual", -1)])
def test_masking_is_exact(expert: str, untouched: int) -> None:
    """Perturbing B_n leaves visual tokens bit-identical; perturbing B_v leaves the others."""
    layer = make_layer()
    x = torch.randn(3, 6, 16)
    before = layer(x, routing_of(IDS)).detach()
    with torch.no_grad():
        getattr(layer, expert).add_(torch.randn_like(getattr(layer, expert)) * 10)
    after = layer(x, routing_of(IDS)).detach()
    same = IDS == 2 if untouched == 2 else IDS != 2
    assert torch.equal(after[same], before[same])
    assert not torch.allclose(after[~same], before[~same])


def test_zero_experts_leave_the_base_output_unchanged() -> None:
    torch.manual_seed(0)
    base = nn.Linear(16, 12)
    layer = MoSELinear(base, MoSEConfig(r=4, init_gate="random"))  # init_lora_b="zero"
    x = torch.randn(3, 6, 16)
    assert torch.equal(layer(x, routing_of(IDS)), base(x))
    assert all(torch.count_nonzero(b) == 0 for b in layer.experts())


def test_zero_gate_init_gives_lambda_one_half() -> None:
    layer = make_layer(init_gate="zero")
    layer(torch.randn(3, 6, 16), routing_of(IDS))
    assert torch.equal(layer.last_lambda, torch.full((3,), 0.5))


def test_routing_shape_mismatch_is_a_clear_error() -> None:
    layer = make_layer()
    with pytest.raises(Exception, match="modality ids give"):
        layer(torch.randn(3, 5, 16), routing_of(IDS))


def _bounds(eps: float) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.tensor(0.5 - eps), torch.tensor(0.5 + eps)  # float32, as λ


any_float32 = st.floats(width=32)  # huge, tiny, subnormal, ±inf and NaN included


@settings(max_examples=60, deadline=None)
@given(
    pooled=arrays(np.float32, (3, 8), elements=any_float32),
    eps=st.floats(min_value=1e-3, max_value=0.5),
    hidden=st.sampled_from([0, 3]),
    weight_scale=st.sampled_from([1.0, 1e6, 1e30]),
)
def test_lambda_stays_in_bound_for_adversarial_pooled_features(
    pooled: np.ndarray, eps: float, hidden: int, weight_scale: float
) -> None:
    torch.manual_seed(0)
    gate = RegularizedGate(4, hidden, eps, init="random")
    with torch.no_grad():
        for p in gate.parameters():
            p.mul_(weight_scale)
    lam = gate(torch.from_numpy(pooled))
    low, high = _bounds(eps)
    assert lam.shape == (3,)
    assert torch.isfinite(lam).all()
    assert bool((lam >= low).all()) and bool((lam <= high).all())


@settings(max_examples=30, deadline=None)
@given(
    scale=st.sampled_from([1.0, 1e10, 1e30, 3e38, float("inf"), float("nan")]),
    seed=st.integers(0, 10_000),
    with_visual=st.booleans(),
)
def test_lambda_stays_in_bound_for_huge_layer_inputs(
    scale: float, seed: int, with_visual: bool
) -> None:
    layer = make_layer(seed=seed % 7, epsilon=0.2)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(3, 6, 16, generator=g) * scale
    ids = IDS if with_visual else torch.zeros_like(IDS)
    with torch.no_grad():
        layer(x, routing_of(ids))
    low, high = _bounds(0.2)
    lam = layer.last_lambda
    assert torch.isfinite(lam).all()
    assert bool((lam >= low).all()) and bool((lam <= high).all())


def test_gate_reaches_its_bound_when_saturated() -> None:
    """The bound is tight: a huge logit drives λ to 0.5 ± ε (not a degenerate always-0.5 gate)."""
    gate = RegularizedGate(4, 0, 0.25, init="zero")
    with torch.no_grad():
        gate.net.bias.fill_(1e3)
    assert gate(torch.zeros(1, 8)).item() == pytest.approx(0.75)
    with torch.no_grad():
        gate.net.bias.fill_(-1e3)
    assert gate(torch.zeros(1, 8)).item() == pytest.approx(0.25)
    assert math.isclose(gate.epsilon, 0.25)
