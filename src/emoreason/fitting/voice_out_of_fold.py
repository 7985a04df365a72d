"""A built conflict set whose voice readings come from models that never heard the speaker.

The shipped voice model was trained on EmoDB's dev speakers (11-16). A conflict set built from
their sound (the development set the consistency thresholds are fitted on) therefore sees the
voice *in-sample*: more accurate and more confident than on any new voice, so a fit trusts the
voice too much. This command copies a built set and rewrites the acoustic hypothesis of each
clip whose sound comes from a dev speaker with a fold model trained without that speaker (the
shipped recipe: same rows, C and temperature of each head as recorded in the shipped model's
metadata, the embedding space refitted on the fold's rows). Clips from other sources keep their
reading. Everything else in the cached evidence is kept; clips are linked, not copied::

    python -m emoreason.fitting.voice_out_of_fold --data ../shared/data/emodb \\
        --features-cache /tmp/emodb_features.json conflicts/dev conflicts/dev_oof
    emoreason fit-consistency --data conflicts/dev_oof --data conflicts/examples ...

The set must have been perceived first (``emoreason predict-verdicts --data conflicts/dev``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.fitting.voice import report_progress
from emoreason.fitting.voice_cv import fit_head
from emoreason.fitting.voice_data import VoiceRows, VoiceTrainingConfig, build_rows, with_embedding
from emoreason.perception.voice_model import EmbeddingSpace, LinearHead, VoiceModel


def fold_model(
    model: VoiceModel, rows: VoiceRows, speaker: str, augment: Sequence[str]
) -> VoiceModel:
    """The shipped recipe refitted on the dev rows of every speaker but ``speaker``."""
    scores = model.metadata["scores"]
    train = rows.dev & (rows.speakers != speaker) & np.isin(rows.conditions, ["", *augment])
    k = len(model.classes)

    def head(x: np.ndarray, block: str) -> LinearHead:
        fitted = fit_head(x[train], rows.y[train], k, float(scores[block]["c"]), 0)
        return LinearHead(fitted.mean, fitted.scale, fitted.weights, fitted.bias,
                          float(scores[block]["temperature"]))  # fmt: skip

    features = head(rows.x, "dev_cv")
    embedding_head = space = None
    if model.embedding_head is not None:
        embedding_head = head(with_embedding(rows), "embedding_dev_cv")
        space = EmbeddingSpace.fit(rows.emb[train])
    return VoiceModel(model.classes, model.feature_names, features, model.rms_quantiles,
                      {"fold_without": speaker}, None, embedding_head, space)  # fmt: skip


def rewrite_set(source: Path, target: Path, models: dict[str, VoiceModel]) -> dict[str, int]:
    """Copy the built set ``source`` to ``target`` with fold readings (module docstring)."""
    from emoreason.evaluation.conflicts import read_labels
    from emoreason.formats.atomic import write_text_atomic
    from emoreason.perception.hypotheses import acoustic_hypothesis
    from emoreason.schema.evidence import Evidence

    labels = read_labels(source / "labels.jsonl")
    target.mkdir(parents=True, exist_ok=True)
    (target / "evidence").mkdir(exist_ok=True)
    shutil.copy2(source / "labels.jsonl", target / "labels.jsonl")
    clips = target / "clips"
    if not clips.exists():
        clips.symlink_to((source / "clips").resolve(), target_is_directory=True)
    counts = {"rewritten": 0, "kept": 0}
    for row in labels:
        cached = source / "evidence" / f"{row['id']}.json"
        if not cached.is_file():
            raise FileNotFoundError(f"{cached}: not perceived yet (run predict-verdicts first)")
        payload = json.loads(cached.read_text(encoding="utf-8"))
        group = row.get("audio_group")
        if group in models:
            evidence = Evidence.model_validate(payload["evidence"])
            hypothesis = acoustic_hypothesis(evidence.modalities.get("acoustic"), models[group])
            payload["evidence"]["hypotheses"]["acoustic"] = hypothesis.model_dump(mode="json")
            counts["rewritten"] += 1
        else:
            counts["kept"] += 1
        write_text_atomic(target / "evidence" / f"{row['id']}.json", json.dumps(payload) + "\n")
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="built and perceived conflict set")
    parser.add_argument("target", type=Path, help="folder for the rewritten copy")
    parser.add_argument("--data", type=Path, required=True, help="EmoDB folder")
    parser.add_argument("--features-cache", type=Path, default=None, help="JSON feature cache")
    args = parser.parse_args(argv)
    from emoreason.perception.voice_model import default_voice_model

    model = default_voice_model()
    augment = tuple(model.metadata.get("config", {}).get("augment", ()))
    config = VoiceTrainingConfig(
        data=args.data, features_cache=args.features_cache, augment=augment
    )
    rows = build_rows(config, on_progress=report_progress)
    speakers = sorted(set(rows.speakers[rows.dev].tolist()))
    models: dict[str, Any] = {s: fold_model(model, rows, s, augment) for s in speakers}
    counts = rewrite_set(args.source, args.target, models)
    sys.stdout.write(json.dumps(counts) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
