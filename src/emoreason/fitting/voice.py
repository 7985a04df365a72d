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
7. The embedding head (``--no-embedding``: skipped): steps 3-5 over the voice features plus the
   clip's Whisper-encoder speech embedding (:mod:`~emoreason.perception.voice_embedding`), same
   rows, folds, C grid and calibration. The product reads a clip with this head whenever the
   clip has an embedding, and with the features-only head otherwise (e.g. timeline windows).
   The embedding space (mean, top 20 principal axes and the 99th percentile of the distance
   from them, over the training rows' embeddings) sets how far the embedding head is trusted
   for a clip (:class:`~emoreason.perception.voice_model.EmbeddingSpace`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.fitting.voice_augment import DEFAULT_AUGMENT, TRAIN_CONDITIONS, parse_conditions
from emoreason.fitting.voice_cv import fit_variant, score_head, score_probabilities
from emoreason.fitting.voice_data import C_GRID, VoiceTrainingConfig, build_rows, with_embedding
from emoreason.perception.voice_features import voice_feature_names
from emoreason.perception.voice_model import (
    CLASS_TO_PRODUCT,
    Z_CLIP,
    EmbeddingSpace,
    VoiceModel,
    speaker_normalise,
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
    embedding_head = space = None
    if config.embedding:
        space = EmbeddingSpace.fit(data.emb[train_rows])
        xe = with_embedding(data)
        embedding_head, embedding_dev = fit_variant(
            xe[train_rows], y[train_rows], speakers[train_rows], classes, config,
            conditions[train_rows],
        )  # fmt: skip
    z = head.standardise(x[train_rows])
    rms = np.sqrt((z**2).mean(axis=1))
    scores: dict[str, Any] = {"dev_cv": dev_scores, "speaker_normalised_dev_cv": speaker_dev}
    if embedding_head is not None:
        scores["embedding_dev_cv"] = embedding_dev
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
        "embedding": "embedding head: the voice features, then the 512-d mean Whisper-base "
        "encoder output (emoreason.perception.voice_embedding, 10 s windows); used whenever a "
        "clip has an embedding, mixed with the features head by the embedding space's weight"
        if embedding_head is not None
        else None,
        "normalisation": f"z-score with training mean/std, NaN -> mean, clipped to ±{Z_CLIP}; "
        "speaker head: per-speaker z-score first",
        "model": "multinomial logistic regression, balanced class weights, L2 C by "
        "leave-one-speaker-out CV; temperature on out-of-fold logits",
        "seed": config.seed,
        "config": {
            "c_grid": list(config.c_grid),
            "data_folder": config.data.name,
            "augment": list(config.augment),
            "embedding": config.embedding,
        },
        "scores": _rounded(scores),
    }
    model = VoiceModel(
        classes, names, head, np.percentile(rms, [50, 95, 99]), metadata, speaker_head,
        embedding_head, space,
    )  # fmt: skip
    if embedding_head is not None and test.any():
        # the product path: the embedding head mixed with the features head by the space's weight
        probs, weights = model.probabilities(x[test], data.emb[test])
        scores["embedding_test"] = score_probabilities(probs, y[test], classes)
        scores["embedding_test"]["mean_embedding_weight"] = float(weights.mean())
        metadata["scores"] = _rounded(scores)
    return model, metadata


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
    parser.add_argument(
        "--no-embedding", action="store_true",
        help="features-only model (no head over the Whisper speech embedding)",
    )  # fmt: skip
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
        embedding=not args.no_embedding,
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
