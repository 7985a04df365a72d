"""Train the voice model on EmoDB (or any copy in its naming) and write the shipped npz.

Reproduce the shipped file::

    python -m emoreason.fitting.voice --data ../shared/data/emodb \\
        --out src/emoreason/perception/models/voice_emodb.npz

Recipe (fixed; every choice below is made on the DEV speakers only):

1. Features: the acoustic extractor's evidence on each wav, exactly as ``emoreason perceive``
   computes it (decoded to the perception sample rate), re-expressed by
   :mod:`~emoreason.perception.voice_features`.
2. Split: train/dev = speakers 11-16, test = 03, 08, 09, 10 (never used for any choice).
3. Model: standardise (training mean/std), clip z to ±5, multinomial logistic regression with
   balanced class weights; the L2 strength ``C`` is chosen by leave-one-speaker-out CV on the
   dev speakers (balanced accuracy).
4. Calibration: one temperature fitted on the out-of-fold logits of that CV (held-out
   speakers). The dev ECE reported is nested: each speaker's confidences use a temperature
   fitted on the other speakers' out-of-fold logits.
5. Final fit on all dev speakers; test speakers scored once, recorded in the metadata.
6. A second head trained on per-speaker z-normalised features (for batches with speaker ids).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.perception.calibration import fit_temperature, softmax_with_temperature
from emoreason.perception.voice_features import voice_feature_names
from emoreason.perception.voice_model import (
    CLASS_TO_PRODUCT,
    Z_CLIP,
    LinearHead,
    VoiceModel,
    speaker_normalise,
)

C_GRID: tuple[float, ...] = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


@dataclass
class VoiceTrainingConfig:
    """Inputs of one training run.

    Data: ``data`` (EmoDB folder), ``features_cache`` (JSON of extracted evidence features,
    reused when present). Model: ``c_grid`` (L2 strengths tried), ``seed``.
    """

    data: Path = field(metadata={"help": "EmoDB folder (wav/ and optional manifest.json)"})
    features_cache: Path | None = field(
        default=None, metadata={"help": "JSON cache of extracted acoustic features"}
    )
    c_grid: tuple[float, ...] = field(default=C_GRID, metadata={"help": "L2 strengths tried"})
    seed: int = field(default=0, metadata={"help": "seed (solver and bootstrap)"})

    def __post_init__(self) -> None:
        self.data = Path(self.data)
        if not self.c_grid or any(c <= 0 for c in self.c_grid):
            raise ValueError(f"c_grid must be non-empty and positive, got {self.c_grid}")


# ---- data -------------------------------------------------------------------------------------
def load_clips(config: VoiceTrainingConfig) -> tuple[list[Any], list[dict[str, float | None]]]:
    """EmoDB samples and their acoustic evidence features (cached by sample id)."""
    from emoreason.evaluation.loaders.emodb import EMODB_LABELS, load_emodb

    samples = load_emodb(config.data, list(EMODB_LABELS), None, split="all").samples
    cache: dict[str, dict[str, float | None]] = {}
    if config.features_cache is not None and config.features_cache.is_file():
        cache = json.loads(config.features_cache.read_text(encoding="utf-8"))["clips"]
    missing = [s for s in samples if s.id not in cache]
    if missing:
        from emoreason.perception.acoustic import AcousticExtractor

        extractor = AcousticExtractor()
        for sample in missing:
            if sample.media is None:
                raise FileNotFoundError(
                    f"{config.data}: {sample.id}: no wav and no cached features"
                )
            evidence = extractor.process_file(sample.media)
            if evidence.available:
                cache[sample.id] = dict(evidence.features)
        if config.features_cache is not None:
            from emoreason.formats.atomic import write_text_atomic

            write_text_atomic(config.features_cache, json.dumps({"clips": cache}) + "\n")
    kept = [s for s in samples if s.id in cache]
    return kept, [cache[s.id] for s in kept]


# ---- fitting ----------------------------------------------------------------------------------
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
    """(n, k) logits, each row from a model that never saw that row's speaker."""
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
) -> tuple[LinearHead, dict[str, Any]]:
    """Choose C by grouped CV, fit T on out-of-fold logits, refit on all rows."""
    k = len(classes)
    by_c = {}
    for c in config.c_grid:
        logits = out_of_fold_logits(x, y, groups, k, c, config.seed)
        by_c[c] = (balanced_accuracy(y, logits.argmax(axis=1)), logits)
    best_c = max(config.c_grid, key=lambda c: (round(by_c[c][0], 6), -c))
    logits = by_c[best_c][1]
    temperature = fit_temperature(logits, y)
    nested = nested_calibrated_probs(logits, y, groups)
    correct_p, conf_p = product_correct(nested, y, classes)
    head = fit_head(x, y, k, best_c, config.seed)
    head = LinearHead(head.mean, head.scale, head.weights, head.bias, temperature)
    dev = {
        "c": best_c,
        "temperature": temperature,
        "cv_balanced_accuracy_by_c": {str(c): round(v[0], 4) for c, v in by_c.items()},
        "balanced_accuracy": balanced_accuracy(y, logits.argmax(axis=1)),
        "accuracy": float(np.mean(logits.argmax(axis=1) == y)),
        "ece": ece(nested.max(axis=1), nested.argmax(axis=1) == y),
        "ece_uncalibrated": ece(
            softmax_with_temperature(logits, 1.0).max(axis=1), logits.argmax(axis=1) == y
        ),
        "product_accuracy": float(correct_p.mean()),
        "product_ece": ece(conf_p, correct_p),
    }
    return head, dev


def score_head(head: LinearHead, x: np.ndarray, y: np.ndarray, classes: Sequence[str]) -> dict:
    probs = head.probabilities(x)
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


def train(config: VoiceTrainingConfig) -> tuple[VoiceModel, dict[str, Any]]:
    """Run the recipe in the module docstring; returns the model and its metadata."""
    from emoreason.evaluation.loaders.emodb import DEV_SPEAKERS, EMODB_LABELS, TEST_SPEAKERS

    samples, rows = load_clips(config)
    classes = tuple(EMODB_LABELS)
    names = voice_feature_names()
    model_for_features = VoiceModel(classes, names, _identity_head(len(names), len(classes)),
                                    np.ones(3), {})  # fmt: skip
    x = model_for_features.features(rows)  # (n, d)
    y = np.array([classes.index(s.label) for s in samples])
    speakers = np.array([s.extra["speaker"] for s in samples])
    dev = np.isin(speakers, DEV_SPEAKERS)
    test = np.isin(speakers, TEST_SPEAKERS)
    if len(np.unique(speakers[dev])) < 2:
        raise ValueError(f"{config.data}: need clips of at least two dev speakers {DEV_SPEAKERS}")
    head, dev_scores = fit_variant(x[dev], y[dev], speakers[dev], classes, config)
    x_speaker = speaker_normalise(x, speakers)
    speaker_head, speaker_dev = fit_variant(x_speaker[dev], y[dev], speakers[dev], classes, config)
    z = head.standardise(x[dev])
    rms = np.sqrt((z**2).mean(axis=1))
    scores: dict[str, Any] = {"dev_cv": dev_scores, "speaker_normalised_dev_cv": speaker_dev}
    if test.any():
        scores["test"] = score_head(head, x[test], y[test], classes)
        scores["speaker_normalised_test"] = score_head(
            speaker_head, x_speaker[test], y[test], classes
        )
    metadata = {
        "data": "EmoDB (Burkhardt et al., Interspeech 2005), CC0-1.0 copy; "
        f"{len(samples)} clips read from {config.data.name}",
        "split": {
            "train_dev_speakers": sorted(set(speakers[dev].tolist())),
            "test_speakers": sorted(set(speakers[test].tolist())),
            "rule": "speaker-independent; test speakers never used for any choice",
        },
        "n_train": int(dev.sum()),
        "n_test": int(test.sum()),
        "classes": list(classes),
        "product_mapping": {c: CLASS_TO_PRODUCT[c] for c in classes},
        "features": "emoreason.perception.voice_features (level-free derived acoustic features)",
        "normalisation": f"z-score with training mean/std, NaN -> mean, clipped to ±{Z_CLIP}; "
        "speaker head: per-speaker z-score first",
        "model": "multinomial logistic regression, balanced class weights, L2 C by "
        "leave-one-speaker-out CV; temperature on out-of-fold logits",
        "seed": config.seed,
        "config": {"c_grid": list(config.c_grid), "data_folder": config.data.name},
        "scores": _rounded(scores),
    }
    model = VoiceModel(
        classes, names, head, np.percentile(rms, [50, 95, 99]), metadata, speaker_head
    )
    return model, metadata


def _identity_head(d: int, k: int) -> LinearHead:
    return LinearHead(np.zeros(d), np.ones(d), np.zeros((k, d)), np.zeros(k), 1.0)


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the emoreason voice model on EmoDB.")
    parser.add_argument("--data", type=Path, required=True, help="EmoDB folder")
    parser.add_argument("--out", type=Path, required=True, help="npz file to write")
    parser.add_argument("--features-cache", type=Path, default=None, help="JSON feature cache")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--c-grid", default=",".join(map(str, C_GRID)), help="L2 strengths tried, comma-separated"
    )
    args = parser.parse_args(argv)
    config = VoiceTrainingConfig(
        data=args.data,
        features_cache=args.features_cache,
        seed=args.seed,
        c_grid=tuple(float(c) for c in args.c_grid.split(",")),
    )
    model, metadata = train(config)
    model.save(args.out)
    sys.stdout.write(json.dumps(metadata["scores"], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
