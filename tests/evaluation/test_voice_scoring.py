"""The voice scorer on hand-made predictions: per-split scores checked against plain loops,
and the report writes one reliability diagram per split."""

from __future__ import annotations

import numpy as np
import pytest

from emoreason.evaluation.hooks import Prediction, ScoringContext
from emoreason.evaluation.loaders.base import Sample
from emoreason.evaluation.registry import get_task
from emoreason.evaluation.report import write_report
from emoreason.evaluation.voice import SPEAKER_NORMALISED, score_voice


def _pairs(n: int = 60, seed: int = 0):
    rng = np.random.default_rng(seed)
    labels = get_task("emodb").labels
    pairs = []
    for i in range(n):
        truth = labels[i % len(labels)]
        guess = truth if rng.uniform() < 0.6 else labels[rng.integers(len(labels))]
        conf = float(rng.uniform(0.2, 0.95))
        extra = {"confidence": conf, "product_label": "neutral" if guess == "bored" else guess,
                 "product_confidence": conf, SPEAKER_NORMALISED: {"label": truth, "confidence": 0.9}}  # fmt: skip
        sample = Sample(id=f"s{i}", label=truth, subset="test" if i % 3 else "dev")
        pairs.append((sample, Prediction(id=f"s{i}", label=guess, extra=extra)))
    return pairs


def _recall_mean(truth: list[str], guess: list[str]) -> float:
    classes = sorted(set(truth))
    recalls = []
    for c in classes:
        idx = [i for i, t in enumerate(truth) if t == c]
        recalls.append(sum(guess[i] == c for i in idx) / len(idx))
    return sum(recalls) / len(recalls)


def _ece(conf: list[float], hit: list[bool]) -> float:
    total = 0.0
    for b in range(10):
        members = [i for i, c in enumerate(conf) if b / 10 < c <= (b + 1) / 10]
        if members:
            acc = sum(hit[i] for i in members) / len(members)
            mean = sum(conf[i] for i in members) / len(members)
            total += len(members) / len(conf) * abs(acc - mean)
    return total


def test_scores_per_split_match_plain_loops(tmp_path) -> None:
    task = get_task("emodb")
    pairs = _pairs()
    result = score_voice(task, pairs, ScoringContext(n_resamples=50, seed=0))
    scores = result["scores"]
    for split in ("test", "dev", "all"):
        rows = [(s, p) for s, p in pairs if split == "all" or s.subset == split]
        truth = [s.label for s, _ in rows]
        guess = [p.label for _, p in rows]
        assert scores[f"balanced_accuracy[{split}]"]["value"] == pytest.approx(
            _recall_mean(truth, guess)
        )
        conf = [p.extra["confidence"] for _, p in rows]
        hit = [t == g for t, g in zip(truth, guess, strict=True)]
        assert scores[f"ece[{split}]"]["value"] == pytest.approx(_ece(conf, hit))
        assert scores[f"speaker_normalised_balanced_accuracy[{split}]"]["value"] == 1.0
        low, high = scores[f"accuracy[{split}]"]["ci_low"], scores[f"accuracy[{split}]"]["ci_high"]
        assert low <= scores[f"accuracy[{split}]"]["value"] <= high
    matrix = np.array(result["details"]["confusion_matrix"]["test"])
    assert matrix.shape == (7, 7) and matrix.sum() == result["details"]["n_scored"]["test"]
    report = {"task": {"name": "emodb", "version": "1", "description": ""}, "data": "x",
              "source": {}, "n_samples": len(pairs), "scores": scores, "headline": [],
              "details": result["details"], "counts": {}, "bootstrap": {}}  # fmt: skip
    paths = write_report(report, tmp_path)
    for split in ("test", "dev", "all"):
        assert paths[f"reliability_{split}"].read_bytes()[:4] == b"\x89PNG"


def test_missing_predictions_are_counted() -> None:
    pairs = _pairs(14)
    pairs[0] = (pairs[0][0], None)
    result = score_voice(get_task("emodb"), pairs, ScoringContext(n_resamples=20))
    assert result["counts"]["missing_prediction"] == 1
    assert sum(result["details"]["n_scored"][s] for s in ("test", "dev")) == 13


def test_chart_accepts_a_value_outside_its_interval(tmp_path) -> None:
    """ECE is biased upwards under resampling: its point value can lie below the interval."""
    scores = {"ece[test]": {"value": 0.03, "ci_low": 0.04, "ci_high": 0.09}}
    report = {"task": {"name": "t", "version": "1", "description": ""}, "data": "x",
              "source": {}, "n_samples": 1, "scores": scores, "headline": ["ece[test]"],
              "details": {}, "counts": {}, "bootstrap": {}}  # fmt: skip
    assert write_report(report, tmp_path)["chart"].read_bytes()[:4] == b"\x89PNG"
