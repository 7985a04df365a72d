"""The project-wide discrete emotion label set (the 7 basic classes of FER/DFEW/MER-style work).

Every per-modality hypothesis is a distribution over :data:`EMOTIONS`, in this order.
Benchmarks with other label sets map into it through ``emoreason.evaluation`` (emotion wheel).
"""

from __future__ import annotations

from enum import StrEnum

from emoreason.schema.languages import Language


class Emotion(StrEnum):
    NEUTRAL = "neutral"
    HAPPY = "happy"
    SAD = "sad"
    ANGRY = "angry"
    FEARFUL = "fearful"
    SURPRISED = "surprised"
    DISGUSTED = "disgusted"


EMOTIONS: tuple[str, ...] = tuple(e.value for e in Emotion)

#: Chinese names used in ``--lang zh`` text.
EMOTION_ZH: dict[str, str] = {
    "neutral": "中性",
    "happy": "开心",
    "sad": "悲伤",
    "angry": "愤怒",
    "fearful": "恐惧",
    "surprised": "惊讶",
    "disgusted": "厌恶",
}


def emotion_name(label: str, lang: Language) -> str:
    """The label's name in ``lang`` (English: the label itself; unknown labels as they are)."""
    return EMOTION_ZH.get(label, label) if lang == "zh" else label


#: Valence of each label (+1 positive, 0 neutral/ambivalent, -1 negative); used to decide
#: whether two hypotheses conflict in polarity (e.g. sarcasm: positive face, negative voice).
VALENCE: dict[str, int] = {
    "neutral": 0,
    "happy": 1,
    "sad": -1,
    "angry": -1,
    "fearful": -1,
    "surprised": 0,
    "disgusted": -1,
}


def normalize_distribution(scores: dict[str, float]) -> dict[str, float]:
    """Return ``scores`` over all :data:`EMOTIONS` (missing = 0), non-negative, summing to 1.

    An all-zero input becomes a uniform distribution.
    """
    unknown = set(scores) - set(EMOTIONS)
    if unknown:
        raise ValueError(f"unknown emotion label(s) {sorted(unknown)}; expected {list(EMOTIONS)}")
    values = {e: max(0.0, float(scores.get(e, 0.0))) for e in EMOTIONS}
    total = sum(values.values())
    if total <= 0:
        return {e: 1.0 / len(EMOTIONS) for e in EMOTIONS}
    return {e: v / total for e, v in values.items()}
