"""What a *meaningful* record is, beyond its shape: the rules ``emoreason validate`` applies.

The pydantic models say which keys exist and their types; these checks say which values make
sense, and list every violation (not only the first) as ``(field, message)``:

- every number anywhere in the row is finite (JSON readers accept ``NaN`` and ``Infinity``);
- labels come from :data:`~emoreason.schema.labels.EMOTIONS` (an item's ``label``, a result's
  ``emotion``, ``emotions``, ``emotion_scores`` keys, the consistency labels);
- modality names come from :data:`HYPOTHESIS_MODALITIES` / :data:`EVIDENCE_MODALITIES`, and a
  keyed entry names the same modality as its key;
- scores and confidences lie in [0, 1], timings and durations are >= 0;
- ``id`` and every SABER dimension are non-empty text (a result may leave a dimension empty
  only when it lists it in ``missing``).

The models themselves stay lenient where our own code builds partial objects (a model's
reply parsed into a record with empty dimensions is a valid *object*, not a valid *record*).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from emoreason.schema.evidence import EVIDENCE_MODALITIES, HYPOTHESIS_MODALITIES, Evidence
from emoreason.schema.labels import EMOTIONS
from emoreason.schema.result import AnalysisResult, ErrorRow
from emoreason.schema.saber import SABER_DIMENSIONS, SaberItem, SaberRecord

Problem = tuple[str, str]  # (dotted field, what is wrong)


def record_problems(row: BaseModel) -> list[Problem]:
    """Every rule of the module docstring that ``row`` breaks (empty when it is meaningful)."""
    problems: list[Problem] = []
    if isinstance(row, SaberItem):
        problems += _text("id", row.id)
        if row.label is not None:
            problems += _label("label", row.label)
        problems += _record(row.saber, "saber.", allowed_empty=())
    elif isinstance(row, SaberRecord):
        problems += _record(row, "", allowed_empty=())
    elif isinstance(row, AnalysisResult):  # the only row kind that holds numbers
        problems += list(_non_finite(row.model_dump(mode="python"), "")) + _result(row)
    elif isinstance(row, ErrorRow):
        problems += _text("id", row.id) + _text("error", row.error)
    return problems


def _non_finite(value: Any, where: str) -> Iterator[Problem]:
    if isinstance(value, float) and not math.isfinite(value):
        yield where or "value", f"must be a finite number (got {value})"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _non_finite(item, f"{where}[{index}]")


def _text(field: str, value: str | None) -> list[Problem]:
    return [] if value and value.strip() else [(field, "must be non-empty text")]


def _label(field: str, value: str | None, *, optional: bool = False) -> list[Problem]:
    if value is None and optional:
        return []
    if value in EMOTIONS:
        return []
    return [(field, f"{value!r} is not an emotion label; expected one of {', '.join(EMOTIONS)}")]


def _modality(field: str, name: str, allowed: tuple[str, ...]) -> list[Problem]:
    if name in allowed:
        return []
    return [(field, f"{name!r} is not a modality; expected one of {', '.join(allowed)}")]


def _unit(field: str, value: float) -> list[Problem]:
    return [] if 0.0 <= value <= 1.0 else [(field, f"must lie in [0, 1] (got {value})")]


def _record(record: SaberRecord, prefix: str, allowed_empty: tuple[str, ...]) -> list[Problem]:
    audio = record.audio_desc
    texts = (record.video_desc, audio.speech_content, audio.acoustic_feat,
             record.facial_exp_desc, record.body_lang_desc, record.sentiment_analysis)  # fmt: skip
    return [
        (prefix + name, "must be non-empty text (a SABER dimension)")
        for name, text in zip(SABER_DIMENSIONS, texts, strict=True)
        if not text.strip() and name not in allowed_empty
    ]


def _result(row: AnalysisResult) -> list[Problem]:
    problems = _text("id", row.id) + _label("emotion", row.emotion)
    unknown_missing = [m for m in row.missing if m not in SABER_DIMENSIONS]
    if unknown_missing:
        problems.append(("missing", f"unknown SABER dimension(s) {unknown_missing}"))
    problems += _record(row.saber, "saber.", allowed_empty=tuple(row.missing))
    for index, label in enumerate(row.emotions):
        problems += _label(f"emotions[{index}]", label)
    for label, score in row.emotion_scores.items():
        problems += _label(f"emotion_scores.{label}", label) + _unit(
            f"emotion_scores.{label}", score
        )
    for name, hypothesis in row.hypotheses.items():
        problems += _modality(f"hypotheses.{name}", name, HYPOTHESIS_MODALITIES)
        if hypothesis.modality != name:
            problems.append((f"hypotheses.{name}.modality", f"names {hypothesis.modality!r}"))
    consistency = row.consistency
    for name, label in consistency.modalities.items():
        field = f"consistency.modalities.{name}"
        problems += _modality(field, name, HYPOTHESIS_MODALITIES)
        problems += _label(field, label, optional=True)
    problems += _label("consistency.resolution", consistency.resolution, optional=True)
    for name, seconds in row.timings.items():
        if seconds < 0:
            problems.append((f"timings.{name}", f"must be >= 0 seconds (got {seconds})"))
    if row.evidence is not None:
        problems += _evidence(row.evidence)
    return problems


def _evidence(evidence: Evidence) -> list[Problem]:
    problems: list[Problem] = []
    for name, modality in evidence.modalities.items():
        field = f"evidence.modalities.{name}"
        problems += _modality(field, name, EVIDENCE_MODALITIES)
        if modality.modality != name:
            problems.append((f"{field}.modality", f"names {modality.modality!r}"))
    for name, hypothesis in evidence.hypotheses.items():
        problems += _modality(f"evidence.hypotheses.{name}", name, HYPOTHESIS_MODALITIES)
        if hypothesis.modality != name:
            problems.append(
                (f"evidence.hypotheses.{name}.modality", f"names {hypothesis.modality!r}")
            )
    for name, seconds in evidence.timings.items():
        if seconds < 0:
            problems.append((f"evidence.timings.{name}", f"must be >= 0 seconds (got {seconds})"))
    return problems
