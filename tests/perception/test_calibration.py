"""Temperature scaling: fitted T recovers the generating temperature and softens overconfidence."""

from __future__ import annotations

import numpy as np
import pytest

from emoreason.perception.calibration import (
    fit_temperature,
    softmax_with_temperature,
    temperature_nll,
)


def _sample_labels(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cumulative = probs.cumsum(axis=1)  # (n, k)
    draws = rng.uniform(0, 1, (len(probs), 1))
    return np.minimum((draws > cumulative).sum(axis=1), probs.shape[1] - 1)


@pytest.mark.parametrize("true_t", [0.5, 1.0, 2.5])
def test_recovers_generating_temperature(true_t: float) -> None:
    rng = np.random.default_rng(7)
    logits = rng.normal(0, 3, (4000, 5))
    labels = _sample_labels(softmax_with_temperature(logits, true_t), rng)
    assert fit_temperature(logits, labels) == pytest.approx(true_t, rel=0.15)


def test_overconfident_logits_get_t_above_one() -> None:
    rng = np.random.default_rng(2)
    logits = rng.normal(0, 1, (2000, 4))
    labels = _sample_labels(softmax_with_temperature(logits, 1.0), rng)
    t = fit_temperature(logits * 4.0, labels)  # the same model, four times too sharp
    assert t > 2.5
    assert temperature_nll(logits * 4.0, labels, t) < temperature_nll(logits * 4.0, labels, 1.0)


def test_fitted_t_minimises_nll_on_a_grid() -> None:
    rng = np.random.default_rng(5)
    logits = rng.normal(0, 2, (500, 3))
    labels = rng.integers(0, 3, 500)
    t = fit_temperature(logits, labels)
    grid = np.exp(np.linspace(np.log(0.05), np.log(20), 400))
    best = min(temperature_nll(logits, labels, g) for g in grid)
    assert temperature_nll(logits, labels, t) <= best + 1e-4


def test_softmax_with_temperature_matches_naive_formula() -> None:
    z = np.array([[1.0, 2.0, 0.5], [-3.0, 0.0, 3.0]])
    for t in (0.5, 1.0, 3.0):
        naive = np.exp(z / t) / np.exp(z / t).sum(axis=1, keepdims=True)
        np.testing.assert_allclose(softmax_with_temperature(z, t), naive, rtol=1e-12)
    with pytest.raises(ValueError):
        softmax_with_temperature(z, 0.0)


def test_bad_shapes_are_errors() -> None:
    with pytest.raises(ValueError):
        fit_temperature(np.zeros((3, 2)), np.array([0, 1]))
    with pytest.raises(ValueError):
        fit_temperature(np.zeros((2, 2)), np.array([0, 2]))
