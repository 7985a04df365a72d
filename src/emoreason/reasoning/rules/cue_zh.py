"""Chinese wording for perception cues and status lines (which perception writes in English).

:func:`cue_zh` looks the cue's machine name up in :data:`CUE_ZH` (a template that may use the
cue's ``{value}`` and ``{unit}``); :func:`status_zh` rewrites known status patterns. Anything
not covered is quoted verbatim in English rather than paraphrased, so the Chinese text never
claims more than perception observed.
"""

from __future__ import annotations

import re

from emoreason.schema.evidence import Cue

#: cue name -> Chinese template. Keys are matched exactly, then by prefix (longest first).
CUE_ZH: dict[str, str] = {
    # face (action-unit proxies and expression model)
    "lip_corner_puller": "嘴角上扬（微笑）",
    "lip_corner_pull": "嘴角上扬（微笑）",
    "lip_corner_depressor": "嘴角下垂",
    "lip_corner_depress": "嘴角下垂",
    "inner_brow_raise": "眉头内侧上扬",
    "brow_raise": "眉毛上扬",
    "brow_lower": "皱眉（眉毛下压）",
    "brow_furrow": "皱眉",
    "cheek_raise": "脸颊上提",
    "jaw_drop": "下巴张开",
    "mouth_open": "张嘴",
    "eye_aperture": "眼睛睁开程度变化",
    "eye_closure": "眼睛闭合",
    "eyes_narrow": "眯眼",
    "lip_press": "双唇紧抿",
    "expression": "面部表情模型判断",
    "smile": "微笑",
    "tears": "流泪",
    # body
    "head_down": "低头",
    "head_motion": "头部动作",
    "head_shake": "摇头",
    "head_nod": "点头",
    "lean_forward": "身体前倾",
    "lean_back": "身体后仰",
    "slump": "身体蜷缩/塌肩",
    "posture": "姿态",
    "arms_open": "双臂张开",
    "arms_closed": "双臂收拢",
    "hand_to_face": "手触碰面部",
    # scene
    "brightness": "光线",
    "dim": "光线昏暗",
    "colour": "色调",
    "color": "色调",
    "motion": "画面运动",
    "shot_change": "镜头切换",
    "faces": "画面中的人脸数量",
    # acoustic
    "pitch_low": "音调偏低",
    "pitch_high": "音调偏高",
    "pitch_steady": "音调平稳",
    "pitch_var": "音调起伏",
    "pitch_rise": "音调上扬",
    "pitch_fall": "音调下降",
    "pitch": "音高",
    "loudness_high": "音量大",
    "loudness_low": "音量小",
    "loudness": "响度",
    "energy": "能量",
    "speech_rate_fast": "语速快",
    "speech_rate_slow": "语速慢",
    "speech_rate": "语速",
    "pause": "停顿",
    "jitter": "音高抖动（jitter）",
    "shimmer": "振幅抖动（shimmer）",
    "hnr": "谐噪比",
    "voice_quality": "音质",
    # verbal
    "lexicon_sentiment": "词语情感倾向",
    "sentiment": "文本情感倾向",
    "positive_words": "正面词语",
    "negative_words": "负面词语",
    "emotion_words": "情绪词",
    "hostile_words": "敌意词语",
    "exclamation": "感叹语气",
}
_PREFIXES = sorted(CUE_ZH, key=len, reverse=True)


def _value(cue: Cue) -> str:
    if cue.value is None:
        return ""
    number = f"{cue.value:.3g}" if isinstance(cue.value, float) else str(cue.value)
    return f" {number}{(' ' + cue.unit) if cue.unit else ''}"


def cue_zh(cue: Cue) -> str:
    """A Chinese rendering of one cue; unknown names keep the English description quoted."""
    template = CUE_ZH.get(cue.name)
    if template is None:
        template = next((CUE_ZH[p] for p in _PREFIXES if cue.name.startswith(p)), None)
    if template is None:
        return f"“{cue.description}”"
    return f"{template}{_value(cue)}（“{cue.description}”）"


#: (regex over the English status, Chinese template using the groups).
STATUS_ZH: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.IGNORECASE), t)
    for p, t in (
        (r"^.*removed by ablation \((\w+)-only\).*$", "因消融实验被移除（仅保留{0}）"),
        (r"^.*no audio stream.*$", "文件中没有音频流"),
        (r"^.*digital silence.*$", "音频为数字静音"),
        (r"^.*(?:audio is )?silen(?:t|ce).*$", "音频无声"),
        (r"^.*no speech.*$", "未检测到语音"),
        (r"^.*empty transcript.*$", "转写为空"),
        (r"^.*no face (?:detected|found)(?: in (\d+)/(\d+).*)?$", "未检测到人脸"),
        (r"^.*no (?:person|body|pose).*$", "未检测到人物/姿态"),
        (r"^.*no video stream.*$", "文件中没有视频流"),
        (r"^.*not analysed.*$", "未分析"),
        (r"^face found in (\d+)/(\d+).*$", "在 {1} 个采样帧中有 {0} 帧检测到人脸"),
        (r"^.*(\d+) words? recognised.*$", "识别出 {0} 个词"),
    )
)


_WORD_ZH = {"visual": "视觉", "audio": "音频"}


def status_zh(status: str) -> str:
    for pattern, template in STATUS_ZH:
        match = pattern.match(status.strip())
        if match:
            groups = [_WORD_ZH.get(g, g) for g in match.groups() if g is not None]
            try:
                return template.format(*groups)
            except IndexError:
                return template.split("{")[0] or status
    return f"“{status}”"
