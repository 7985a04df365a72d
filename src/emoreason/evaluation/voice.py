"""The ``voice`` backend and scorer: the shipped voice model on labelled speech (e.g. EmoDB).

**Predicting** (:func:`predict_voice`): each sample's audio goes through the acoustic extractor
and the acoustic hypothesis exactly as ``emoreason perceive`` runs them. A prediction keeps the
model's class (``label``, over the model's own classes, e.g. EmoDB's seven with bored), the
reliability-scaled confidence of that class, and the product hypothesis (label over
:data:`~emoreason.schema.labels.EMOTIONS` and its confidence). When samples carry a
``speaker`` (``extra``), a second, speaker-normalised reading is added per sample (features
z-scored within each speaker of the batch: a batch-only path the product never uses).

**Scoring** (:func:`score_voice`), per subset (the loader's split: ``test`` / ``dev``) and
overall: balanced accuracy (= UAR) and accuracy over the task labels, ECE of the class
confidence and of the product confidence (product truth: the task label mapped by the model's
product mapping, e.g. bored -> neutral), each with a bootstrap 95% CI; the confusion matrix and
reliability curves go to ``details`` (the report writer draws the diagrams).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from emoreason.evaluation.bootstrap import bootstrap_ci, score_with_ci
from emoreason.evaluation.loaders.base import MAX_PROBLEMS, Sample
from emoreason.evaluation.metrics.calibration import expected_calibration_error, reliability_curve
from emoreason.evaluation.metrics.classification import (
    confusion_matrix,
    encode_labels,
    scores_from_codes,
)

SPEAKER_NORMALISED = "speaker_normalised"


def predict_voice(
    samples: list[Sample],
    counts: Counter,
    problems: list[str],
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """id -> :class:`~emoreason.evaluation.hooks.Prediction` from the shipped voice model."""
    from emoreason.evaluation.hooks import Prediction
    from emoreason.perception.acoustic import AcousticExtractor
    from emoreason.perception.hypotheses import SYNTHETIC_VOICING_FACTOR, acoustic_hypothesis
    from emoreason.perception.voice_embedding import embedding_of
    from emoreason.perception.voice_model import default_voice_model

    model = default_voice_model()
    extractor = AcousticExtractor()
    out: dict[str, Any] = {}
    rows: list[tuple[str, str, np.ndarray, float]] = []  # (id, speaker, features, reliability)

    def fail(sample: Sample, why: str) -> None:
        counts["prediction_error"] += 1
        if len(problems) < MAX_PROBLEMS:
            problems.append(f"prediction_error: {sample.id}: {why}")

    for i, sample in enumerate(samples, 1):
        if sample.media is None:
            fail(sample, "no media file to analyse")
        else:
            try:
                evidence = extractor.process_file(sample.media)
            except Exception as exc:  # one bad file must not stop the run
                evidence = None
                fail(sample, f"{type(exc).__name__}: {exc}")
            if evidence is not None and not evidence.available:
                fail(sample, evidence.status)
            elif evidence is not None:
                hypothesis = acoustic_hypothesis(evidence)
                reading = model.read(evidence.features, embedding_of(evidence.extra))
                synthetic = any(c.name == "regular_voicing" for c in evidence.cues)
                reliability = reading.weight * (SYNTHETIC_VOICING_FACTOR if synthetic else 1.0)
                top = reading.top_class
                out[sample.id] = Prediction(
                    id=sample.id,
                    label=top,
                    extra={
                        "confidence": reliability * reading.class_probabilities[top],
                        "product_label": hypothesis.label,
                        "product_confidence": hypothesis.confidence,
                        "arousal": reading.arousal,
                        "valence": reading.valence,
                    },
                )
                speaker = str(sample.extra.get("speaker") or "")
                rows.append(
                    (sample.id, speaker, model.features([evidence.features])[0], reliability)
                )
        if on_progress is not None:
            on_progress(i, len(samples))
    if rows and model.speaker_head is not None and all(r[1] for r in rows):
        x = np.stack([r[2] for r in rows])  # (n, d)
        probs = model.speaker_normalised_probabilities(x, np.array([r[1] for r in rows]))
        for (ident, _, _, reliability), p in zip(rows, probs, strict=True):
            top = int(p.argmax())
            out[ident].extra[SPEAKER_NORMALISED] = {
                "label": model.classes[top], "confidence": reliability * float(p[top]),
            }  # fmt: skip
    return out


def _block(
    prefix: str,
    suffix: str,
    y_true: Sequence[str],
    y_pred: Sequence[str],
    confidence: np.ndarray,
    labels: Sequence[str],
    ctx: Any,
) -> dict[str, dict[str, float]]:
    true_codes, pred_codes = encode_labels(y_true, y_pred, labels)
    correct = (true_codes == pred_codes).astype(np.float64)
    n = len(y_true)

    def stat(name: str) -> Callable[[np.ndarray], float]:
        if name == "ece":
            return lambda idx: expected_calibration_error(confidence[idx], correct[idx])
        key = "uar" if name == "balanced_accuracy" else name
        return lambda idx: scores_from_codes(true_codes[idx], pred_codes[idx], len(labels))[key]

    out = {}
    for name in ("balanced_accuracy", "accuracy", "ece"):
        fn = stat(name)
        interval = bootstrap_ci(fn, n, n_resamples=ctx.n_resamples, seed=ctx.seed)
        out[f"{prefix}{name}{suffix}"] = score_with_ci(fn(np.arange(n)), interval)
    return out


def score_voice(task: Any, pairs: Sequence[tuple[Sample, Any]], ctx: Any) -> dict[str, Any]:
    """Per-subset and overall voice scores (module docstring)."""
    from emoreason.perception.voice_model import CLASS_TO_PRODUCT

    counts: Counter = Counter()
    labels = list(task.labels or sorted({s.label for s, _ in pairs if s.label}))
    product_labels = sorted({CLASS_TO_PRODUCT.get(label, label) for label in labels})
    rows = []
    for sample, prediction in pairs:
        if sample.label is None:
            counts["no_reference_label"] += 1
        elif prediction is None:
            counts["missing_prediction"] += 1
        else:
            rows.append((sample, prediction))
    subsets = sorted({s.subset or "all" for s, _ in rows})
    groups = [(name, [r for r in rows if (r[0].subset or "all") == name]) for name in subsets]
    if len(subsets) > 1:
        groups.append(("all", rows))
    scores: dict[str, dict[str, float]] = {}
    details: dict[str, Any] = {"labels": labels, "product_labels": product_labels,
                               "confusion_matrix": {}, "reliability": {}, "n_scored": {}}  # fmt: skip
    for name, group in groups:
        if not group:
            continue
        suffix = f"[{name}]"
        y_true = [s.label for s, _ in group]
        y_pred = [p.label for _, p in group]
        conf = np.array([p.extra.get("confidence", 0.0) for _, p in group], dtype=np.float64)
        scores |= _block("", suffix, y_true, y_pred, conf, labels, ctx)
        p_true = [CLASS_TO_PRODUCT.get(t, t) for t in y_true]
        p_pred = [p.extra.get("product_label") for _, p in group]
        p_conf = np.array([p.extra.get("product_confidence", 0.0) for _, p in group])
        product = _block("product_", suffix, p_true, p_pred, p_conf, product_labels, ctx)
        scores[f"product_accuracy{suffix}"] = product[f"product_accuracy{suffix}"]
        scores[f"product_ece{suffix}"] = product[f"product_ece{suffix}"]
        speaker = [p.extra.get(SPEAKER_NORMALISED) for _, p in group]
        if all(speaker):
            s_pred = [s["label"] for s in speaker]
            s_conf = np.array([s["confidence"] for s in speaker])
            scores |= _block("speaker_normalised_", suffix, y_true, s_pred, s_conf, labels, ctx)
        details["confusion_matrix"][name] = confusion_matrix(y_true, y_pred, labels).tolist()
        correct = np.array([t == p for t, p in zip(y_true, y_pred, strict=True)])
        details["reliability"][name] = [vars(b) for b in reliability_curve(conf, correct)]
        details["n_scored"][name] = len(group)
    details["voice_model"] = _shipped_model_record()
    return {"scores": scores, "details": details, "counts": dict(counts)}


def _shipped_model_record() -> dict[str, Any]:
    """Which speakers trained the shipped model and its speaker-grouped CV scores on them."""
    from emoreason.perception.voice_model import default_voice_model

    meta = default_voice_model().metadata
    return {
        "trained_on_speakers": meta["split"]["train_dev_speakers"],
        "note": "the shipped model was trained on these speakers: scores on them are in-sample; "
        "its speaker-independent dev numbers are the cross-validated ones below",
        "dev_cv": meta["scores"].get("dev_cv"),
        "speaker_normalised_dev_cv": meta["scores"].get("speaker_normalised_dev_cv"),
    }
