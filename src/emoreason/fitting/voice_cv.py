"""The voice model's heads, speaker-grouped cross-validation and calibration.

A head is a balanced-class-weight multinomial logistic regression on standardised, clipped
features (:func:`fit_head`); C is chosen by leave-one-speaker-out balanced accuracy on the
clean held-out clips, one temperature is fitted on the out-of-fold logits, and the dev ECE is
nested (each speaker's temperature fitted on the other speakers) (:func:`fit_variant`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from emoreason.fitting.voice_data import VoiceTrainingConfig
from emoreason.perception.calibration import fit_temperature, softmax_with_temperature
from emoreason.perception.voice_model import CLASS_TO_PRODUCT, LinearHead


def fit_head(x: np.ndarray, y: np.ndarray, n_classes: int, c: float, seed: int) -> LinearHead:
    """Standardise + balanced multinomial logistic regression; temperature 1."""
    from sklearn.linear_model import LogisticRegression

    mean = np.nanmean(x, axis=0)  # (d,)
    scale = np.nanstd(x, axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    unfitted = LinearHead(mean, scale, np.zeros((n_classes, x.shape[1])), np.zeros(n_classes), 1.0)
    z = unfitted.standardise(x)
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=5000, random_state=seed)
    clf.fit(z, y)
    weights = np.full((n_classes, x.shape[1]), 0.0)
    bias = np.full(n_classes, -30.0)  # a class absent from training is never predicted
    weights[clf.classes_] = clf.coef_
    bias[clf.classes_] = clf.intercept_
    return LinearHead(mean, scale, weights, bias, 1.0)


def out_of_fold_logits(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, n_classes: int, c: float, seed: int
) -> np.ndarray:
    """(n, k) logits, each row from a model that never saw that row's speaker (any copy)."""
    out = np.zeros((len(y), n_classes))
    for group in np.unique(groups):
        held = groups == group
        head = fit_head(x[~held], y[~held], n_classes, c, seed)
        out[held] = head.logits(x[held])
    return out


def balanced_accuracy(y: np.ndarray, pred: np.ndarray) -> float:
    """Mean recall over the classes present in ``y``."""
    return float(np.mean([np.mean(pred[y == c] == c) for c in np.unique(y)]))


def ece(confidence: np.ndarray, correct: np.ndarray) -> float:
    from emoreason.evaluation.metrics.calibration import expected_calibration_error

    return expected_calibration_error(confidence, correct)


def nested_calibrated_probs(logits: np.ndarray, y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each speaker's probabilities under a temperature fitted on the other speakers."""
    out = np.zeros_like(logits)
    for group in np.unique(groups):
        held = groups == group
        t = fit_temperature(logits[~held], y[~held])
        out[held] = softmax_with_temperature(logits[held], t)
    return out


def product_correct(
    probs: np.ndarray, y: np.ndarray, classes: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: is the product label (bored -> neutral) of the argmax the true one, and the
    probability of that product label."""
    product = [CLASS_TO_PRODUCT[c] for c in classes]
    labels = sorted(set(product))
    merged = np.stack([probs[:, [product[i] == lab for i in range(len(classes))]].sum(axis=1)
                       for lab in labels], axis=1)  # (n, n_product)  # fmt: skip
    truth = np.array([labels.index(product[i]) for i in y])
    return merged.argmax(axis=1) == truth, merged.max(axis=1)


def fit_variant(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    classes: Sequence[str],
    config: VoiceTrainingConfig,
    conditions: np.ndarray | None = None,
) -> tuple[LinearHead, dict[str, Any]]:
    """Choose C by speaker-grouped CV, fit T on out-of-fold logits, refit on all rows.

    ``conditions`` (per row; ``""`` = clean clip) marks augmented copies: every row trains,
    but C, T and the scores use the clean rows only; each condition's out-of-fold balanced
    accuracy at the chosen C is reported under ``degraded``."""
    k = len(classes)
    if conditions is None:
        conditions = np.full(len(y), "", dtype=object)
    clean = conditions == ""
    yc, gc = y[clean], groups[clean]
    by_c = {}
    for c in config.c_grid:
        logits_all = out_of_fold_logits(x, y, groups, k, c, config.seed)
        by_c[c] = (balanced_accuracy(yc, logits_all[clean].argmax(axis=1)), logits_all)
    best_c = max(config.c_grid, key=lambda c: (round(by_c[c][0], 6), -c))
    logits_all = by_c[best_c][1]
    logits = logits_all[clean]
    temperature = fit_temperature(logits, yc)
    nested = nested_calibrated_probs(logits, yc, gc)
    correct_p, conf_p = product_correct(nested, yc, classes)
    head = fit_head(x, y, k, best_c, config.seed)
    head = LinearHead(head.mean, head.scale, head.weights, head.bias, temperature)
    dev = {
        "c": best_c,
        "temperature": temperature,
        "cv_balanced_accuracy_by_c": {str(c): round(v[0], 4) for c, v in by_c.items()},
        "balanced_accuracy": balanced_accuracy(yc, logits.argmax(axis=1)),
        "accuracy": float(np.mean(logits.argmax(axis=1) == yc)),
        "ece": ece(nested.max(axis=1), nested.argmax(axis=1) == yc),
        "ece_uncalibrated": ece(
            softmax_with_temperature(logits, 1.0).max(axis=1), logits.argmax(axis=1) == yc
        ),
        "product_accuracy": float(correct_p.mean()),
        "product_ece": ece(conf_p, correct_p),
    }
    degraded = sorted({str(c) for c in conditions if c != ""})
    if degraded:
        dev["degraded"] = {
            name: balanced_accuracy(y[conditions == name], logits_all[conditions == name]
                                    .argmax(axis=1))
            for name in degraded
        }  # fmt: skip
    return head, dev


def score_head(head: LinearHead, x: np.ndarray, y: np.ndarray, classes: Sequence[str]) -> dict:
    return score_probabilities(head.probabilities(x), y, classes)


def score_probabilities(probs: np.ndarray, y: np.ndarray, classes: Sequence[str]) -> dict:
    """Balanced accuracy, accuracy, ECE and product-label scores of (n, k) probabilities."""
    pred = probs.argmax(axis=1)
    correct_p, conf_p = product_correct(probs, y, classes)
    return {
        "n": len(y),
        "balanced_accuracy": balanced_accuracy(y, pred),
        "accuracy": float(np.mean(pred == y)),
        "ece": ece(probs.max(axis=1), pred == y),
        "product_accuracy": float(correct_p.mean()),
        "product_ece": ece(conf_p, correct_p),
    }
