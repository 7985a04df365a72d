"""Bootstrap CIs vs a naive loop with the same seeded draws."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from emoreason.evaluation.bootstrap import bootstrap_ci, mean_ci


def naive_mean_ci(values, n_resamples, seed):
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(values), size=(n_resamples, len(values)))
    means = sorted(sum(values[j] for j in row) / len(row) for row in draws.tolist())
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def test_mean_ci_matches_naive_loop_and_contains_mean():
    rng = random.Random(0)
    values = [rng.random() for _ in range(80)]
    low, high = mean_ci(values, n_resamples=300, seed=7)
    ref = naive_mean_ci(values, 300, 7)
    assert (low, high) == pytest.approx(ref)
    assert low < sum(values) / len(values) < high


def test_generic_statistic_equals_mean_ci_for_the_mean():
    values = np.linspace(0, 1, 50)
    generic = bootstrap_ci(lambda idx: float(values[idx].mean()), 50, n_resamples=200, seed=3)
    assert generic == pytest.approx(mean_ci(values, n_resamples=200, seed=3))


def test_seeded_and_deterministic_and_seed_sensitive():
    values = [0, 1] * 30
    assert mean_ci(values, seed=1) == mean_ci(values, seed=1)
    assert mean_ci(values, seed=1) != mean_ci(values, seed=2)


def test_interval_narrows_with_more_samples():
    rng = random.Random(1)
    small = [float(rng.random() < 0.6) for _ in range(30)]
    large = [float(rng.random() < 0.6) for _ in range(3000)]
    w_small = np.subtract(*mean_ci(small)[::-1])
    w_large = np.subtract(*mean_ci(large)[::-1])
    assert w_large < w_small / 3


def test_empty_and_nan_statistics():
    assert all(math.isnan(x) for x in mean_ci([]))
    assert all(math.isnan(x) for x in bootstrap_ci(lambda idx: math.nan, 10, n_resamples=20))
