"""MER2023 default (official) scoring vs a re-statement of MERTools' report_results rules.

Rules (MERTools ``main-release.py``): the predicted ``discrete`` string is looked up as it is
among the six labels; weighted F1 = sum over classes of (gold count / N) * F1_c, classes with
no gold sample weigh 0. The script stops on a label it does not know and on a missing
prediction; we score those as wrong and count them (never silently).
"""

from __future__ import annotations

import pytest
from eval_fixtures import write_csv
from hypothesis import given, settings
from hypothesis import strategies as st

from emoreason.evaluation import evaluate, get_task

LABELS = ["neutral", "angry", "happy", "sad", "worried", "surprise"]
TOL = 1e-9


def weighted_f1_rule(gold: list[str], pred: list[str]) -> float:
    n = len(gold)
    total = 0.0
    for c in sorted(set(gold) | set(pred)):
        tp = sum(g == c and p == c for g, p in zip(gold, pred, strict=True))
        n_pred, n_gold = pred.count(c), gold.count(c)
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        total += n_gold * (2 * p * r / (p + r) if p + r else 0.0)
    return total / n


def run(tmp_path, gold: list[str], predicted: list[str | None], variant: str = "official"):
    names = [f"sample_{i:08d}" for i in range(len(gold))]
    write_csv(
        tmp_path / "mer" / "test1-label.csv",
        ["name", "discrete", "valence"],
        [[n, g, 0.0] for n, g in zip(names, gold, strict=True)],
    )
    rows = [[n, p, 0.0] for n, p in zip(names, predicted, strict=True) if p is not None]
    preds = write_csv(tmp_path / "pred.csv", ["name", "discrete", "valence"], rows)
    return evaluate(
        get_task("mer2023"),
        tmp_path / "mer",
        predictions=preds,
        n_resamples=20,
        metric_variant=variant,
    )


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(LABELS), st.sampled_from(LABELS)), min_size=1, max_size=9)
)
def test_property_weighted_f1_equals_rule_on_exact_labels(tmp_path_factory, pairs):
    tmp_path = tmp_path_factory.mktemp("mer")
    gold, pred = [g for g, _ in pairs], [p for _, p in pairs]
    report = run(tmp_path, gold, pred)
    assert abs(report["scores"]["weighted_f1"]["value"] - weighted_f1_rule(gold, pred)) <= TOL
    accuracy = sum(g == p for g, p in pairs) / len(pairs)
    assert abs(report["scores"]["accuracy"]["value"] - accuracy) <= TOL


def test_non_labels_and_missing_are_wrong_and_counted(tmp_path):
    gold = ["happy", "sad", "angry", "neutral", "worried"]
    predicted = ["Happy", "joyful", "angry.", "neutral", None]
    report = run(tmp_path, gold, predicted)
    assert report["metric_variant"] == "official"
    assert report["details"]["reproduces"].startswith("MERTools")
    assert report["scores"]["accuracy"]["value"] == pytest.approx(1 / 5)
    assert report["counts"]["not_a_label"] == 3 and report["counts"]["missing_prediction"] == 1
    # robust (opt-in) parses "Happy" and "angry."; "joyful" -> happy is still wrong (gold sad)
    robust = run(tmp_path, gold, predicted, variant="robust")
    assert robust["scores"]["accuracy"]["value"] == pytest.approx(3 / 5)


def test_valence_mse_and_overall_metric(tmp_path):
    gold = ["happy", "sad", "angry", "neutral"]
    predicted = ["happy", "happy", "angry", "sad"]
    gold_val, pred_val = [2.5, -1.0, -2.0, 0.0], [1.5, 0.5, -2.0, 0.25]
    names = [f"sample_{i:08d}" for i in range(4)]
    rows = zip(names, gold, gold_val, strict=True)
    write_csv(
        tmp_path / "mer" / "test1-label.csv",
        ["name", "discrete", "valence"],
        [[n, g, v] for n, g, v in rows],
    )
    rows = zip(names, predicted, pred_val, strict=True)
    preds = write_csv(
        tmp_path / "pred.csv", ["name", "discrete", "valence"], [[n, p, v] for n, p, v in rows]
    )
    report = evaluate(get_task("mer2023"), tmp_path / "mer", predictions=preds, n_resamples=20)
    mse = sum((g - p) ** 2 for g, p in zip(gold_val, pred_val, strict=True)) / 4
    scores = report["scores"]
    assert abs(scores["valence_mse"]["value"] - mse) <= TOL
    expected = weighted_f1_rule(gold, predicted) - 0.25 * mse
    assert abs(scores["overall"]["value"] - expected) <= TOL
    # a prediction without a valence leaves both out, counted
    write_csv(
        tmp_path / "pred2.csv",
        ["name", "discrete", "valence"],
        [[n, p, ""] for n, p in zip(names, predicted, strict=True)],
    )
    report = evaluate(
        get_task("mer2023"), tmp_path / "mer", predictions=tmp_path / "pred2.csv", n_resamples=20
    )
    assert "overall" not in report["scores"] and report["counts"]["missing_valence"] == 4
