"""Temperature scaling of a classifier's logits (Guo et al., ICML 2017).

One scalar ``T > 0`` divides all logits: ``p = softmax(z / T)``. ``T`` is fitted on held-out
data by minimising the negative log-likelihood of the true labels::

    NLL(T) = -(1/n) Σ_i log softmax(z_i / T)[y_i]

``T > 1`` softens an overconfident model, ``T < 1`` sharpens an underconfident one; the argmax
(and so accuracy) never changes. The search runs over ``log T`` (bounded, scalar, scipy).
"""

from __future__ import annotations

import numpy as np

#: Search bounds for T (wide enough for any sane model; a result at a bound means "degenerate").
T_MIN, T_MAX = 0.05, 20.0


def _log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax_with_temperature(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """``softmax(logits / T)`` along the last axis (any leading shape)."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    return np.exp(_log_softmax(np.asarray(logits, dtype=np.float64) / temperature))


def temperature_nll(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    """Mean negative log-likelihood of ``labels`` under ``softmax(logits / T)``."""
    log_p = _log_softmax(np.asarray(logits, dtype=np.float64) / temperature)  # (n, k)
    return float(-log_p[np.arange(len(labels)), labels].mean())


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The ``T`` in [T_MIN, T_MAX] minimising :func:`temperature_nll` on (logits, labels).

    ``logits``: (n, k) float; ``labels``: (n,) integer class indices in ``[0, k)``.
    """
    from scipy.optimize import minimize_scalar

    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(labels)
    if z.ndim != 2 or y.ndim != 1 or len(z) != len(y):
        raise ValueError(f"need logits (n, k) and labels (n,), got {z.shape} and {y.shape}")
    if len(y) == 0:
        raise ValueError("cannot fit a temperature on no samples")
    if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= z.shape[1]:
        raise ValueError(f"labels must be integer class indices in [0, {z.shape[1]})")
    result = minimize_scalar(
        lambda log_t: temperature_nll(z, y, float(np.exp(log_t))),
        bounds=(np.log(T_MIN), np.log(T_MAX)),
        method="bounded",
        options={"xatol": 1e-4},
    )
    return float(np.exp(result.x))
