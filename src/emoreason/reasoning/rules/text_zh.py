"""Chinese SABER text from :class:`~emoreason.reasoning.rules.facts.ClipFacts`.

Same facts and order as the English writer. Cue descriptions and status lines come from
perception in English: known cue names and status patterns are rendered through
:mod:`emoreason.reasoning.rules.cue_zh`; anything unknown is quoted as-is (never invented).
"""

from __future__ import annotations

from emoreason.reasoning.consistency import emotion_name
from emoreason.reasoning.rules.cue_zh import cue_zh, status_zh
from emoreason.reasoning.rules.facts import ALWAYS_CITE, ClipFacts, ModalityFacts
from emoreason.schema.evidence import Cue
from emoreason.schema.saber import AudioDesc, SaberRecord

_SIDE_ZH = {"visual": "面部", "acoustic": "声音", "verbal": "言语"}
_VERDICT_ZH = {
    "consistent": "一致",
    "video-aligned": "视频对齐",
    "audio-aligned": "音频对齐",
    "ambiguous": "不确定",
}


def span(cue: Cue) -> str:
    """The cue's time span, unless its description already states the time."""
    if cue.start is None or f"{cue.start:.1f} s" in cue.description:
        return ""
    if cue.end is None or abs(cue.end - cue.start) < 0.05:
        return f"（{cue.start:.1f} 秒）"
    return f"（{cue.start:.1f}–{cue.end:.1f} 秒）"


def cue_list(cues: list[Cue]) -> str:
    return "；".join(f"{cue_zh(c)}{span(c)}" for c in cues)


def _end(text: str) -> str:
    text = text.strip()
    return text if text.endswith(("。", "！", "？")) else text + "。"


def _unavailable(m: ModalityFacts, what: str) -> str:
    return _end(f"{what}不可用：{status_zh(m.status)}")


def _hypothesis(facts: ClipFacts, modality: str) -> str:
    h = facts.hypotheses[modality]
    if not h.available:
        return ""
    second = sorted(h.distribution, key=lambda e: -h.distribution[e])[1]
    return (
        f"{_SIDE_ZH[modality]}判断为{emotion_name(h.label, 'zh')}"
        f"（概率 {h.distribution[h.label]:.2f}，其次为{emotion_name(second, 'zh')} "
        f"{h.distribution[second]:.2f}；置信度 {h.confidence:.2f}）。"
    )


def video_desc(facts: ClipFacts) -> str:
    clip = facts.clip
    size = f"{clip.width}×{clip.height}，" if clip.width and clip.height else ""
    fps = f"{clip.fps:.0f} 帧/秒，" if clip.fps else ""
    sound = "有声音" if clip.has_audio else "无音频流"
    head = (
        f"一段 {clip.duration:.1f} 秒的视频（{size}{fps}采样 {clip.frames_sampled} 帧，{sound}）。"
    )
    if clip.incomplete and clip.decoded_duration is not None:
        head += (
            f"文件被截断或损坏：{clip.duration:.1f} 秒中只解码了 {clip.decoded_duration:.1f} 秒，"
            f"置信度乘以 {clip.coverage:.2f}。"
        )
    if not clip.has_video:
        return head + "没有视频流。"
    scene = facts.modality("scene")
    if not scene.available:
        return head + _unavailable(scene, "场景分析")
    parts = [head]
    if scene.cues:
        parts.append(_end(f"场景：{cue_list(scene.cues)}"))
    parts.append(_end(f"面部：{status_zh(facts.modality('face').status)}"))
    body = facts.modality("body")
    if body.status:
        parts.append(_end(f"人物：{status_zh(body.status)}"))
    return "".join(parts)


def speech_content(facts: ClipFacts) -> str:
    speech, verbal = facts.modality("speech"), facts.modality("verbal")
    if not facts.clip.has_audio:
        return _unavailable(speech, "语音")
    if not facts.speech_detected:
        return _end(
            f"未检测到语音，转写为空，没有可分析的说话内容（语音：{status_zh(speech.status)}）"
        )
    if facts.transcript_issues:
        return _end(
            f"检测到语音，但识别出的词语不可靠（{len(facts.transcript_issues)} 项识别质量指标异常），"
            "因此不引用这些词语，也不据此判断情绪"
        )
    lang = f"（语言：{facts.transcript_language}）" if facts.transcript_language else ""
    text = f"说话人说{lang}：“{facts.transcript}”。"
    if verbal.available and verbal.cues:
        text += _end(f"词语线索：{cue_list(verbal.cues)}")
    elif not verbal.available:
        text += _unavailable(verbal, "词语分析")
    return text + _hypothesis(facts, "verbal")


def acoustic_feat(facts: ClipFacts) -> str:
    acoustic = facts.modality("acoustic")
    if not acoustic.available:
        return _unavailable(acoustic, "声学分析")
    text = _end(f"声音：{cue_list(acoustic.cues)}" if acoustic.cues else status_zh(acoustic.status))
    if acoustic.peak:
        t, label, score = acoustic.peak
        text += f"声音中{emotion_name(label, 'zh')}得分最高为 {score:.2f}（{t:.1f} 秒）。"
    return text + _hypothesis(facts, "acoustic")


def facial_exp_desc(facts: ClipFacts) -> str:
    face = facts.modality("face")
    if not face.available:
        return _unavailable(face, "面部表情")
    text = _end(f"面部：{cue_list(face.cues)}" if face.cues else status_zh(face.status))
    if face.peak:
        t, label, score = face.peak
        text += f"表情在 {t:.1f} 秒最接近{emotion_name(label, 'zh')}（{score:.2f}）。"
    return text + _hypothesis(facts, "visual")


def body_lang_desc(facts: ClipFacts) -> str:
    body = facts.modality("body")
    if not body.available:
        return _unavailable(body, "肢体语言")
    if body.cues:
        return _end(f"肢体：{cue_list(body.cues)}")
    return _end(f"{status_zh(body.status)}；没有明显的姿态或手势线索")


def sentiment_analysis(facts: ClipFacts) -> str:
    pieces = []
    for modality, source in (("visual", "face"), ("acoustic", "acoustic"), ("verbal", "verbal")):
        m = facts.modality(source)
        h = facts.hypotheses[modality]
        name = _SIDE_ZH[modality]
        if not h.available or not m.available:
            pieces.append(f"{name}：不可用（{status_zh(m.status)}）")
            continue
        cited = cue_list(m.cues[:2]) or status_zh(m.status)
        if modality == "verbal" and facts.transcript:
            flags = [c for c in m.cues if c.name in ALWAYS_CITE]
            cited = f"“{_clip(facts.transcript)}”" + "".join(f"；{cue_zh(c)}" for c in flags)
        read = facts.consistency.modalities.get(modality)
        read_zh = emotion_name(read, "zh") if read else "没有情绪证据"
        pieces.append(f"{name} → {read_zh}（{cited}）")
    c = facts.consistency
    text = f"证据：{'；'.join(pieces)}。{c.explanation}"
    if c.conflicts:
        sides = "，".join(
            f"{_SIDE_ZH[a]}（{emotion_name(c.modalities.get(a) or '', 'zh')}）与"
            f"{_SIDE_ZH[b]}（{emotion_name(c.modalities.get(b) or '', 'zh')}）"
            for a, b in c.conflicts
        )
        text += f"冲突的模态：{sides}。"
    text += f"最终情绪：{emotion_name(facts.emotion, 'zh')}"
    if c.resolution is None:
        text += "（仅为默认值：没有任何模态提供情绪证据）"
    if facts.secondary:
        text += "，并带有" + "、".join(emotion_name(e, "zh") for e in facts.secondary) + "的成分"
    return text + f"（判定：{_VERDICT_ZH[c.verdict.value]}）。"


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def write_zh(facts: ClipFacts) -> SaberRecord:
    return SaberRecord(
        video_desc=video_desc(facts),
        audio_desc=AudioDesc(
            speech_content=speech_content(facts), acoustic_feat=acoustic_feat(facts)
        ),
        facial_exp_desc=facial_exp_desc(facts),
        body_lang_desc=body_lang_desc(facts),
        sentiment_analysis=sentiment_analysis(facts),
    )
