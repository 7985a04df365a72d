"""The wording of perception's cues and status lines, one template per language per phrase.

A template is a :meth:`str.format` string over the phrase's parts. Conversions name how a part
is worded in each language (:mod:`emoreason.schema.phrases` applies them):

- ``!w`` an enumerated word of perception's own vocabulary ("dark", "to the image left"),
  looked up in the language's word table (English words are their own wording);
- ``!e`` an emotion label (``happy``; 开心 in Chinese: :func:`~emoreason.schema.labels.emotion_name`);
- ``!t`` a time in seconds from the clip start ("2.1 s"; "2.1 秒");
- ``!q`` quoted outside text: words of the transcript, a sound tag ('x'; “x”);
- ``!l`` outside text listed as it is;
- ``!g`` emotion-word groups: ``[{"emotion": "sad", "negated": false, "words": [...]}, ...]``.

A list part with ``!w``/``!e``/``!t``/``!q``/``!l`` is worded item by item and listed with the
language's separator. A template that uses the part ``at`` states the cue's time itself, so the
writers do not repeat the cue's time span after it. Numbers, units (Hz, dB, dBFS, %) and the
names of measures (jitter, shimmer, VADER) stay as they are in every language.
"""

from __future__ import annotations

from dataclasses import dataclass

from emoreason.schema.languages import Language


@dataclass(frozen=True)
class Punctuation:
    """How one language lists, quotes and ends what it says."""

    list_separator: str  # between the items of a list part ("a, b")
    clause_separator: str  # between clauses of one statement ("a; b"), status phrases, cues
    sentence_separator: str  # between sentences of a paragraph
    full_stop: str
    sentence_ends: tuple[str, ...]
    quote_open: str  # around quoted outside text (transcript words, sound tags)
    quote_close: str
    word_open: str  # around the transcript words an emotion-word group lists
    word_close: str
    seconds: str  # a time, e.g. "{:.1f} s"
    negation: str  # before a negated emotion label in an emotion-word group
    label_separator: str  # between an emotion label and its words


PUNCTUATION: dict[Language, Punctuation] = {
    "en": Punctuation(
        list_separator=", ", clause_separator="; ", sentence_separator=" ", full_stop=".",
        sentence_ends=(".", "!", "?"), quote_open="'", quote_close="'", word_open="",
        word_close="", seconds="{:.1f} s",
        negation="not ", label_separator=": ",
    ),
    "zh": Punctuation(
        list_separator="、", clause_separator="；", sentence_separator="", full_stop="。",
        sentence_ends=("。", "！", "？"), quote_open="“", quote_close="”", word_open="“",
        word_close="”", seconds="{:.1f} 秒",
        negation="非", label_separator="：",
    ),
}  # fmt: skip

#: Perception's enumerated words per language (English: the word itself).
WORDS: dict[Language, dict[str, str]] = {
    "en": {},
    "zh": {
        # face action units (emoreason.perception.face_actions.ACTIONS phrases)
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
        # directions
        "to the image left": "向画面左侧",
        "to the image right": "向画面右侧",
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
        # voice
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
        # words
        "positive": "正面",
        "negative": "负面",
        "no words": "没有词语",
        "too few words, no emotion words": "词语太少，且没有情绪词",
        # modalities and sides (status lines)
        "face": "面部",
        "body": "身体",
        "scene": "场景",
        "acoustic": "声学",
        "speech": "语音",
        "verbal": "言语",
        "visual": "视觉",
        "audio": "音频",
    },
}

#: Cue phrases: key -> language -> template (perception's cue kinds, by modality).
CUE_PHRASES: dict[str, dict[Language, str]] = {
    "face.expression": {
        "en": "expression model reads '{label!e}' in {frames}/{total} face frames "
        "(mean p={mean:.2f}, peak {peak:.2f} at {at!t})",
        "zh": "表情模型在 {total} 个人脸帧中有 {frames} 帧判断为{label!e}"
        "（平均概率 {mean:.2f}，{at!t}时峰值 {peak:.2f}）",
    },
    "face.action": {
        "en": "{action!w} in {frames}/{total} face frames (peak at {at!t})",
        "zh": "{action!w}出现在 {total} 个人脸帧中的 {frames} 帧（{at!t}最明显）",
    },
    "face.pose_extreme": {
        "en": "head turned beyond {yaw_limit:.0f} degrees (or tilted beyond {pitch_limit:.0f}) "
        "in {frames}/{total} face frames: expression not read there",
        "zh": "{total} 个人脸帧中有 {frames} 帧头部转动超过 {yaw_limit:.0f} 度"
        "（或倾斜超过 {pitch_limit:.0f} 度），这些帧不判断表情",
    },
    "face.several": {
        "en": "up to {faces} faces visible; the largest is analysed",
        "zh": "画面中最多有 {faces} 张人脸，分析最大的一张",
    },
    "face.missing": {
        "en": "no face in {missing}/{total} sampled frames",
        "zh": "{total} 个采样帧中有 {missing} 帧未见人脸",
    },
    "face.readers_disagree": {
        "en": "the expression model reads {model!e} ({model_p:.2f}), the facial actions form "
        "{formed!e} ({formed_p:.2f}: {actions!w})",
        "zh": "表情模型判断为{model!e}（{model_p:.2f}），面部动作却构成{formed!e}"
        "（{formed_p:.2f}：{actions!w}）",
    },
    "face.head_turned": {
        "en": "head turned {side!w} (about {degrees:.0f} degrees)",
        "zh": "头部{side!w}转动约 {degrees:.0f} 度",
    },
    "face.head_down": {"en": "head tilted down", "zh": "低头"},
    "face.head_up": {"en": "head tilted up", "zh": "抬头"},
    "face.head_tilt": {
        "en": "head tilted sideways ({degrees:.0f} degrees)",
        "zh": "头部侧倾约 {degrees:.0f} 度",
    },
    "face.gaze_averted": {"en": "gaze averted {side!w}", "zh": "目光{side!w}移开"},
    "body.slumped": {
        "en": "head sunk low between the shoulders (slumped posture)",
        "zh": "头部低垂、缩在两肩之间（塌肩姿态）",
    },
    "body.upright": {"en": "head held upright above the shoulders", "zh": "头部在两肩之上保持挺直"},
    "body.lean": {
        "en": "torso leans about {degrees:.0f} degrees off vertical",
        "zh": "躯干偏离竖直约 {degrees:.0f} 度",
    },
    "body.hand_to_face": {
        "en": "hand at the face in {frames}/{total} frames (first at {at!t})",
        "zh": "{total} 帧中有 {frames} 帧手在脸部（首次在 {at!t}）",
    },
    "body.arms": {"en": "arm posture {posture!w}", "zh": "手臂姿态{posture!w}"},
    "body.motion": {
        "en": "body {kind!w} ({speed:.2f} shoulder widths per second)",
        "zh": "身体{kind!w}（每秒 {speed:.2f} 个肩宽）",
    },
    "scene.brightness": {
        "en": "{light!w} picture (brightness {brightness:.2f}, contrast {contrast:.2f})",
        "zh": "画面{light!w}（亮度 {brightness:.2f}，对比度 {contrast:.2f}）",
    },
    "scene.colour": {"en": "{colour!w}, {tone!w}-toned colours", "zh": "{colour!w}，{tone!w}色调"},
    "scene.motion": {
        "en": "{movement!w} (motion energy {energy:.3f}/s)",
        "zh": "{movement!w}（运动能量 {energy:.3f}/秒）",
    },
    "scene.shots": {
        "en": "{count} shot change(s) (at {at!t})",
        "zh": "{count} 次镜头切换（{at!t}）",
    },
    "scene.single_shot": {"en": "a single continuous shot", "zh": "单一连续镜头"},
    "acoustic.no_voicing": {"en": "no voiced speech found", "zh": "未发现浊音语音"},
    "acoustic.loudness_peak": {
        "en": "loudness peaks at {at!t} ({peak:.0f} dBFS; mean {mean:.0f} dBFS)",
        "zh": "响度在 {at!t}达到峰值（{peak:.0f} dBFS；平均 {mean:.0f} dBFS）",
    },
    "acoustic.pitch_level": {
        "en": "pitch averages {mean_hz:.0f} Hz, range {range_st:.1f} semitones, {level!w} "
        "(std {std:.1f} st)",
        "zh": "平均音高 {mean_hz:.0f} Hz，音域 {range_st:.1f} 个半音，{level!w}"
        "（标准差 {std:.1f} 个半音）",
    },
    "acoustic.pitch_contour": {
        "en": "pitch {direction!w} over the utterance ({slope:+.1f} st/s)",
        "zh": "整句音高{direction!w}（{slope:+.1f} 半音/秒）",
    },
    "acoustic.pitch_flat": {"en": "pitch contour is flat overall", "zh": "整体音高平直"},
    "acoustic.pitch_rise": {
        "en": "pitch rises at {at!t} (+{rise:.1f} st within 0.3 s)",
        "zh": "{at!t}处音高上扬（0.3 秒内升高 {rise:.1f} 个半音）",
    },
    "acoustic.pitch_rise_sharp": {
        "en": "pitch rises sharply at {at!t} (+{rise:.1f} st within 0.3 s)",
        "zh": "{at!t}处音高急剧上扬（0.3 秒内升高 {rise:.1f} 个半音）",
    },
    "acoustic.voice_quality": {
        "en": "{kind!w} voice (HNR {hnr:.0f} dB, jitter {jitter:.2f} %, shimmer {shimmer:.1f} %)",
        "zh": "嗓音{kind!w}（谐噪比 {hnr:.0f} dB，jitter {jitter:.2f} %，shimmer {shimmer:.1f} %）",
    },
    "acoustic.speech_rate": {
        "en": "{pace!w} speech, about {rate:.1f} syllables per second",
        "zh": "语速{pace!w}，约每秒 {rate:.1f} 个音节",
    },
    "acoustic.pauses": {
        "en": "{count} pause(s), {total:.1f} s in total; longest {longest:.1f} s at {at!t}",
        "zh": "{count} 次停顿，共 {total:.1f} 秒；最长 {longest:.1f} 秒（{at!t}处）",
    },
    "acoustic.no_pauses": {
        "en": "no pauses longer than {min_pause:.2f} s",
        "zh": "没有超过 {min_pause:.2f} 秒的停顿",
    },
    "acoustic.regular_voicing": {
        "en": "voicing is unusually regular (jitter {jitter:.2f} %, shimmer {shimmer:.1f} %): "
        "possibly synthetic speech, so prosody is weak evidence of emotion",
        "zh": "发声异常规律（jitter {jitter:.2f} %，shimmer {shimmer:.1f} %），可能是合成语音，"
        "声学情绪证据较弱",
    },
    "speech.silence": {
        "en": "no speech: the audio is silent (peak {peak:.0f} dBFS)",
        "zh": "没有语音：音频无声（峰值 {peak:.0f} dBFS）",
    },
    "speech.transcript": {"en": 'says: "{text}"', "zh": "说：“{text}”"},
    "speech.unreliable_transcript": {
        "en": "speech was heard but the recogniser's words are unreliable ({issues}), so they "
        "are not quoted",
        "zh": "检测到语音，但识别出的词语不可靠（{count} 项识别质量指标异常），因此不引用",
    },
    "speech.nonspeech": {
        "en": "non-speech sound {tag!q} at {at!t}",
        "zh": "{at!t}处有非语音声音{tag!q}",
    },
    "speech.pause": {
        "en": "pause of {seconds:.1f} s after {word!q} at {at!t}",
        "zh": "在{word!q}之后停顿 {seconds:.1f} 秒（{at!t}处）",
    },
    "verbal.no_evidence": {
        "en": "the words give no emotional evidence ({why!w})",
        "zh": "话语没有提供情绪证据（{why!w}）",
    },
    "verbal.sentence": {
        "en": '"{sentence}" reads {label!e} (p={p:.2f}) at {at!t}',
        "zh": "“{sentence}”读来{label!e}（概率 {p:.2f}，{at!t}）",
    },
    "verbal.emotion_words": {"en": "emotion words: {groups!g}", "zh": "情绪词：{groups!g}"},
    "verbal.bad_news": {
        "en": "the words report bad news (loss, illness, failure)",
        "zh": "话语在报告坏消息（失去、疾病、失败）",
    },
    "verbal.sentiment": {
        "en": "literal wording is {tone!w} (VADER compound {compound:+.2f})",
        "zh": "字面措辞{tone!w}（VADER 复合分 {compound:+.2f}）",
    },
    "verbal.irony": {
        "en": "likely sarcasm: stock ironic phrases ({markers!q}) alongside a complaint, so "
        "positive words are read as annoyance",
        "zh": "可能是反讽：套语式的反话（{markers!q}）与抱怨同时出现，正面词语应理解为不满",
    },
    "verbal.short_text": {
        "en": "very few words: the reading counts half",
        "zh": "词语很少：该判断只计一半权重",
    },
    "verbal.asr_uncertain": {
        "en": "speech recognition is uncertain here: treat the words with caution",
        "zh": "此处语音识别不确定，对词语的解读需谨慎",
    },
}

#: Status phrases: a modality's availability statement is one or more of these, listed with the
#: language's clause separator.
STATUS_PHRASES: dict[str, dict[Language, str]] = {
    "video.no_stream": {"en": "no video stream", "zh": "没有视频流"},
    "video.no_stream_in_file": {"en": "no video stream in this file", "zh": "文件中没有视频流"},
    "video.no_frames": {"en": "no video frames could be sampled", "zh": "无法采样视频帧"},
    "face.found": {
        "en": "face found in {frames}/{total} sampled frames",
        "zh": "{total} 个采样帧中有 {frames} 帧检测到人脸",
    },
    "face.several_in_frame": {
        "en": "up to {faces} faces in a frame (the largest is analysed)",
        "zh": "单帧最多 {faces} 张人脸（分析最大的一张）",
    },
    "face.small_frames": {
        "en": "frames are very small, measurements are rough",
        "zh": "画面很小，测量较粗略",
    },
    "face.none_found": {
        "en": "no face detected in 0/{total} sampled frames",
        "zh": "{total} 个采样帧中均未检测到人脸",
    },
    "face.none_found_tiny": {
        "en": "no face detected in 0/{total} sampled frames (frames are only {height} px high: "
        "too small for reliable detection)",
        "zh": "{total} 个采样帧中均未检测到人脸（画面仅 {height} 像素高，太小，无法可靠检测）",
    },
    "body.found": {
        "en": "upper body found in {frames}/{total} sampled frames",
        "zh": "{total} 个采样帧中有 {frames} 帧检测到上半身",
    },
    "body.none_found": {
        "en": "no body (head and shoulders) detected in 0/{total} sampled frames",
        "zh": "{total} 个采样帧中均未检测到身体（头肩）",
    },
    "scene.sampled": {
        "en": "{frames} frames sampled over {seconds:.1f} s ({decoded} decoded)",
        "zh": "在 {seconds:.1f} 秒内采样 {frames} 帧（解码 {decoded} 帧）",
    },
    "acoustic.no_audio": {
        "en": "no audio stream: voice not analysed",
        "zh": "文件中没有音频流，未分析声音",
    },
    "acoustic.too_short": {
        "en": "audio too short ({seconds:.2f} s) to analyse",
        "zh": "音频太短（{seconds:.2f} 秒），无法分析",
    },
    "acoustic.silent": {
        "en": "audio is silent (loudest 50 ms at {loudest:.0f} dBFS < {threshold:.0f}): "
        "no voice to analyse",
        "zh": "音频无声（最响的 50 毫秒为 {loudest:.0f} dBFS，低于 {threshold:.0f} dBFS），"
        "没有可分析的声音",
    },
    "acoustic.silent_no_signal": {
        "en": "audio is silent (loudest 50 ms at -inf dBFS < {threshold:.0f}): no voice to analyse",
        "zh": "音频无声（没有任何信号，低于 {threshold:.0f} dBFS），没有可分析的声音",
    },
    "acoustic.analysed": {
        "en": "voice analysed: {voiced:.0%} of {seconds:.1f} s voiced",
        "zh": "已分析声音：{seconds:.1f} 秒中 {voiced:.0%} 为浊音",
    },
    "speech.no_audio": {
        "en": "no audio stream: no speech to transcribe",
        "zh": "文件中没有音频流，没有可转写的语音",
    },
    "speech.silent": {
        "en": "no speech: audio is silent, transcript left empty (not transcribed)",
        "zh": "没有语音：音频无声，转写为空（未转写）",
    },
    "speech.none_detected": {
        "en": "no speech detected in {seconds:.1f} s of audio: transcript empty",
        "zh": "{seconds:.1f} 秒音频中未检测到语音，转写为空",
    },
    "speech.none_detected_dropped": {
        "en": "no speech detected in {seconds:.1f} s of audio: transcript empty "
        "({dropped} hallucination-like segment(s) dropped)",
        "zh": "{seconds:.1f} 秒音频中未检测到语音，转写为空（丢弃了 {dropped} 个疑似幻觉的片段）",
    },
    "speech.transcribed": {
        "en": "{words} words transcribed, language {language} (p={p:.2f})",
        "zh": "转写出 {words} 个词，语言 {language}（概率 {p:.2f}）",
    },
    "speech.transcribed_configured": {
        "en": "{words} words transcribed, language {language} (p={p:.2f}) "
        "(language set by configuration)",
        "zh": "转写出 {words} 个词，语言 {language}（由配置指定）",
    },
    "speech.transcribed_uncertain": {
        "en": "{words} words transcribed, language {language} (p={p:.2f}): language uncertain",
        "zh": "转写出 {words} 个词，语言 {language}（概率 {p:.2f}），语言不确定",
    },
    "speech.transcribed_unsupported": {
        "en": "{words} words transcribed, language {language} (p={p:.2f}): language {language} "
        "is outside the supported {supported}",
        "zh": "转写出 {words} 个词，语言 {language}（概率 {p:.2f}），不在支持的语言"
        "（{supported!l}）之内",
    },
    "speech.words_unreliable": {
        "en": "transcript unreliable ({issues}): words not used",
        "zh": "转写不可靠（{count} 项识别质量指标异常），不使用这些词语",
    },
    "verbal.no_audio": {
        "en": "no audio, so no words to analyse",
        "zh": "没有音频，因此没有可分析的词语",
    },
    "verbal.empty": {
        "en": "transcript is empty: no words to analyse",
        "zh": "转写为空，没有可分析的词语",
    },
    "verbal.unreliable": {
        "en": "transcript is unreliable: the words are not used",
        "zh": "转写不可靠，不使用这些词语",
    },
    "verbal.analysed": {
        "en": "{sentences} sentence(s) analysed ({language})",
        "zh": "分析了 {sentences} 个句子（{language}）",
    },
    "verbal.lean": {"en": "words lean {label!e}", "zh": "措辞倾向{label!e}"},
    "verbal.no_lean": {"en": "no emotional evidence", "zh": "没有情绪证据"},
    "perception.failed": {
        "en": "{name} extraction failed on this clip ({error}: {reason})",
        "zh": "该片段的{name!w}提取失败（{error}：{reason}）",
    },
    "perception.disabled": {
        "en": "{name}: not run (disabled in configuration)",
        "zh": "未运行（配置中已禁用）",
    },
    "perception.transcript_unreliable": {
        "en": "the transcript is unreliable ({issues}): its words are not read for emotion",
        "zh": "转写不可靠（{count} 项识别质量指标异常），不据此判断情绪",
    },
    "modality.not_analysed": {"en": "{name}: not analysed", "zh": "未分析"},
    "modality.ablated": {
        "en": "{name}: removed by ablation ({keep}-only)",
        "zh": "因消融被移除（仅保留{keep!w}一侧）",
    },
}

#: Every phrase (cue and status keys never collide: they are checked in the tests).
PHRASES: dict[str, dict[Language, str]] = {**CUE_PHRASES, **STATUS_PHRASES}
