"""The sentences of the rule backend's SABER text, one table per language.

:mod:`emoreason.reasoning.rules.text` decides which facts are stated and in which order; these
tables only say how each sentence reads in a language. Templates are :meth:`str.format`
strings with the phrasebook's conversions (``!e`` an emotion label, see
:mod:`emoreason.schema.phrasebook`); a sentence's final punctuation is added by the writer where
the template has none.
"""

from __future__ import annotations

from dataclasses import dataclass

from emoreason.schema.languages import Language


@dataclass(frozen=True)
class SentenceWording:
    """How each sentence of the rules text reads in one language."""

    # cue time spans, after a cue that does not state its time itself
    span_at: str
    span_range: str
    # any dimension
    unavailable: str
    unavailable_what: dict[str, str]  # evidence modality -> what was not available
    hypothesis: str
    reads: dict[str, str]  # hypothesis modality -> its subject in `hypothesis`
    # video_desc
    clip_head: str
    clip_size: str
    clip_fps: str
    with_sound: str
    no_sound: str
    incomplete: str
    no_video: str
    scene: str
    face: str
    person: str
    # speech_content
    no_speech: str
    words_unreliable: str
    transcript_language: str
    says: str
    word_cues: str
    # acoustic_feat, facial_exp_desc, body_lang_desc
    voice: str
    voice_peak: str
    face_peak: str
    body: str
    body_no_cue: str
    # sentiment_analysis
    side_names: dict[str, str]  # hypothesis modality -> its name in the evidence summary
    side_unavailable: str
    side_reading: str
    no_emotion_evidence: str
    quoted_transcript: str
    transcript_limit: int  # characters of the transcript quoted in the summary
    evidence: str
    conflict_names: dict[str, str]
    conflict_pair: str
    pair_separator: str
    conflicts: str
    final: str
    default_note: str
    traces: str
    verdict: str
    verdict_names: dict[str, str]


WORDING: dict[Language, SentenceWording] = {
    "en": SentenceWording(
        span_at=" [at {time:.1f} s]",
        span_range=" [{start:.1f}–{end:.1f} s]",
        unavailable="{what} unavailable: {status}",
        unavailable_what={
            "scene": "Scene analysis",
            "speech": "Speech",
            "verbal": "Word analysis",
            "acoustic": "Acoustic analysis",
            "face": "Facial expression",
            "body": "Body language",
        },
        hypothesis="{reads} as {label!e} (p={p:.2f}, next {second!e} p={second_p:.2f}; "
        "confidence {confidence:.2f}).",
        reads={
            "visual": "The face reads",
            "acoustic": "The voice reads",
            "verbal": "The words read",
        },
        clip_head="Clip of {duration:.1f} s ({size}{fps}{frames} frames sampled{sound}).",
        clip_size="{width}×{height}, ",
        clip_fps="{fps:.0f} fps, ",
        with_sound=", with sound",
        no_sound=", no audio stream",
        incomplete="Only {decoded:.1f} of its {duration:.1f} s could be decoded (file cut or "
        "damaged): confidences are scaled by {coverage:.2f}.",
        no_video="There is no video stream.",
        scene="Scene: {cues}",
        face="Face: {text}",
        person="Person: {status}",
        no_speech="No speech was detected: the transcript is empty, so there are no words to "
        "analyse (speech: {status})",
        words_unreliable="Speech was heard, but the recognised words are unreliable ({issues}), "
        "so they are neither quoted nor read for emotion",
        transcript_language=" ({language})",
        says='The speaker says{language}: "{transcript}"',
        word_cues="Word cues: {cues}",
        voice="Voice: {text}",
        voice_peak="Strongest vocal {label!e} score {score:.2f} at {time:.1f} s.",
        face_peak="The expression peaks as {label!e} ({score:.2f}) at {time:.1f} s.",
        body="Body: {cues}",
        body_no_cue="{status}; no notable posture or gesture cue",
        side_names={"visual": "face", "acoustic": "voice", "verbal": "words"},
        side_unavailable="{side}: unavailable ({status})",
        side_reading="{side} → {read} ({cited})",
        no_emotion_evidence="no emotion evidence",
        quoted_transcript='"{text}"',
        transcript_limit=90,
        evidence="Evidence: {pieces}.",
        conflict_names={"visual": "visual", "acoustic": "acoustic", "verbal": "verbal"},
        conflict_pair="{a} ({a_label!e}) vs {b} ({b_label!e})",
        pair_separator=", ",
        conflicts="Conflicting pairs: {pairs}.",
        final="Final emotion: {emotion!e}",
        default_note=" (a default: no modality gave emotion evidence)",
        traces=", with traces of {labels!e}",
        verdict=" (verdict: {verdict}).",
        verdict_names={
            "consistent": "consistent",
            "video-aligned": "video-aligned",
            "audio-aligned": "audio-aligned",
            "ambiguous": "ambiguous",
        },
    ),
    "zh": SentenceWording(
        span_at="（{time:.1f} 秒）",
        span_range="（{start:.1f}–{end:.1f} 秒）",
        unavailable="{what}不可用：{status}",
        unavailable_what={
            "scene": "场景分析",
            "speech": "语音",
            "verbal": "词语分析",
            "acoustic": "声学分析",
            "face": "面部表情",
            "body": "肢体语言",
        },
        hypothesis="{reads}判断为{label!e}（概率 {p:.2f}，其次为{second!e} {second_p:.2f}；"
        "置信度 {confidence:.2f}）。",
        reads={"visual": "面部", "acoustic": "声音", "verbal": "言语"},
        clip_head="一段 {duration:.1f} 秒的视频（{size}{fps}采样 {frames} 帧，{sound}）。",
        clip_size="{width}×{height}，",
        clip_fps="{fps:.0f} 帧/秒，",
        with_sound="有声音",
        no_sound="无音频流",
        incomplete="文件被截断或损坏：{duration:.1f} 秒中只解码了 {decoded:.1f} 秒，"
        "置信度乘以 {coverage:.2f}。",
        no_video="没有视频流。",
        scene="场景：{cues}",
        face="面部：{text}",
        person="人物：{status}",
        no_speech="未检测到语音，转写为空，没有可分析的说话内容（语音：{status}）",
        words_unreliable="检测到语音，但识别出的词语不可靠（{count} 项识别质量指标异常），"
        "因此不引用这些词语，也不据此判断情绪",
        transcript_language="（语言：{language}）",
        says="说话人说{language}：“{transcript}”。",
        word_cues="词语线索：{cues}",
        voice="声音：{text}",
        voice_peak="声音中{label!e}得分最高为 {score:.2f}（{time:.1f} 秒）。",
        face_peak="表情在 {time:.1f} 秒最接近{label!e}（{score:.2f}）。",
        body="肢体：{cues}",
        body_no_cue="{status}；没有明显的姿态或手势线索",
        side_names={"visual": "面部", "acoustic": "声音", "verbal": "言语"},
        side_unavailable="{side}：不可用（{status}）",
        side_reading="{side} → {read}（{cited}）",
        no_emotion_evidence="没有情绪证据",
        quoted_transcript="“{text}”",
        transcript_limit=60,
        evidence="证据：{pieces}。",
        conflict_names={"visual": "面部", "acoustic": "声音", "verbal": "言语"},
        conflict_pair="{a}（{a_label!e}）与{b}（{b_label!e}）",
        pair_separator="，",
        conflicts="冲突的模态：{pairs}。",
        final="最终情绪：{emotion!e}",
        default_note="（仅为默认值：没有任何模态提供情绪证据）",
        traces="，并带有{labels!e}的成分",
        verdict="（判定：{verdict}）。",
        verdict_names={
            "consistent": "一致",
            "video-aligned": "视频对齐",
            "audio-aligned": "音频对齐",
            "ambiguous": "不确定",
        },
    ),
}
