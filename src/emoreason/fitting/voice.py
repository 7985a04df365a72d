"""Train the voice model on EmoDB (or any copy in its naming) and write the shipped npz.

Reproduce the shipped file::

    python -m emoreason.fitting.voice --data ../shared/data/emodb \\
        --out src/emoreason/perception/models/voice_emodb.npz

Recipe (fixed; every choice below is made on the DEV speakers only):

0. Augmentation (``--augment default`` = :data:`~emoreason.fitting.voice_augment.DEFAULT_AUGMENT`,
   or condition names): every DEV clip also enters training as one degraded copy per named
   condition (:mod:`~emoreason.fitting.voice_augment`: parameters drawn per clip, seeded by clip
   id), decoded and extracted exactly like the clean clip (decode -> degradation -> acoustic
   extractor -> voice features). Test speakers are never augmented. Cross-validation folds
   group by speaker, so all copies of a held-out speaker stay out of its training fold; C and
   the temperature are chosen on the CLEAN held-out clips (the held-out speaker's degraded
   copies are scored too, ``dev_cv.degraded``). The shipped model uses the default recipe
   (the command's default; ``--augment none`` = clean clips only). The decision and its
   numbers are in the README ("Other recording conditions"): on dev, augmentation costs
   0.03-0.05 clean balanced accuracy and gains 0.17 under unseen degradations, where the
   clean-only model falls to 0.2-0.4 and its confidence stops meaning anything.
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
6. A second head trained on per-speaker z-normalised features (for batches with speaker ids);
   with augmentation each (speaker, condition) is normalised on its own (one recording setup).
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

from emoreason.fitting.voice_augment import (
    CONDITIONS,
    DEFAULT_AUGMENT,
    TRAIN_CONDITIONS,
    Condition,
    parse_conditions,
)
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
    reused when present). Augmentation: ``augment`` (training condition names, one degraded
    copy of every dev clip each; empty = clean only). Model: ``c_grid`` (L2 strengths tried),
    ``seed``.
    """

    data: Path = field(metadata={"help": "EmoDB folder (wav/ and optional manifest.json)"})
    features_cache: Path | None = field(
        default=None, metadata={"help": "JSON cache of extracted acoustic features"}
    )
    c_grid: tuple[float, ...] = field(default=C_GRID, metadata={"help": "L2 strengths tried"})
    seed: int = field(default=0, metadata={"help": "seed (solver and bootstrap)"})
    augment: tuple[str, ...] = field(
        default=DEFAULT_AUGMENT,
        metadata={"help": "training conditions: one degraded copy of each dev clip"},
    )

    def __post_init__(self) -> None:
        self.data = Path(self.data)
        self.augment = tuple(self.augment)
        unknown = [a for a in self.augment if a not in TRAIN_CONDITIONS]
        if unknown or len(set(self.augment)) != len(self.augment):
            raise ValueError(
                f"augment must name distinct training conditions {sorted(TRAIN_CONDITIONS)}, "
                f"got {self.augment}"
            )
        if not self.c_grid or any(c <= 0 for c in self.c_grid):
            raise ValueError(f"c_grid must be non-empty and positive, got {self.c_grid}")


# ---- data -------------------------------------------------------------------------------------
Row = dict[str, float | None]


def cache_key(clip_id: str, condition: str | None) -> str:
    """Features-cache key: the clip id for the clean clip, ``<id>|<condition>`` for a copy."""
    return clip_id if condition is None else f"{clip_id}|{condition}"


def condition_recipe(condition: Condition) -> str:
    """What a cached copy was made with (degradation, parameters, ranges, seed base), as JSON."""
    return json.dumps([condition.degradation, condition.params, condition.ranges,
                       condition.seed_base], sort_keys=True)  # fmt: skip


def extract_degraded(media: str | Path, condition: Condition, clip_id: str, extractor: Any):
    """Acoustic evidence of one degraded copy, on the product path: decode at the perception
    sample rate, apply ``condition`` (seeded by ``clip_id``), run the acoustic extractor."""
    from emoreason.perception.base import ClipSignal
    from emoreason.perception.decode import AudioTrack, decode_audio, probe

    sr = extractor.config.sample_rate
    audio = decode_audio(media, sr)
    if audio is None:
        raise FileNotFoundError(f"{media}: no audio stream")
    degraded = AudioTrack(samples=condition.apply(audio.samples, sr, clip_id), sample_rate=sr)
    return extractor.process_signal(ClipSignal(facts=probe(media), audio=degraded))


def clip_features(
    data: Path,
    samples: Sequence[Any],
    conditions: Sequence[str | None],
    features_cache: Path | None,
    on_progress: Any = None,
) -> dict[str, Row]:
    """Cached acoustic features of ``samples`` under each condition (None = the clean clip).

    Keys are :func:`cache_key`. The cache file also records each condition's recipe; copies
    made under a recipe that has since changed are re-extracted. The cache is rewritten every
    50 new extractions, so an interrupted run resumes. ``on_progress(done, total)`` is called
    after each extraction.
    """
    cache: dict[str, Row] = {}
    recipes: dict[str, str] = {}
    if features_cache is not None and features_cache.is_file():
        stored = json.loads(features_cache.read_text(encoding="utf-8"))
        cache, recipes = stored["clips"], stored.get("recipes", {})
    for name in {c for c in conditions if c is not None}:
        if recipes.get(name) != condition_recipe(CONDITIONS[name]):
            cache = {k: v for k, v in cache.items() if not k.endswith(f"|{name}")}
            recipes[name] = condition_recipe(CONDITIONS[name])
    todo = [(s, c) for c in conditions for s in samples if cache_key(s.id, c) not in cache]

    def save() -> None:
        if features_cache is not None:
            from emoreason.formats.atomic import write_text_atomic

            write_text_atomic(
                features_cache, json.dumps({"clips": cache, "recipes": recipes}) + "\n"
            )

    if todo:
        from emoreason.perception.acoustic import AcousticExtractor

        extractor = AcousticExtractor()
        for i, (sample, condition) in enumerate(todo, 1):
            if sample.media is None:
                raise FileNotFoundError(f"{data}: {sample.id}: no wav and no cached features")
            if condition is None:
                evidence = extractor.process_file(sample.media)
            else:
                evidence = extract_degraded(
                    sample.media, CONDITIONS[condition], sample.id, extractor
                )
            if evidence.available:
                cache[cache_key(sample.id, condition)] = dict(evidence.features)
            if i % 50 == 0:
                save()
            if on_progress is not None:
                on_progress(i, len(todo))
        save()
    return cache


def load_clips(
    config: VoiceTrainingConfig, on_progress: Any = None
) -> tuple[list[Any], list[dict[str, float | None]]]:
    """EmoDB samples and their clean acoustic evidence features (cached by sample id)."""
    samples = _emodb_samples(config.data)
    cache = clip_features(config.data, samples, [None], config.features_cache, on_progress)
    kept = [s for s in samples if s.id in cache]
    return kept, [cache[s.id] for s in kept]


def _emodb_samples(data: Path) -> list[Any]:
    from emoreason.evaluation.loaders.emodb import EMODB_LABELS, load_emodb

    return load_emodb(data, list(EMODB_LABELS), None, split="all").samples


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
    """(n, k) logits, each row from a model that never saw that row's speaker (any copy)."""
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
    conditions: np.ndarray | None = None,
) -> tuple[LinearHead, dict[str, Any]]:
    """Choose C by speaker-grouped CV, fit T on out-of-fold logits, refit on all rows.

    ``conditions`` (per row; ``""`` = clean clip) marks augmented copies: every row trains,
    but C, T and the scores use the clean rows only; each condition's out-of-fold balanced
    accuracy at the chosen C is reported under ``degraded``."""
    k = len(classes)
    if conditions is None:
        conditions = np.full(len(y), "", dtype=object)
    clean = conditions == ""
    yc, gc = y[clean], groups[clean]
    by_c = {}
    for c in config.c_grid:
        logits_all = out_of_fold_logits(x, y, groups, k, c, config.seed)
        by_c[c] = (balanced_accuracy(yc, logits_all[clean].argmax(axis=1)), logits_all)
    best_c = max(config.c_grid, key=lambda c: (round(by_c[c][0], 6), -c))
    logits_all = by_c[best_c][1]
    logits = logits_all[clean]
    temperature = fit_temperature(logits, yc)
    nested = nested_calibrated_probs(logits, yc, gc)
    correct_p, conf_p = product_correct(nested, yc, classes)
    head = fit_head(x, y, k, best_c, config.seed)
    head = LinearHead(head.mean, head.scale, head.weights, head.bias, temperature)
    dev = {
        "c": best_c,
        "temperature": temperature,
        "cv_balanced_accuracy_by_c": {str(c): round(v[0], 4) for c, v in by_c.items()},
        "balanced_accuracy": balanced_accuracy(yc, logits.argmax(axis=1)),
        "accuracy": float(np.mean(logits.argmax(axis=1) == yc)),
        "ece": ece(nested.max(axis=1), nested.argmax(axis=1) == yc),
        "ece_uncalibrated": ece(
            softmax_with_temperature(logits, 1.0).max(axis=1), logits.argmax(axis=1) == yc
        ),
        "product_accuracy": float(correct_p.mean()),
        "product_ece": ece(conf_p, correct_p),
    }
    degraded = sorted({str(c) for c in conditions if c != ""})
    if degraded:
        dev["degraded"] = {
            name: balanced_accuracy(y[conditions == name], logits_all[conditions == name]
                                    .argmax(axis=1))
            for name in degraded
        }  # fmt: skip
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


@dataclass
class VoiceRows:
    """Feature rows of a training run: every clean clip, then each dev clip's degraded copies.

    ``x`` (n, d) model features; ``y`` class indices; ``speakers``; ``conditions`` (``""`` for
    a clean clip, else the condition name); ``ids`` clip ids; ``dev``/``test`` split masks."""

    x: np.ndarray
    y: np.ndarray
    speakers: np.ndarray
    conditions: np.ndarray
    ids: np.ndarray
    dev: np.ndarray
    test: np.ndarray
    n_clips: int


def feature_matrix(rows: Sequence[Row]) -> np.ndarray:
    """(n, d) model features of acoustic evidence feature dicts."""
    from emoreason.evaluation.loaders.emodb import EMODB_LABELS

    names = voice_feature_names()
    k = len(EMODB_LABELS)
    model = VoiceModel(tuple(EMODB_LABELS), names, _identity_head(len(names), k), np.ones(3), {})
    return model.features(list(rows))


def build_rows(
    config: VoiceTrainingConfig,
    extra_conditions: Sequence[str] = (),
    on_progress: Any = None,
) -> VoiceRows:
    """Clean clips (all speakers) plus one copy per ``config.augment`` condition of every dev
    clip; ``extra_conditions`` adds copies of EVERY clip (dev and test) for measurement."""
    from emoreason.evaluation.loaders.emodb import DEV_SPEAKERS, EMODB_LABELS, TEST_SPEAKERS

    samples = _emodb_samples(config.data)
    dev_samples = [s for s in samples if s.extra["speaker"] in DEV_SPEAKERS]
    cache = clip_features(config.data, samples, [None, *extra_conditions],
                          config.features_cache, on_progress)  # fmt: skip
    if config.augment:
        cache = clip_features(config.data, dev_samples, list(config.augment),
                              config.features_cache, on_progress)  # fmt: skip
    classes = tuple(EMODB_LABELS)
    entries = [(s, "") for s in samples]
    entries += [(s, c) for c in config.augment for s in dev_samples]
    entries += [(s, c) for c in extra_conditions for s in samples]
    entries = [(s, c) for s, c in entries if cache_key(s.id, c or None) in cache]
    speakers = np.array([s.extra["speaker"] for s, _ in entries])
    return VoiceRows(
        x=feature_matrix([cache[cache_key(s.id, c or None)] for s, c in entries]),
        y=np.array([classes.index(s.label) for s, _ in entries]),
        speakers=speakers,
        conditions=np.array([c for _, c in entries], dtype=object),
        ids=np.array([s.id for s, _ in entries]),
        dev=np.isin(speakers, DEV_SPEAKERS),
        test=np.isin(speakers, TEST_SPEAKERS),
        n_clips=sum(1 for _, c in entries if c == ""),
    )


def train(
    config: VoiceTrainingConfig, on_progress: Any = None
) -> tuple[VoiceModel, dict[str, Any]]:
    """Run the recipe in the module docstring; returns the model and its metadata."""
    from emoreason.evaluation.loaders.emodb import DEV_SPEAKERS, EMODB_LABELS

    data = build_rows(config, on_progress=on_progress)
    classes = tuple(EMODB_LABELS)
    names = voice_feature_names()
    x, y, speakers, conditions = data.x, data.y, data.speakers, data.conditions
    clean = conditions == ""
    train_rows = data.dev & (clean | np.isin(conditions, config.augment))
    test = data.test & clean
    dev = data.dev & clean
    if len(np.unique(speakers[dev])) < 2:
        raise ValueError(f"{config.data}: need clips of at least two dev speakers {DEV_SPEAKERS}")
    head, dev_scores = fit_variant(x[train_rows], y[train_rows], speakers[train_rows], classes,
                                   config, conditions[train_rows])  # fmt: skip
    # one recording setup per (speaker, condition): a batch is normalised within its own setup
    sessions = np.array([f"{s}|{c}" for s, c in zip(speakers, conditions, strict=True)])
    x_speaker = speaker_normalise(x, sessions)
    speaker_head, speaker_dev = fit_variant(
        x_speaker[train_rows], y[train_rows], speakers[train_rows], classes, config,
        conditions[train_rows],
    )  # fmt: skip
    z = head.standardise(x[train_rows])
    rms = np.sqrt((z**2).mean(axis=1))
    scores: dict[str, Any] = {"dev_cv": dev_scores, "speaker_normalised_dev_cv": speaker_dev}
    if test.any():
        scores["test"] = score_head(head, x[test], y[test], classes)
        scores["speaker_normalised_test"] = score_head(
            speaker_head, x_speaker[test], y[test], classes
        )
    metadata = {
        "data": "EmoDB (Burkhardt et al., Interspeech 2005), CC0-1.0 copy; "
        f"{data.n_clips} clips read from {config.data.name}",
        "split": {
            "train_dev_speakers": sorted(set(speakers[dev].tolist())),
            "test_speakers": sorted(set(speakers[test].tolist())),
            "rule": "speaker-independent; test speakers never used for any choice",
        },
        "n_train": int(dev.sum()),
        "n_test": int(test.sum()),
        "augment": {
            "conditions": list(config.augment),
            "descriptions": {c: TRAIN_CONDITIONS[c].description for c in config.augment},
            "n_train_rows": int(train_rows.sum()),
            "rule": "one degraded copy per condition of every dev clip (parameters drawn per "
            "clip, seeded by clip id; emoreason.fitting.voice_augment); test speakers never "
            "augmented; CV folds group all copies by speaker; C and temperature on clean rows",
        },
        "classes": list(classes),
        "product_mapping": {c: CLASS_TO_PRODUCT[c] for c in classes},
        "features": "emoreason.perception.voice_features (level-free derived acoustic features)",
        "normalisation": f"z-score with training mean/std, NaN -> mean, clipped to ±{Z_CLIP}; "
        "speaker head: per-speaker z-score first",
        "model": "multinomial logistic regression, balanced class weights, L2 C by "
        "leave-one-speaker-out CV; temperature on out-of-fold logits",
        "seed": config.seed,
        "config": {
            "c_grid": list(config.c_grid),
            "data_folder": config.data.name,
            "augment": list(config.augment),
        },
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
    parser.add_argument(
        "--augment",
        default="default",
        help="training conditions (one degraded copy of every dev clip each), comma-separated; "
        f"'default' = {','.join(DEFAULT_AUGMENT)} (the shipped recipe); 'none' = clean only; "
        f"known: {','.join(TRAIN_CONDITIONS)}",
    )
    args = parser.parse_args(argv)
    try:
        augment = parse_conditions(args.augment, TRAIN_CONDITIONS, DEFAULT_AUGMENT)
    except ValueError as exc:
        parser.error(str(exc))
    config = VoiceTrainingConfig(
        data=args.data,
        features_cache=args.features_cache,
        seed=args.seed,
        c_grid=tuple(float(c) for c in args.c_grid.split(",")),
        augment=augment,
    )
    model, metadata = train(config, on_progress=report_progress)
    model.save(args.out)
    sys.stdout.write(json.dumps(metadata["scores"], indent=2) + "\n")
    return 0


def report_progress(done: int, total: int) -> None:
    """The training commands' progress line on stderr (every 100 extractions and the last)."""
    if done == total or done % 100 == 0:
        sys.stderr.write(f"extracted {done}/{total}\n")


if __name__ == "__main__":
    raise SystemExit(main())
