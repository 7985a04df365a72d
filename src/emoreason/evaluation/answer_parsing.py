"""Free-text model answer -> one label of a task's label set (a documented, tested rule).

The rule, applied in this order (the first that yields a label wins; ``ParsedAnswer.rule``
says which):

1. ``empty`` -- no text: unparseable.
2. ``structured`` -- a JSON (or Python-dict-like) object anywhere in the text with one of the
   keys ``emotion``, ``label``, ``answer``, ``prediction``, ``sentiment``, ``情绪``, ``情感``,
   ``答案``: its value is resolved with rule 3, then rule 5 on the value alone.
3. ``exact`` -- the whole answer, normalised (lower case, punctuation and intensity modifiers
   dropped, see :mod:`emoreason.evaluation.emotion_wheel`), is a task label, or is one emotion
   word (strict wheel lookup) whose base belongs to exactly one task label ("joyful" -> "happy").
4. ``slot`` -- the text after the *last* answer marker (``emotion:``, ``label:``, ``answer:``,
   ``final answer:``, ``情绪：``, ``情感：``, ``答案：``, ``结论：``) up to the end of its line,
   resolved with rule 3, then with rule 5 on that span.
5. ``mention`` / ``last-mention`` -- every non-negated mention in the whole text of a task label
   (whole words; longest labels first, no overlaps) or of a wheel word that maps to a task
   label. One distinct label: that label (``mention``). Several: the one mentioned *last*
   (``last-mention``), because SED answers reason first and conclude last.
6. ``unparseable`` -- nothing found. Callers count these (they are never silently dropped).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from emoreason.evaluation.emotion_wheel import (
    base_emotion,
    find_emotion_mentions,
    has_cjk,
    is_negated,
    normalize_word,
)
from emoreason.formats.json_in_text import json_objects

ANSWER_KEYS: tuple[str, ...] = (
    "emotion",
    "label",
    "answer",
    "prediction",
    "sentiment",
    "情绪",
    "情感",
    "答案",
)
_SLOT = re.compile(
    r"(?:final\s+answer|final\s+emotion|emotion|label|answer|sentiment|情绪|情感|答案|结论)"
    r"\s*(?:is|[:：=])\s*(?P<value>[^\n]*)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ParsedAnswer:
    """The label found (None when unparseable) and the rule that found it."""

    label: str | None
    rule: str

    @property
    def ok(self) -> bool:
        return self.label is not None


def build_label_synonyms(labels: Sequence[str]) -> dict[str, str]:
    """wheel base -> task label, for bases that belong to exactly one task label."""
    by_base: dict[str, set[str]] = {}
    for label in labels:
        base = base_emotion(label)
        if base is not None:
            by_base.setdefault(base, set()).add(label)
    return {base: next(iter(ls)) for base, ls in by_base.items() if len(ls) == 1}


def _resolve_exact(value: str, labels: Sequence[str], synonyms: Mapping[str, str]) -> str | None:
    text = normalize_word(value)
    if not text:
        return None
    lowered = {label.lower(): label for label in labels}
    if text in lowered:
        return lowered[text]
    base = base_emotion(text, strict=True)
    if base is not None and base in synonyms:
        return synonyms[base]
    return None


def _mentions(
    text: str, labels: Sequence[str], synonyms: Mapping[str, str]
) -> list[tuple[int, str]]:
    """(offset, task label) for every non-negated label or synonym mention, in text order."""
    lowered = text.lower()
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for label in sorted(labels, key=len, reverse=True):
        key = label.lower()
        pattern = re.escape(key) if has_cjk(key) else r"(?<![a-z])" + re.escape(key) + r"(?![a-z])"
        for match in re.finditer(pattern, lowered):
            span = match.span()
            if any(s < span[1] and span[0] < e for s, e in taken):
                continue
            taken.append(span)
            if not is_negated(lowered, span[0]):
                found.append((span[0], label))
    for offset, word, base in find_emotion_mentions(text):
        if base not in synonyms:
            continue
        end = offset + len(word)
        if any(s < end and offset < e for s, e in taken):
            continue
        found.append((offset, synonyms[base]))
    found.sort(key=lambda item: item[0])
    return found


def _from_mentions(text: str, labels: Sequence[str], synonyms: Mapping[str, str]) -> ParsedAnswer:
    mentions = _mentions(text, labels, synonyms)
    distinct = {label for _, label in mentions}
    if not distinct:
        return ParsedAnswer(None, "unparseable")
    if len(distinct) == 1:
        return ParsedAnswer(mentions[0][1], "mention")
    return ParsedAnswer(mentions[-1][1], "last-mention")


def _structured_value(text: str) -> str | None:
    # JSON objects first; a Python-style dict ({'emotion': 'sad'}) read with its quotes swapped
    objects = json_objects(text) or json_objects(text.replace("'", '"'))
    for obj in objects:
        for key in ANSWER_KEYS:
            value = obj.get(key)
            if isinstance(value, str) and value.strip():
                return value
    return None


def parse_answer(
    text: str | None, labels: Sequence[str], synonyms: Mapping[str, str] | None = None
) -> ParsedAnswer:
    """Map free model text to one of ``labels`` with the module's documented rule.

    >>> parse_answer("{'emotion': 'Joyful'}", ["happy", "sad"])
    ParsedAnswer(label='happy', rule='structured')
    >>> parse_answer("The face is sad, but the final emotion: angry.", ["happy", "sad", "angry"])
    ParsedAnswer(label='angry', rule='slot')
    """
    if synonyms is None:
        synonyms = build_label_synonyms(labels)
    if text is None or not str(text).strip():
        return ParsedAnswer(None, "empty")
    text = str(text)
    value = _structured_value(text)
    if value is not None:
        label = (
            _resolve_exact(value, labels, synonyms) or _from_mentions(value, labels, synonyms).label
        )
        if label is not None:
            return ParsedAnswer(label, "structured")
    label = _resolve_exact(text, labels, synonyms)
    if label is not None:
        return ParsedAnswer(label, "exact")
    slots = list(_SLOT.finditer(text))
    if slots:
        span = slots[-1].group("value")
        label = (
            _resolve_exact(span, labels, synonyms) or _from_mentions(span, labels, synonyms).label
        )
        if label is not None:
            return ParsedAnswer(label, "slot")
    return _from_mentions(text, labels, synonyms)
