"""Typed data models: the SABER record, perception evidence and the analysis result."""

from emoreason.schema.evidence import (
    EVIDENCE_MODALITIES,
    HYPOTHESIS_MODALITIES,
    SIDES,
    ClipInfo,
    Cue,
    EmotionHypothesis,
    Evidence,
    ModalityEvidence,
    TimelinePoint,
    Transcript,
    Word,
    restrict_evidence,
)
from emoreason.schema.labels import EMOTION_ZH, EMOTIONS, VALENCE, Emotion, normalize_distribution
from emoreason.schema.languages import LANGUAGES, Language
from emoreason.schema.model_input import ModelInput
from emoreason.schema.provenance import Provenance
from emoreason.schema.quality import PROBLEM_KINDS, AnswerProblem, AnswerQuality
from emoreason.schema.result import (
    SCHEMA_VERSION,
    AnalysisResult,
    Consistency,
    ConsistencyVerdict,
    ErrorRow,
)
from emoreason.schema.saber import SABER_DIMENSIONS, AudioDesc, SaberItem, SaberRecord

__all__ = [
    "EMOTIONS",
    "EMOTION_ZH",
    "EVIDENCE_MODALITIES",
    "HYPOTHESIS_MODALITIES",
    "LANGUAGES",
    "PROBLEM_KINDS",
    "SABER_DIMENSIONS",
    "SCHEMA_VERSION",
    "SIDES",
    "VALENCE",
    "AnalysisResult",
    "AnswerProblem",
    "AnswerQuality",
    "AudioDesc",
    "ClipInfo",
    "Consistency",
    "ConsistencyVerdict",
    "Cue",
    "Emotion",
    "EmotionHypothesis",
    "ErrorRow",
    "Evidence",
    "Language",
    "ModalityEvidence",
    "ModelInput",
    "Provenance",
    "SaberItem",
    "SaberRecord",
    "TimelinePoint",
    "Transcript",
    "Word",
    "normalize_distribution",
    "restrict_evidence",
]
