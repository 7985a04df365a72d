"""The consistency verdict as a pure decision over per-modality hypotheses (rule **ours**).

CA-MER (MoSEAR, arXiv 2508.01181) labels a clip ``consistent`` when the visual side and the
audio side (voice + words) carry one emotion, and ``video-aligned`` / ``audio-aligned`` when
they conflict and that side carries the true emotion. :func:`decide` returns a
:class:`ConsistencyDecision`; the text that explains it is written elsewhere
(:mod:`emoreason.reasoning.consistency_text`) from the decision alone. Every threshold is a
:class:`~emoreason.reasoning.consistency_config.ConsistencyConfig` field.

1. **Reading.** Each modality is *unavailable*, gives *no evidence* (confidence below
   ``min_confidence``, or a flat distribution whose top label beats the runner-up by less than
   ``min_label_margin``: never read as "neutral"), is *weak* (confidence below its reliability
   ``reliable_<modality>``; a "neutral" reading also below ``neutral_conflict_min_confidence``)
   or *reliable*.
2. **No claim at all**: ``ambiguous``, no final label.
3. **Only weak readings**: they cannot create a conflict. At most one non-neutral label among
   them: ``consistent`` with that label; otherwise ``ambiguous``, final = the fused label.
4. **Reliable readings on one side only** (face, or voice/words): ``consistent``, final = that
   side's fused label; a weak reading of the other side cannot overturn it. Reliable voice and
   words that disagree with no reliable face to compare: ``ambiguous`` (reason ``within_audio``).
5. **Reliable readings on both sides.** The audio side's label is the argmax of the
   confidence-weighted mixture of its reliable readings (weights ``w_acoustic``, ``w_verbal``).
   The same label as the face: ``consistent``. Otherwise, in this order:

   - *sarcasm*: the face smiles or the words are partly positive (P_verbal(happy) >=
     ``sarcasm_positive_words``) while the audio side is negative and hostile (a reliable voice
     or words with confidence >= ``hostile_min_confidence`` and angry+disgusted mass >=
     ``hostile_mass``) and its most probable negative label is hostile (angry or disgusted: fear
     behind a smile is not sarcasm): ``audio-aligned``, final = that label.
   - *agreement*: the face and one reliable audio modality read the same label: ``consistent``;
     the dissenting modality is outweighed by two that agree (however confident it is).
   - *masking*: the face is negative while the audio side is not (calm words, an even voice):
     negative feelings hide behind words and voice more easily than behind the face:
     ``video-aligned``, final = the face's label.
   - *emotion over neutral*: one side reads neutral, the other an emotion: the expressed
     emotion wins (``video-aligned`` or ``audio-aligned``).
   - otherwise the side with the larger vote (``w * confidence * p(own label)``) wins by at
     least ``resolution_margin``; below that ``ambiguous`` with the fused label.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from emoreason.reasoning.consistency_config import ConsistencyConfig
from emoreason.schema.evidence import HYPOTHESIS_MODALITIES, EmotionHypothesis
from emoreason.schema.labels import EMOTIONS, VALENCE
from emoreason.schema.result import ConsistencyVerdict

HOSTILE: tuple[str, ...] = ("angry", "disgusted")
AUDIO_SIDE: tuple[str, ...] = ("acoustic", "verbal")
NEGATIVE: tuple[str, ...] = tuple(e for e in EMOTIONS if VALENCE[e] < 0)


class EvidenceStatus(StrEnum):
    """How much a modality's hypothesis can count for (step 1 of the rule)."""

    RELIABLE = "reliable"
    WEAK = "weak"
    NO_EVIDENCE = "no evidence"
    UNAVAILABLE = "unavailable"


class Role(StrEnum):
    """What the decision did with a modality's reading."""

    SUPPORT = "support"  # used; its label is the final label
    OPPOSED = "opposed"  # used; the losing side of a conflict
    OUTWEIGHED = "outweighed"  # used; disagreed and lost to stronger evidence (not a conflict)
    DISREGARDED = "disregarded"  # weak and contrary to stronger evidence: not used
    NONE = "none"  # unavailable or no evidence


@dataclass(frozen=True)
class ModalityReading:
    """One modality's hypothesis as the decision sees it."""

    modality: str
    status: EvidenceStatus
    label: str | None  # None when unavailable or no evidence
    confidence: float
    reliability: float  # the confidence this reading needed to be reliable
    flat: bool = False  # no evidence because the distribution is flat (not low confidence)

    @property
    def claims(self) -> bool:
        return self.label is not None


@dataclass(frozen=True)
class ConsistencyDecision:
    """The verdict and everything the explanation may state about it."""

    verdict: ConsistencyVerdict
    final: str | None
    pattern: str | None
    reason: str
    readings: Mapping[str, ModalityReading]
    roles: Mapping[str, Role]
    conflicts: tuple[tuple[str, str], ...] = ()
    #: the label each side reads as from its reliable readings ('visual', 'audio'; None: none)
    sides: Mapping[str, str | None] = field(default_factory=dict)

    @property
    def used(self) -> tuple[str, ...]:
        """Modalities whose hypotheses the decision weighed, in modality order."""
        weighed = (Role.SUPPORT, Role.OPPOSED, Role.OUTWEIGHED)
        return tuple(m for m in HYPOTHESIS_MODALITIES if self.roles[m] in weighed)


def read_modality(h: EmotionHypothesis, cfg: ConsistencyConfig) -> ModalityReading:
    """Step 1: unavailable, no evidence, weak or reliable."""
    if not h.available:
        return ModalityReading(h.modality, EvidenceStatus.UNAVAILABLE, None, 0.0, 0.0)
    top, second = sorted(h.distribution.values(), reverse=True)[:2]
    label = h.label
    need = cfg.reliability(h.modality, label)
    if h.confidence < cfg.min_confidence or top - second < cfg.min_label_margin:
        flat = top - second < cfg.min_label_margin
        return ModalityReading(
            h.modality, EvidenceStatus.NO_EVIDENCE, None, h.confidence, need, flat=flat
        )
    status = EvidenceStatus.RELIABLE if h.confidence >= need else EvidenceStatus.WEAK
    return ModalityReading(h.modality, status, label, h.confidence, need)


def fuse(
    hypotheses: Mapping[str, EmotionHypothesis], names: Sequence[str], config: ConsistencyConfig
) -> tuple[dict[str, float], float]:
    """Mixture of the hypotheses in ``names`` that make a claim, weighted ``w_m * confidence_m``.

    Returns (distribution over EMOTIONS, total vote weight); uniform with weight 0 when none.
    """
    total = 0.0
    acc = dict.fromkeys(EMOTIONS, 0.0)
    for name in names:
        h = hypotheses.get(name)
        if h is None or not read_modality(h, config).claims:
            continue
        w = config.weight(name) * h.confidence
        total += w
        for e in EMOTIONS:
            acc[e] += w * h.distribution[e]
    if total <= 0:
        return {e: 1.0 / len(EMOTIONS) for e in EMOTIONS}, 0.0
    return {e: v / total for e, v in acc.items()}, total


def argmax(d: Mapping[str, float]) -> str:
    return max(EMOTIONS, key=lambda e: d[e])


@dataclass(frozen=True)
class _Outcome:
    verdict: ConsistencyVerdict
    final: str | None
    reason: str
    pattern: str | None = None
    winner: str | None = None  # 'visual' | 'audio' for a resolved cross-side conflict


def decide(
    hypotheses: Mapping[str, EmotionHypothesis], config: ConsistencyConfig | None = None
) -> ConsistencyDecision:
    """The verdict for one clip from its per-modality hypotheses (rule in the module doc)."""
    cfg = config or ConsistencyConfig()
    hyps = {m: hypotheses.get(m) or EmotionHypothesis.unavailable(m) for m in HYPOTHESIS_MODALITIES}
    readings = {m: read_modality(hyps[m], cfg) for m in HYPOTHESIS_MODALITIES}
    claims = [m for m in HYPOTHESIS_MODALITIES if readings[m].claims]
    strong = [m for m in claims if readings[m].status is EvidenceStatus.RELIABLE]
    audio_strong = [m for m in AUDIO_SIDE if m in strong]
    if not claims:
        outcome = _Outcome(ConsistencyVerdict.AMBIGUOUS, None, "no_evidence")
    elif not strong:
        outcome = _weak_only(hyps, readings, claims, cfg)
    elif "visual" not in strong or not audio_strong:
        outcome = _one_side(hyps, readings, strong, cfg)
    else:
        outcome = _both_sides(hyps, readings, audio_strong, cfg)
    roles = _roles(readings, outcome)
    conflicts: tuple[tuple[str, str], ...] = ()
    if outcome.winner is not None or outcome.reason == "close":
        conflicts = tuple(
            ("visual", m) for m in audio_strong if readings[m].label != readings["visual"].label
        ) or tuple(("visual", m) for m in audio_strong)
    sides = {
        "visual": readings["visual"].label if "visual" in strong else None,
        "audio": argmax(fuse(hyps, audio_strong, cfg)[0]) if audio_strong else None,
    }
    return ConsistencyDecision(
        sides=sides,
        verdict=outcome.verdict,
        final=outcome.final,
        pattern=outcome.pattern,
        reason=outcome.reason,
        readings=readings,
        roles=roles,
        conflicts=conflicts,
    )


def _weak_only(
    hyps: dict[str, EmotionHypothesis],
    readings: dict[str, ModalityReading],
    claims: list[str],
    cfg: ConsistencyConfig,
) -> _Outcome:
    emotional = {readings[m].label for m in claims} - {"neutral"}
    if len(emotional) <= 1:
        final = next(iter(emotional)) if emotional else "neutral"
        return _Outcome(ConsistencyVerdict.CONSISTENT, final, "weak_only")
    fused, _ = fuse(hyps, claims, cfg)
    return _Outcome(ConsistencyVerdict.AMBIGUOUS, argmax(fused), "weak_disagree")


def _one_side(
    hyps: dict[str, EmotionHypothesis],
    readings: dict[str, ModalityReading],
    strong: list[str],
    cfg: ConsistencyConfig,
) -> _Outcome:
    fused, _ = fuse(hyps, strong, cfg)
    if len({readings[m].label for m in strong}) > 1:
        return _Outcome(ConsistencyVerdict.AMBIGUOUS, argmax(fused), "within_audio")
    return _Outcome(ConsistencyVerdict.CONSISTENT, argmax(fused), "one_side")


def _hostile(h: EmotionHypothesis, cfg: ConsistencyConfig) -> bool:
    mass = sum(h.distribution[e] for e in HOSTILE)
    return h.confidence >= cfg.hostile_min_confidence and mass >= cfg.hostile_mass


@dataclass(frozen=True)
class _Sides:
    """Both sides of a clip with reliable readings on each (step 5 of the rule)."""

    hyps: dict[str, EmotionHypothesis]
    readings: dict[str, ModalityReading]
    audio_strong: list[str]
    cfg: ConsistencyConfig
    audio: dict[str, float]  # the audio side's fused distribution

    @property
    def v_label(self) -> str:
        return self.hyps["visual"].label

    @property
    def a_label(self) -> str:
        return argmax(self.audio)


def _same_label(s: _Sides) -> _Outcome | None:
    if s.a_label == s.v_label:
        return _Outcome(ConsistencyVerdict.CONSISTENT, s.v_label, "agree")
    return None


def _sarcasm(s: _Sides) -> _Outcome | None:
    words = s.hyps["verbal"]
    positive_words = "verbal" in s.audio_strong and (
        words.distribution["happy"] >= s.cfg.sarcasm_positive_words
    )
    negative_mass = sum(s.audio[e] for e in NEGATIVE)
    audio_negative = VALENCE[s.a_label] < 0 or negative_mass > s.audio["happy"]
    hostile = any(_hostile(s.hyps[m], s.cfg) for m in s.audio_strong)
    final = max(NEGATIVE, key=lambda e: s.audio[e])
    if (s.v_label == "happy" or positive_words) and audio_negative and hostile and final in HOSTILE:
        return _Outcome(ConsistencyVerdict.AUDIO_ALIGNED, final, "sarcasm", "sarcasm", "audio")
    return None


def _agreement(s: _Sides) -> _Outcome | None:
    if any(s.readings[m].label == s.v_label for m in s.audio_strong):
        return _Outcome(ConsistencyVerdict.CONSISTENT, s.v_label, "agree")
    return None


def _masking(s: _Sides) -> _Outcome | None:
    if VALENCE[s.v_label] < 0 and VALENCE[s.a_label] >= 0:
        return _Outcome(ConsistencyVerdict.VIDEO_ALIGNED, s.v_label, "masking", "masking", "visual")
    return None


def _emotion_over_neutral(s: _Sides) -> _Outcome | None:
    if s.a_label == "neutral":
        return _Outcome(ConsistencyVerdict.VIDEO_ALIGNED, s.v_label, "emotion_over_neutral", winner="visual")  # fmt: skip
    if s.v_label == "neutral":
        return _Outcome(ConsistencyVerdict.AUDIO_ALIGNED, s.a_label, "emotion_over_neutral", winner="audio")  # fmt: skip
    return None


def _stronger_side(s: _Sides) -> _Outcome:
    visual, cfg = s.hyps["visual"], s.cfg
    v_vote = cfg.weight("visual") * visual.confidence * visual.distribution[s.v_label]
    a_vote = sum(
        cfg.weight(m) * s.hyps[m].confidence * s.hyps[m].distribution[s.a_label]
        for m in s.audio_strong
    )
    if v_vote - a_vote >= cfg.resolution_margin:
        return _Outcome(ConsistencyVerdict.VIDEO_ALIGNED, s.v_label, "visual_stronger", winner="visual")  # fmt: skip
    if a_vote - v_vote >= cfg.resolution_margin:
        return _Outcome(ConsistencyVerdict.AUDIO_ALIGNED, s.a_label, "audio_stronger", winner="audio")  # fmt: skip
    fused, _ = fuse(s.hyps, ["visual", *s.audio_strong], cfg)
    return _Outcome(ConsistencyVerdict.AMBIGUOUS, argmax(fused), "close")


#: Step 5, in order: the first rule that applies decides.
BOTH_SIDES_RULES = (_same_label, _sarcasm, _agreement, _masking, _emotion_over_neutral)


def _both_sides(
    hyps: dict[str, EmotionHypothesis],
    readings: dict[str, ModalityReading],
    audio_strong: list[str],
    cfg: ConsistencyConfig,
) -> _Outcome:
    sides = _Sides(hyps, readings, audio_strong, cfg, fuse(hyps, audio_strong, cfg)[0])
    for rule in BOTH_SIDES_RULES:
        outcome = rule(sides)
        if outcome is not None:
            return outcome
    return _stronger_side(sides)


def _roles(readings: dict[str, ModalityReading], outcome: _Outcome) -> dict[str, Role]:
    roles = {}
    for m, r in readings.items():
        side = "visual" if m == "visual" else "audio"
        if not r.claims:
            roles[m] = Role.NONE
        elif r.label == outcome.final:
            roles[m] = Role.SUPPORT
        elif r.status is EvidenceStatus.WEAK and outcome.reason != "weak_disagree":
            roles[m] = Role.DISREGARDED
        elif outcome.reason == "close" or side != (outcome.winner or side):
            roles[m] = Role.OPPOSED
        else:
            roles[m] = Role.OUTWEIGHED
    return roles
