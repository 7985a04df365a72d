"""The verbal scorer against reference loops written here, and the verbal tasks' wiring."""

from __future__ import annotations

import numpy as np
import pytest

from emoreason.evaluation import TaskRegistry
from emoreason.evaluation.hooks import SCORERS, Prediction, ScoringContext
from emoreason.evaluation.loaders import DEFAULT_DATA, LOADERS
from emoreason.evaluation.loaders.base import Sample
from emoreason.evaluation.verbal_eval import verbal_scores

LABELS = ["neutral", "happy", "sad"]


def _reference(y_true, y_pred, conf, n_bins=10):
    acc = sum(t == p for t, p in zip(y_true, y_pred, strict=True)) / len(y_true)
    recalls, f1s = [], {}
    for c in range(len(LABELS)):
        tp = sum(t == c and p == c for t, p in zip(y_true, y_pred, strict=True))
        n_t, n_p = y_true.count(c), y_pred.count(c)
        if n_t:
            recalls.append(tp / n_t)
        f1s[c] = 2 * tp / (n_t + n_p) if n_t + n_p else 0.0
    ece = 0.0
    for b in range(n_bins):
        lo, hi = b / n_bins, (b + 1) / n_bins
        members = [i for i, c in enumerate(conf) if (lo < c <= hi) or (b == 0 and c == 0)]
        if members:
            hit = sum(y_true[i] == y_pred[i] for i in members) / len(members)
            mean_c = sum(conf[i] for i in members) / len(members)
            ece += len(members) / len(conf) * abs(hit - mean_c)
    present = sorted(set(y_true))
    return acc, sum(recalls) / len(recalls), sum(f1s[c] for c in present) / len(present), f1s, ece


def test_scores_match_reference_loops() -> None:
    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 3, 60).tolist()
    y_pred = [t if rng.random() < 0.7 else int(rng.integers(0, 3)) for t in y_true]
    conf = rng.uniform(0.2, 1.0, 60).round(3).tolist()
    got = verbal_scores(np.array(y_true), np.array(y_pred), np.array(conf), 3)
    acc, bal, macro, f1s, ece = _reference(y_true, y_pred, conf)
    assert got["accuracy"] == pytest.approx(acc)
    assert got["balanced_accuracy"] == pytest.approx(bal)
    assert got["macro_f1"] == pytest.approx(macro)
    assert got["ece"] == pytest.approx(ece)
    for c in range(3):
        assert got[f"f1[{c}]"] == pytest.approx(f1s[c])


def test_scorer_reports_cis_per_class_f1_and_reliability() -> None:
    task = TaskRegistry().get("verbal_en")
    samples = [Sample(id=str(i), label=LABELS[i % 3]) for i in range(30)]
    pairs = []
    for i, s in enumerate(samples):
        wrong = i % 5 == 0
        label = LABELS[(i + 1) % 3] if wrong else s.label
        pairs.append((s, Prediction(id=s.id, label=label, extra={"confidence": 0.8})))
    pairs[-1] = (samples[-1], None)  # a missing prediction counts as wrong
    out = SCORERS["verbal"](task, pairs, ScoringContext(n_resamples=200, seed=1))
    scores = out["scores"]
    assert scores["accuracy"]["value"] == pytest.approx(23 / 30)
    for name in ("accuracy", "balanced_accuracy", "macro_f1", "ece", "f1[happy]"):
        s = scores[name]
        assert s["ci_low"] <= s["value"] <= s["ci_high"]
    assert scores["f1[angry]"]["value"] == 0.0  # absent class: no F1 to earn
    assert out["counts"]["missing_prediction"] == 1
    assert sum(b["count"] for b in out["details"]["reliability"]["confidence"]) == 30


def test_verbal_tasks_are_registered_with_shipped_data() -> None:
    registry = TaskRegistry()
    for lang in ("en", "zh"):
        task = registry.get(f"verbal_{lang}")
        assert task.backend == "verbal" and task.scorer == "verbal"
        assert task.loader_options == {"lang": lang, "split": "test"}
        folder = DEFAULT_DATA[task.loader]()
        report = LOADERS[task.loader](folder, task.labels, None, **task.loader_options)
        assert report.counts["loaded"] == 126 and {s.subset for s in report.samples} == {"test"}
