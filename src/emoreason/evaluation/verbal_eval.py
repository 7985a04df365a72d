"""The ``verbal`` backend and scorer: :func:`~emoreason.perception.verbal.classify_text` on the
labelled sentence sets (tasks ``verbal_en`` / ``verbal_zh``, test split by default).

**Predicting** (:func:`predict_verbal`): each sample's text goes through ``classify_text`` (the
product path); a prediction keeps the label, the hypothesis confidence and whether it was
"no evidence".

**Scoring** (:func:`score_verbal`): accuracy, balanced accuracy (mean recall over the classes
present), macro F1, F1 per class and the expected calibration error of the confidence (10
equal-width bins), each with a seeded percentile-bootstrap 95% CI (resampling sentences); the
confusion matrix, per-class precision/recall and the reliability curve go to ``details`` (the
report writer draws the diagram).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from emoreason.evaluation.bootstrap import bootstrap_ci, score_with_ci
from emoreason.evaluation.loaders.base import MAX_PROBLEMS, Sample
from emoreason.evaluation.metrics.calibration import expected_calibration_error, reliability_curve
from emoreason.evaluation.metrics.classification import confusion_matrix, per_class_scores

ECE_BINS = 10


def predict_verbal(
    samples: list[Sample],
    lang: str | None,
    counts: Counter,
    problems: list[str],
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """id -> :class:`~emoreason.evaluation.hooks.Prediction` from ``classify_text``.

    The sample's own language (``extra["lang"]``) wins over ``lang``; None: detected.
    """
    from emoreason.evaluation.hooks import Prediction
    from emoreason.perception.verbal import classify_text

    out: dict[str, Any] = {}
    for i, sample in enumerate(samples, 1):
        text = sample.extra.get("text") or sample.reference_text or sample.subtitle
        if not text:
            counts["prediction_error"] += 1
            if len(problems) < MAX_PROBLEMS:
                problems.append(f"prediction_error: {sample.id}: no text to classify")
        else:
            hypothesis = classify_text(str(text), sample.extra.get("lang") or lang)
            out[sample.id] = Prediction(
                id=sample.id,
                label=hypothesis.label,
                extra={
                    "confidence": hypothesis.confidence,
                    "no_evidence": "no_evidence" in hypothesis.based_on,
                },
            )
        if on_progress is not None:
            on_progress(i, len(samples))
    return out


def _f1_per_class(t: np.ndarray, p: np.ndarray, k: int) -> np.ndarray:
    """(k,) F1 per class from integer codes (0 where a class is neither true nor predicted)."""
    tp = np.bincount(t[t == p], minlength=k)[:k].astype(float)
    n_true = np.bincount(t, minlength=k)[:k].astype(float)
    n_pred = np.bincount(p, minlength=k)[:k].astype(float)
    denom = n_true + n_pred
    return np.divide(2 * tp, denom, out=np.zeros(k), where=denom > 0)


def verbal_scores(t: np.ndarray, p: np.ndarray, conf: np.ndarray, k: int) -> dict[str, float]:
    """Accuracy, balanced accuracy, macro F1, per-class F1 and ECE from codes and confidences."""
    correct = t == p
    present = np.unique(t)
    recall = [float(correct[t == c].mean()) for c in present]
    f1 = _f1_per_class(t, p, k)
    out = {
        "accuracy": float(correct.mean()),
        "balanced_accuracy": float(np.mean(recall)),
        "macro_f1": float(f1[present].mean()),
        "ece": expected_calibration_error(conf, correct, ECE_BINS),
    }
    out.update({f"f1[{c}]": float(f1[c]) for c in range(k)})
    return out


def score_verbal(task: Any, pairs: Sequence[Any], ctx: Any) -> dict[str, Any]:
    """Scores with bootstrap CIs (module docstring); unparseable answers count as wrong."""
    from emoreason.evaluation.hooks import _labelled_predictions

    counts: Counter = Counter()
    rows = _labelled_predictions(task, pairs, counts)
    labels = list(task.labels or sorted({t for _, t, _ in rows}))
    index = {c: i for i, c in enumerate(labels)}
    t = np.array([index.get(tr, len(labels)) for _, tr, _ in rows], dtype=np.int64)
    p = np.array([index.get(pr, len(labels)) for _, _, pr in rows], dtype=np.int64)
    by_id = {s.id: pred for s, pred in pairs if pred is not None}
    conf = np.array(
        [
            float(by_id[s.id].extra.get("confidence", 0.0)) if s.id in by_id else 0.0
            for s, _, _ in rows
        ]
    )
    scores: dict[str, dict[str, float]] = {}
    if rows:
        k = len(labels)
        point = verbal_scores(t, p, conf, k)
        for name, value in point.items():
            interval = bootstrap_ci(
                lambda idx, name=name: verbal_scores(t[idx], p[idx], conf[idx], k)[name],
                len(rows), n_resamples=ctx.n_resamples, seed=ctx.seed,
            )  # fmt: skip
            shown = name if not name.startswith("f1[") else f"f1[{labels[int(name[3:-1])]}]"
            scores[shown] = score_with_ci(value, interval)
    y_true = [tr for _, tr, _ in rows]
    y_pred = [pr for _, _, pr in rows]
    no_evidence = sum(1 for pred in by_id.values() if pred.extra.get("no_evidence"))
    curve = reliability_curve(conf, t == p, ECE_BINS) if rows else []
    details = {
        "labels": labels,
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels).tolist(),
        "per_class": per_class_scores(y_true, y_pred, labels),
        "n_scored": len(rows),
        "no_evidence_predictions": no_evidence,
        "reliability": {"confidence": [dataclasses.asdict(b) for b in curve]},
    }
    return {"scores": scores, "details": details, "counts": dict(counts)}
