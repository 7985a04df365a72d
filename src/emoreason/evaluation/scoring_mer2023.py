"""The ``mer2023`` scorer: MERTools' official rule by default, our answer parsing as ``robust``."""

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
    ScoringContext,
    _classification_result,
    score_classification,
)
from emoreason.evaluation.loaders.base import Sample
from emoreason.evaluation.metrics.classification import encode_labels, scores_from_codes

MER2023_SCRIPT = (
    "MERTools MER2023 main-release.py report_results_on_test1_test2 / report_results_on_test3 "
    "(github.com/zeroQiaoba/MERTools): sklearn f1_score(average='weighted') on exact labels"
)


def _exact_label_rows(
    task: Any, pairs: Sequence[Pair], counts: Counter
) -> list[tuple[Sample, str, str]]:
    """MER2023's official reading of a prediction: the ``discrete`` string itself must be one
    of the labels (MERTools looks it up in ``emo2idx``: no parsing, no case folding, no strip).
    The script stops on anything else; we score it wrong and count ``not_a_label`` (and
    ``missing_prediction``: the script asserts one prediction per labelled sample)."""
    out: list[tuple[Sample, str, str]] = []
    for sample, prediction in pairs:
        if sample.label is None:
            counts["no_reference_label"] += 1
            continue
        labels = set(sample.labels or task.labels or [sample.label])
        value = None
        if prediction is None:
            counts["missing_prediction"] += 1
        else:
            value = prediction.label if prediction.label is not None else prediction.text
            if value not in labels:
                counts["not_a_label"] += 1
                value = None
        out.append((sample, sample.label, value or UNPARSEABLE))
    return out


def score_mer2023(task: Any, pairs: Sequence[Pair], ctx: ScoringContext) -> dict[str, Any]:
    """MER2023 discrete labels: official = MERTools' rule, robust = our answer parsing.

    Official, from ``report_results_on_test1_test2`` / ``report_results_on_test3`` in MER2023
    ``main-release.py`` (github.com/zeroQiaoba/MERTools): every labelled name is scored with
    its predicted ``discrete`` string looked up as it is among the six labels (``emo2idx``);
    the score is sklearn's ``f1_score(average='weighted')`` (here ``weighted_f1``; accuracy,
    weighted P/R, UAR and WAR are reported beside it). With gold and predicted valences
    (test1 / test2) also ``valence_mse`` (sklearn ``mean_squared_error``) and ``overall`` =
    weighted F1 - 0.25 * MSE (``overall_metric``); a missing valence is counted and leaves both
    out. Where the script stops (unknown label, missing prediction) we count and score the
    sample wrong.
    """
    if ctx.metric_variant == "robust":
        result = score_classification(task, pairs, ctx)
        result["details"]["reproduces"] = None
        return result
    counts: Counter = Counter()
    rows = _exact_label_rows(task, pairs, counts)
    result = _classification_result(task, rows, ctx, counts)
    result["details"]["reproduces"] = MER2023_SCRIPT
    result["scores"].update(_mer2023_valence(task, rows, pairs, ctx, counts))
    result["counts"] = dict(counts)
    return result


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _mer2023_valence(
    task: Any,
    rows: list[tuple[Sample, str, str]],
    pairs: Sequence[Pair],
    ctx: ScoringContext,
    counts: Counter,
) -> dict[str, dict[str, float]]:
    """``valence_mse`` and ``overall`` = weighted F1 - 0.25 * MSE (MERTools ``overall_metric``)
    when every scored sample has a gold and a predicted valence (test1 / test2); else none."""
    by_id = {s.id: p for s, p in pairs}
    gold = [_float(s.extra.get("valence")) for s, _, _ in rows]
    guess = [
        _float(by_id[s.id].extra.get("valence")) if by_id.get(s.id) is not None else None
        for s, _, _ in rows
    ]
    if not rows or all(g is None for g in gold):
        return {}
    missing = sum(g is None or p is None for g, p in zip(gold, guess, strict=True))
    if missing:
        counts["missing_valence"] += missing
        return {}
    squared = np.array([(g - p) ** 2 for g, p in zip(gold, guess, strict=True)])  # type: ignore[operator]
    labels = list(task.labels or sorted({t for _, t, _ in rows}))
    true_codes, pred_codes = encode_labels([t for _, t, _ in rows], [p for _, _, p in rows], labels)

    def overall(idx: np.ndarray) -> float:
        f1 = scores_from_codes(true_codes[idx], pred_codes[idx], len(labels))["weighted_f1"]
        return f1 - 0.25 * float(squared[idx].mean())

    everything = np.arange(len(rows))
    return {
        "valence_mse": score_with_ci(
            float(squared.mean()), mean_ci(squared, n_resamples=ctx.n_resamples, seed=ctx.seed)
        ),
        "overall": score_with_ci(
            overall(everything),
            bootstrap_ci(overall, len(rows), n_resamples=ctx.n_resamples, seed=ctx.seed),
        ),
    }
