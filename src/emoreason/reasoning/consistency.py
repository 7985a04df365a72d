"""Consistency analysis over per-modality emotion hypotheses (CA-MER vocabulary).

At inference nobody knows which side is true, so :func:`analyze_consistency` reports the
verdict, the conflicting pairs, a named pattern and a resolution with its explanation. Deciding
and explaining are separate: :func:`~emoreason.reasoning.consistency_rules.decide` is the pure
rule (documented there) and :func:`~emoreason.reasoning.consistency_text.explain` writes the
EN/ZH text from its decision; thresholds are :class:`ConsistencyConfig` fields.
"""

from __future__ import annotations

from collections.abc import Mapping

from emoreason.reasoning.consistency_config import ConsistencyConfig
from emoreason.reasoning.consistency_rules import (
    AUDIO_SIDE,
    HOSTILE,
    ConsistencyDecision,
    EvidenceStatus,
    decide,
    fuse,
)
from emoreason.reasoning.consistency_text import Language, emotion_name, explain
from emoreason.schema.evidence import HYPOTHESIS_MODALITIES, EmotionHypothesis
from emoreason.schema.labels import EMOTIONS
from emoreason.schema.result import Consistency

__all__ = [
    "AUDIO_SIDE",
    "HOSTILE",
    "ConsistencyConfig",
    "ConsistencyDecision",
    "analyze_consistency",
    "consistency_from_decision",
    "decide",
    "emotion_name",
    "explain",
    "fuse",
]

_IGNORED_WHY = {
    EvidenceStatus.UNAVAILABLE: "unavailable",
    EvidenceStatus.NO_EVIDENCE: "no evidence",
}


def _bhattacharyya(p: Mapping[str, float], q: Mapping[str, float]) -> float:
    return min(1.0, sum((p[e] * q[e]) ** 0.5 for e in EMOTIONS))


def consistency_from_decision(
    decision: ConsistencyDecision,
    hypotheses: Mapping[str, EmotionHypothesis],
    lang: Language = "en",
) -> Consistency:
    """The JSON-contract :class:`Consistency` of a decision (explanation in ``lang``)."""
    used = decision.used
    pair_scores = [
        _bhattacharyya(hypotheses[a].distribution, hypotheses[b].distribution)
        for i, a in enumerate(used)
        for b in used[i + 1 :]
    ]
    ignored = {}
    for m in HYPOTHESIS_MODALITIES:
        if m in used:
            continue
        r = decision.readings[m]
        ignored[m] = _IGNORED_WHY.get(r.status, f"weak ({r.confidence:.2f} < {r.reliability:.2f})")
    return Consistency(
        verdict=decision.verdict,
        modalities={m: decision.readings[m].label for m in HYPOTHESIS_MODALITIES},
        conflicts=list(decision.conflicts),
        pattern=decision.pattern,
        resolution=decision.final,
        explanation=explain(decision, lang),
        agreement=round(min(pair_scores) if pair_scores else 1.0, 4),
        evidence_used=list(used),
        evidence_ignored=ignored,
    )


def analyze_consistency(
    hypotheses: Mapping[str, EmotionHypothesis],
    *,
    lang: Language = "en",
    config: ConsistencyConfig | None = None,
) -> Consistency:
    """The consistency verdict, conflicting pairs, pattern and resolution for one clip."""
    hyps = {m: hypotheses.get(m) or EmotionHypothesis.unavailable(m) for m in HYPOTHESIS_MODALITIES}
    return consistency_from_decision(decide(hyps, config or ConsistencyConfig()), hyps, lang)
