"""EmoBench-M default (official) scores vs a re-statement of the authors' script rules.

The reference here is written from the rules in the docstring of
``emoreason.evaluation.metrics.emobench_m`` (EmoBench-M ``eval.py`` / ``EmoBench-M-eval.py``
``evaluate_classification`` / ``evaluate_joint`` and ``MC-EIU.py``): normalise with
strip().lower(), drop a pair with an empty side, exact match, accuracy and support-weighted
precision / recall / F1 (zero_division = 0) pooled over the files given. sklearn, where
installed, is a second, independent check.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emoreason.evaluation import evaluate
from emoreason.evaluation.metrics.emobench_m import (
    emobench_m_classification,
    first_listed_match,
    mc_eiu_joint,
)
from emoreason.evaluation.registry import get_task

TOL = 1e-9


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def rule_scores(gold: list, answers: list) -> dict[str, float]:
    """The script's rule, stated from scratch: counts per class, weights = gold counts."""
    pairs = []
    for g, a in zip(gold, answers, strict=True):
        g = "" if g is None else str(g).strip().lower()
        a = "" if a is None else str(a).strip().lower()
        if g and a:
            pairs.append((g, a))
    n = len(pairs)
    classes = sorted({g for g, _ in pairs} | {a for _, a in pairs})
    p_sum = r_sum = f_sum = 0.0
    for c in classes:
        tp = sum(1 for g, a in pairs if g == c and a == c)
        predicted = sum(1 for _, a in pairs if a == c)
        support = sum(1 for g, _ in pairs if g == c)
        p = tp / predicted if predicted else 0.0
        r = tp / support if support else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        p_sum, r_sum, f_sum = p_sum + support * p, r_sum + support * r, f_sum + support * f
    return {
        "accuracy": sum(1 for g, a in pairs if g == a) / n,
        "precision": p_sum / n,
        "recall": r_sum / n,
        "f1_score": f_sum / n,
        "n": n,
    }


GOLD = ["joy", "Anger ", "sadness", "neutral", "joy", "fear", "surprise", "hunger", ""]
ANSWERS = ["happy", "anger", " Sadness", "", "JOY", "neutral", None, "hunger", "joy"]


def test_classification_equals_rule_and_sklearn():
    got = emobench_m_classification(GOLD, ANSWERS)
    expected = rule_scores(GOLD, ANSWERS)
    for key in ("accuracy", "precision", "recall", "f1_score"):
        assert abs(got[key] - expected[key]) <= TOL, key
    assert got["n_scored"] == expected["n"] == 6 and got["n_dropped"] == 3
    metrics = pytest.importorskip("sklearn.metrics")
    kept = [
        (g.strip().lower(), a.strip().lower())
        for g, a in zip(GOLD, ANSWERS, strict=True)
        if g and a and g.strip() and a.strip()
    ]
    y_true, y_pred = [g for g, _ in kept], [a for _, a in kept]
    assert abs(got["accuracy"] - metrics.accuracy_score(y_true, y_pred)) <= TOL
    for key, fn in (
        ("precision", metrics.precision_score),
        ("recall", metrics.recall_score),
        ("f1_score", metrics.f1_score),
    ):
        assert abs(got[key] - fn(y_true, y_pred, average="weighted", zero_division=0)) <= TOL


def test_categories_revision_drops_labels_outside():
    got = emobench_m_classification(["joy", "hunger", "joy"], ["joy", "joy", "calm"], ["joy"])
    assert got["n_scored"] == 1 and got["accuracy"] == 1.0


LABEL = st.sampled_from(["joy", "Joy", " joy ", "anger", "ANGER", "sad", "", " ", "happy", "x"])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(LABEL, LABEL | st.none()), min_size=1, max_size=12))
def test_property_classification_equals_rule(rows):
    gold, answers = [g for g, _ in rows], [a for _, a in rows]
    got = emobench_m_classification(gold, answers)
    kept = [(g, a) for g, a in rows if g.strip() and a is not None and a.strip()]
    if not kept:
        assert got["n_scored"] == 0
        return
    expected = rule_scores(gold, answers)
    for key in ("accuracy", "precision", "recall", "f1_score"):
        assert abs(got[key] - expected[key]) <= TOL, key


def _item(video: str, answer: str) -> dict:
    turns = [{"from": "human", "value": "<video>\nq"}, {"from": "gpt", "value": answer}]
    return {"video": video, "conversations": turns}


def test_evaluate_default_is_official_pooled_and_per_dataset(tmp_path):
    root = tmp_path / "ebm"
    root.mkdir()
    meld = [("m1", "joy"), ("m2", "anger"), ("m3", "sadness"), ("m4", "neutral"), ("m5", "fear")]
    song = [("r1", "calm"), ("r2", "happy"), ("r3", "sad"), ("r4", "angry")]
    mosi = [("o1", "positive"), ("o2", "negative"), ("o3", "neutral")]
    for name, rows in (
        ("MELD_test_instruction.json", meld),
        ("RAVDSS_song.json", song),
        ("MOSI_test_500.json", mosi),
    ):
        folder = name.split("_")[0]
        items = [_item(f"{folder}/{v}.mp4", a) for v, a in rows]
        (root / name).write_text(json.dumps(items))
    answers = {
        "MELD/m1": "happy",  # synonym: wrong officially
        "MELD/m2": " Anger ",  # case and whitespace: right
        "MELD/m3": "",  # empty: dropped
        "MELD/m4": "neutral",
        # MELD/m5: no prediction -> dropped
        "RAVDSS/r1": "neutral",  # calm -> neutral is a robust synonym, wrong officially
        "RAVDSS/r2": "HAPPY",
        "RAVDSS/r3": "sadness",  # not exactly a label: wrong, not dropped
        "RAVDSS/r4": "angry",
        "MOSI/o1": "positive",
        "MOSI/o2": "the sentiment is negative",  # free text: wrong officially
        "MOSI/o3": "positive",
    }
    rows = [{"video": f"{k}.mp4", "predicted_value": v} for k, v in answers.items()]
    preds = write_jsonl(tmp_path / "p.jsonl", rows)
    report = evaluate(get_task("emobench_m"), root, predictions=preds, n_resamples=20)
    scores = report["scores"]
    assert report["metric_variant"] == "official"
    assert report["counts"]["missing_prediction"] == 1
    assert report["counts"]["dropped_empty_answer"] == 1

    def gold_answers(dataset_rows, folder):
        gold = [a for _, a in dataset_rows]
        given_answers = [answers.get(f"{folder}/{v}") for v, _ in dataset_rows]
        return gold, given_answers

    per = {
        "MELD": gold_answers(meld, "MELD"),
        "RAVDSS_song": gold_answers(song, "RAVDSS"),
        "MOSI": gold_answers(mosi, "MOSI"),
    }
    pooled_gold = [g for gold, _ in per.values() for g in gold]
    pooled_answers = [a for _, ans in per.values() for a in ans]
    names = {
        "accuracy": "accuracy",
        "weighted_precision": "precision",
        "weighted_recall": "recall",
        "weighted_f1": "f1_score",
    }
    expected = rule_scores(pooled_gold, pooled_answers)
    for ours, theirs in names.items():
        assert abs(scores[ours]["value"] - expected[theirs]) <= TOL, ours
    for dataset, (gold, given_answers) in per.items():
        expected = rule_scores(gold, given_answers)
        for ours, theirs in names.items():
            assert abs(scores[f"{ours}[{dataset}]"]["value"] - expected[theirs]) <= TOL
    # the RAVDSS file uses its categories (not its own answers) in the robust variant
    robust = evaluate(
        get_task("emobench_m"), root, predictions=preds, n_resamples=20, metric_variant="robust"
    )
    assert robust["scores"]["accuracy[RAVDSS_song]"]["value"] == pytest.approx(3 / 4)


def test_first_listed_match_uses_list_order_not_text_order():
    assert first_listed_match("Neutral, but a bit sad", ["happy", "sad", "neutral"]) == "sad"
    assert first_listed_match("nothing", ["happy"]) is None


def test_mc_eiu_joint_equals_rule():
    te = ["happy", "sad", "anger", "", "fear"]
    pe = ["happy", "sad", "neutral", "happy", "fear"]
    ti = ["questioning", "consoling", "agreeing", "wishing", "neutral"]
    pi = ["questioning", "agreeing", "agreeing", "wishing", ""]
    got = mc_eiu_joint(te, pe, ti, pi)
    kept = [r for r in zip(te, pe, ti, pi, strict=True) if all(r)]
    assert got["total"] == len(kept) == 3
    joint = rule_scores([f"{a}_{c}" for a, _, c, _ in kept], [f"{b}_{d}" for _, b, _, d in kept])
    emotion = rule_scores([r[0] for r in kept], [r[1] for r in kept])
    intent = rule_scores([r[2] for r in kept], [r[3] for r in kept])
    for prefix, expected in (("joint", joint), ("emotion", emotion), ("intent", intent)):
        for key, theirs in (
            ("accuracy", "accuracy"),
            ("precision", "precision"),
            ("recall", "recall"),
            ("f1", "f1_score"),
        ):
            assert abs(got[f"{prefix}_{key}"] - expected[theirs]) <= TOL


def test_evaluate_mc_eiu_file(tmp_path):
    root = tmp_path / "ebm"
    root.mkdir()
    gold = [
        ("a", "happy, encouraging"),
        ("b", "sad, consoling"),
        ("c", "anger, questioning"),
        ("d", "no label here"),
    ]
    items = [_item(f"MC/{v}.mp4", a) for v, a in gold]
    (root / "MC-EIU-test_500.json").write_text(json.dumps(items))
    rows = [
        {"video": "MC/a.mp4", "predicted_emotion": "happy", "predicted_intent": "encouraging"},
        {"video": "MC/b.mp4", "prediction": "She is sad and the speaker is agreeing."},
        {"video": "MC/c.mp4", "prediction": "I cannot tell."},  # unreadable: left out
        {"video": "MC/d.mp4", "prediction": "happy questioning"},  # gold unreadable
    ]
    preds = write_jsonl(tmp_path / "p.jsonl", rows)
    report = evaluate(get_task("emobench_m"), root, predictions=preds, n_resamples=20)
    scores = report["scores"]
    expected = rule_scores(
        ["happy_encouraging", "sad_consoling"], ["happy_encouraging", "sad_agreeing"]
    )
    assert abs(scores["joint_accuracy[MC-EIU]"]["value"] - expected["accuracy"]) <= TOL
    assert abs(scores["joint_f1[MC-EIU]"]["value"] - expected["f1_score"]) <= TOL
    assert scores["emotion_accuracy[MC-EIU]"]["value"] == pytest.approx(1.0)
    assert report["counts"]["mc_eiu_unreadable"] == 1
    assert report["counts"]["mc_eiu_gold_unreadable"] == 1
    robust = evaluate(
        get_task("emobench_m"), root, predictions=preds, n_resamples=20, metric_variant="robust"
    )
    # robust: the unreadable answer counts as wrong instead of being left out
    assert robust["scores"]["joint_accuracy[MC-EIU]"]["value"] == pytest.approx(1 / 3)


def test_cli_metric_variant_flag(tmp_path):
    from typer.testing import CliRunner

    from emoreason.cli.app import app

    root = tmp_path / "ebm"
    root.mkdir()
    (root / "MOSI_test_500.json").write_text(
        json.dumps([_item("MOSI/a.mp4", "positive"), _item("MOSI/b.mp4", "negative")])
    )
    preds = write_jsonl(
        tmp_path / "p.jsonl",
        [
            {"video": "MOSI/a.mp4", "predicted_value": "Positive."},
            {"video": "MOSI/b.mp4", "predicted_value": "negative"},
        ],
    )
    args = ["evaluate", "--task", "emobench_m", "--data", str(root), "--predictions", str(preds)]
    args += ["--out", str(tmp_path / "out"), "--n-resamples", "20"]
    official = CliRunner().invoke(app, args)
    assert official.exit_code == 0, official.output
    assert "metric variant: official" in official.output
    report = json.loads((tmp_path / "out" / "emobench_m.json").read_text())
    assert report["metric_variant"] == "official"
    assert report["scores"]["accuracy"]["value"] == pytest.approx(0.5)  # "positive." != label
    robust = CliRunner().invoke(app, [*args, "--metric-variant", "robust"])
    assert robust.exit_code == 0 and "metric variant: robust" in robust.output
    bad = CliRunner().invoke(app, [*args, "--metric-variant", "paper"])
    assert bad.exit_code == 2 and "'official', 'robust'" in bad.output  # typer's choice error
    listed = CliRunner().invoke(app, ["evaluate", "--list"])
    assert listed.exit_code == 0 and "emobench_m" in listed.output
