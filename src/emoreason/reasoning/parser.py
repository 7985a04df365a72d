"""Robust parsing of free model output into a SABER record, reporting what was missing.

Accepted shapes, tried in this order:

1. ``fenced_json`` - a ```json ... ``` (or bare ```) block holding a JSON object;
2. ``json`` - the first JSON object anywhere in the text (prose around it is ignored);
3. ``sections`` - headed sections: numbered ("1. Scene:", "Step 2 - Audio", "第三步 面部与肢体："),
   markdown ("## Facial expression", "**Body language**:") or plain "Heading: text" lines, with
   English or Chinese headings;
4. ``plain`` - anything else non-empty becomes the ``sentiment_analysis`` text.

Key aliases are accepted in JSON (``scene``, ``facial_expression``, Chinese keys, a flat
``speech_content``). A combined section ("Audio", "Face and body") fills each dimension it covers
unless a more specific section exists. Missing dimensions stay empty and are listed in
:attr:`ParsedSaber.missing` (dotted names from :data:`~emoreason.schema.saber.SABER_DIMENSIONS`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from emoreason.formats.json_in_text import fenced_blocks, json_objects
from emoreason.schema.labels import EMOTIONS
from emoreason.schema.saber import SABER_DIMENSIONS, SaberRecord

SPEECH, ACOUSTIC = "audio_desc.speech_content", "audio_desc.acoustic_feat"
FACE, BODY = "facial_exp_desc", "body_lang_desc"

#: Heading / key aliases -> the dimensions they fill (combined headings fill several).
_ALIASES: dict[str, tuple[str, ...]] = {
    "video_desc": ("video_desc",),
    "video description": ("video_desc",),
    "visual description": ("video_desc",),
    "scene description": ("video_desc",),
    "scene": ("video_desc",),
    "setting": ("video_desc",),
    "background": ("video_desc",),
    "场景描述": ("video_desc",),
    "视频描述": ("video_desc",),
    "场景": ("video_desc",),
    "背景": ("video_desc",),
    "audio_desc": (SPEECH, ACOUSTIC),
    "audio analysis": (SPEECH, ACOUSTIC),
    "audio": (SPEECH, ACOUSTIC),
    "音频分析": (SPEECH, ACOUSTIC),
    "音频": (SPEECH, ACOUSTIC),
    "speech_content": (SPEECH,),
    "speech content": (SPEECH,),
    "transcript": (SPEECH,),
    "what is said": (SPEECH,),
    "speech": (SPEECH,),
    "语音内容": (SPEECH,),
    "说话内容": (SPEECH,),
    "言语内容": (SPEECH,),
    "acoustic_feat": (ACOUSTIC,),
    "acoustic features": (ACOUSTIC,),
    "acoustic feature": (ACOUSTIC,),
    "acoustics": (ACOUSTIC,),
    "acoustic": (ACOUSTIC,),
    "prosody": (ACOUSTIC,),
    "voice": (ACOUSTIC,),
    "tone of voice": (ACOUSTIC,),
    "声学特征": (ACOUSTIC,),
    "声音特点": (ACOUSTIC,),
    "声音特征": (ACOUSTIC,),
    "语调": (ACOUSTIC,),
    "face and body": (FACE, BODY),
    "facial expression and body language": (FACE, BODY),
    "面部与肢体": (FACE, BODY),
    "面部表情与肢体语言": (FACE, BODY),
    "面部表情和肢体语言": (FACE, BODY),
    "facial_exp_desc": (FACE,),
    "facial expression": (FACE,),
    "facial expressions": (FACE,),
    "facial_expression": (FACE,),
    "face": (FACE,),
    "面部表情": (FACE,),
    "面部": (FACE,),
    "表情": (FACE,),
    "body_lang_desc": (BODY,),
    "body language": (BODY,),
    "body_language": (BODY,),
    "body": (BODY,),
    "gestures": (BODY,),
    "posture": (BODY,),
    "肢体语言": (BODY,),
    "身体语言": (BODY,),
    "肢体": (BODY,),
    "sentiment_analysis": ("sentiment_analysis",),
    "sentiment analysis": ("sentiment_analysis",),
    "emotion analysis": ("sentiment_analysis",),
    "emotional state": ("sentiment_analysis",),
    "reasoning": ("sentiment_analysis",),
    "conclusion": ("sentiment_analysis",),
    "synthesis": ("sentiment_analysis",),
    "overall": ("sentiment_analysis",),
    "情感分析": ("sentiment_analysis",),
    "情绪分析": ("sentiment_analysis",),
    "推理": ("sentiment_analysis",),
    "综合分析": ("sentiment_analysis",),
    "综合": ("sentiment_analysis",),
    "结论": ("sentiment_analysis",),
}
_BY_LENGTH = sorted(_ALIASES, key=len, reverse=True)

_NUMBER = r"(?:step\s*\d+|\d+|[一二三四五六]|第[一二三四五六]步|[（(]\d+[)）])"
_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\*\*|__)?\s*"  # markdown heading / bold
    rf"(?P<num>{_NUMBER}\s*[.、:)）\-–—]?\s*)?"  # numbering
    r"(?:\*\*|__)?\s*(?P<title>[^:：\n]{1,60}?)\s*(?:\*\*|__)?\s*"
    r"(?P<delim>[:：]|[\-–—](?=\s)|$)\s*(?:\*\*|__)?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)


@dataclass
class ParsedSaber:
    """A parsed record, the dimensions that were missing, and which shape was recognised."""

    record: SaberRecord
    missing: list[str] = field(default_factory=list)
    source_format: str = "none"

    @property
    def complete(self) -> bool:
        return not self.missing


def _alias(title: str) -> tuple[str, ...] | None:
    key = re.sub(r"\s+", " ", title.strip().strip("*_#").strip().lower().replace("-", " "))
    key = key.replace("_", " ") if key not in _ALIASES else key
    if key in _ALIASES:
        return _ALIASES[key]
    # "Step 1 - Scene", "Scene and background": the heading starts with a known alias
    for alias in _BY_LENGTH:
        if key.startswith(alias) and len(key) <= len(alias) + 24:
            return _ALIASES[alias]
    return None


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return " ".join(_as_text(v) for v in value).strip()
    return json.dumps(value, ensure_ascii=False)


def _from_mapping(obj: dict[str, Any]) -> dict[str, str]:
    """Dimension texts from a JSON object with exact or alias keys (nested audio_desc too)."""
    found: dict[str, str] = {}
    for key, value in obj.items():
        if key == "audio_desc" and isinstance(value, dict):
            for sub, sub_value in value.items():
                target = _alias(sub)
                if target and len(target) == 1:
                    found.setdefault(target[0], _as_text(sub_value))
            continue
        target = _alias(key) if isinstance(key, str) else None
        if not target:
            continue
        text = _as_text(value)
        for dim in target:
            if len(target) == 1 or dim not in found:
                found[dim] = text
    return found


def _best_json(text: str) -> dict[str, str]:
    best: dict[str, str] = {}
    for obj in json_objects(text):
        found = _from_mapping(obj)
        if len(found) > len(best):
            best = found
    return best


def _sections(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    specific: set[str] = set()
    current: tuple[str, ...] | None = None
    buffers: list[tuple[tuple[str, ...], list[str]]] = []
    for line in text.splitlines():
        match = _HEADING.match(line)
        target = None
        if match and (match.group("delim") or match.group("num") or line.lstrip().startswith("#")):
            target = _alias(match.group("title"))
            if target and not (match.group("delim") or match.group("num")):
                target = target if line.lstrip().startswith(("#", "*", "_")) else None
        if target:
            current = target
            buffers.append((target, [match.group("rest")] if match.group("rest") else []))
        elif current is not None and buffers:
            buffers[-1][1].append(line)
    for target, lines in buffers:
        body = "\n".join(lines).strip().strip("*").strip()
        if not body:
            continue
        for dim in target:
            if len(target) == 1:
                found[dim] = (found[dim] + "\n" + body) if dim in specific else body
                specific.add(dim)
            elif dim not in specific:
                found[dim] = body
    return found


def _record(found: dict[str, str]) -> SaberRecord:
    record = SaberRecord.empty()
    for dim in SABER_DIMENSIONS:
        if found.get(dim):
            record = record.replace_dimension(dim, found[dim])
    return record


def parse_saber(text: str) -> ParsedSaber:
    """Parse free model output into a SABER record (see the module docstring)."""
    text = text or ""
    for block in fenced_blocks(text):
        found = _best_json(block)
        if found:
            return _finish(found, "fenced_json")
    found = _best_json(text)
    if found:
        return _finish(found, "json")
    found = _sections(text)
    if found:
        return _finish(found, "sections")
    if text.strip():
        return _finish({"sentiment_analysis": text.strip()}, "plain")
    return _finish({}, "none")


def _finish(found: dict[str, str], source_format: str) -> ParsedSaber:
    record = _record(found)
    return ParsedSaber(record, record.missing_dimensions(), source_format)


# --- emotion label from free text ---------------------------------------------------------------

#: Documented mapping rule: synonyms (EN/ZH) -> label. An explicit "final emotion: X" /
#: "情绪为X" statement wins; otherwise the label mentioned LAST in the text (conclusions come
#: last in SED answers). Negation is not handled.
EMOTION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "neutral": ("neutral", "中性", "平淡"),
    "happy": (
        "happy",
        "happiness",
        "joy",
        "joyful",
        "glad",
        "cheerful",
        "delighted",
        "pleased",
        "开心",
        "高兴",
        "快乐",
        "喜悦",
        "愉快",
        "兴奋",
    ),
    "sad": (
        "sad",
        "sadness",
        "grief",
        "sorrow",
        "unhappy",
        "depressed",
        "melancholy",
        "悲伤",
        "伤心",
        "难过",
        "哀伤",
        "痛苦",
    ),
    "angry": (
        "angry",
        "anger",
        "furious",
        "irritated",
        "annoyed",
        "rage",
        "hostile",
        "愤怒",
        "生气",
        "恼怒",
        "气愤",
    ),
    "fearful": ("fear", "fearful", "afraid", "scared", "anxious", "恐惧", "害怕", "焦虑"),
    "surprised": (
        "surprise",
        "surprised",
        "astonished",
        "shocked",
        "amazed",
        "惊讶",
        "吃惊",
        "震惊",
    ),
    "disgusted": ("disgust", "disgusted", "contempt", "repulsed", "厌恶", "反感", "恶心"),
}
_WORD_TO_LABEL = {w: label for label, words in EMOTION_SYNONYMS.items() for w in words}
_SYNONYM_RE = re.compile(
    "|".join(
        (re.escape(w) if not w.isascii() else rf"\b{re.escape(w)}\b")
        for w in sorted(_WORD_TO_LABEL, key=len, reverse=True)
    ),
    re.IGNORECASE,
)
_FINAL_RE = re.compile(
    r"(?:final|overall|primary|main)\s+emotion\s*(?:is|:|=)?\s*\**\s*(\w+)"
    r"|(?:最终情绪|主要情绪|情绪状态|情绪)\s*(?:为|是|：|:)\s*\**\s*([\u4e00-\u9fff]{2})",
    re.IGNORECASE,
)


def label_from_text(text: str) -> str | None:
    """The emotion label a free text concludes with, or None when it names none."""
    for match in _FINAL_RE.finditer(text or ""):
        word = (match.group(1) or match.group(2) or "").lower()
        if word in _WORD_TO_LABEL:
            return _WORD_TO_LABEL[word]
    mentions = _SYNONYM_RE.findall(text or "")
    if not mentions:
        return None
    label = _WORD_TO_LABEL[mentions[-1].lower()]
    return label if label in EMOTIONS else None
