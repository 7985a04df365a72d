"""Language-neutral facts the rule backend writes about, all taken from the Evidence.

Every sentence the EN/ZH writers produce is built from one of these facts, so each claim can
be traced back to a cue (its name, description and time span), a modality status, the
transcript or a hypothesis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from emoreason.reasoning.consistency import ConsistencyConfig, analyze_consistency, fuse
from emoreason.schema.evidence import (
    HYPOTHESIS_MODALITIES,
    ClipInfo,
    Cue,
    EmotionHypothesis,
    Evidence,
    ModalityEvidence,
)
from emoreason.schema.labels import EMOTIONS
from emoreason.schema.languages import Language
from emoreason.schema.phrases import Phrase, phrase, render, render_all
from emoreason.schema.result import Consistency


@dataclass
class ModalityFacts:
    """What one evidence modality contributes: availability, status, chosen cues, its peak."""

    name: str
    available: bool
    status: str  # in English, as stored
    cues: list[Cue] = field(default_factory=list)
    peak: tuple[float, str, float] | None = None  # (time s, label, score) of the strongest point
    features: dict[str, float | None] = field(default_factory=dict)
    status_phrases: list[Phrase] = field(default_factory=list)

    def status_text(self, lang: Language) -> str:
        """The status in ``lang`` (see :meth:`ModalityEvidence.status_text`)."""
        return render_all(self.status_phrases, lang, self.status)


@dataclass
class ClipFacts:
    clip: ClipInfo
    modalities: dict[str, ModalityFacts]
    transcript: str  # "" when nothing was said, or when the words are unreliable
    transcript_language: str | None
    speech_detected: bool
    transcript_issues: list[str]  # non-empty: speech heard, but the words are not quotable
    hypotheses: dict[str, EmotionHypothesis]
    consistency: Consistency
    emotion: str
    emotion_scores: dict[str, float]
    secondary: list[str]

    def modality(self, name: str) -> ModalityFacts:
        return self.modalities[name]


#: Cues always cited when present: they change how the rest must be read.
ALWAYS_CITE: tuple[str, ...] = ("irony", "sarcasm", "asr_uncertain")
#: Which hypothesis' ``based_on`` list ranks each evidence modality's cues.
RANKED_BY: dict[str, str] = {
    "face": "visual",
    "body": "visual",
    "acoustic": "acoustic",
    "verbal": "verbal",
}


def _select_cues(
    ev: ModalityEvidence, limit: int, min_confidence: float, preferred: list[str]
) -> list[Cue]:
    """Cues to cite: the ones the hypothesis rests on first (in its order), then the most
    confident; at most ``limit``, plus any :data:`ALWAYS_CITE` cue."""
    rank = {name: i for i, name in reversed(list(enumerate(preferred)))}
    eligible = [c for c in ev.cues if c.confidence >= min_confidence]
    ranked = sorted(
        eligible,
        key=lambda c: (
            rank.get(c.name, len(rank)),
            -c.confidence,
            c.start if c.start is not None else 1e9,
        ),
    )
    chosen = ranked[:limit]
    chosen += [c for c in ranked[limit:] if c.name in ALWAYS_CITE]
    return chosen


def _peak(ev: ModalityEvidence) -> tuple[float, str, float] | None:
    """The strongest non-neutral score on the modality's timeline."""
    best: tuple[float, str, float] | None = None
    for point in ev.timeline:
        for label, score in point.scores.items():
            if label == "neutral" or label not in EMOTIONS:
                continue
            if best is None or score > best[2]:
                best = (point.time, label, float(score))
    return best


def collect_facts(
    evidence: Evidence,
    *,
    lang: str,
    max_cues: int,
    min_cue_confidence: float,
    secondary_min: float,
    consistency_config: ConsistencyConfig,
) -> ClipFacts:
    modalities: dict[str, ModalityFacts] = {}
    hypotheses = {m: evidence.hypothesis(m) for m in HYPOTHESIS_MODALITIES}
    for name in ("scene", "face", "body", "acoustic", "speech", "verbal"):
        ev = evidence.modality(name)
        if ev is None:
            not_analysed = phrase("modality.not_analysed", name=name)
            modalities[name] = ModalityFacts(
                name, False, render(not_analysed, "en"), status_phrases=[not_analysed]
            )
            continue
        preferred = hypotheses[RANKED_BY[name]].based_on if name in RANKED_BY else []
        modalities[name] = ModalityFacts(
            name=name,
            available=ev.available,
            status=ev.status,
            status_phrases=list(ev.status_phrases),
            cues=_select_cues(ev, max_cues, min_cue_confidence, preferred) if ev.available else [],
            peak=_peak(ev) if ev.available else None,
            features=dict(ev.features),
        )
    consistency = analyze_consistency(hypotheses, lang=lang, config=consistency_config)  # type: ignore[arg-type]
    fused, _ = fuse(hypotheses, HYPOTHESIS_MODALITIES, consistency_config)
    emotion = consistency.resolution or max(fused, key=lambda e: fused[e])
    secondary = [
        e
        for e in sorted(EMOTIONS, key=lambda e: -fused[e])
        if e != emotion and e != "neutral" and fused[e] >= secondary_min
    ]
    heard = evidence.transcript.text.strip() if evidence.transcript else ""
    issues = [] if not heard or evidence.transcript.reliable else list(evidence.transcript.issues)
    transcript = "" if issues else heard
    return ClipFacts(
        clip=evidence.clip,
        modalities=modalities,
        transcript=transcript,
        transcript_language=evidence.transcript.language if evidence.transcript else None,
        speech_detected=bool(heard),
        transcript_issues=issues,
        hypotheses=hypotheses,
        consistency=consistency,
        emotion=emotion,
        emotion_scores={e: round(fused[e], 4) for e in EMOTIONS},
        secondary=secondary,
    )
