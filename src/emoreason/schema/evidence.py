"""Typed, timestamped perception evidence: what the perception stage hands to reasoning.

Shape of the data (all times in seconds from the start of the clip):

- :class:`ClipInfo` - container facts (duration, size, streams, frames sampled).
- :class:`ModalityEvidence` per modality (``face``, ``body``, ``scene``, ``acoustic``,
  ``speech``, ``verbal``): whether it was available, a plain-language ``status`` statement
  ("no face detected in 0/42 sampled frames"), numeric ``features`` with declared names, a list
  of :class:`Cue` (each with a description, a time span and a confidence) and an optional
  per-time ``timeline`` of emotion scores. Cues and statuses keep their wording as a
  :class:`~emoreason.schema.phrases.Phrase` too, so they can be written in every language
  (``cue.text("zh")``, ``evidence.status_text("zh")``); the stored English text is the
  phrase's English rendering.
- :class:`Transcript` - speech recognition output with word timestamps.
- :class:`EmotionHypothesis` per reasoning modality (``visual``, ``acoustic``, ``verbal``): a
  distribution over :data:`~emoreason.schema.labels.EMOTIONS` with a confidence and the cue
  names it rests on.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from emoreason.schema.labels import EMOTIONS
from emoreason.schema.languages import Language
from emoreason.schema.phrases import (
    Phrase,
    phrase,
    render,
    render_all,
    render_clauses,
    render_or_none,
    verbatim,
)
from emoreason.schema.provenance import Provenance

#: Evidence modalities produced by perception extractors.
EVIDENCE_MODALITIES: tuple[str, ...] = ("face", "body", "scene", "acoustic", "speech", "verbal")
#: Hypothesis modalities used by consistency analysis (CA-MER: visual vs acoustic+verbal).
HYPOTHESIS_MODALITIES: tuple[str, ...] = ("visual", "acoustic", "verbal")

HypothesisModality = Literal["visual", "acoustic", "verbal"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Cue(_Model):
    """One observed, explainable cue, e.g. ``lip_corner_pull`` 0.62 at 1.2-3.4 s.

    Give it a ``phrase`` (its wording as data) and the English ``description`` is written from
    it; a cue with only a description (older records, hand-made evidence) is shown as stored.
    """

    name: str = Field(description="machine name, e.g. 'pitch_rise' or 'lip_corner_puller'")
    description: str = Field(
        default="",
        description="plain-language statement, e.g. 'pitch rises at 2.1 s' (from the phrase)",
    )
    phrase: Phrase | None = Field(
        default=None, description="the statement as data, written per language by text()"
    )
    value: float | str | None = None
    unit: str | None = None
    start: float | None = Field(default=None, ge=0)
    end: float | None = Field(default=None, ge=0)
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)

    @field_validator("value")
    @classmethod
    def _finite(cls, v: float | str | None) -> float | str | None:
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError("cue value must be finite (use None when unknown)")
        return v

    @model_validator(mode="after")
    def _ordered(self) -> Cue:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"cue end {self.end} is before start {self.start}")
        if not self.description:
            if self.phrase is None:
                raise ValueError(f"cue {self.name!r} needs a description or a phrase")
            self.description = render(self.phrase, "en")
        return self

    def text(self, lang: Language) -> str:
        """The cue's statement in ``lang`` (the stored description, quoted, when its phrase
        cannot be written in this version or it has none)."""
        written = render_or_none(self.phrase, lang) if self.phrase else None
        return written if written is not None else verbatim(self.description, lang)


class TimelinePoint(_Model):
    """Emotion scores of one modality around one instant (for the report's timeline)."""

    time: float = Field(ge=0)
    scores: dict[str, float]


class ModalityEvidence(_Model):
    """Everything one extractor observed in one modality."""

    modality: str
    available: bool = Field(description="False when the modality is absent (no audio, no face)")
    status: str = Field(
        default="", description="plain-language availability statement (from status_phrases)"
    )
    status_phrases: list[Phrase] = Field(
        default_factory=list, description="the status as data: its clauses, written per language"
    )
    features: dict[str, float | None] = Field(default_factory=dict)
    cues: list[Cue] = Field(default_factory=list)
    timeline: list[TimelinePoint] = Field(default_factory=list)
    frames_analyzed: int | None = None
    seconds: float = Field(default=0.0, ge=0, description="extraction time")
    extra: dict[str, object] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _stated(self) -> ModalityEvidence:
        if not self.status:
            if not self.status_phrases:
                raise ValueError(f"{self.modality} evidence needs a status or status_phrases")
            self.status = render_clauses(self.status_phrases, "en")
        return self

    def status_text(self, lang: Language) -> str:
        """The status in ``lang`` (the stored status, quoted, when it has no phrases)."""
        return render_all(self.status_phrases, lang, self.status)


class Word(_Model):
    word: str
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    probability: float = Field(default=1.0, ge=0.0, le=1.0)


class Transcript(_Model):
    text: str
    language: str | None = None
    language_probability: float | None = None
    words: list[Word] = Field(default_factory=list)
    events: list[Cue] = Field(default_factory=list, description="non-speech events, pauses")
    reliable: bool = Field(
        default=True,
        description="False when the recogniser's own scores say the words are doubtful "
        "(emoreason.perception.transcript_quality): they are then neither quoted nor used",
    )
    issues: list[str] = Field(
        default_factory=list, description="why the transcript is unreliable (empty if reliable)"
    )


class ClipInfo(_Model):
    path: str
    duration: float = Field(ge=0)
    has_video: bool
    has_audio: bool
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    frames_sampled: int = 0
    sample_rate: int | None = None
    variable_frame_rate: bool = False
    rotation: int = Field(default=0, description="display rotation applied to the frames (deg)")
    decoded_duration: float | None = Field(
        default=None, ge=0, description="seconds actually decoded (None: not measured)"
    )
    coverage: float = Field(
        default=1.0, ge=0.0, le=1.0,
        description="decoded / declared duration; below 1 for a cut or damaged file, and every "
        "hypothesis confidence is multiplied by it (emoreason.perception.runner.COMPLETE_COVERAGE)",
    )  # fmt: skip

    @property
    def incomplete(self) -> bool:
        """True when part of the declared duration could not be decoded."""
        return self.coverage < 1.0


class EmotionHypothesis(_Model):
    """A modality's emotion guess: a distribution over EMOTIONS plus its confidence."""

    modality: str
    available: bool = True
    distribution: dict[str, float]
    confidence: float = Field(ge=0.0, le=1.0)
    based_on: list[str] = Field(default_factory=list, description="cue names it rests on")

    @field_validator("distribution")
    @classmethod
    def _valid_distribution(cls, d: dict[str, float]) -> dict[str, float]:
        unknown = set(d) - set(EMOTIONS)
        if unknown:
            raise ValueError(f"unknown labels {sorted(unknown)}; expected {list(EMOTIONS)}")
        full = {e: float(d.get(e, 0.0)) for e in EMOTIONS}
        if any(v < 0 or not math.isfinite(v) for v in full.values()):
            raise ValueError("distribution values must be finite and >= 0")
        total = sum(full.values())
        if not 0.99 <= total <= 1.01:
            raise ValueError(f"distribution must sum to 1 (got {total:.4f})")
        return full

    @property
    def label(self) -> str:
        """The most probable label."""
        return max(self.distribution, key=lambda e: self.distribution[e])

    @classmethod
    def unavailable(cls, modality: str) -> EmotionHypothesis:
        """A uniform, zero-confidence hypothesis for a modality that was not observed."""
        return cls(
            modality=modality,
            available=False,
            distribution={e: 1.0 / len(EMOTIONS) for e in EMOTIONS},
            confidence=0.0,
        )


class Evidence(_Model):
    """The full perception output for one clip."""

    clip: ClipInfo
    modalities: dict[str, ModalityEvidence] = Field(default_factory=dict)
    transcript: Transcript | None = None
    hypotheses: dict[str, EmotionHypothesis] = Field(default_factory=dict)
    timings: dict[str, float] = Field(default_factory=dict)
    provenance: Provenance | None = Field(
        default=None, description="version, model digests and perception settings"
    )

    def modality(self, name: str) -> ModalityEvidence | None:
        return self.modalities.get(name)

    def hypothesis(self, name: str) -> EmotionHypothesis:
        """The hypothesis for ``name``; an 'unavailable' one when perception produced none."""
        return self.hypotheses.get(name) or EmotionHypothesis.unavailable(name)


#: Which evidence and hypothesis modalities each side of a CA-MER conflict owns.
SIDES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "visual": (("face", "body", "scene"), ("visual",)),
    "audio": (("acoustic", "speech", "verbal"), ("acoustic", "verbal")),
}


def restrict_evidence(evidence: Evidence, keep: str) -> Evidence:
    """A copy of ``evidence`` that only sees one side (``'visual'`` or ``'audio'``).

    The other side's modalities are marked unavailable ("removed by ablation"), its hypotheses
    become uniform with confidence 0 and, for ``keep='visual'``, the transcript is dropped. Used
    for unimodal-dominant (rejected) responses in CA-DPO pairs and for ablation studies.
    """
    if keep not in SIDES:
        raise ValueError(f"unknown side {keep!r}; expected one of {sorted(SIDES)}")
    kept_modalities, kept_hypotheses = SIDES[keep]
    modalities = {}
    for name, ev in evidence.modalities.items():
        if name in kept_modalities:
            modalities[name] = ev
        else:
            modalities[name] = ModalityEvidence(
                modality=name,
                available=False,
                status_phrases=[phrase("modality.ablated", name=name, keep=keep)],
            )
    hypotheses = {
        name: (h if name in kept_hypotheses else EmotionHypothesis.unavailable(name))
        for name, h in evidence.hypotheses.items()
    }
    return evidence.model_copy(
        update={
            "modalities": modalities,
            "hypotheses": hypotheses,
            "transcript": evidence.transcript if keep == "audio" else None,
        }
    )
