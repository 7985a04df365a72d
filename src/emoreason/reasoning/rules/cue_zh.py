"""Chinese wording for perception cues and status lines (perception writes them in English).

A phrasebook of the sentence patterns the perception extractors emit: each entry is a regular
expression over the English text and a Chinese template using its groups (numbers and quoted
words are carried over unchanged). Text that matches no pattern is quoted verbatim in English
rather than paraphrased, so the Chinese analysis never claims more than perception observed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from emoreason.schema.evidence import Cue
from emoreason.schema.labels import EMOTION_ZH

WORDS: dict[str, str] = {
    # face action units
    "inner brows raised": "眉头内侧上扬",
    "outer brows raised": "眉梢上扬",
    "brows drawn together and lowered": "皱眉（双眉内聚下压）",
    "eyes narrowed or closed": "眯眼或闭眼",
    "eyes widened": "睁大眼睛",
    "lip corners pulled up": "嘴角上扬",
    "lip corners pulled down": "嘴角下垂",
    "lips pressed together": "双唇紧抿",
    "jaw dropped, mouth open": "下巴张开、嘴巴张开",
    "cheeks raised": "脸颊上提",
    "nose wrinkled": "皱鼻",
    "upper lip raised": "上唇上提",
    "lips stretched sideways": "嘴唇向两侧拉伸",
    "the facial actions": "面部动作",
    # scene
    "dark": "昏暗",
    "bright": "明亮",
    "moderately lit": "光线适中",
    "muted, low-colour": "色彩暗淡",
    "vivid": "色彩鲜艳",
    "moderately colourful": "色彩适中",
    "warm": "暖",
    "cool": "冷",
    "neutral": "中性",
    "static": "画面静止",
    "lively, much movement": "画面活跃、运动较多",
    "some movement": "有一些运动",
    # acoustic
    "monotone": "单调",
    "lively": "生动多变",
    "moderately varied": "适度起伏",
    "breathy or rough": "带气声或粗糙",
    "clear, harmonic": "清晰、谐波丰富",
    "ordinary": "普通",
    "fast": "快",
    "slow": "慢",
    "moderate": "适中",
    "rises": "上升",
    "falls": "下降",
    # body
    "open, arms apart": "开放，双臂张开",
    "closed, arms close to the body": "收拢，双臂贴近身体",
    "still": "静止",
    "moving a little": "轻微移动",
    "moving a lot": "大幅移动",
    "to the image left": "向画面左侧",
    "to the image right": "向画面右侧",
    # verbal
    "positive": "正面",
    "negative": "负面",
}


def _w(text: str) -> str:
    return WORDS.get(text, text)


def _emo(label: str) -> str:
    return EMOTION_ZH.get(label, label)


def _emotion_list(text: str) -> str:
    """'sad: miss, gone; not happy: great' (or the older 'sad x2') in Chinese labels."""
    items = re.findall(r"(\w+) x(\d+)", text)
    if items:
        return "、".join(f"{_emo(e)}×{n}" for e, n in items)
    groups = []
    for group in text.split("; "):
        label, _, words = group.partition(": ")
        negated = label.startswith("not ")
        name = _emo(label.removeprefix("not "))
        groups.append(f"{'非' if negated else ''}{name}：{words.replace(', ', '、')}")
    return "；".join(groups)


_Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _rules(pairs: list[tuple[str, Callable[[re.Match[str]], str]]]) -> tuple[_Rule, ...]:
    return tuple((re.compile(p + "$", re.IGNORECASE), f) for p, f in pairs)


CUE_RULES = _rules([
    (r"expression model reads '(\w+)' in (\d+)/(\d+) face frames \(mean p=([\d.]+), peak ([\d.]+) at ([\d.]+) s\)",
     lambda m: f"表情模型在 {m[3]} 个人脸帧中有 {m[2]} 帧判断为{_emo(m[1])}（平均概率 {m[4]}，{m[6]} 秒时峰值 {m[5]}）"),
    (r"(.+?) in (\d+)/(\d+) face frames \(peak at ([\d.]+) s\)",
     lambda m: f"{_w(m[1])}出现在 {m[3]} 个人脸帧中的 {m[2]} 帧（{m[4]} 秒最明显）"),
    (r"no face in (\d+)/(\d+) sampled frames", lambda m: f"{m[2]} 个采样帧中有 {m[1]} 帧未见人脸"),
    (r"head turned beyond (\d+) degrees \(or tilted beyond (\d+)\) in (\d+)/(\d+) face frames: expression not read there",
     lambda m: f"{m[4]} 个人脸帧中有 {m[3]} 帧头部转动超过 {m[1]} 度（或倾斜超过 {m[2]} 度），这些帧不判断表情"),
    (r"the expression model reads (\w+) \(([\d.]+)\), the facial actions form (\w+) \(([\d.]+): (.+)\)",
     lambda m: f"表情模型判断为{_emo(m[1])}（{m[2]}），面部动作却构成{_emo(m[3])}（{m[4]}：{'、'.join(_w(x) for x in m[5].split(', '))}）"),
    (r"up to (\d+) faces visible; the largest is analysed", lambda m: f"画面中最多有 {m[1]} 张人脸，分析最大的一张"),
    (r"head turned (.+) \(about (\d+) degrees\)", lambda m: f"头部{_w(m[1])}转动约 {m[2]} 度"),
    (r"head tilted down", lambda m: "低头"),
    (r"head tilted up", lambda m: "抬头"),
    (r"head tilted sideways \((\d+) degrees\)", lambda m: f"头部侧倾约 {m[1]} 度"),
    (r"gaze averted (.+)", lambda m: f"目光{_w(m[1])}移开"),
    (r"head sunk low between the shoulders \(slumped posture\)", lambda m: "头部低垂、缩在两肩之间（塌肩姿态）"),
    (r"head held upright above the shoulders", lambda m: "头部在两肩之上保持挺直"),
    (r"torso leans about (\d+) degrees off vertical", lambda m: f"躯干偏离竖直约 {m[1]} 度"),
    (r"hand at the face in (\d+)/(\d+) frames \(first at ([\d.]+) s\)",
     lambda m: f"{m[2]} 帧中有 {m[1]} 帧手在脸部（首次在 {m[3]} 秒）"),
    (r"arm posture (.+)", lambda m: f"手臂姿态{_w(m[1])}"),
    (r"body (still|moving a little|moving a lot) \(([\d.]+) shoulder widths per second\)",
     lambda m: f"身体{_w(m[1])}（每秒 {m[2]} 个肩宽）"),
    (r"(dark|bright|moderately lit) picture \(brightness ([\d.]+), contrast ([\d.]+)\)",
     lambda m: f"画面{_w(m[1])}（亮度 {m[2]}，对比度 {m[3]}）"),
    (r"(.+), (warm|cool|neutral)-toned colours", lambda m: f"{_w(m[1])}，{_w(m[2])}色调"),
    (r"(static|lively, much movement|some movement) \(motion energy ([\d.]+)/s\)",
     lambda m: f"{_w(m[1])}（运动能量 {m[2]}/秒）"),
    (r"a single continuous shot", lambda m: "单一连续镜头"),
    (r"(\d+) shot change\(s\) \(at (.+)\)", lambda m: f"{m[1]} 次镜头切换（{m[2]}）"),
    (r"loudness peaks at ([\d.]+) s \((-?[\d.]+) dBFS; mean (-?[\d.]+) dBFS\)",
     lambda m: f"响度在 {m[1]} 秒达到峰值（{m[2]} dBFS；平均 {m[3]} dBFS）"),
    (r"pitch averages (\d+) Hz, range ([\d.]+) semitones, (.+) \(std ([\d.]+) st\)",
     lambda m: f"平均音高 {m[1]} Hz，音域 {m[2]} 个半音，{_w(m[3])}（标准差 {m[4]} 个半音）"),
    (r"pitch (rises|falls) over the utterance \(([+-][\d.]+) st/s\)",
     lambda m: f"整句音高{_w(m[1])}（{m[2]} 半音/秒）"),
    (r"pitch contour is flat overall", lambda m: "整体音高平直"),
    (r"pitch rises (sharply )?at ([\d.]+) s \(\+([\d.]+) st within 0\.3 s\)",
     lambda m: f"{m[2]} 秒处音高{'急剧' if m[1] else ''}上扬（0.3 秒内升高 {m[3]} 个半音）"),
    (r"(.+) voice \(HNR (-?\d+) dB, jitter ([\d.]+) %, shimmer ([\d.]+) %\)",
     lambda m: f"嗓音{_w(m[1])}（谐噪比 {m[2]} dB，jitter {m[3]} %，shimmer {m[4]} %）"),
    (r"(fast|slow|moderate) speech, about ([\d.]+) syllables per second",
     lambda m: f"语速{_w(m[1])}，约每秒 {m[2]} 个音节"),
    (r"(\d+) pause\(s\), ([\d.]+) s in total; longest ([\d.]+) s at ([\d.]+) s",
     lambda m: f"{m[1]} 次停顿，共 {m[2]} 秒；最长 {m[3]} 秒（{m[4]} 秒处）"),
    (r"no pauses longer than ([\d.]+) s", lambda m: f"没有超过 {m[1]} 秒的停顿"),
    (r"voicing is unusually regular .*", lambda m: "发声异常规律（可能是合成语音），声学情绪证据较弱"),
    (r"no voiced speech found", lambda m: "未发现浊音语音"),
    (r'says: "(.*)"', lambda m: f"说：“{m[1]}”"),
    (r"pause of ([\d.]+) s after '(.+)' at ([\d.]+) s", lambda m: f"在“{m[2]}”之后停顿 {m[1]} 秒（{m[3]} 秒处）"),
    (r"non-speech sound '(.+)' at ([\d.]+) s", lambda m: f"{m[2]} 秒处有非语音声音“{m[1]}”"),
    (r"no speech: the audio is silent \(peak (-?[\d.]+|-inf) dBFS\)", lambda m: f"没有语音：音频无声（峰值 {m[1]} dBFS）"),
    (r'"(.+)" reads (\w+) \(p=([\d.]+)\) at ([\d.]+) s',
     lambda m: f"“{m[1]}”读来{_emo(m[2])}（概率 {m[3]}，{m[4]} 秒）"),
    (r"emotion words: (.+)", lambda m: f"情绪词：{_emotion_list(m[1])}"),
    (r"the words report bad news \(loss, illness, failure\)", lambda m: "话语在报告坏消息（失去、疾病、失败）"),
    (r"the words give no emotional evidence \(no words\)", lambda m: "话语没有提供情绪证据（没有词语）"),
    (r"the words give no emotional evidence \(too few words, no emotion words\)",
     lambda m: "话语没有提供情绪证据（词语太少，且没有情绪词）"),
    (r"very few words: the reading counts half", lambda m: "词语很少：该判断只计一半权重"),
    (r"literal wording is (positive|negative|neutral) \(VADER compound ([+-][\d.]+)\)",
     lambda m: f"字面措辞{_w(m[1])}（VADER 复合分 {m[2]}）"),
    (r"likely sarcasm: stock ironic phrases \((.+)\) alongside a complaint.*",
     lambda m: f"可能是反讽：套语式的反话（{m[1]}）与抱怨同时出现，正面词语应理解为不满"),
    (r"speech recognition is uncertain here.*", lambda m: "此处语音识别不确定，对词语的解读需谨慎"),
])  # fmt: skip

STATUS_RULES = _rules([
    (r".*removed by ablation \((\w+)-only\).*",
     lambda m: f"因消融被移除（仅保留{ {'visual': '视觉', 'audio': '音频'}.get(m[1], m[1]) }一侧）"),
    (r"face found in (\d+)/(\d+) sampled frames(; up to (\d+) faces in a frame.*)?",
     lambda m: f"{m[2]} 个采样帧中有 {m[1]} 帧检测到人脸" + (f"；单帧最多 {m[4]} 张人脸（分析最大的一张）" if m[3] else "")),
    (r"no face detected in 0/(\d+) sampled frames( \(frames are only (\d+) px high.*)?",
     lambda m: f"{m[1]} 个采样帧中均未检测到人脸" + (f"（画面仅 {m[3]} 像素高，太小）" if m[2] else "")),
    (r"upper body found in (\d+)/(\d+) sampled frames", lambda m: f"{m[2]} 个采样帧中有 {m[1]} 帧检测到上半身"),
    (r"no body \(head and shoulders\) detected in 0/(\d+) sampled frames",
     lambda m: f"{m[1]} 个采样帧中均未检测到身体（头肩）"),
    (r"(\d+) frames sampled over ([\d.]+) s \((\d+) decoded\)", lambda m: f"在 {m[2]} 秒内采样 {m[1]} 帧（解码 {m[3]} 帧）"),
    (r"no video frames could be sampled", lambda m: "无法采样视频帧"),
    (r"voice analysed: (\d+)% of ([\d.]+) s voiced", lambda m: f"已分析声音：{m[2]} 秒中 {m[1]}% 为浊音"),
    (r"audio is silent.*", lambda m: "音频无声，没有可分析的声音"),
    (r"audio too short.*", lambda m: "音频太短，无法分析"),
    (r"(\d+) words transcribed, language (\w+) \(p=([\d.]+)\)",
     lambda m: f"转写出 {m[1]} 个词，语言 {m[2]}（概率 {m[3]}）"),
    (r"no speech detected in ([\d.]+) s of audio: transcript empty.*", lambda m: f"{m[1]} 秒音频中未检测到语音，转写为空"),
    (r"no speech: audio is silent.*", lambda m: "没有语音：音频无声，转写为空"),
    (r"(\d+) sentence\(s\) analysed \((\w+|\?)\); words lean (\w+)",
     lambda m: f"分析了 {m[1]} 个句子（{m[2]}）；措辞倾向{_emo(m[3])}"),
    (r"transcript is empty: no words to analyse", lambda m: "转写为空，没有可分析的词语"),
    (r"the transcript is unreliable \(.*\): its words are not read for emotion",
     lambda m: "转写不可靠（识别质量指标异常），不据此判断情绪"),
    (r"speech was heard but the recogniser's words are unreliable.*",
     lambda m: "检测到语音，但识别出的词语不可靠，因此不引用"),
    (r"no audio stream.*", lambda m: "文件中没有音频流"),
    (r"no audio, so no words to analyse", lambda m: "没有音频，因此没有可分析的词语"),
    (r"(\w+) extraction failed on this clip \((.+)\)", lambda m: f"该片段的 {m[1]} 提取失败（{m[2]}）"),
    (r"(\w+): not analysed", lambda m: f"{m[1]}：未分析"),
])  # fmt: skip


def _apply(rules: tuple[_Rule, ...], text: str) -> str | None:
    stripped = text.strip()
    for pattern, render in rules:
        match = pattern.match(stripped)
        if match:
            return render(match)
    return None


def cue_zh(cue: Cue) -> str:
    """A Chinese rendering of one cue; unknown wording is quoted verbatim."""
    return _apply(CUE_RULES, cue.description) or f"“{cue.description}”"


def status_zh(status: str) -> str:
    """A Chinese rendering of a modality status line; unknown wording is quoted verbatim."""
    return _apply(STATUS_RULES, status) or f"“{status}”"
