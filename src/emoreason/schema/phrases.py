"""Structured wording: what a cue or status line says, kept as parts and written per language.

Perception records a :class:`Phrase` - a key of the phrasebook
(:mod:`emoreason.schema.phrasebook`) and the parts the statement is made of (counts, measured
values, times, perception's own enumerated words, quoted transcript text) - instead of only an
English sentence. :func:`render` writes it in any supported language; the English rendering is
what the evidence stores as a cue's ``description`` or a modality's ``status``, so that text is
written in one place. Records saved before phrases existed have text only: their text is shown
as it is (quoted in other languages, never paraphrased).
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

from emoreason.schema.labels import emotion_name
from emoreason.schema.languages import Language
from emoreason.schema.phrasebook import PHRASES, PUNCTUATION, WORDS, Punctuation


class Phrase(BaseModel):
    """One statement as data: ``Phrase(key="face.missing", parts={"missing": 2, "total": 12})``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(description="phrasebook key, e.g. 'face.action'")
    parts: dict[str, JsonValue] = Field(
        default_factory=dict, description="the values and words the statement is made of"
    )

    @field_validator("parts")
    @classmethod
    def _finite(cls, parts: dict[str, JsonValue]) -> dict[str, JsonValue]:
        for name, value in parts.items():
            values = value if isinstance(value, list) else [value]
            if any(isinstance(v, float) and not math.isfinite(v) for v in values):
                raise ValueError(f"phrase part {name!r} must be finite, got {value!r}")
        return parts


def _plain(value: Any) -> JsonValue:
    """Numpy scalars and tuples as plain JSON values (``np.float64(0.5)`` -> ``0.5``)."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    return value


def template_fields(template: str) -> set[str]:
    """The part names a template uses (``'{a:.1f} at {at!t}'`` -> ``{'a', 'at'}``)."""
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def phrase(key: str, **parts: Any) -> Phrase:
    """A :class:`Phrase`, checked against the phrasebook: the key exists and the parts are
    exactly the ones its templates use (ValueError naming the key otherwise)."""
    if key not in PHRASES:
        raise ValueError(f"unknown phrase key {key!r}; see emoreason.schema.phrasebook")
    needed = set().union(*(template_fields(t) for t in PHRASES[key].values()))
    if set(parts) != needed:
        raise ValueError(f"phrase {key!r} takes parts {sorted(needed)}, got {sorted(parts)}")
    return Phrase(key=key, parts={k: _plain(v) for k, v in parts.items()})


class _Wording(string.Formatter):
    """str.format with the phrasebook's conversions (see :mod:`emoreason.schema.phrasebook`)."""

    def __init__(self, lang: Language) -> None:
        self.lang = lang
        self.marks: Punctuation = PUNCTUATION[lang]

    def _each(self, value: Any, word: Any) -> str:
        items = value if isinstance(value, list) else [value]
        return self.marks.list_separator.join(word(v) for v in items)

    def word(self, token: str) -> str:
        return WORDS[self.lang].get(token, token)

    def emotion(self, label: str) -> str:
        return emotion_name(label, self.lang)

    def quote(self, text: str) -> str:
        return f"{self.marks.quote_open}{text}{self.marks.quote_close}"

    def time(self, seconds: float) -> str:
        return self.marks.seconds.format(seconds)

    def groups(self, groups: Sequence[Mapping[str, Any]]) -> str:
        marks = self.marks
        return marks.clause_separator.join(
            (marks.negation if g["negated"] else "")
            + self.emotion(g["emotion"])
            + marks.label_separator
            + self._each(list(g["words"]), lambda w: f"{marks.word_open}{w}{marks.word_close}")
            for g in groups
        )

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        convert = {
            "w": self.word,
            "e": self.emotion,
            "q": self.quote,
            "t": self.time,
            "l": str,
        }.get(conversion or "")
        if convert is not None:
            return self._each(value, convert)
        if conversion == "g":
            return self.groups(value)
        return super().convert_field(value, conversion)


def format_wording(template: str, lang: Language, **fields: Any) -> str:
    """``template`` filled with ``fields``, with the phrasebook's conversions for ``lang``."""
    return _Wording(lang).format(template, **fields)


def render(p: Phrase, lang: Language) -> str:
    """The phrase written in ``lang``. KeyError for a key or part the phrasebook lacks."""
    return format_wording(PHRASES[p.key][lang], lang, **p.parts)


def render_or_none(p: Phrase, lang: Language) -> str | None:
    """:func:`render`, or None when this version's phrasebook cannot write the phrase (a record
    saved by another version of emoreason, with other keys or parts)."""
    try:
        return render(p, lang)
    except (KeyError, IndexError, ValueError, TypeError):
        return None


def render_clauses(phrases: Sequence[Phrase], lang: Language) -> str:
    """Several phrases as one statement, listed with the language's clause separator."""
    return PUNCTUATION[lang].clause_separator.join(render(p, lang) for p in phrases)


def verbatim(text: str, lang: Language) -> str:
    """Stored text shown as it is: plain in English, quoted in other languages (it was written
    in English and is not paraphrased)."""
    return text if lang == "en" else _Wording(lang).quote(text)


def render_all(phrases: Sequence[Phrase], lang: Language, fallback: str) -> str:
    """:func:`render_clauses`, or ``fallback`` shown :func:`verbatim` when there are no phrases
    or one cannot be written."""
    written = [render_or_none(p, lang) for p in phrases]
    if not written or any(w is None for w in written):
        return verbatim(fallback, lang)
    return PUNCTUATION[lang].clause_separator.join(w for w in written if w is not None)


def states_time(p: Phrase | None) -> bool:
    """True when the phrase itself says when (its templates use the part ``at``)."""
    return p is not None and "at" in p.parts
