"""Scoring hooks named by task YAMLs (``scorer:``): samples + predictions -> scores with CIs.

Every scorer returns ``{"scores": {name: {"value", "ci_low", "ci_high"}}, "details": {...},
"counts": {...}}``. Headline scores get a seeded percentile-bootstrap 95% interval
(:mod:`emoreason.evaluation.bootstrap`). Counted, never fatal: ``missing_prediction``,
``unparseable`` (answers the rule of :mod:`~emoreason.evaluation.answer_parsing` cannot map),
``judge_failure``. Under the task policy ``unparseable: wrong`` (default) an unparseable or
missing answer is scored as a wrong prediction; under ``drop`` the sample is left out.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.errors import ConfigError
from emoreason.evaluation.answer_parsing import build_label_synonyms, parse_answer
from emoreason.evaluation.bootstrap import bootstrap_ci, mean_ci, score_with_ci
from emoreason.evaluation.cues import LocalCueExtractor
from emoreason.evaluation.loaders.base import Sample
from emoreason.evaluation.loaders.reasoning import emotions_in
from emoreason.evaluation.metrics.camer import normalize_subset
from emoreason.evaluation.metrics.classification import (
    confusion_matrix,
    encode_labels,
    per_class_scores,
    scores_from_codes,
)
from emoreason.evaluation.metrics.emocue360 import average_prf, emocue360_per_sample
from emoreason.evaluation.metrics.open_vocab import open_vocab_per_sample
from emoreason.evaluation.verdict_scoring import score_camer_verdict
from emoreason.registry import Registry

UNPARSEABLE = "<unparseable>"
#: every scorer's default is "official" (the benchmark authors' script); "robust" is ours
METRIC_VARIANTS: tuple[str, ...] = ("official", "robust")


@dataclass
class Prediction:
    """A model's answer for one sample: free text and/or an explicit label, emotions, cues."""

    id: str
    text: str | None = None
    label: str | None = None
    emotions: list[str] | None = None
    cues: dict[str, list[str]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ScoringContext:
    """What scorers may need beyond the data: bootstrap settings and optional models."""

    n_resamples: int = 1000
    seed: int = 0
    #: a callable list[str] -> (n, d), or a spec for resolve_embedder: 'minilm' | 'static' | folder
    embedder: Callable[[list[str]], Any] | str | Path | None = None
    #: with a spec embedder: keep its vectors on disk there (exact re-use across runs)
    embedding_store: str | Path | None = None
    cue_extractor: Callable[..., dict[str, list[str]]] | None = None
    judge: Any = None  # emoreason.evaluation.judge.LLMJudge
    #: "official": the published scripts' rules (default); "robust": our variants (opt-in)
    metric_variant: str = "official"
    #: AffectGPT's emotion-wheel tables (WheelTables or their folder) for the official EMER score
    wheel_tables: Any = None

    def __post_init__(self) -> None:
        if self.metric_variant not in METRIC_VARIANTS:
            raise ConfigError(
                f"metric_variant must be one of {list(METRIC_VARIANTS)}, "
                f"got {self.metric_variant!r}"
            )


Pair = tuple[Sample, Prediction | None]


def _labelled_predictions(
    task: Any, pairs: Sequence[Pair], counts: Counter
) -> list[tuple[Sample, str, str]]:
    """(sample, true label, predicted label or UNPARSEABLE) per scored sample."""
    out: list[tuple[Sample, str, str]] = []
    synonym_cache: dict[tuple[str, ...], dict[str, str]] = {}
    for sample, prediction in pairs:
        if sample.label is None:
            counts["no_reference_label"] += 1
            continue
        labels = tuple(sample.labels or task.labels or [sample.label])
        synonyms = synonym_cache.setdefault(labels, build_label_synonyms(labels))
        if prediction is None:
            counts["missing_prediction"] += 1
            predicted = None
        else:
            parsed = parse_answer(prediction.label or prediction.text, labels, synonyms)
            if not parsed.ok and prediction.label and prediction.text:
                parsed = parse_answer(prediction.text, labels, synonyms)
            predicted = parsed.label
            if predicted is None:
                counts["unparseable"] += 1
        if predicted is None and task.unparseable == "drop":
            continue
        out.append((sample, sample.label, predicted or UNPARSEABLE))
    return out


def code_metric_interval(
    true_codes: np.ndarray, pred_codes: np.ndarray, n_labels: int, metric: str, ctx: ScoringContext
) -> tuple[float, float]:
    """Bootstrap interval of one :func:`scores_from_codes` metric over resampled samples."""
    return bootstrap_ci(
        lambda idx: scores_from_codes(true_codes[idx], pred_codes[idx], n_labels)[metric],
        len(true_codes),
        n_resamples=ctx.n_resamples,
        seed=ctx.seed,
    )


def _classification_block(
    y_true: list[str], y_pred: list[str], labels: list[str], ctx: ScoringContext, prefix: str = ""
) -> dict[str, dict[str, float]]:
    true_codes, pred_codes = encode_labels(y_true, y_pred, labels)
    point = scores_from_codes(true_codes, pred_codes, len(labels))
    return {
        prefix + name: score_with_ci(
            value, code_metric_interval(true_codes, pred_codes, len(labels), name, ctx)
        )
        for name, value in point.items()
    }


def score_classification(task: Any, pairs: Sequence[Pair], ctx: ScoringContext) -> dict[str, Any]:
    """Accuracy, weighted P/R/F1, UAR, WAR (+ confusion matrix and per-class scores).

    Used by tasks whose authors published no scoring script (DFEW, the generic JSONL task):
    the definitions are the standard ones (:mod:`~emoreason.evaluation.metrics.classification`)
    and free answers are read with our parsing rule under both variants.
    """
    counts: Counter = Counter()
    result = _classification_result(task, _labelled_predictions(task, pairs, counts), ctx, counts)
    result["details"]["reproduces"] = NO_SCRIPT
    return result


NO_SCRIPT = "no public scoring script from the authors: our documented definition"


def score_mer2023(task: Any, pairs: Sequence[Pair], ctx: ScoringContext) -> dict[str, Any]:
    """MER2023 (see :mod:`emoreason.evaluation.scoring_mer2023`)."""
    from emoreason.evaluation.scoring_mer2023 import score_mer2023 as score

    return score(task, pairs, ctx)


def _classification_result(
    task: Any, rows: list[tuple[Sample, str, str]], ctx: ScoringContext, counts: Counter
) -> dict[str, Any]:
    y_true = [t for _, t, _ in rows]
    y_pred = [p for _, _, p in rows]
    labels = list(task.labels or sorted(set(y_true)))
    scores = _classification_block(y_true, y_pred, labels, ctx) if rows else {}
    details = {
        "labels": labels,
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels).tolist(),
        "per_class": per_class_scores(y_true, y_pred, labels),
        "n_scored": len(rows),
        "metric_variant": ctx.metric_variant,
    }
    return {"scores": scores, "details": details, "counts": dict(counts)}


def _subset_accuracy(subsets: np.ndarray, correct: np.ndarray, name: str) -> float:
    mask = subsets == name
    return float(correct[mask].mean()) if mask.any() else math.nan


def score_camer(task: Any, pairs: Sequence[Pair], ctx: ScoringContext) -> dict[str, Any]:
    """Classification scores + accuracy per CA-MER subset + video-aligned − audio-aligned gap."""
    result = score_classification(task, pairs, ctx)
    rows = _labelled_predictions(task, pairs, Counter())
    subsets = np.array([normalize_subset(s.subset or "") for s, _, _ in rows])
    correct = np.array([t == p for _, t, p in rows], dtype=np.float64)
    n = len(rows)
    for name in sorted(set(subsets.tolist())):
        value = _subset_accuracy(subsets, correct, name)
        interval = bootstrap_ci(
            lambda idx, name=name: _subset_accuracy(subsets[idx], correct[idx], name),
            n,
            n_resamples=ctx.n_resamples,
            seed=ctx.seed,
        )
        result["scores"][f"accuracy[{name}]"] = score_with_ci(value, interval)

    def gap(idx: np.ndarray) -> float:
        return _subset_accuracy(subsets[idx], correct[idx], "video-aligned") - _subset_accuracy(
            subsets[idx], correct[idx], "audio-aligned"
        )

    all_idx = np.arange(n)
    if n:
        result["scores"]["bias_gap"] = score_with_ci(
            gap(all_idx), bootstrap_ci(gap, n, n_resamples=ctx.n_resamples, seed=ctx.seed)
        )
    result["details"]["bias_gap_definition"] = "accuracy(video-aligned) - accuracy(audio-aligned)"
    return result


def score_emobench_m(task: Any, pairs: Sequence[Pair], ctx: ScoringContext) -> dict[str, Any]:
    """EmoBench-M (see :mod:`emoreason.evaluation.scoring_emobench_m`)."""
    from emoreason.evaluation.scoring_emobench_m import score_emobench_m as score

    return score(task, pairs, ctx)


def _predicted_emotions(prediction: Prediction) -> list[str]:
    if prediction.emotions:
        return list(prediction.emotions)
    words = emotions_in(prediction.text)
    if not words and prediction.label:
        words = [prediction.label]
    return words


def _judge_scores(pairs: Sequence[Pair], ctx: ScoringContext, counts: Counter) -> dict[str, Any]:
    if ctx.judge is None:
        return {}
    clue, label = [], []
    for sample, prediction in pairs:
        if prediction is None or not sample.reference_text or not prediction.text:
            continue
        c = ctx.judge.clue_overlap(sample.reference_text, prediction.text)
        ref_emotions = ", ".join(sample.reference_emotions) or (sample.label or "")
        pred_emotions = ", ".join(_predicted_emotions(prediction))
        lab = (
            ctx.judge.label_overlap(ref_emotions, pred_emotions)
            if ref_emotions and pred_emotions
            else None
        )
        for value, bucket in ((c, clue), (lab, label)):
            if value is None:
                counts["judge_failure"] += 1
            else:
                bucket.append(value)
    out = {}
    for name, values in (("judge_clue_overlap", clue), ("judge_label_overlap", label)):
        if values:
            out[name] = score_with_ci(
                sum(values) / len(values),
                mean_ci(values, n_resamples=ctx.n_resamples, seed=ctx.seed),
            )
    return out


WHEEL_NOTE = (
    "the official metric (AffectGPT's emotion-wheel Accuracy_s / Recall_s / F_s) needs the "
    "authors' emotion_wheel folder (--emotion-wheel-dir); scored with our wheel instead"
)


def _our_wheel_scores(
    refs: list[list[str]], preds: list[list[str]], ctx: ScoringContext, counts: Counter
) -> tuple[dict[str, Any], dict[str, Any]]:
    per_sample = [s for s in open_vocab_per_sample(refs, preds) if s is not None]
    counts["no_reference_emotions"] += len(refs) - len(per_sample)
    scores: dict[str, Any] = {}
    for name, column in (("accuracy_s", 0), ("recall_s", 1)):
        values = [s[column] for s in per_sample]
        if values:
            scores[name] = score_with_ci(
                sum(values) / len(values),
                mean_ci(values, n_resamples=ctx.n_resamples, seed=ctx.seed),
            )
    return scores, {"n_scored": len(per_sample)}


def _affectgpt_wheel_scores(
    refs: list[list[str]], preds: list[list[str]], ctx: ScoringContext, counts: Counter
) -> tuple[dict[str, Any], dict[str, Any]]:
    from emoreason.evaluation.metrics import affectgpt_wheel as ew

    tables = ctx.wheel_tables
    if not isinstance(tables, ew.WheelTables):
        tables = ew.load_wheel_tables(tables)
    per_wheel = ew.per_sample(refs, preds, tables)
    point = ew.combine(per_wheel)
    kept = [i for i in range(len(refs)) if any(rows[i] is not None for rows in per_wheel)]
    counts["no_reference_emotions"] += len(refs) - len(kept)
    scores: dict[str, Any] = {}
    if kept:
        for name in ("f_s", "accuracy_s", "recall_s"):
            interval = bootstrap_ci(
                lambda idx, name=name: ew.combine([[rows[i] for i in idx] for rows in per_wheel])[
                    name
                ],
                len(refs),
                n_resamples=ctx.n_resamples,
                seed=ctx.seed,
            )
            scores[name] = score_with_ci(point[name], interval)
    details = {
        "n_scored": len(kept),
        "n_wheels": len(tables.wheels),
        "metric_variant": "official",
        "reproduces": ew.SCRIPT,
    }
    return scores, details


def score_open_vocab(task: Any, pairs: Sequence[Pair], ctx: ScoringContext) -> dict[str, Any]:
    """Accuracy_s / Recall_s through the emotion wheel, plus LLM-judge scores when configured."""
    counts: Counter = Counter()
    refs, preds = [], []
    for sample, prediction in pairs:
        if prediction is None:
            counts["missing_prediction"] += 1
        refs.append(sample.reference_emotions)
        preds.append(_predicted_emotions(prediction) if prediction is not None else [])
    if ctx.metric_variant == "official" and ctx.wheel_tables is not None:
        scores, details = _affectgpt_wheel_scores(refs, preds, ctx, counts)
    else:
        scores, details = _our_wheel_scores(refs, preds, ctx, counts)
        details["metric_variant"] = "robust"
        if ctx.metric_variant == "official":
            details["note"] = WHEEL_NOTE
    scores.update(_judge_scores(pairs, ctx, counts))
    if ctx.judge is not None:
        details["judge"] = ctx.judge.info()
    return {"scores": scores, "details": details, "counts": dict(counts)}


EMOCUE_SCRIPT = "XEmoGPT EmoCue-360/compute_prf.py (github.com/W11H08Z/XEmoGPT)"


def score_emocue360(task: Any, pairs: Sequence[Pair], ctx: ScoringContext) -> dict[str, Any]:
    """EmoCue-360 P/R/F1 per category; cues extracted from texts where not given.

    The scoring follows ``ctx.metric_variant`` (official = XEmoGPT's ``compute_prf.py``). Cue
    *extraction* is another matter: XEmoGPT extracts cues with an LLM (``extract_clue.py``);
    predictions that give their ``cues`` (or ``--cue-extractor llm``) come closest, the local
    extractor is ours, so with it only the scoring is the script's.
    """
    counts: Counter = Counter()
    extractor = ctx.cue_extractor or LocalCueExtractor()
    refs, preds, subtitles = [], [], []
    for sample, prediction in pairs:
        ref = sample.extra.get("cues") or extractor(sample.reference_text, sample.subtitle)
        pred: dict[str, Any] | None = None
        if prediction is None:
            counts["missing_prediction"] += 1  # official: not scored; robust: scores 0
        else:
            pred = prediction.cues or extractor(prediction.text, sample.subtitle)
        refs.append(ref)
        preds.append(pred)
        subtitles.append(sample.subtitle)
    embedder = ctx.embedder
    if embedder is None or isinstance(embedder, str | Path):
        from emoreason.evaluation.embedders import resolve_embedder

        embedder = resolve_embedder(embedder, store_dir=ctx.embedding_store)
    per_sample = emocue360_per_sample(
        refs, preds, embedder, variant=ctx.metric_variant, subtitles=subtitles
    )
    scores: dict[str, Any] = {}
    details: dict[str, Any] = {
        "metric_variant": ctx.metric_variant,
        "reproduces": EMOCUE_SCRIPT if ctx.metric_variant == "official" else None,
        "extractor": getattr(extractor, "version", type(extractor).__name__),
        "embedder": getattr(embedder, "name", type(embedder).__name__),
    }
    for category, items in per_sample.items():
        kept = [s for s in items if s is not None]
        details[f"n_scored[{category}]"] = len(kept)
        means = average_prf(items)
        for column, metric in enumerate(("precision", "recall", "f1")):
            if kept:
                values = [s[column] for s in kept]
                scores[f"{category}_{metric}"] = score_with_ci(
                    means[metric], mean_ci(values, n_resamples=ctx.n_resamples, seed=ctx.seed)
                )
    return {"scores": scores, "details": details, "counts": dict(counts)}


def score_saber(task: Any, pairs: Sequence[Pair], ctx: ScoringContext) -> dict[str, Any]:
    """SABER-Test: label accuracy per split (when labels exist) + open-vocabulary overlap.

    No public scoring script: our definitions under both variants (the open-vocabulary part
    always uses our wheel).
    """
    result = score_open_vocab(task, pairs, replace(ctx, wheel_tables=None))
    result["details"].pop("note", None)
    result["details"]["metric_variant"] = ctx.metric_variant
    result["details"]["reproduces"] = NO_SCRIPT
    labelled = [(s, p) for s, p in pairs if s.label is not None]
    if labelled:
        cls = score_classification(task, labelled, ctx)
        result["scores"].update(cls["scores"])
        rows = _labelled_predictions(task, labelled, Counter())
        for split in ("consistent", "inconsistent"):
            correct = [t == p for s, t, p in rows if s.subset == split]
            if correct:
                result["scores"][f"accuracy[{split}]"] = score_with_ci(
                    sum(correct) / len(correct),
                    mean_ci(correct, n_resamples=ctx.n_resamples, seed=ctx.seed),
                )
        for key, value in cls["counts"].items():
            if key == "missing_prediction":  # already counted by the open-vocabulary pass
                continue
            result["counts"][key] = result["counts"].get(key, 0) + value
    return result


def score_voice(task: Any, pairs: Sequence[Pair], ctx: ScoringContext) -> dict[str, Any]:
    """Voice model scores (see :mod:`emoreason.evaluation.voice`)."""
    from emoreason.evaluation.voice import score_voice as score

    return score(task, pairs, ctx)


def score_verbal(task: Any, pairs: Sequence[Pair], ctx: ScoringContext) -> dict[str, Any]:
    """Words-only scores on labelled sentences (see :mod:`emoreason.evaluation.verbal_eval`)."""
    from emoreason.evaluation.verbal_eval import score_verbal as score

    return score(task, pairs, ctx)


SCORERS: Registry[Callable[[Any, Sequence[Pair], ScoringContext], dict[str, Any]]] = Registry(
    "scorer",
    {
        "camer": score_camer,
        "camer_verdict": score_camer_verdict,
        "classification": score_classification,
        "emobench_m": score_emobench_m,
        "emocue360": score_emocue360,
        "mer2023": score_mer2023,
        "open_vocab": score_open_vocab,
        "saber": score_saber,
        "voice": score_voice,
        "verbal": score_verbal,
    },
)
