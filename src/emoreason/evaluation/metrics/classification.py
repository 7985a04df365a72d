"""Discrete-label metrics as pure functions over label sequences.

Definitions (the standard ones; sklearn conventions where they exist):

- accuracy = (1/N) Σ_i [ŷ_i = y_i]
- per class c: P_c = TP_c / (TP_c + FP_c), R_c = TP_c / (TP_c + FN_c), F1_c = 2 P_c R_c / (P_c + R_c),
  each 0 when its denominator is 0 (sklearn ``zero_division=0``)
- weighted P / R / F1 = Σ_c (n_c / N) · metric_c over the classes of ``labels`` (n_c = true count)
- UAR (unweighted average recall) = mean of R_c over the classes that occur in the ground truth
- WAR (weighted average recall) = Σ_c (n_c / N) · R_c, which equals accuracy

A prediction outside the label set (e.g. an unparseable answer) is simply a wrong prediction:
it lowers recall of its true class and adds no class of its own to the weighted averages.

These are the definitions the benchmarks use: MER2023's official script (MERTools
``main-release.py``) and EmoBench-M's (``evaluate_classification``) call sklearn's
``f1_score`` / ``precision_score`` / ``recall_score`` with ``average='weighted'``, which equal
the weighted scores here (a class only ever predicted has weight 0). DFEW's authors published
no scoring script; UAR / WAR are the definitions of the DFEW paper. How a free answer becomes
a label differs per benchmark and is in :mod:`emoreason.evaluation.hooks` /
:mod:`emoreason.evaluation.metrics.emobench_m`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _check(y_true: Sequence[str], y_pred: Sequence[str]) -> None:
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} items but y_pred has {len(y_pred)}")


def class_labels(y_true: Sequence[str], labels: Sequence[str] | None = None) -> list[str]:
    """The classes scored: ``labels`` if given, else the sorted ground-truth classes."""
    return list(labels) if labels is not None else sorted(set(y_true))


def confusion_matrix(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] | None = None
) -> np.ndarray:
    """Counts (n_labels, n_labels): row = true class, column = predicted class.

    Pairs whose true or predicted label is outside ``labels`` are not counted.
    """
    _check(y_true, y_pred)
    classes = class_labels(y_true, labels)
    index = {c: i for i, c in enumerate(classes)}
    matrix = np.zeros((len(classes), len(classes)), dtype=np.int64)
    for t, p in zip(y_true, y_pred, strict=True):
        if t in index and p in index:
            matrix[index[t], index[p]] += 1
    return matrix


def accuracy(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    _check(y_true, y_pred)
    if not y_true:
        return float("nan")
    return sum(t == p for t, p in zip(y_true, y_pred, strict=True)) / len(y_true)


def per_class_scores(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] | None = None
) -> dict[str, dict[str, float]]:
    """``{class: {"precision", "recall", "f1", "support"}}`` (zero_division = 0)."""
    _check(y_true, y_pred)
    out: dict[str, dict[str, float]] = {}
    for c in class_labels(y_true, labels):
        tp = sum(t == c and p == c for t, p in zip(y_true, y_pred, strict=True))
        n_pred = sum(p == c for p in y_pred)
        n_true = sum(t == c for t in y_true)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_true if n_true else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[c] = {"precision": precision, "recall": recall, "f1": f1, "support": float(n_true)}
    return out


def weighted_precision_recall_f1(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] | None = None
) -> dict[str, float]:
    """Support-weighted precision, recall and F1 over ``labels`` (sklearn ``average='weighted'``)."""
    scores = per_class_scores(y_true, y_pred, labels)
    total = sum(s["support"] for s in scores.values())
    if total == 0:
        return {"precision": float("nan"), "recall": float("nan"), "f1": float("nan")}
    return {
        key: sum(s[key] * s["support"] for s in scores.values()) / total
        for key in ("precision", "recall", "f1")
    }


def unweighted_average_recall(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """UAR: mean recall over the classes present in ``y_true``."""
    _check(y_true, y_pred)
    classes = sorted(set(y_true))
    if not classes:
        return float("nan")
    scores = per_class_scores(y_true, y_pred, classes)
    return sum(scores[c]["recall"] for c in classes) / len(classes)


def weighted_average_recall(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """WAR: support-weighted mean recall over the classes present in ``y_true`` (= accuracy)."""
    _check(y_true, y_pred)
    if not y_true:
        return float("nan")
    scores = per_class_scores(y_true, y_pred, sorted(set(y_true)))
    return sum(s["recall"] * s["support"] for s in scores.values()) / len(y_true)


def classification_scores(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] | None = None
) -> dict[str, float]:
    """The headline set: accuracy, weighted precision / recall / F1, UAR, WAR."""
    weighted = weighted_precision_recall_f1(y_true, y_pred, labels)
    return {
        "accuracy": accuracy(y_true, y_pred),
        "weighted_precision": weighted["precision"],
        "weighted_recall": weighted["recall"],
        "weighted_f1": weighted["f1"],
        "uar": unweighted_average_recall(y_true, y_pred),
        "war": weighted_average_recall(y_true, y_pred),
    }


def encode_labels(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes: a label's index in ``labels``; anything else -> ``len(labels)`` ("other")."""
    index = {c: i for i, c in enumerate(labels)}
    other = len(labels)
    return (
        np.array([index.get(t, other) for t in y_true], dtype=np.int64),
        np.array([index.get(p, other) for p in y_pred], dtype=np.int64),
    )


def scores_from_codes(
    true_codes: np.ndarray, pred_codes: np.ndarray, n_labels: int
) -> dict[str, float]:
    """:func:`classification_scores` from integer codes (fast path used by the bootstrap).

    Codes ``0..n_labels-1`` are the classes, ``n_labels`` is "other" (outside the label set).
    """
    k = n_labels + 1
    n = true_codes.size
    if n == 0:
        return {name: float("nan") for name in _SCORE_NAMES}
    cm = np.bincount(true_codes * k + pred_codes, minlength=k * k).reshape(k, k)  # (true, pred)
    cm = cm[:n_labels]  # (n_labels, n_labels + 1): rows of real classes only
    tp = np.diag(cm[:, :n_labels]).astype(np.float64)  # (n_labels,)
    support = cm.sum(axis=1).astype(np.float64)  # (n_labels,)
    n_pred = np.bincount(pred_codes, minlength=k)[:n_labels].astype(np.float64)
    precision = np.divide(tp, n_pred, out=np.zeros_like(tp), where=n_pred > 0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    scored = support.sum()
    present = support > 0
    weights = support / scored if scored else support
    return {
        "accuracy": float((true_codes == pred_codes).mean()),
        "weighted_precision": float((precision * weights).sum()) if scored else float("nan"),
        "weighted_recall": float((recall * weights).sum()) if scored else float("nan"),
        "weighted_f1": float((f1 * weights).sum()) if scored else float("nan"),
        "uar": float(recall[present].mean()) if present.any() else float("nan"),
        "war": float((recall * support).sum() / n),
    }


_SCORE_NAMES = ("accuracy", "weighted_precision", "weighted_recall", "weighted_f1", "uar", "war")
