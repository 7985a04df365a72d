"""The analysis result that wraps a SABER record with what a user needs beyond prose.

JSON contract (other tools rely on it): ``saber`` (six published keys), ``emotion`` (final
label), ``consistency`` with ``consistent`` (bool), ``modalities`` (label per modality:
``visual``, ``acoustic``, ``verbal``) and ``explanation``; ``evidence``, ``timings``,
``language``, ``backend``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from emoreason.schema.evidence import EmotionHypothesis, Evidence
from emoreason.schema.languages import Language
from emoreason.schema.model_input import ModelInput
from emoreason.schema.provenance import Provenance
from emoreason.schema.quality import AnswerQuality
from emoreason.schema.saber import SaberRecord

SCHEMA_VERSION = "1.0"


class ConsistencyVerdict(StrEnum):
    """CA-MER vocabulary. At inference the aligned side is the analyser's resolution."""

    CONSISTENT = "consistent"
    VIDEO_ALIGNED = "video-aligned"
    AUDIO_ALIGNED = "audio-aligned"
    AMBIGUOUS = "ambiguous"


class Consistency(BaseModel):
    """The verdict on whether face, voice and words agree, with the evidence it rests on.

    ``consistent`` is derived from ``verdict`` (``verdict == "consistent"``), so the two can
    never contradict each other. It is written to JSON for readers of the contract; an input
    that carries a ``consistent`` value contradicting its ``verdict`` is rejected.
    """

    model_config = ConfigDict(extra="forbid")

    verdict: ConsistencyVerdict
    modalities: dict[str, str | None] = Field(
        description="label per modality (visual, acoustic, verbal); None when unavailable or "
        "without evidence (a flat distribution is no evidence, not 'neutral')"
    )
    conflicts: list[tuple[str, str]] = Field(
        default_factory=list, description="pairs of modalities whose disagreement was decisive"
    )
    pattern: str | None = Field(default=None, description="e.g. 'sarcasm', 'masking'")
    resolution: str | None = Field(
        default=None, description="the label the resolution chose; None when nothing was read"
    )
    explanation: str = ""
    agreement: float = Field(default=1.0, ge=0.0, le=1.0)
    evidence_used: list[str] = Field(
        default_factory=list, description="modalities whose hypotheses the verdict used"
    )
    evidence_ignored: dict[str, str] = Field(
        default_factory=dict,
        description="modality -> why it was not used (unavailable, no evidence, unreliable)",
    )

    @model_validator(mode="before")
    @classmethod
    def _derived_consistent(cls, data: Any) -> Any:
        if isinstance(data, dict) and "consistent" in data:
            data = dict(data)
            claimed = data.pop("consistent")
            verdict = data.get("verdict")
            expected = str(getattr(verdict, "value", verdict)) == ConsistencyVerdict.CONSISTENT
            if claimed is not None and bool(claimed) != expected:
                raise ValueError(
                    f"consistent={claimed!r} contradicts verdict {str(verdict)!r} "
                    "(consistent is verdict == 'consistent')"
                )
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def consistent(self) -> bool:
        """True exactly when the verdict is ``consistent``."""
        return self.verdict == ConsistencyVerdict.CONSISTENT


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
    language: Language = "en"
    backend: str = "rules"
    model: str | None = None
    timings: dict[str, float] = Field(default_factory=dict)
    missing: list[str] = Field(default_factory=list, description="SABER dimensions not produced")
    quality: AnswerQuality | None = Field(
        default=None,
        description="the check of a model's answer (problems, score); None for the rules backend",
    )
    model_input: ModelInput | None = Field(
        default=None,
        description="what a model backend received: media streams, frames, audio seconds, tokens",
    )
    provenance: Provenance | None = Field(
        default=None,
        description="emoreason version, model digests, perception and consistency settings",
    )


class ErrorRow(BaseModel):
    """What a batch writes for a clip that failed; the batch goes on."""

    model_config = ConfigDict(extra="forbid")

    schema_version: str = SCHEMA_VERSION
    status: Literal["error"] = "error"
    id: str
    source: str
    error: str
    error_type: str = "EmoreasonError"
