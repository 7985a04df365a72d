"""Classification metrics vs an independent naive reference (and sklearn when installed)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from emoreason.evaluation.metrics import (
    accuracy,
    classification_scores,
    confusion_matrix,
    modality_bias_gap,
    per_subset_accuracy,
    unweighted_average_recall,
    weighted_average_recall,
    weighted_precision_recall_f1,
)
from emoreason.evaluation.metrics.classification import encode_labels, scores_from_codes

LABELS = ["happy", "sad", "angry", "neutral"]


def naive_scores(y_true, y_pred, labels):
    """Textbook definitions, written independently with explicit loops over the pairs."""
    n = len(y_true)
    stats = {}
    for c in labels:
        tp = fp = fn = 0
        for t, p in zip(y_true, y_pred, strict=True):
            if p == c and t == c:
                tp += 1
            elif p == c:
                fp += 1
            elif t == c:
                fn += 1
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        stats[c] = (prec, rec, f1, tp + fn)
    present = [c for c in labels if stats[c][3] > 0]
    correct = 0
    for t, p in zip(y_true, y_pred, strict=True):
        correct += t == p
    return {
        "accuracy": correct / n,
        "weighted_precision": sum(stats[c][0] * stats[c][3] for c in labels) / n,
        "weighted_recall": sum(stats[c][1] * stats[c][3] for c in labels) / n,
        "weighted_f1": sum(stats[c][2] * stats[c][3] for c in labels) / n,
        "uar": sum(stats[c][1] for c in present) / len(present),
        "war": sum(stats[c][1] * stats[c][3] for c in present) / n,
    }


def random_case(seed, n=60, with_other=True):
    rng = random.Random(seed)
    y_true = [rng.choice(LABELS) for _ in range(n)]
    pool = [*LABELS, "<unparseable>"] if with_other else LABELS
    y_pred = [t if rng.random() < 0.4 else rng.choice(pool) for t in y_true]
    return y_true, y_pred


@pytest.mark.parametrize("seed", range(8))
def test_classification_scores_match_naive_reference(seed):
    y_true, y_pred = random_case(seed)
    expected = naive_scores(y_true, y_pred, LABELS)
    got = classification_scores(y_true, y_pred, LABELS)
    fast = scores_from_codes(*encode_labels(y_true, y_pred, LABELS), len(LABELS))
    for key, value in expected.items():
        assert got[key] == pytest.approx(value), key
        assert fast[key] == pytest.approx(value), key


@pytest.mark.parametrize("seed", range(4))
def test_against_sklearn_when_installed(seed):
    metrics = pytest.importorskip("sklearn.metrics")
    y_true, y_pred = random_case(seed)
    p, r, f, _ = metrics.precision_recall_fscore_support(
        y_true, y_pred, labels=LABELS, average="weighted", zero_division=0
    )
    scores = weighted_precision_recall_f1(y_true, y_pred, LABELS)
    assert scores["precision"] == pytest.approx(p)
    assert scores["recall"] == pytest.approx(r)
    assert scores["f1"] == pytest.approx(f)
    assert accuracy(y_true, y_pred) == pytest.approx(metrics.accuracy_score(y_true, y_pred))
    uar = metrics.recall_score(
        y_true, y_pred, labels=sorted(set(y_true)), average="macro", zero_division=0
    )
    assert unweighted_average_recall(y_true, y_pred) == pytest.approx(uar)
    cm = metrics.confusion_matrix(y_true, y_pred, labels=LABELS)
    assert np.array_equal(confusion_matrix(y_true, y_pred, LABELS), cm)


def test_war_equals_accuracy_and_uar_differs_on_imbalance():
    y_true = ["happy"] * 8 + ["sad"] * 2
    y_pred = ["happy"] * 8 + ["happy"] * 2
    assert weighted_average_recall(y_true, y_pred) == pytest.approx(0.8)
    assert unweighted_average_recall(y_true, y_pred) == pytest.approx(0.5)


def test_confusion_matrix_rows_are_truth():
    cm = confusion_matrix(["happy", "happy", "sad"], ["sad", "happy", "sad"], ["happy", "sad"])
    assert cm.tolist() == [[1, 1], [0, 1]]


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="has 2 items"):
        accuracy(["a", "b"], ["a"])


def test_camer_subset_accuracy_and_gap_naive():
    rng = random.Random(3)
    subsets = [rng.choice(["video_aligned", "Audio-Aligned", "consistent"]) for _ in range(90)]
    y_true = [rng.choice(LABELS) for _ in subsets]
    y_pred = [t if rng.random() < 0.5 else rng.choice(LABELS) for t in y_true]
    groups = {}
    for s, t, p in zip(subsets, y_true, y_pred, strict=True):
        key = s.lower().replace("_", "-")
        hits, total = groups.get(key, (0, 0))
        groups[key] = (hits + (t == p), total + 1)
    expected = {k: h / n for k, (h, n) in groups.items()}
    got = per_subset_accuracy(subsets, y_true, y_pred)
    assert got == pytest.approx(expected)
    gap = modality_bias_gap(subsets, y_true, y_pred)
    assert gap == pytest.approx(expected["video-aligned"] - expected["audio-aligned"])
    assert np.isnan(modality_bias_gap(["consistent"], ["happy"], ["happy"]))
