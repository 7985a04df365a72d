"""Percentile bootstrap confidence intervals, seeded, for every headline score.

For a score computed from N samples we draw ``n_resamples`` (default 1000) index vectors of
size N with replacement from a ``numpy.random.default_rng(seed)`` generator, recompute the
score on each, and report the (α/2, 1 − α/2) percentiles (α = 0.05: a 95% interval). Resamples
whose score is undefined (NaN, e.g. a subset missing from the draw) are ignored.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

DEFAULT_RESAMPLES = 1000
DEFAULT_SEED = 0
DEFAULT_CONFIDENCE = 0.95


def resample_indices(n: int, n_resamples: int, seed: int) -> np.ndarray:
    """(n_resamples, n) integer indices drawn with replacement."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, n, size=(n_resamples, n))


def _interval(values: np.ndarray, confidence: float) -> tuple[float, float]:
    values = values[~np.isnan(values)]
    if values.size == 0:
        return (math.nan, math.nan)
    alpha = 1.0 - confidence
    low, high = np.percentile(values, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return float(low), float(high)


def bootstrap_ci(
    statistic: Callable[[np.ndarray], float],
    n: int,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
) -> tuple[float, float]:
    """CI of ``statistic(indices)`` where ``indices`` selects a resample of the N samples."""
    if n == 0:
        return (math.nan, math.nan)
    draws = resample_indices(n, n_resamples, seed)
    values = np.array([statistic(idx) for idx in draws], dtype=np.float64)
    return _interval(values, confidence)


def mean_ci(
    values: Sequence[float],
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
) -> tuple[float, float]:
    """CI of the mean of per-sample values (vectorised: one (n_resamples, N) gather)."""
    array = np.asarray(values, dtype=np.float64)
    if array.size == 0:
        return (math.nan, math.nan)
    draws = resample_indices(array.size, n_resamples, seed)
    return _interval(array[draws].mean(axis=1), confidence)  # (n_resamples,)


def score_with_ci(value: float, interval: tuple[float, float]) -> dict[str, float]:
    """The report shape of one headline score."""
    return {"value": float(value), "ci_low": interval[0], "ci_high": interval[1]}
