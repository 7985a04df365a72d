"""Hand-made features of one sentence for the learned verbal model (rules **ours**).

:func:`lexicon_scores` reads emotion words with negation scope and degree words:

- EN: the text is lower-cased and split into word and punctuation tokens; an entry of
  :data:`~emoreason.perception.verbal_lexicon.LEXICON` (weight 1) or ``WEAK_LEXICON``
  (weight 0.4) that matches at token ``i`` is *negated* when one of ``NEGATORS`` stands among
  tokens ``i-3 .. i-1`` with no clause punctuation (``, . ! ? ;``) or ``but`` between, and
  *intensified* (x1.5) when token ``i-1`` is in ``INTENSIFIERS``.
- ZH: entries of :mod:`~emoreason.perception.verbal_lexicon_zh` match as substrings, longest
  first, each character claimed once; a negator within 2 characters before (same clause)
  negates, a degree word right before intensifies.

A negated hit does not count for its emotion: negated *happy* adds to ``negated_positive``
(``not happy``, ``不开心`` already is a sad entry), a negated negative emotion to
``negated_negative`` (``not scared``, ``不害怕``). Bad-news patterns count separately.

:func:`dense_features` turns these into the fixed-length vector :data:`DENSE_NAMES`:
``log1p`` of each emotion's weighted hits, the negated polarities, bad news, ``!`` and ``?``,
second-person address (you / 你), irony strength, sentence length and, for English, VADER's
compound/positive/negative scores (zeros for Chinese).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from emoreason.perception.verbal_lexicon import (
    BAD_NEWS,
    INTENSIFIERS,
    IRONY_MARKERS,
    LEXICON,
    NEGATIVE_CONTEXT,
    NEGATORS,
    WEAK_LEXICON,
)
from emoreason.perception.verbal_lexicon_zh import (
    BAD_NEWS_ZH,
    DEGREE_ZH,
    LEXICON_ZH,
    NEGATORS_ZH,
    WEAK_LEXICON_ZH,
)
from emoreason.schema import EMOTIONS

CJK = re.compile(r"[\u4e00-\u9fff]")
TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]")
CLAUSE_BREAK = frozenset(",.!?;:，。！？；：") | {"but"}
NEGATIVE_EMOTIONS: tuple[str, ...] = ("sad", "angry", "fearful", "disgusted")
STRONG, WEAK, INTENSIFIED = 1.0, 0.4, 1.5

DENSE_NAMES: tuple[str, ...] = (
    *(f"lex_{e}" for e in EMOTIONS if e != "neutral"),
    "negated_positive", "negated_negative", "bad_news", "exclaim", "question",
    "second_person", "irony", "length", "vader_compound", "vader_pos", "vader_neg",
)  # fmt: skip


def detect_language(text: str) -> str:
    """``zh`` when the text has CJK characters, else ``en``."""
    return "zh" if CJK.search(text) else "en"


def _entry_pattern(entry: str) -> re.Pattern[str]:
    """An EN entry as a regex over the space-joined token string (``*``: any word ending)."""
    parts: list[str] = []
    for token in TOKEN.findall(entry.replace("*", "§")):
        if token == "§" and parts:
            parts[-1] += r"[a-z']*"
        else:
            parts.append(re.escape(token))
    return re.compile(rf"(?<![^ ]){' '.join(parts)}(?![^ ])")


@dataclass(frozen=True)
class _Compiled:
    en: list[tuple[str, float, re.Pattern[str]]] = field(default_factory=list)
    zh: list[tuple[str, float, str]] = field(default_factory=list)
    bad_en: list[re.Pattern[str]] = field(default_factory=list)
    bad_zh: list[re.Pattern[str]] = field(default_factory=list)


def _compile() -> _Compiled:
    out = _Compiled()
    for weight, table in ((STRONG, LEXICON), (WEAK, WEAK_LEXICON)):
        for emotion, entries in table.items():
            out.en.extend(
                (emotion, weight, _entry_pattern(w)) for w in entries if not CJK.search(w)
            )
    for weight, table in ((STRONG, LEXICON_ZH), (WEAK, WEAK_LEXICON_ZH)):
        for emotion, entries in table.items():
            out.zh.extend((emotion, weight, w) for w in entries)
    out.zh.sort(key=lambda item: (-len(item[2]), -item[1]))  # longest, then strong, first
    out.bad_en.extend(re.compile(p) for p in BAD_NEWS)
    out.bad_zh.extend(re.compile(p) for p in BAD_NEWS_ZH)
    return out


_COMPILED = _compile()


@dataclass
class LexiconReading:
    """Weighted emotion-word hits of one text (negated hits kept apart) and the words found."""

    hits: dict[str, float] = field(default_factory=lambda: dict.fromkeys(EMOTIONS, 0.0))
    negated_positive: float = 0.0
    negated_negative: float = 0.0
    bad_news: int = 0
    words: list[tuple[str, str, bool]] = field(default_factory=list)  # (emotion, entry, negated)

    @property
    def total(self) -> float:
        return sum(self.hits.values()) + self.negated_positive + self.negated_negative

    def _add(self, emotion: str, weight: float, entry: str, negated: bool) -> None:
        self.words.append((emotion, entry, negated))
        if not negated:
            self.hits[emotion] += weight
        elif emotion == "happy":
            self.negated_positive += weight
        elif emotion in NEGATIVE_EMOTIONS:
            self.negated_negative += weight


def _tokens_en(text: str) -> list[str]:
    return TOKEN.findall(text.lower().replace("’", "'").replace("‘", "'"))


def _negated_en(tokens: list[str], start: int) -> bool:
    for j in range(start - 1, max(-1, start - 4), -1):
        if tokens[j] in CLAUSE_BREAK:
            return False
        if tokens[j] in NEGATORS:
            return True
    return False


def _scores_en(text: str, reading: LexiconReading) -> None:
    tokens = _tokens_en(text)
    joined = " ".join(tokens)
    token_at = {m.start(): i for i, m in enumerate(re.finditer(r"[^ ]+", joined))}
    taken: set[int] = set()
    for emotion, weight, pattern in _COMPILED.en:
        for m in pattern.finditer(joined):
            first = token_at.get(m.start())
            if first is None:
                continue
            span = range(first, first + len(m.group().split(" ")))
            if taken.intersection(span):
                continue
            taken.update(span)
            negated = _negated_en(tokens, first) and not m.group().startswith(("no ", "not "))
            boost = INTENSIFIED if first and tokens[first - 1] in INTENSIFIERS else 1.0
            reading._add(emotion, weight * boost, m.group(), negated)
    reading.bad_news = sum(1 for p in _COMPILED.bad_en if p.search(joined.replace(" ' ", "'")))


def _negated_zh(text: str, start: int) -> bool:
    window = text[max(0, start - 2) : start]
    for cut in range(len(window)):
        piece = window[cut:]
        if any(ch in CLAUSE_BREAK for ch in piece):
            continue
        if any(piece.endswith(n) or piece.startswith(n) for n in NEGATORS_ZH):
            return True
    return False


def _scores_zh(text: str, reading: LexiconReading) -> None:
    claimed = [False] * len(text)
    for emotion, weight, entry in _COMPILED.zh:
        start = text.find(entry)
        while start >= 0:
            end = start + len(entry)
            if not any(claimed[start:end]):
                for i in range(start, end):
                    claimed[i] = True
                negated = _negated_zh(text, start)
                boost = 1.0
                if any(text[max(0, start - len(d)) : start] == d for d in DEGREE_ZH):
                    boost = INTENSIFIED
                reading._add(emotion, weight * boost, entry, negated)
            start = text.find(entry, end)
    reading.bad_news = sum(1 for p in _COMPILED.bad_zh if p.search(text))


def lexicon_scores(text: str, lang: str | None = None) -> LexiconReading:
    """Emotion-word hits of ``text`` (rules in the module docstring)."""
    reading = LexiconReading()
    if (lang or detect_language(text)).startswith("zh"):
        _scores_zh(text, reading)
        # Latin words inside Chinese speech ("OK", "wow") still count
        if re.search(r"[A-Za-z]{2,}", text):
            _scores_en(re.sub(r"[\u4e00-\u9fff]", " ", text), reading)
    else:
        _scores_en(text, reading)
    return reading


def irony_strength(text: str) -> tuple[float, list[str]]:
    """0, 0.6 (one marker + negative context) or 0.8 (two or more markers), and the markers."""
    low = " ".join(re.sub(r"[^\w\s'\u4e00-\u9fff]", " ", text.lower()).split())
    markers = [m for m in IRONY_MARKERS if m in low]
    if len(markers) >= 2:
        return 0.8, markers
    if markers and any(
        re.search(rf"(?<!\w){re.escape(w)}(?!\w)", low) or (CJK.search(w) and w in low)
        for w in NEGATIVE_CONTEXT
    ):
        return 0.6, markers
    return 0.0, markers


def dense_features(
    text: str, lang: str, vader: dict[str, float] | None = None
) -> tuple[list[float], LexiconReading]:
    """The :data:`DENSE_NAMES` vector of one sentence and its lexicon reading."""
    reading = lexicon_scores(text, lang)
    zh = lang.startswith("zh")
    size = len(text.strip()) / 2.0 if zh else len(_tokens_en(text))  # 2 hanzi ~ 1 word
    low = text.lower()
    you = ("你" in text) if zh else bool(re.search(r"\byou(r|'re|'ve|'ll)?\b", low))
    v = vader or {}
    values = [
        *(math.log1p(reading.hits[e]) for e in EMOTIONS if e != "neutral"),
        math.log1p(reading.negated_positive),
        math.log1p(reading.negated_negative),
        float(reading.bad_news > 0),
        min(3, text.count("!") + text.count("！")) / 3.0,
        min(2, text.count("?") + text.count("？")) / 2.0,
        float(you),
        irony_strength(text)[0],
        math.log1p(size) / 3.0,
        float(v.get("compound", 0.0)),
        float(v.get("pos", 0.0)),
        float(v.get("neg", 0.0)),
    ]
    return values, reading
