"""The analysis result that wraps a SABER record with what a user needs beyond prose.

JSON contract (other tools rely on it): ``saber`` (six published keys), ``emotion`` (final
label), ``consistency`` with ``consistent`` (bool), ``modalities`` (label per modality:
``visual``, ``acoustic``, ``verbal``) and ``explanation``; ``evidence``, ``timings``,
``language``, ``backend``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from emoreason.schema.evidence import EmotionHypothesis, Evidence
from emoreason.schema.saber import SaberRecord

SCHEMA_VERSION = "1.0"


class ConsistencyVerdict(StrEnum):
    """CA-MER vocabulary. At inference the aligned side is the analyser's resolution."""

    CONSISTENT = "consistent"
    VIDEO_ALIGNED = "video-aligned"
    AUDIO_ALIGNED = "audio-aligned"
    AMBIGUOUS = "ambiguous"


class Consistency(BaseModel):
    model_config = ConfigDict(extra="forbid")

    consistent: bool
    verdict: ConsistencyVerdict
    modalities: dict[str, str | None] = Field(
        description="label per modality (visual, acoustic, verbal); None when unavailable"
    )
    conflicts: list[tuple[str, str]] = Field(
        default_factory=list, description="pairs of modalities that disagree"
    )
    pattern: str | None = Field(default=None, description="e.g. 'sarcasm', 'masking'")
    resolution: str | None = Field(default=None, description="the label the resolution chose")
    explanation: str = ""
    agreement: float = Field(default=1.0, ge=0.0, le=1.0)


class AnalysisResult(BaseModel):
    """One clip's full analysis."""

    model_config = ConfigDict(extra="forbid")

    schema_version: str = SCHEMA_VERSION
    status: Literal["ok"] = "ok"
    id: str
    source: str
    saber: SaberRecord
    emotion: str
    emotions: list[str] = Field(default_factory=list, description="secondary labels, if any")
    emotion_scores: dict[str, float] = Field(default_factory=dict)
    hypotheses: dict[str, EmotionHypothesis] = Field(default_factory=dict)
    consistency: Consistency
    explanation: str = ""
    evidence: Evidence | None = None
    language: Literal["en", "zh"] = "en"
    backend: str = "rules"
    model: str | None = None
    timings: dict[str, float] = Field(default_factory=dict)
    missing: list[str] = Field(default_factory=list, description="SABER dimensions not produced")


class ErrorRow(BaseModel):
    """What a batch writes for a clip that failed; the batch goes on."""

    model_config = ConfigDict(extra="forbid")

    schema_version: str = SCHEMA_VERSION
    status: Literal["error"] = "error"
    id: str
    source: str
    error: str
    error_type: str = "EmoreasonError"
