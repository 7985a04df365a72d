"""The explanation of a :class:`~emoreason.reasoning.consistency_rules.ConsistencyDecision` (EN/ZH).

Written from the decision alone, so it states exactly the evidence the decision used: every
weighed modality with its label and confidence, and for every other modality why it was not
used (unavailable; no evidence, never "neutral"; too weak to count against stronger evidence).
"""

from __future__ import annotations

from emoreason.reasoning.consistency_rules import (
    AUDIO_SIDE,
    ConsistencyDecision,
    EvidenceStatus,
    ModalityReading,
    Role,
)
from emoreason.schema.evidence import HYPOTHESIS_MODALITIES
from emoreason.schema.labels import emotion_name
from emoreason.schema.languages import Language

_NAME = {
    "en": {"visual": "the face", "acoustic": "the voice", "verbal": "the words"},
    "zh": {"visual": "面部", "acoustic": "声音", "verbal": "言语"},
}
_VERB_EN = {
    "visual": "the face looks",
    "acoustic": "the voice sounds",
    "verbal": "the words read as",
}

_REASON = {
    "en": {
        "no_evidence": "No modality gave emotion evidence{notes}; no consistency check is "
        "possible and no emotion can be read",
        "weak_only": "Only weak evidence: {used}{notes}; nothing contradicts it, so the "
        "label rests on it with low certainty: {final}",
        "weak_disagree": "Only weak, disagreeing evidence: {used}{notes}; none of it can be "
        "trusted, so the verdict is ambiguous and the combined evidence leans to {final}",
        "one_side": "Only one side gives reliable evidence: {used}{notes}; no cross-modal check "
        "is possible, so the label rests on it: {final}",
        "within_audio": "The voice and the words disagree: {used}{notes}; without a reliable "
        "face to compare, the verdict is ambiguous and the combined evidence leans to {final}",
        "agree": "The modalities agree: {used}{notes}; final emotion {final}",
        "masking": "Masking: {visual} while {audio}{notes}; negative feelings are hidden behind "
        "calm words and an even voice far more easily than behind the face, so the visual side "
        "is trusted (video-aligned) and the final emotion is {final}",
        "sarcasm": "Sarcasm: {visual} while {audio}{notes}; a smile or positive words over "
        "hostile prosody or words is the sarcastic display, so the acoustic/verbal side carries "
        "the intent (audio-aligned) and the final emotion is {final}",
        "emotion_over_neutral": "Conflict: {visual} while {audio}{notes}; an expressed emotion "
        "outweighs a neutral display, so the {winner} side is trusted ({verdict}) and the final "
        "emotion is {final}",
        "visual_stronger": "Conflict: {visual} while {audio}{notes}; the visual evidence is "
        "clearly stronger, so it is trusted (video-aligned) and the final emotion is {final}",
        "audio_stronger": "Conflict: {visual} while {audio}{notes}; the acoustic/verbal evidence "
        "is clearly stronger, so it is trusted (audio-aligned) and the final emotion is {final}",
        "close": "Conflict: {visual} while {audio}{notes}; neither side is clearly stronger, so "
        "the verdict is ambiguous and the combined evidence leans to {final}",
    },
    "zh": {
        "no_evidence": "没有任何模态提供情绪证据{notes}；无法进行一致性判断，也无法读出情绪",
        "weak_only": "只有较弱的证据：{used}{notes}；没有与之矛盾的证据，结论依据它（把握较低）：{final}",
        "weak_disagree": "只有较弱且互相矛盾的证据：{used}{notes}；都不足以采信，判定为不确定，"
        "综合证据倾向于{final}",
        "one_side": "只有一方提供可靠证据：{used}{notes}；无法进行跨模态比较，结论依据该方：{final}",
        "within_audio": "声音与言语不一致：{used}{notes}；没有可靠的面部证据可比较，判定为不确定，"
        "综合证据倾向于{final}",
        "agree": "各模态一致：{used}{notes}；最终情绪为{final}",
        "masking": "掩饰：{visual}，而{audio}{notes}；人们更容易用平静的言语和声音掩盖负面情绪，"
        "而难以控制面部，因此采信视觉一方（视频对齐），最终情绪为{final}",
        "sarcasm": "反讽：{visual}，而{audio}{notes}；笑容或正面措辞配合敌意的语气或言语是典型的反讽，"
        "因此由声音/言语一方表达真实意图（音频对齐），最终情绪为{final}",
        "emotion_over_neutral": "冲突：{visual}，而{audio}{notes}；表达出的情绪胜过中性的表现，"
        "因此采信{winner}一方（{verdict}），最终情绪为{final}",
        "visual_stronger": "冲突：{visual}，而{audio}{notes}；视觉证据明显更强，采信视觉一方（视频对齐），"
        "最终情绪为{final}",
        "audio_stronger": "冲突：{visual}，而{audio}{notes}；声音/言语证据明显更强，采信音频一方（音频对齐），"
        "最终情绪为{final}",
        "close": "冲突：{visual}，而{audio}{notes}；双方证据相当，判定为不确定，综合证据倾向于{final}",
    },
}
_VERDICT_ZH = {"video-aligned": "视频对齐", "audio-aligned": "音频对齐"}
_SIDE = {"en": {"visual": "visual", "audio": "acoustic/verbal"}, "zh": {"visual": "视觉", "audio": "声音/言语"}}  # fmt: skip


def describe(r: ModalityReading, lang: Language) -> str:
    """A used reading: its label and confidence (``weak`` said when it is below reliability)."""
    assert r.label is not None
    label = emotion_name(r.label, lang)
    weak = r.status is EvidenceStatus.WEAK
    if lang == "zh":
        tag = "，较弱" if weak else ""
        return f"{_NAME['zh'][r.modality]}显示{label}（置信度 {r.confidence:.2f}{tag}）"
    tag = ", weak" if weak else ""
    return f"{_VERB_EN[r.modality]} {label} (confidence {r.confidence:.2f}{tag})"


#: Why a modality was not used, or how it lost: language -> case (see :func:`_note_case`).
_NOTE = {
    "en": {
        "unavailable": "{name}: unavailable",
        "flat": "{name}: no emotion evidence (flat distribution; not a neutral reading)",
        "low": "{name}: no emotion evidence (confidence {confidence:.2f} too low; not a neutral "
        "reading)",
        "support": "{name} leans {label} (confidence {confidence:.2f}, weak), in line with it",
        "disregarded": "{name} leans {label} (confidence {confidence:.2f}, below the "
        "{reliability:.2f} it needs to count against stronger evidence): not used",
        "outweighed": "{name} reads {label} (confidence {confidence:.2f}) but is outweighed",
    },
    "zh": {
        "unavailable": "{name}不可用",
        "flat": "{name}没有情绪证据（分布平坦，并非中性）",
        "low": "{name}没有情绪证据（置信度 {confidence:.2f} 过低，并非中性）",
        "support": "{name}倾向{label}（置信度 {confidence:.2f}，较弱），与结论一致",
        "disregarded": "{name}倾向{label}（置信度 {confidence:.2f}，低于所需的 {reliability:.2f}），"
        "不足以推翻更强的证据，未采用",
        "outweighed": "{name}显示{label}（置信度 {confidence:.2f}），但被更强的证据压过",
    },
}


def _note_case(r: ModalityReading, role: Role) -> str:
    """Which :data:`_NOTE` a modality that was not used, or lost, gets."""
    if r.status is EvidenceStatus.UNAVAILABLE:
        return "unavailable"
    if r.status is EvidenceStatus.NO_EVIDENCE:
        return "flat" if r.flat else "low"
    return {Role.SUPPORT: "support", Role.DISREGARDED: "disregarded"}.get(role, "outweighed")


def note(r: ModalityReading, role: Role, lang: Language) -> str:
    """Why a modality was not used, or how it lost (outweighed)."""
    return _NOTE[lang][_note_case(r, role)].format(
        name=_NAME[lang][r.modality],
        label=emotion_name(r.label or "", lang),
        confidence=r.confidence,
        reliability=r.reliability,
    )


def explain(decision: ConsistencyDecision, lang: Language = "en") -> str:
    """One paragraph stating the verdict and exactly the evidence it rests on."""
    d, rd = decision, decision.readings
    shown = {"masking", "sarcasm", "emotion_over_neutral", "visual_stronger", "audio_stronger", "close"}  # fmt: skip
    cross = d.reason in shown
    joiner = "，且" if lang == "zh" else " and "
    sep = "；" if lang == "zh" else "; "
    weighed = [m for m in HYPOTHESIS_MODALITIES if d.roles[m] in (Role.SUPPORT, Role.OPPOSED)]
    if d.reason in ("weak_disagree", "within_audio"):
        weighed = [m for m in HYPOTHESIS_MODALITIES if rd[m].claims and d.roles[m] is not Role.DISREGARDED]  # fmt: skip
    if cross:
        audio_used = [
            m
            for m in AUDIO_SIDE
            if d.roles[m] in (Role.SUPPORT, Role.OPPOSED)
            and rd[m].status is EvidenceStatus.RELIABLE
        ]
        noted = [m for m in HYPOTHESIS_MODALITIES if m != "visual" and m not in audio_used]
    else:
        audio_used = []
        noted = [m for m in HYPOTHESIS_MODALITIES if m not in weighed]
    notes = [note(rd[m], d.roles[m], lang) for m in noted]
    if lang == "zh":
        notes_text = f"（{'；'.join(notes)}）" if notes else ""
    else:
        notes_text = f" ({'; '.join(notes)})" if notes else ""
    winner = "visual" if d.verdict.value == "video-aligned" else "audio"
    text = _REASON[lang][d.reason].format(
        used=sep.join(describe(rd[m], lang) for m in weighed),
        visual=describe(rd["visual"], lang) if cross else "",
        audio=joiner.join(describe(rd[m], lang) for m in audio_used),
        notes=notes_text,
        final=emotion_name(d.final, lang) if d.final else "",
        winner=_SIDE[lang][winner],
        verdict=_VERDICT_ZH.get(d.verdict.value, d.verdict.value)
        if lang == "zh"
        else d.verdict.value,
    )
    return f"{text}。" if lang == "zh" else f"{text}."
