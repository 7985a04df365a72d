"""Cue extraction for EmoCue-360: free description -> ``{"visual", "auditory", "emotional"}`` lists.

Two extractors share one API, ``extractor(text, subtitle=None) -> dict[str, list[str]]``:

- :class:`LocalCueExtractor` (default, ours, deterministic, no model): split the text into
  clauses (sentence ends . ! ? ; 。！？；, then ", and", ", but", ", while", "，", "但", "而"),
  and put each clause in the category whose keyword lexicon it hits most (ties: visual >
  auditory > emotional). A clause with no hit in any lexicon is dropped (scene filler such as
  "In the video" carries no cue).
- :class:`LLMCueExtractor`: asks an OpenAI-compatible model for the same JSON contract
  (XEmoGPT's extraction step, our prompt). A reply that is not that JSON falls back to the
  local extractor and is counted in ``failures``.
"""

from __future__ import annotations

import re

from emoreason.chat_client import ChatClient
from emoreason.errors import BackendError, InputError
from emoreason.evaluation.emotion_wheel import find_emotion_mentions
from emoreason.evaluation.metrics.emocue360 import CATEGORIES
from emoreason.formats.json_in_text import json_objects

EXTRACTOR_PROMPT_VERSION = "emoreason-cues-v1"

VISUAL_WORDS: tuple[str, ...] = (
    "face",
    "facial",
    "cry",
    "tear",
    "smile",
    "smiling",
    "smiles",
    "eye",
    "eyes",
    "eyebrow",
    "eyebrows",
    "brow",
    "brows",
    "frown",
    "frowning",
    "gaze",
    "looks",
    "looking",
    "stare",
    "mouth",
    "lips",
    "lip",
    "jaw",
    "tears",
    "crying",
    "cheek",
    "forehead",
    "expression",
    "posture",
    "gesture",
    "gestures",
    "hand",
    "hands",
    "arm",
    "arms",
    "head",
    "nod",
    "nodding",
    "shrug",
    "lean",
    "leaning",
    "body",
    "shoulders",
    "scene",
    "background",
    "room",
    "light",
    "lighting",
    "wearing",
    "sits",
    "sitting",
    "standing",
    "stands",
    "video",
    "visual",
    "glance",
    "blink",
    "squint",
    "grin",
    "corners",
)
AUDITORY_WORDS: tuple[str, ...] = (
    "voice",
    "tone",
    "pitch",
    "speaks",
    "speaking",
    "speech",
    "says",
    "said",
    "loud",
    "quiet",
    "soft",
    "volume",
    "sigh",
    "sighs",
    "laugh",
    "laughter",
    "laughing",
    "audio",
    "sound",
    "intonation",
    "prosody",
    "rate",
    "pace",
    "fast",
    "slowly",
    "tempo",
    "trembling",
    "shaky",
    "whisper",
    "shout",
    "shouting",
    "yell",
    "pause",
    "pauses",
    "vocal",
    "accent",
    "subtitle",
    "words",
    "utterance",
    "stutter",
    "hesitant",
    "monotone",
    "timbre",
)
EMOTIONAL_WORDS: tuple[str, ...] = (
    "emotion",
    "emotional",
    "feel",
    "feels",
    "feeling",
    "mood",
    "state",
    "suggests",
    "indicates",
    "implies",
    "conveys",
    "infer",
    "attitude",
    "overall",
    "reflects",
)
VISUAL_ZH: tuple[str, ...] = (
    "面部",
    "表情",
    "眼",
    "眉",
    "嘴",
    "笑",
    "哭",
    "泪",
    "皱",
    "目光",
    "视线",
    "姿势",
    "手势",
    "肢体",
    "身体",
    "点头",
    "摇头",
    "场景",
    "背景",
    "画面",
    "脸",
)
AUDITORY_ZH: tuple[str, ...] = (
    "声音",
    "语气",
    "语调",
    "音调",
    "语速",
    "音量",
    "说话",
    "叹气",
    "笑声",
    "停顿",
    "颤抖",
    "音频",
    "嗓音",
    "字幕",
    "台词",
)
EMOTIONAL_ZH: tuple[str, ...] = ("情绪", "情感", "心情", "感到", "表明", "推断", "状态", "态度")

_SENTENCE = re.compile(r"(?<=[.!?;。！？；])\s*|\n+")
_CLAUSE = re.compile(r",\s+(?=and\b|but\b|while\b|whereas\b)|，|(?<=[\u4e00-\u9fff])(?=但|而且|而)")
_WORD = re.compile(r"[a-z]+")


def split_clauses(text: str) -> list[str]:
    """Sentences, then clauses, stripped of whitespace and trailing punctuation."""
    out: list[str] = []
    for sentence in _SENTENCE.split(text or ""):
        for clause in _CLAUSE.split(sentence):
            clause = clause.strip(' \t,.;:，。；："“”')
            if clause:
                out.append(clause)
    return out


_VISUAL, _AUDITORY, _EMOTIONAL = (
    frozenset(x) for x in (VISUAL_WORDS, AUDITORY_WORDS, EMOTIONAL_WORDS)
)


def _forms(word: str) -> set[str]:
    """The word and its plural / past / -ing stripped forms (frowns, cries, smiled, nodding)."""
    forms = {word}
    if word.endswith("ies") and len(word) > 4:
        forms.add(word[:-3] + "y")
    for suffix in ("es", "s", "ed", "d", "ing"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            forms.add(word[: -len(suffix)])
    return forms


def classify_clause(clause: str) -> str | None:
    """The category of one clause by lexicon hits, or None (see the module doc)."""
    words = [_forms(w) for w in _WORD.findall(clause.lower())]  # each word counts once
    hits = {
        "visual": sum(bool(f & _VISUAL) for f in words) + sum(z in clause for z in VISUAL_ZH),
        "auditory": sum(bool(f & _AUDITORY) for f in words) + sum(z in clause for z in AUDITORY_ZH),
        "emotional": sum(bool(f & _EMOTIONAL) for f in words)
        + sum(z in clause for z in EMOTIONAL_ZH)
        + len(find_emotion_mentions(clause)),
    }
    best = max(CATEGORIES, key=lambda c: hits[c])  # max keeps the first on ties: category order
    return best if hits[best] > 0 else None


class LocalCueExtractor:
    """Clause splitting + lexicon modality classification (deterministic, offline)."""

    name = "local"
    version = "local-v1"

    def __call__(self, text: str | None, subtitle: str | None = None) -> dict[str, list[str]]:
        cues: dict[str, list[str]] = {c: [] for c in CATEGORIES}
        for clause in split_clauses(text or ""):
            category = classify_clause(clause)
            if category is not None:
                cues[category].append(clause)
        return cues


LLM_PROMPT = """Parse this description of a person's emotional state in a video into JSON with
three lists of short, atomic statements: "visual" (what is seen: face, body, scene), "auditory"
(how the voice sounds: tone, pitch, speed, volume; not the words said), "emotional" (the
feelings and moods inferred). Reply with the JSON object only.

Description:
{text}"""


class LLMCueExtractor:
    """Cue extraction by an OpenAI-compatible model, same contract as the local extractor."""

    name = "llm"
    version = EXTRACTOR_PROMPT_VERSION

    def __init__(self, client: ChatClient, fallback: LocalCueExtractor | None = None) -> None:
        self.client = client
        self.fallback = fallback or LocalCueExtractor()
        self.failures = 0

    def __call__(self, text: str | None, subtitle: str | None = None) -> dict[str, list[str]]:
        if not text:
            return {c: [] for c in CATEGORIES}
        try:
            reply = self.client.complete(LLM_PROMPT.format(text=text), json_mode=True)
            return parse_cue_json(reply)
        except (BackendError, InputError, ValueError):
            self.failures += 1
            return self.fallback(text, subtitle)


def parse_cue_json(reply: str) -> dict[str, list[str]]:
    """The cue JSON of a model reply (fenced or bare); ValueError if it is not that."""
    objects = json_objects(reply)
    if not objects:
        raise ValueError("no JSON object in the reply")
    data = next((o for o in objects if any(c in o for c in CATEGORIES)), objects[0])
    out: dict[str, list[str]] = {}
    for category in CATEGORIES:
        value = data.get(category, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise ValueError(f"{category} is not a list")
        out[category] = [str(v).strip() for v in value if str(v).strip()]
    return out
