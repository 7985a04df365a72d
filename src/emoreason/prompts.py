"""SED (structured evidence decomposition) prompts: perceive first, reason last.

Below reasoning and formats (both use them: backends send them, ms-swift rows carry them);
the method is described in docs/methods/sed.md.

The published SABER-LLM inference prompt is Chinese, in four steps: (1) describe the scene and
background, (2) analyse the audio (speech content and acoustic features), (3) analyse facial
expression and body language, (4) synthesise all observations into the speaker's emotional
state. The texts below are our own wording of those four steps (CN and an English counterpart),
asking for the SABER JSON keys so the answer parses into a record.
"""

from __future__ import annotations

from emoreason.schema.languages import Language, check_language

__all__ = ["PROMPT_VERSION", "SED_PROMPT_EN", "SED_PROMPT_ZH", "Language", "sed_prompt"]

PROMPT_VERSION = "sed-v1"

SED_PROMPT_EN = (
    "You are given a video clip with its audio. Analyse the speaker's emotion step by step, "
    "describing what you observe before you conclude.\n"
    "Step 1 - Scene: describe the setting, background, lighting and what happens in the video.\n"
    "Step 2 - Audio: report what is said (speech content) and how it sounds (pitch, loudness, "
    "speaking rate, pauses, voice quality).\n"
    "Step 3 - Face and body: describe the facial expression (brows, eyes, mouth) and the body "
    "language (posture, gestures, head movement).\n"
    "Step 4 - Reasoning: combine all observations into the speaker's emotional state. Cite the "
    "evidence each conclusion rests on and say whether the face, the voice and the words agree; "
    "if they conflict, say which side you trust and why.\n"
    "Answer with one JSON object with exactly these keys: "
    '{"video_desc": "...", "audio_desc": {"speech_content": "...", "acoustic_feat": "..."}, '
    '"facial_exp_desc": "...", "body_lang_desc": "...", "sentiment_analysis": "..."}'
)

SED_PROMPT_ZH = (
    "给定一段带音频的视频，请逐步分析说话人的情绪，先描述观察到的内容，再下结论。\n"
    "第一步 场景：描述视频中的场景、背景、光线以及发生的事情。\n"
    "第二步 音频：说明说话的内容（语音内容），以及声音的特点（音高、响度、语速、停顿、音质）。\n"
    "第三步 面部与肢体：描述面部表情（眉毛、眼睛、嘴部）和肢体语言（姿态、手势、头部动作）。\n"
    "第四步 推理：综合以上所有观察，判断说话人的情绪状态。说明每个结论所依据的证据，"
    "并指出面部、声音和言语是否一致；如果存在冲突，说明你更相信哪一方以及原因。\n"
    "请用一个 JSON 对象回答，且只包含以下键："
    '{"video_desc": "...", "audio_desc": {"speech_content": "...", "acoustic_feat": "..."}, '
    '"facial_exp_desc": "...", "body_lang_desc": "...", "sentiment_analysis": "..."}'
)


def sed_prompt(lang: Language = "en") -> str:
    """The SED instruction in ``lang`` ('en' or 'zh'); ValueError for another language."""
    return {"en": SED_PROMPT_EN, "zh": SED_PROMPT_ZH}[check_language(lang)]
