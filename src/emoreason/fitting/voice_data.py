"""The voice model's training data: EmoDB clips and their degraded copies as feature rows.

One training run's inputs (:class:`VoiceTrainingConfig`), the acoustic evidence of each clean
clip and each degraded copy on the product path (decode -> condition -> acoustic extractor),
cached in a JSON file by clip id + condition (a copy made under an older recipe of its
condition is re-extracted), and the rows a run trains and scores on (:func:`build_rows`).
Used by :mod:`emoreason.fitting.voice` and :mod:`emoreason.fitting.voice_robustness`.
"""

from __future__ import annotations

import json
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
)
from emoreason.perception.voice_embedding import EMBEDDING_DIM, EXTRA_KEY
from emoreason.perception.voice_features import voice_feature_names
from emoreason.perception.voice_model import LinearHead, VoiceModel

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
    embedding: bool = field(
        default=True,
        metadata={"help": "also fit the head over voice features + the speech embedding"},
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


Row = dict[str, float | None]


def cache_key(clip_id: str, condition: str | None) -> str:
    """Features-cache key: the clip id for the clean clip, ``<id>|<condition>`` for a copy."""
    return clip_id if condition is None else f"{clip_id}|{condition}"


def condition_recipe(condition: Condition) -> str:
    """What a cached copy was made with (degradation, parameters, ranges, seed base), as JSON."""
    return json.dumps([condition.degradation, condition.params, condition.ranges,
                       condition.seed_base], sort_keys=True)  # fmt: skip


def conditioned_signal(
    media: str | Path, condition: Condition | None, clip_id: str, extractor: Any
):
    """The product path's input of one clip or degraded copy: decode at the perception sample
    rate and apply ``condition`` (seeded by ``clip_id``; None = the clean clip)."""
    from emoreason.perception.base import ClipSignal
    from emoreason.perception.decode import AudioTrack, decode_audio, probe

    sr = extractor.config.sample_rate
    audio = decode_audio(media, sr)
    if audio is None:
        raise FileNotFoundError(f"{media}: no audio stream")
    if condition is not None:
        audio = AudioTrack(samples=condition.apply(audio.samples, sr, clip_id), sample_rate=sr)
    return ClipSignal(facts=probe(media), audio=audio)


def extract_degraded(media: str | Path, condition: Condition, clip_id: str, extractor: Any):
    """Acoustic evidence of one degraded copy, on the product path (:func:`conditioned_signal`
    then the acoustic extractor)."""
    return extractor.process_signal(conditioned_signal(media, condition, clip_id, extractor))


def _embedding_only(sample: Any, condition: str | None, extractor: Any) -> list[float] | None:
    """The speech embedding of a clip whose features are cached from before embeddings."""
    from emoreason.perception.voice_embedding import embedding_extra

    signal = conditioned_signal(sample.media, CONDITIONS[condition] if condition else None,
                                sample.id, extractor)  # fmt: skip
    audio = signal.audio
    return embedding_extra(extractor.embedding(audio.samples, audio.sample_rate)).get(EXTRA_KEY)


def clip_features(
    data: Path,
    samples: Sequence[Any],
    conditions: Sequence[str | None],
    features_cache: Path | None,
    on_progress: Any = None,
) -> dict[str, Row]:
    """Cached acoustic features of ``samples`` under each condition (None = the clean clip).

    Keys are :func:`cache_key`; each row is the evidence features plus ``voice_embedding`` (the
    speech embedding, a list; a row cached without one gets it added). The cache file also
    records each condition's recipe; copies
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
    todo = [(s, c) for c in conditions for s in samples
            if EXTRA_KEY not in cache.get(cache_key(s.id, c), {})]  # fmt: skip

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
            key = cache_key(sample.id, condition)
            if key in cache:
                cache[key][EXTRA_KEY] = _embedding_only(sample, condition, extractor)
            else:
                if condition is None:
                    evidence = extractor.process_file(sample.media)
                else:
                    evidence = extract_degraded(
                        sample.media, CONDITIONS[condition], sample.id, extractor
                    )
                if evidence.available:
                    embedding = evidence.extra.get(EXTRA_KEY)
                    cache[key] = dict(evidence.features) | {EXTRA_KEY: embedding}
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


@dataclass
class VoiceRows:
    """Feature rows of a training run: every clean clip, then each dev clip's degraded copies.

    ``x`` (n, d) model features; ``emb`` (n, 512) speech embeddings (NaN rows where none);
    ``y`` class indices; ``speakers``; ``conditions`` (``""`` for
    a clean clip, else the condition name); ``ids`` clip ids; ``dev``/``test`` split masks."""

    x: np.ndarray
    emb: np.ndarray
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


def with_embedding(rows: VoiceRows) -> np.ndarray:
    """(n, d + 512): the inputs of the embedding head (voice features, then the embedding)."""
    return np.hstack([rows.x, rows.emb])


def embedding_matrix(rows: Sequence[Row]) -> np.ndarray:
    """(n, 512) speech embeddings of cached rows; a row without one is NaN (the mean, in a head)."""
    out = np.full((len(rows), EMBEDDING_DIM), np.nan)
    for i, row in enumerate(rows):
        value = row.get(EXTRA_KEY)
        if isinstance(value, list) and len(value) == EMBEDDING_DIM:
            out[i] = value
    return out


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
    rows = [cache[cache_key(s.id, c or None)] for s, c in entries]
    return VoiceRows(
        x=feature_matrix(rows),
        emb=embedding_matrix(rows),
        y=np.array([classes.index(s.label) for s, _ in entries]),
        speakers=speakers,
        conditions=np.array([c for _, c in entries], dtype=object),
        ids=np.array([s.id for s, _ in entries]),
        dev=np.isin(speakers, DEV_SPEAKERS),
        test=np.isin(speakers, TEST_SPEAKERS),
        n_clips=sum(1 for _, c in entries if c == ""),
    )


def _identity_head(d: int, k: int) -> LinearHead:
    return LinearHead(np.zeros(d), np.ones(d), np.zeros((k, d)), np.zeros(k), 1.0)
