"""Consistency analysis over per-modality emotion hypotheses (CA-MER vocabulary).

CA-MER (MoSEAR, arXiv 2508.01181) labels a clip ``consistent`` when all modalities point to one
emotion, and ``video-aligned`` / ``audio-aligned`` when they conflict and the visual /
acoustic+verbal side carries the true emotion. At inference nobody knows which side is true, so
:func:`analyze_consistency` reports the conflict, both hypotheses, a named pattern and a
resolution with its reason.

Resolution rule (**ours**; every threshold is a :class:`ConsistencyConfig` field):

1. A modality is *informative* when it is available, its confidence is at least
   ``min_confidence`` and its top label beats the runner-up by ``min_label_margin`` (a flat
   distribution makes no claim). Only informative modalities take part in conflicts.
2. Two informative modalities *conflict* when their top labels differ. A ``neutral`` label
   with confidence below ``neutral_conflict_min_confidence`` is compatible with anything (a
   flat voice is weak evidence, not an opposing claim).
3. Each modality votes with weight ``w_m * confidence_m`` (``w_*`` fields) for its whole
   distribution; the normalised sum is the fused distribution. The visual side is the visual
   hypothesis; the audio side fuses acoustic + verbal the same way.
4. No conflict: verdict ``consistent``; the final label is the one emotion the informative
   modalities point to (a weak ``neutral`` that was compatible does not dilute it).
5. Conflict between the visual side and the audio side, checked in this order:

   - *masking*: the face is negative (valence < 0) while the audio side is not negative (calm
     or reassuring words, an even voice). People hide negative feelings behind words and an
     even voice far more easily than behind the face, so the face wins: ``video-aligned``,
     final = visual label.
   - *sarcasm*: the face smiles (happy) or the words are partly positive
     (P_verbal(happy) >= ``sarcasm_positive_words``), while the audio side is negative and
     hostile: an acoustic or verbal hypothesis with confidence >= ``hostile_min_confidence``
     puts hostile mass (angry + disgusted) >= ``hostile_mass``. The
     hostile prosody/words carry the intent: ``audio-aligned``, final = the audio side's most
     probable negative label.
   - otherwise the side with the larger vote for its own label wins when the margin is at
     least ``resolution_margin`` (``video-aligned`` / ``audio-aligned``); below that the
     verdict is ``ambiguous`` and the final label is the fused argmax.

6. A conflict only inside the audio side (voice vs words) is resolved by the fused
   distribution; the verdict names the side whose label the final label matches.
7. With fewer than two informative modalities there is nothing to compare: ``consistent`` with
   a note saying which modality the label rests on (``ambiguous`` + ``neutral`` if none).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Literal

from emoreason.config import ConfigLoading
from emoreason.errors import ConfigError
from emoreason.schema.evidence import HYPOTHESIS_MODALITIES, EmotionHypothesis
from emoreason.schema.labels import EMOTION_ZH, EMOTIONS, VALENCE
from emoreason.schema.result import Consistency, ConsistencyVerdict

Language = Literal["en", "zh"]
HOSTILE: tuple[str, ...] = ("angry", "disgusted")
AUDIO_SIDE: tuple[str, ...] = ("acoustic", "verbal")


def _unit(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"ConsistencyConfig.{name} must be in [0, 1], got {value}")


@dataclass
class ConsistencyConfig(ConfigLoading):
    """Thresholds of the resolution rule (ours, see the module docstring).

    Informative: ``min_confidence``, ``min_label_margin``, ``neutral_conflict_min_confidence``.
    Fusion weights: ``w_visual``, ``w_acoustic``, ``w_verbal``.
    Patterns: ``sarcasm_positive_words``, ``hostile_mass``, ``hostile_min_confidence``.
    Generic resolution: ``resolution_margin``.
    """

    min_confidence: float = field(
        default=0.15, metadata={"help": "hypotheses below this confidence are not informative"}
    )
    min_label_margin: float = field(
        default=0.05,
        metadata={"help": "a top label must beat the runner-up by this much to be informative"},
    )
    neutral_conflict_min_confidence: float = field(
        default=0.5,
        metadata={"help": "a 'neutral' label conflicts only at or above this confidence"},
    )
    w_visual: float = field(default=1.0, metadata={"help": "fusion weight of the visual vote"})
    w_acoustic: float = field(
        default=0.7, metadata={"help": "fusion weight of the acoustic (prosody) vote"}
    )
    w_verbal: float = field(default=1.0, metadata={"help": "fusion weight of the verbal vote"})
    sarcasm_positive_words: float = field(
        default=0.25, metadata={"help": "P_verbal(happy) at which words count as partly positive"}
    )
    hostile_mass: float = field(
        default=0.3,
        metadata={"help": "angry+disgusted mass (acoustic or verbal) that counts as hostile"},
    )
    hostile_min_confidence: float = field(
        default=0.45,
        metadata={"help": "hostile voice/words need this confidence to override a smile"},
    )
    resolution_margin: float = field(
        default=0.1, metadata={"help": "vote margin one side needs to win a generic conflict"}
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ConfigError(f"ConsistencyConfig.{f.name} must be a number, got {value!r}")
            if f.name.startswith("w_"):
                if value < 0:
                    raise ConfigError(f"ConsistencyConfig.{f.name} must be >= 0, got {value}")
            else:
                _unit(f.name, float(value))

    def weight(self, modality: str) -> float:
        return float(getattr(self, f"w_{modality}", 1.0))


def _informative(h: EmotionHypothesis, config: ConsistencyConfig) -> bool:
    if not h.available or h.confidence < config.min_confidence:
        return False
    top, second = sorted(h.distribution.values(), reverse=True)[:2]
    return top - second >= config.min_label_margin


def _labels_conflict(a: EmotionHypothesis, b: EmotionHypothesis, cfg: ConsistencyConfig) -> bool:
    if a.label == b.label:
        return False
    for h in (a, b):
        if h.label == "neutral" and h.confidence < cfg.neutral_conflict_min_confidence:
            return False
    return True


def fuse(
    hypotheses: dict[str, EmotionHypothesis], names: tuple[str, ...], config: ConsistencyConfig
) -> tuple[dict[str, float], float]:
    """Confidence-weighted mixture of the informative hypotheses in ``names``.

    Returns (distribution over EMOTIONS, total vote weight); uniform with weight 0 when none.
    """
    total = 0.0
    acc = dict.fromkeys(EMOTIONS, 0.0)
    for name in names:
        h = hypotheses.get(name)
        if h is None or not _informative(h, config):
            continue
        w = config.weight(name) * h.confidence
        total += w
        for e in EMOTIONS:
            acc[e] += w * h.distribution[e]
    if total <= 0:
        return {e: 1.0 / len(EMOTIONS) for e in EMOTIONS}, 0.0
    return {e: v / total for e, v in acc.items()}, total


def _argmax(d: dict[str, float]) -> str:
    return max(EMOTIONS, key=lambda e: d[e])


def _bhattacharyya(p: dict[str, float], q: dict[str, float]) -> float:
    return min(1.0, sum((p[e] * q[e]) ** 0.5 for e in EMOTIONS))


@dataclass
class _Decision:
    verdict: ConsistencyVerdict
    final: str
    pattern: str | None
    reason_key: str


def analyze_consistency(
    hypotheses: dict[str, EmotionHypothesis],
    *,
    lang: Language = "en",
    config: ConsistencyConfig | None = None,
) -> Consistency:
    """The consistency verdict, conflicting pairs, pattern and resolution for one clip."""
    cfg = config or ConsistencyConfig()
    hyps = {m: hypotheses.get(m) or EmotionHypothesis.unavailable(m) for m in HYPOTHESIS_MODALITIES}
    informative = [m for m in HYPOTHESIS_MODALITIES if _informative(hyps[m], cfg)]
    labels = {m: (hyps[m].label if hyps[m].available else None) for m in HYPOTHESIS_MODALITIES}
    conflicts = [
        (a, b)
        for i, a in enumerate(informative)
        for b in informative[i + 1 :]
        if _labels_conflict(hyps[a], hyps[b], cfg)
    ]
    fused, _ = fuse(hyps, HYPOTHESIS_MODALITIES, cfg)
    pair_scores = [
        _bhattacharyya(hyps[a].distribution, hyps[b].distribution)
        for i, a in enumerate(informative)
        for b in informative[i + 1 :]
    ]
    agreement = min(pair_scores) if pair_scores else 1.0
    decision = _decide(hyps, informative, conflicts, fused, cfg)
    explanation = _explain(hyps, informative, conflicts, decision, lang)
    return Consistency(
        consistent=not conflicts,
        verdict=decision.verdict,
        modalities=labels,
        conflicts=conflicts,
        pattern=decision.pattern,
        resolution=decision.final,
        explanation=explanation,
        agreement=round(agreement, 4),
    )


def _decide(
    hyps: dict[str, EmotionHypothesis],
    informative: list[str],
    conflicts: list[tuple[str, str]],
    fused: dict[str, float],
    cfg: ConsistencyConfig,
) -> _Decision:
    if not informative:
        return _Decision(ConsistencyVerdict.AMBIGUOUS, "neutral", None, "none")
    if len(informative) == 1:
        return _Decision(ConsistencyVerdict.CONSISTENT, hyps[informative[0]].label, None, "single")
    if not conflicts:
        # without conflicts at most one non-neutral label exists (two would conflict)
        emotional = [hyps[m].label for m in informative if hyps[m].label != "neutral"]
        final = emotional[0] if emotional else "neutral"
        return _Decision(ConsistencyVerdict.CONSISTENT, final, None, "agree")
    visual = hyps["visual"]
    audio, audio_vote = fuse(hyps, AUDIO_SIDE, cfg)
    cross = "visual" in informative and any("visual" in pair for pair in conflicts)
    if cross and audio_vote > 0:
        v_label, a_label = visual.label, _argmax(audio)
        if VALENCE[v_label] < 0 and VALENCE[a_label] >= 0:
            return _Decision(ConsistencyVerdict.VIDEO_ALIGNED, v_label, "masking", "masking")
        verbal = hyps["verbal"]
        positive_words = _informative(verbal, cfg) and (
            verbal.distribution["happy"] >= cfg.sarcasm_positive_words
        )
        hostile = any(
            _informative(hyps[m], cfg)
            and hyps[m].confidence >= cfg.hostile_min_confidence
            and sum(hyps[m].distribution[e] for e in HOSTILE) >= cfg.hostile_mass
            for m in AUDIO_SIDE
        )
        negative_audio = sum(audio[e] for e in EMOTIONS if VALENCE[e] < 0)
        audio_negative = VALENCE[a_label] < 0 or negative_audio > audio["happy"]
        if (v_label == "happy" or positive_words) and audio_negative and hostile:
            negatives = [e for e in EMOTIONS if VALENCE[e] < 0]
            final = max(negatives, key=lambda e: audio[e])
            return _Decision(ConsistencyVerdict.AUDIO_ALIGNED, final, "sarcasm", "sarcasm")
        v_vote = cfg.weight("visual") * visual.confidence * visual.distribution[v_label]
        a_vote = sum(
            cfg.weight(m) * hyps[m].confidence * hyps[m].distribution[a_label]
            for m in AUDIO_SIDE
            if _informative(hyps[m], cfg)
        )
        if v_vote - a_vote >= cfg.resolution_margin:
            return _Decision(ConsistencyVerdict.VIDEO_ALIGNED, v_label, None, "visual_stronger")
        if a_vote - v_vote >= cfg.resolution_margin:
            return _Decision(ConsistencyVerdict.AUDIO_ALIGNED, a_label, None, "audio_stronger")
        return _Decision(ConsistencyVerdict.AMBIGUOUS, _argmax(fused), None, "close")
    final = _argmax(fused)
    if _informative(visual, cfg) and visual.label == final:
        verdict = ConsistencyVerdict.VIDEO_ALIGNED
    elif final == _argmax(audio):
        verdict = ConsistencyVerdict.AUDIO_ALIGNED
    else:
        verdict = ConsistencyVerdict.AMBIGUOUS
    return _Decision(verdict, final, None, "within_audio")


# --- explanation text -------------------------------------------------------------------------

_NAME_EN = {"visual": "the face", "acoustic": "the voice", "verbal": "the words"}
_VERB_EN = {
    "visual": "the face looks",
    "acoustic": "the voice sounds",
    "verbal": "the words read as",
}
_NAME_ZH = {"visual": "面部", "acoustic": "声音", "verbal": "言语"}

_REASON_EN = {
    "masking": (
        "masking: {visual_desc} while {audio_desc}; negative feelings are hidden behind calm "
        "words and an even voice far more easily than behind the face, so the visual side is "
        "trusted (video-aligned) and the final emotion is {final}"
    ),
    "sarcasm": (
        "sarcasm: {visual_desc} while {audio_desc}; a smile or positive words over hostile "
        "prosody or words is the sarcastic display, so the acoustic/verbal side carries the "
        "intent (audio-aligned) and the final emotion is {final}"
    ),
    "visual_stronger": (
        "conflict: {visual_desc} while {audio_desc}; the visual evidence is clearly stronger, "
        "so it is trusted (video-aligned) and the final emotion is {final}"
    ),
    "audio_stronger": (
        "conflict: {visual_desc} while {audio_desc}; the acoustic/verbal evidence is clearly "
        "stronger, so it is trusted (audio-aligned) and the final emotion is {final}"
    ),
    "close": (
        "conflict: {visual_desc} while {audio_desc}; neither side is clearly stronger, so the "
        "verdict is ambiguous and the combined evidence leans to {final}"
    ),
    "within_audio": (
        "the voice and the words disagree ({pairs}); weighing all modalities, the final emotion "
        "is {final}"
    ),
}
_REASON_ZH = {
    "masking": (
        "掩饰：{visual_desc}，而{audio_desc}；人们更容易用平静的言语和声音掩盖负面情绪，"
        "而难以控制面部，因此采信视觉一方（视频对齐），最终情绪为{final}"
    ),
    "sarcasm": (
        "反讽：{visual_desc}，而{audio_desc}；笑容或正面措辞配合敌意的语气或言语是典型的反讽，"
        "因此由声音/言语一方表达真实意图（音频对齐），最终情绪为{final}"
    ),
    "visual_stronger": (
        "冲突：{visual_desc}，而{audio_desc}；视觉证据明显更强，采信视觉一方（视频对齐），"
        "最终情绪为{final}"
    ),
    "audio_stronger": (
        "冲突：{visual_desc}，而{audio_desc}；声音/言语证据明显更强，采信音频一方（音频对齐），"
        "最终情绪为{final}"
    ),
    "close": "冲突：{visual_desc}，而{audio_desc}；双方证据相当，判定为不确定，综合证据倾向于{final}",
    "within_audio": "声音与言语不一致（{pairs}）；综合所有模态，最终情绪为{final}",
}


def emotion_name(label: str, lang: Language) -> str:
    return EMOTION_ZH.get(label, label) if lang == "zh" else label


def _describe(m: str, h: EmotionHypothesis, lang: Language) -> str:
    label = emotion_name(h.label, lang)
    if lang == "zh":
        return f"{_NAME_ZH[m]}显示{label}（置信度 {h.confidence:.2f}）"
    return f"{_VERB_EN[m]} {label} (confidence {h.confidence:.2f})"


def _explain(
    hyps: dict[str, EmotionHypothesis],
    informative: list[str],
    conflicts: list[tuple[str, str]],
    d: _Decision,
    lang: Language,
) -> str:
    final = emotion_name(d.final, lang)
    unavailable = [m for m in HYPOTHESIS_MODALITIES if m not in informative]
    if lang == "zh":
        gone = "、".join(_NAME_ZH[m] for m in unavailable)
        note = f"（{gone}无可用证据）" if unavailable else ""
        sep = "；"
    else:
        gone = ", ".join(_NAME_EN[m] for m in unavailable)
        note = f" ({gone}: no usable evidence)" if unavailable else ""
        sep = "; "
    described = sep.join(_describe(m, hyps[m], lang) for m in informative)
    if d.reason_key == "none":
        if lang == "zh":
            return "没有任何模态提供可用的情绪证据，无法进行一致性判断，默认为中性。"
        return (
            "No modality gave usable emotion evidence; no consistency check is possible (neutral)."
        )
    if d.reason_key == "single":
        if lang == "zh":
            return f"仅有一个模态可用：{described}{note}；无法进行跨模态比较，结论依据该模态：{final}。"
        return (
            f"Only one modality is usable: {described}{note}; no cross-modal check is possible, "
            f"so the label rests on it: {final}."
        )
    if d.reason_key == "agree":
        if lang == "zh":
            return f"各模态一致：{described}{note}；最终情绪为{final}。"
        return f"The modalities agree: {described}{note}; final emotion {final}."
    joiner = "，且" if lang == "zh" else " and "
    audio_desc = joiner.join(_describe(m, hyps[m], lang) for m in AUDIO_SIDE if m in informative)
    visual_desc = _describe("visual", hyps["visual"], lang) if "visual" in informative else ""
    pairs = ", ".join(f"{a} vs {b}" for a, b in conflicts)
    template = (_REASON_ZH if lang == "zh" else _REASON_EN)[d.reason_key]
    text = template.format(visual_desc=visual_desc, audio_desc=audio_desc, final=final, pairs=pairs)
    if lang == "zh":
        return f"{text}{note}。"
    return f"{text[0].upper()}{text[1:]}{note}."
