"""Calibration of confidences: expected calibration error and the reliability curve.

A confidence ``c_i`` in [0, 1] comes with ``correct_i`` (1 when the prediction it belongs to was
right). Bins are ``n_bins`` equal-width intervals of [0, 1]; bin ``b`` holds the confidences in
``(b/n, (b+1)/n]`` (the first bin also holds exactly 0)::

    ECE = Σ_b (|B_b| / N) · | acc(B_b) − conf(B_b) |

where ``acc`` is the fraction correct and ``conf`` the mean confidence in the bin (Guo et al.,
"On Calibration of Modern Neural Networks", ICML 2017). Empty bins contribute nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emoreason.formats.atomic import atomic_write


@dataclass(frozen=True)
class ReliabilityBin:
    """One equal-width confidence bin (``mean_confidence`` and ``accuracy`` NaN when empty)."""

    lower: float
    upper: float
    count: int
    mean_confidence: float
    accuracy: float


def _as_arrays(
    confidences: Sequence[float] | np.ndarray, correct: Sequence[bool | float] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    conf = np.asarray(confidences, dtype=np.float64).reshape(-1)
    hit = np.asarray(correct, dtype=np.float64).reshape(-1)
    if conf.shape != hit.shape:
        raise ValueError(f"confidences has {conf.size} items but correct has {hit.size}")
    if conf.size and (not np.all(np.isfinite(conf)) or conf.min() < 0 or conf.max() > 1):
        raise ValueError("confidences must be finite and within [0, 1]")
    return conf, hit


def _bin_index(conf: np.ndarray, n_bins: int) -> np.ndarray:
    """Bin of each confidence: ``ceil(c * n) - 1`` clipped to [0, n - 1] (right-closed bins)."""
    if n_bins < 1:
        raise ValueError(f"n_bins must be >= 1, got {n_bins}")
    return np.clip(np.ceil(conf * n_bins).astype(np.int64) - 1, 0, n_bins - 1)


def reliability_curve(
    confidences: Sequence[float] | np.ndarray,
    correct: Sequence[bool | float] | np.ndarray,
    n_bins: int = 10,
) -> list[ReliabilityBin]:
    """Per equal-width bin: bounds, count, mean confidence and accuracy (module docstring)."""
    conf, hit = _as_arrays(confidences, correct)
    index = _bin_index(conf, n_bins)
    counts = np.bincount(index, minlength=n_bins)  # (n_bins,)
    conf_sum = np.bincount(index, weights=conf, minlength=n_bins)
    hit_sum = np.bincount(index, weights=hit, minlength=n_bins)
    out = []
    for b in range(n_bins):
        n = int(counts[b])
        out.append(
            ReliabilityBin(
                lower=b / n_bins,
                upper=(b + 1) / n_bins,
                count=n,
                mean_confidence=float(conf_sum[b] / n) if n else math.nan,
                accuracy=float(hit_sum[b] / n) if n else math.nan,
            )
        )
    return out


def expected_calibration_error(
    confidences: Sequence[float] | np.ndarray,
    correct: Sequence[bool | float] | np.ndarray,
    n_bins: int = 10,
) -> float:
    """ECE over ``n_bins`` equal-width bins (NaN for no samples)."""
    curve = reliability_curve(confidences, correct, n_bins)
    total = sum(b.count for b in curve)
    if total == 0:
        return math.nan
    return float(
        sum(b.count / total * abs(b.accuracy - b.mean_confidence) for b in curve if b.count)
    )


def save_reliability_diagram(
    curve: Sequence[ReliabilityBin], path: str | Path, title: str = "reliability"
) -> Path:
    """Accuracy per confidence bin against the diagonal, bin counts underneath (PNG, Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    total = sum(b.count for b in curve)
    ece = (
        sum(b.count / total * abs(b.accuracy - b.mean_confidence) for b in curve if b.count)
        if total
        else math.nan
    )
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(4.5, 5.0), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    lefts = [b.lower for b in curve]
    widths = [b.upper - b.lower for b in curve]
    accs = [0.0 if b.count == 0 else b.accuracy for b in curve]
    top.bar(lefts, accs, width=widths, align="edge", color="#4c72b0", edgecolor="white",
            label="accuracy")  # fmt: skip
    filled = [b for b in curve if b.count]
    top.plot([b.mean_confidence for b in filled], [b.accuracy for b in filled], "o",
             color="#dd8452", label="mean confidence")  # fmt: skip
    top.plot([0, 1], [0, 1], "--", color="grey", linewidth=1)
    top.set_ylim(0, 1)
    top.set_ylabel("accuracy")
    top.set_title(f"{title} (ECE {ece:.3f}, n={total})")
    top.legend(loc="upper left", fontsize=8)
    bottom.bar(lefts, [b.count for b in curve], width=widths, align="edge", color="#8c8c8c")
    bottom.set_xlim(0, 1)
    bottom.set_xlabel("confidence")
    bottom.set_ylabel("count")
    fig.tight_layout()
    with atomic_write(path, "wb", encoding=None) as handle:
        fig.savefig(handle, format="png", dpi=100)
    plt.close(fig)
    return path
