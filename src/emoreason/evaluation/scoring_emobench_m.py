"""The ``emobench_m`` scorer: classification datasets pooled and per dataset, plus MC-EIU.

``official`` (default) follows :mod:`emoreason.evaluation.metrics.emobench_m` (the authors'
``evaluate_classification`` / ``evaluate_joint`` / ``MC-EIU.py`` rules): a prediction is its
label field, else its free text, normalised with ``strip().lower()``; empty or missing answers
are dropped (counted), anything else is compared exactly. Scores: pooled ``accuracy`` and
``weighted_precision`` / ``weighted_recall`` / ``weighted_f1`` over every classification file
given, the same per dataset (``accuracy[MELD]`` ...), and for ``MC-EIU*.json`` the emotion,
intent and joint scores (``joint_accuracy[MC-EIU]`` ...).

``robust`` (ours, opt-in): free answers go through
:func:`~emoreason.evaluation.answer_parsing.parse_answer` (synonyms, structured answers,
mentions); unparseable and missing answers follow the task's ``unparseable`` policy (``wrong``
by default); each dataset is scored against its own label set; plus the mean of the
per-dataset accuracies. MC-EIU answers that cannot be read count as wrong under ``wrong``.

Every score has a seeded percentile-bootstrap 95% interval over the scored samples.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from emoreason.evaluation.bootstrap import bootstrap_ci, mean_ci, score_with_ci
from emoreason.evaluation.hooks import (
    UNPARSEABLE,
    Pair,
    Prediction,
    ScoringContext,
    _classification_block,
    _labelled_predictions,
    _subset_accuracy,
    code_metric_interval,
)
from emoreason.evaluation.loaders.base import Sample
from emoreason.evaluation.loaders.labelled import MC_EIU
from emoreason.evaluation.metrics.classification import encode_labels
from emoreason.evaluation.metrics.emobench_m import (
    MC_EIU_EMOTIONS,
    MC_EIU_INTENTS,
    first_listed_match,
    normalise,
    weighted_scores,
)

SCRIPTS = (
    "EmoBench-M eval.py / EmoBench-M-eval.py evaluate_classification + evaluate_joint, "
    "MC-EIU.py (github.com/Emo-gml/EmoBench-M)"
)
_NAMES = {
    "accuracy": "accuracy",
    "precision": "weighted_precision",
    "recall": "weighted_recall",
    "f1_score": "weighted_f1",
}


def weighted_block(
    y_true: Sequence[str], y_pred: Sequence[str], ctx: ScoringContext, prefix: str, suffix: str
) -> dict[str, dict[str, float]]:
    """Official point values (accuracy, weighted P/R/F1) with bootstrap intervals."""
    point = weighted_scores(y_true, y_pred)
    labels = sorted(set(y_true) | set(y_pred))
    true_codes, pred_codes = encode_labels(y_true, y_pred, labels)
    out = {}
    for name, ours in _NAMES.items():
        interval = code_metric_interval(true_codes, pred_codes, len(labels), ours, ctx)
        key = ours if not prefix else f"{prefix}_{name if name != 'f1_score' else 'f1'}"
        out[key + suffix] = score_with_ci(point[name], interval)
    return out


def _official_answer(prediction: Prediction | None) -> str:
    if prediction is None:
        return ""
    return normalise(prediction.label if prediction.label is not None else prediction.text)


def _mc_eiu_prediction(prediction: Prediction | None) -> tuple[str | None, str | None]:
    """(emotion, intent): explicit ``predicted_emotion`` / ``predicted_intent`` or read out of
    the free answer with the first-listed-match rule."""
    if prediction is None:
        return None, None
    emotion = prediction.extra.get("predicted_emotion")
    intent = prediction.extra.get("predicted_intent")
    text = prediction.text if prediction.text is not None else prediction.label
    if emotion is None:
        emotion = first_listed_match(text, MC_EIU_EMOTIONS)
    if intent is None:
        intent = first_listed_match(text, MC_EIU_INTENTS)
    return emotion, intent


def _mc_eiu_rows(
    task: Any, pairs: Sequence[Pair], ctx: ScoringContext, counts: Counter
) -> list[tuple[str, str, str, str]]:
    rows = []
    for sample, prediction in pairs:
        true_e = first_listed_match(sample.label, MC_EIU_EMOTIONS)
        true_i = first_listed_match(sample.label, MC_EIU_INTENTS)
        if true_e is None or true_i is None:
            counts["mc_eiu_gold_unreadable"] += 1
            continue
        pred_e, pred_i = _mc_eiu_prediction(prediction)
        if prediction is not None and (pred_e is None or pred_i is None):
            counts["mc_eiu_unreadable"] += 1
        if pred_e is None or pred_i is None:
            if ctx.metric_variant == "official" or task.unparseable == "drop":
                continue
            pred_e, pred_i = pred_e or UNPARSEABLE, pred_i or UNPARSEABLE
        rows.append((true_e, pred_e, true_i, pred_i))
    return rows


def _mc_eiu_scores(
    task: Any, pairs: Sequence[Pair], ctx: ScoringContext, counts: Counter
) -> dict[str, Any]:
    rows = _mc_eiu_rows(task, pairs, ctx, counts)
    kept = [r for r in rows if all(normalise(v) for v in r)]  # evaluate_joint's filter
    te, pe, ti, pi = ([normalise(r[k]) for r in kept] for k in range(4))
    scores: dict[str, Any] = {}
    if not kept:
        return scores
    suffix = f"[{MC_EIU}]"
    for prefix, y_true, y_pred in (
        ("emotion", te, pe),
        ("intent", ti, pi),
        (
            "joint",
            [f"{e}_{i}" for e, i in zip(te, ti, strict=True)],
            [f"{e}_{i}" for e, i in zip(pe, pi, strict=True)],
        ),
    ):
        scores.update(weighted_block(y_true, y_pred, ctx, prefix, suffix))
    return scores


def _split(pairs: Sequence[Pair]) -> tuple[list[Pair], list[Pair]]:
    mc = [(s, p) for s, p in pairs if s.subset == MC_EIU]
    return [(s, p) for s, p in pairs if s.subset != MC_EIU], mc


def score_official(task: Any, pairs: Sequence[Pair], ctx: ScoringContext) -> dict[str, Any]:
    counts: Counter = Counter()
    cls_pairs, mc_pairs = _split(pairs)
    rows: list[tuple[str, str, str]] = []  # (dataset, gold, predicted)
    for sample, prediction in cls_pairs:
        if sample.label is None:
            counts["no_reference_label"] += 1
            continue
        if prediction is None:
            counts["missing_prediction"] += 1
        gold, answer = normalise(sample.label), _official_answer(prediction)
        if not gold or not answer:
            counts["dropped_empty_answer"] += prediction is not None
            continue
        rows.append((sample.subset or "-", gold, answer))
    for _, prediction in mc_pairs:
        counts["missing_prediction"] += prediction is None
    scores: dict[str, Any] = {}
    datasets = sorted({d for d, _, _ in rows})
    if rows:
        scores.update(weighted_block([g for _, g, _ in rows], [a for _, _, a in rows], ctx, "", ""))
    for dataset in datasets:
        gold = [g for d, g, _ in rows if d == dataset]
        answers = [a for d, _, a in rows if d == dataset]
        scores.update(weighted_block(gold, answers, ctx, "", f"[{dataset}]"))
    scores.update(_mc_eiu_scores(task, mc_pairs, ctx, counts))
    details = {
        "datasets": datasets + ([MC_EIU] if mc_pairs else []),
        "n_scored": len(rows),
        "metric_variant": "official",
        "reproduces": SCRIPTS,
    }
    return {"scores": scores, "details": details, "counts": dict(counts)}


def score_robust(task: Any, pairs: Sequence[Pair], ctx: ScoringContext) -> dict[str, Any]:
    counts: Counter = Counter()
    cls_pairs, mc_pairs = _split(pairs)
    rows = [  # a gold label outside its dataset's categories is not scored (loader counts it)
        row
        for row in _labelled_predictions(task, cls_pairs, counts)
        if row[1] in (row[0].labels or (row[1],))
    ]
    by_dataset: dict[str, list[tuple[Sample, str, str]]] = {}
    for row in rows:
        by_dataset.setdefault(row[0].subset or "-", []).append(row)
    scores: dict[str, Any] = {}
    per_dataset_acc = []
    for dataset, items in sorted(by_dataset.items()):
        labels = list(items[0][0].labels or sorted({t for _, t, _ in items}))
        block = _classification_block(
            [t for _, t, _ in items], [p for _, _, p in items], labels, ctx
        )
        for name in ("accuracy", "weighted_precision", "weighted_recall", "weighted_f1"):
            scores[f"{name}[{dataset}]"] = block[name]
        per_dataset_acc.append(block["accuracy"]["value"])
    correct = np.array([t == p for _, t, p in rows], dtype=np.float64)
    if rows:
        scores["accuracy"] = score_with_ci(
            float(correct.mean()), mean_ci(correct, n_resamples=ctx.n_resamples, seed=ctx.seed)
        )
        datasets = np.array([s.subset or "-" for s, _, _ in rows])
        names = sorted(by_dataset)

        def macro(idx: np.ndarray) -> float:
            values = [_subset_accuracy(datasets[idx], correct[idx], d) for d in names]
            kept = [v for v in values if not math.isnan(v)]
            return sum(kept) / len(kept) if kept else math.nan

        scores["mean_dataset_accuracy"] = score_with_ci(
            sum(per_dataset_acc) / len(per_dataset_acc),
            bootstrap_ci(macro, len(rows), n_resamples=ctx.n_resamples, seed=ctx.seed),
        )
    for _, prediction in mc_pairs:
        counts["missing_prediction"] += prediction is None
    scores.update(_mc_eiu_scores(task, mc_pairs, ctx, counts))
    details = {
        "datasets": sorted(by_dataset) + ([MC_EIU] if mc_pairs else []),
        "n_scored": len(rows),
        "metric_variant": "robust",
    }
    return {"scores": scores, "details": details, "counts": dict(counts)}


def score_emobench_m(task: Any, pairs: Sequence[Pair], ctx: ScoringContext) -> dict[str, Any]:
    """EmoBench-M with the context's metric variant (module doc)."""
    if ctx.metric_variant == "robust":
        return score_robust(task, pairs, ctx)
    return score_official(task, pairs, ctx)
