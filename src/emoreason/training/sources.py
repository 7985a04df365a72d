"""Read what training data is built from: analysis results, SABER records or ms-swift rows.

Accepted JSONL rows (one kind per line, mixed files are fine):

- an :class:`~emoreason.schema.AnalysisResult` (``emoreason analyze -o results.jsonl``);
- an :class:`~emoreason.schema.ErrorRow` (``"status": "error"``): skipped and counted;
- a SABER record: the five published keys, optionally with ``id``, ``video``, ``audio``,
  ``lang`` and ``emotion`` beside them;
- an ms-swift row (``messages`` ...), whose last assistant message is the SABER JSON.

Each becomes a :class:`TrainingSource`. Text in another language than the source's is produced
by the rules reasoner from the evidence (analysis results only); otherwise it is a counted skip.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emoreason.errors import InputError
from emoreason.formats.jsonl import iter_jsonl, validate_value
from emoreason.formats.swift import parse_swift_row, swift_to_saber
from emoreason.prompts import SED_PROMPT_ZH
from emoreason.schema import EMOTION_ZH, EMOTIONS, AnalysisResult, Evidence, SaberRecord
from emoreason.schema.languages import LANGUAGES

SABER_KEYS = frozenset(SaberRecord.model_fields)
SIDE_KEYS = frozenset({"id", "video", "audio", "lang", "emotion"})

#: Surface forms of each label in English text (the first one is used when writing).
EMOTION_WORDS_EN: dict[str, tuple[str, ...]] = {
    "neutral": ("neutral",),
    "happy": ("happy", "happiness", "joy"),
    "sad": ("sad", "sadness"),
    "angry": ("angry", "anger"),
    "fearful": ("fearful", "fear"),
    "surprised": ("surprised", "surprise"),
    "disgusted": ("disgusted", "disgust"),
}


@dataclass
class BuildReport:
    """Counts of what a build wrote and what it skipped, by reason (never a silent drop)."""

    written: int = 0
    read: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] += n

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "written": self.written,
            "skipped": dict(sorted(self.skipped.items())),
            "by_kind": dict(sorted(self.by_kind.items())),
        }


@dataclass
class TrainingSource:
    """One clip's grounded response in one language, with what pairs need beside it."""

    id: str
    lang: str
    saber: SaberRecord
    emotion: str | None
    video: str | None
    audio: str | None
    conflict: float = 0.0
    evidence: Evidence | None = None
    emotion_scores: dict[str, float] = field(default_factory=dict)
    #: whether ``video`` has an audio track (from the evidence); None: not known, read the file
    video_has_audio: bool | None = None


def read_sources(path: str | Path, report: BuildReport) -> list[AnalysisResult | TrainingSource]:
    """Every usable row of ``path``: analysis results as they are, other rows as sources."""
    out: list[AnalysisResult | TrainingSource] = []
    for item in iter_jsonl(path):
        report.read += 1
        row = item.value
        if not isinstance(row, dict):
            raise InputError(
                f"expected a JSON object, got {type(row).__name__}", path=path, line=item.line
            )
        if row.get("status") == "error":
            report.skip("analysis_error")
            continue
        if "saber" in row or row.get("status") == "ok":
            out.append(validate_value(row, AnalysisResult, path=path, line=item.line))
        elif "messages" in row:
            out.append(_from_swift(row, path, item.line))
        elif set(row) >= SABER_KEYS:
            out.append(_from_saber_row(row, path, item.line))
        else:
            raise InputError(
                "unrecognised row: expected an analysis result, an error row, a SABER record "
                f"({sorted(SABER_KEYS)}) or an ms-swift row (messages)",
                path=path,
                line=item.line,
            )
    return out


def _from_swift(row: dict[str, Any], path: str | Path, line: int) -> TrainingSource:
    swift = parse_swift_row(row, path=path, line=line)
    saber = swift_to_saber(swift, path=path, line=line)
    users = [m.content for m in swift.messages if m.role == "user"]
    lang = row.get("lang") or ("zh" if users and SED_PROMPT_ZH in users[-1] else "en")
    emotion = row.get("emotion") or detect_emotion(saber.sentiment_analysis, lang)
    return TrainingSource(
        id=str(row.get("id", f"line{line}")),
        lang=lang,
        saber=saber,
        emotion=emotion,
        video=swift.videos[0] if swift.videos else None,
        audio=swift.audios[0] if swift.audios else None,
        conflict=float(row.get("conflict", 0.0)),
    )


def _from_saber_row(row: dict[str, Any], path: str | Path, line: int) -> TrainingSource:
    extra = set(row) - SABER_KEYS - SIDE_KEYS
    if extra:
        raise InputError(
            f"unknown field beside the SABER keys (allowed: {sorted(SIDE_KEYS)})",
            path=path,
            line=line,
            field=sorted(extra)[0],
        )
    saber = validate_value({k: row[k] for k in SABER_KEYS}, SaberRecord, path=path, line=line)
    lang = row.get("lang", "en")
    if lang not in LANGUAGES:
        raise InputError(f"expected 'en' or 'zh', got {lang!r}", path=path, line=line, field="lang")
    emotion = row.get("emotion") or detect_emotion(saber.sentiment_analysis, lang)
    if emotion is not None and emotion not in EMOTIONS:
        raise InputError(f"expected one of {list(EMOTIONS)}", path=path, line=line, field="emotion")
    return TrainingSource(
        id=str(row.get("id", f"line{line}")),
        lang=lang,
        saber=saber,
        emotion=emotion,
        video=row.get("video"),
        audio=row.get("audio"),
    )


def localize(
    item: AnalysisResult | TrainingSource, lang: str, report: BuildReport
) -> TrainingSource | None:
    """The source's grounded response in ``lang``; None (counted) when there is none."""
    if isinstance(item, TrainingSource):
        if item.lang == lang:
            return item
        report.skip(f"no_text_in_{lang}")
        return None
    result = item
    if result.language != lang:
        if result.evidence is None:
            report.skip(f"no_text_in_{lang}")
            return None
        result = rules_reasoner().reason(result.evidence, lang)
    has_video, has_audio = True, None  # without evidence: a video whose audio track is unknown
    if item.evidence is not None:
        has_video, has_audio = item.evidence.clip.has_video, item.evidence.clip.has_audio
    return TrainingSource(
        id=item.id,
        lang=lang,
        saber=result.saber,
        emotion=result.emotion,
        video=item.source if has_video else None,
        audio=item.source if has_audio else None,
        conflict=1.0 - float(item.consistency.agreement),
        evidence=item.evidence,
        emotion_scores=dict(result.emotion_scores),
        video_has_audio=has_audio if has_video else None,
    )


def rules_reasoner() -> Any:
    from emoreason.reasoning.rules import RulesReasoner

    return RulesReasoner()


def media_missing(source: TrainingSource, media_root: str | Path | None) -> str | None:
    """The first media path of ``source`` that does not exist, or None."""
    for media in (source.video, source.audio):
        if media is None:
            continue
        if not resolve_media(media, media_root).exists():
            return media
    return None


def resolve_media(media: str, media_root: str | Path | None) -> Path:
    path = Path(media)
    if not path.is_absolute() and media_root is not None:
        path = Path(media_root) / path
    return path


def _label_pattern(words: tuple[str, ...], lang: str) -> re.Pattern[str]:
    if lang == "zh":
        return re.compile("|".join(re.escape(w) for w in words))
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def label_words(emotion: str, lang: str) -> tuple[str, ...]:
    return (EMOTION_ZH[emotion],) if lang == "zh" else EMOTION_WORDS_EN[emotion]


def detect_emotion(text: str, lang: str) -> str | None:
    """The one label named in ``text``; None when none or several different labels appear."""
    found = {e for e in EMOTIONS if _label_pattern(label_words(e, lang), lang).search(text)}
    return found.pop() if len(found) == 1 else None


def replace_label(text: str, old: str, new: str, lang: str) -> str:
    """``text`` with every surface form of label ``old`` replaced by label ``new``."""
    old_words, new_words = label_words(old, lang), label_words(new, lang)

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        lower = word.lower()
        index = next((i for i, w in enumerate(old_words) if w == lower), 0)
        replacement = new_words[min(index, len(new_words) - 1)]
        return replacement.capitalize() if word[:1].isupper() else replacement

    return _label_pattern(old_words, lang).sub(swap, text)


#: Markers of the concluding sentence in rules-backend text (EN, ZH).
CONCLUSION_MARKERS: tuple[str, ...] = ("final emotion", "最终情绪")


def flip_conclusion(text: str, old: str, new: str, lang: str) -> str:
    """Replace label ``old`` by ``new`` in the concluding sentence(s) only.

    The cited evidence earlier in the text is left as it was, so the flipped response
    contradicts its own evidence. Without a concluding sentence the whole text is flipped.
    """
    sentences = re.split(r"(?<=[.。!！;；])", text)
    concluding = [any(m in s.lower() for m in CONCLUSION_MARKERS) for s in sentences]
    if not any(concluding):
        return replace_label(text, old, new, lang)
    return "".join(
        replace_label(s, old, new, lang) if flag else s
        for s, flag in zip(sentences, concluding, strict=True)
    )
