"""Scores of the consistency *verdict* on a conflict set with ground-truth verdicts.

The ``camer`` scorer measures the final emotion per CA-MER subset; a built conflict set also
knows the right verdict (consistent / video-aligned / audio-aligned), so this scorer adds, each
with a seeded percentile-bootstrap 95% interval: ``verdict_accuracy`` (share of clips whose
predicted verdict is the ground truth; ``ambiguous`` or a missing verdict counts as wrong),
``verdict_accuracy_balanced`` (the mean of the per-verdict accuracies),
``verdict_accuracy[<verdict>]`` and ``verdict_and_emotion_accuracy`` (both right). A
prediction's verdict is ``Prediction.extra['verdict']`` (backends and predictions files fill it).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from emoreason.evaluation.bootstrap import bootstrap_ci, mean_ci, score_with_ci
from emoreason.evaluation.metrics.camer import normalize_subset


def _balanced(truth: np.ndarray, correct: np.ndarray) -> float:
    values = [float(correct[truth == v].mean()) for v in np.unique(truth)]
    return float(np.mean(values)) if values else math.nan


def score_camer_verdict(task: Any, pairs: Sequence[Any], ctx: Any) -> dict[str, Any]:
    """``camer`` scores (final emotion per subset) plus the verdict scores above."""
    from emoreason.evaluation.hooks import score_camer  # hooks imports this module

    result = score_camer(task, pairs, ctx)
    counts: Counter = Counter()
    truth, predicted, emotion_ok = [], [], []
    for sample, prediction in pairs:
        if sample.subset is None:
            counts["no_reference_verdict"] += 1
            continue
        verdict = None
        if prediction is not None and prediction.extra.get("verdict"):
            verdict = normalize_subset(str(prediction.extra["verdict"]))
        else:
            counts["missing_verdict"] += 1
        truth.append(normalize_subset(sample.subset))
        predicted.append(verdict or "<missing>")
        label = (prediction.label or "").strip().lower() if prediction is not None else ""
        emotion_ok.append(label == (sample.label or "").lower())
    t, p = np.array(truth), np.array(predicted)
    correct = (t == p).astype(np.float64)
    joint = correct * np.array(emotion_ok, dtype=np.float64)
    n, scores = len(t), result["scores"]
    opts = {"n_resamples": ctx.n_resamples, "seed": ctx.seed}
    if n:
        scores["verdict_accuracy"] = score_with_ci(correct.mean(), mean_ci(correct, **opts))
        scores["verdict_accuracy_balanced"] = score_with_ci(
            _balanced(t, correct), bootstrap_ci(lambda i: _balanced(t[i], correct[i]), n, **opts)
        )
        scores["verdict_and_emotion_accuracy"] = score_with_ci(joint.mean(), mean_ci(joint, **opts))
        for v in sorted(set(truth)):
            mask = t == v
            scores[f"verdict_accuracy[{v}]"] = score_with_ci(
                correct[mask].mean(), mean_ci(correct[mask], **opts)
            )
    confusion: dict[str, dict[str, int]] = {}
    for a, b in zip(truth, predicted, strict=True):
        confusion.setdefault(a, {}).setdefault(b, 0)
        confusion[a][b] += 1
    result["details"]["verdict_confusion"] = confusion
    for key, value in counts.items():
        result["counts"][key] = result["counts"].get(key, 0) + value
    return result
