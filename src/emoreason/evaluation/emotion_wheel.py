"""Our emotion wheel (ours): emotion words and their forms, EN and ZH, grouped under base emotions.

Open-vocabulary benchmarks (EMER, OV-MER style) answer with free emotion words ("anxious",
"a bit annoyed", "失落"). To compare two such sets we map every word to a *base emotion* of this
wheel first; two words match when they share a base. This is not AffectGPT's wheel (five wheels,
LLM-generated synonym and word-form tables, see
:mod:`emoreason.evaluation.metrics.affectgpt_wheel`), so scores through it are our ``robust``
EMER variant, not the authors' numbers.

The taxonomy (one level, documented here, our own choice):

=============  ======================================================  ==================
base           what it groups (examples)                               project label
=============  ======================================================  ==================
happy          joy, glad, pleased, cheerful, excited, amused, 开心     happy
sad            sorrow, upset, disappointed, grief, lonely, 难过, 失望  sad
angry          anger, annoyed, irritated, frustrated, furious, 生气    angry
fearful        fear, afraid, anxious, worried, nervous, tense, 担心    fearful
surprised      astonished, amazed, shocked, startled, 惊讶             surprised
disgusted      disgust, contempt, disdain, revulsion, 厌恶, 鄙视       disgusted
neutral        calm, composed, indifferent, flat, 平静                 neutral
confused       puzzled, doubtful, skeptical, suspicious, 困惑, 怀疑    (none)
embarrassed    awkward, shy, ashamed, guilty, 尴尬, 害羞               (none)
=============  ======================================================  ==================

Word forms (EN): lower-cased, intensity modifiers dropped ("very", "a bit", "slightly", ...),
then tried as written and through these suffix rules, in order: ``-ily -> -y`` (angrily),
``-ly -> ''`` (sadly), ``-iness -> -y`` (happiness), ``-ness -> ''`` (sadness), ``-ies -> -y``
(worries), ``-ing -> ''`` (worrying), ``-ed -> ''`` / ``-ed -> -e`` (annoyed, surprised),
``-s -> ''`` (fears). ZH: modifiers (很, 非常, 有点, 感到, ...) and a trailing 的 dropped.
A word that is not in the wheel stays its own group (normalised text), so identical unknown
words still match each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from emoreason.schema.labels import EMOTIONS

#: base -> (English words, Chinese words). Every word of a base maps to that base.
# fmt: off
WHEEL: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "happy": (
        (
            "happy", "joy", "joyful", "glad", "pleased", "cheerful", "delighted", "contented", "excited", "excitement", "amused", "amusement", "elated", "satisfied",
            "satisfaction", "pleasant", "relieved", "relief", "grateful", "gratitude", "proud",
            "pride", "enthusiastic", "happiness", "joyous", "thrilled", "pleasure", "hopeful",
            "optimistic", "playful",
        ),
        (
            "开心", "高兴", "快乐", "喜悦", "愉快", "兴奋", "满意", "欣慰", "愉悦", "欢乐", "开朗",
            "幸福", "喜欢", "得意", "欣喜", "快活", "乐观", "积极", "轻松", "感激", "自豪",
        ),
    ),
    "sad": (
        (
            "sad", "sadness", "sorrow", "sorrowful", "unhappy", "upset", "depressed", "depression",
            "grief", "grieving", "disappointed", "disappointment", "heartbroken", "melancholy",
            "gloomy", "lonely", "loneliness", "hurt", "miserable", "despair", "hopeless",
            "helpless", "regret", "regretful", "crying", "tearful",
        ),
        (
            "悲伤", "伤心", "难过", "失望", "沮丧", "痛苦", "忧伤", "哀伤", "失落", "委屈", "心碎",
            "孤独", "无奈", "绝望", "遗憾", "悲痛", "消极", "低落", "哭泣",
        ),
    ),
    "angry": (
        (
            "angry", "anger", "mad", "furious", "fury", "rage", "irritated", "irritation",
            "annoyed", "annoyance", "annoy", "frustrated", "frustration", "hostile", "hostility",
            "resentful", "resentment", "indignant", "outraged", "irate", "agitated", "impatient",
            "dissatisfied", "dissatisfaction", "aggressive", "sarcastic", "bitter",
        ),
        (
            "愤怒", "生气", "恼火", "不满", "烦躁", "气愤", "暴躁", "发火", "恼怒", "愤慨", "不耐烦",
            "讽刺", "敌意", "抱怨",
        ),
    ),
    "fearful": (
        (
            "fear", "fearful", "afraid", "scared", "terrified", "frightened", "anxious", "anxiety",
            "worried", "worry", "nervous", "nervousness", "panic", "panicked", "tense", "tension",
            "uneasy", "apprehensive", "alarmed", "insecure", "stressed", "stress", "concerned",
            "concern", "dread",
        ),
        (
            "恐惧", "害怕", "担心", "焦虑", "紧张", "不安", "惊恐", "忧虑", "担忧", "恐慌", "畏惧",
            "慌张", "着急", "压力",
        ),
    ),
    "surprised": (
        (
            "surprise", "surprised", "astonished", "astonishment", "amazed", "amazement", "shocked",
            "shock", "startled", "stunned", "astounded", "unexpected",
        ),
        ("惊讶", "吃惊", "震惊", "意外", "惊奇", "诧异", "惊喜"),
    ),
    "disgusted": (
        (
            "disgust", "disgusted", "contempt", "contemptuous", "disdain", "revulsion", "repulsed",
            "disgusting", "scornful", "scorn", "loathing", "dislike",
        ),
        ("厌恶", "反感", "恶心", "鄙视", "轻蔑", "嫌弃", "讨厌", "不屑", "蔑视"),
    ),
    "neutral": (
        ("neutral", "calm", "composed", "indifferent", "flat", "peaceful", "serene", "relaxed"),
        ("中性", "平静", "冷静", "淡定", "平淡", "平和", "中立", "无明显情绪"),
    ),
    "confused": (
        (
            "confused", "confusion", "puzzled", "doubt", "doubtful", "skeptical", "sceptical",
            "suspicious", "suspicion", "uncertain", "perplexed", "curious", "curiosity",
        ),
        ("困惑", "疑惑", "怀疑", "迷茫", "不解", "好奇", "疑问"),
    ),
    "embarrassed": (
        ("embarrassed", "embarrassment", "awkward", "shy", "ashamed", "shame", "guilty", "guilt"),
        ("尴尬", "害羞", "羞愧", "内疚", "难为情", "惭愧"),
    ),
}

# fmt: on

#: base -> label of :data:`emoreason.schema.labels.EMOTIONS` (None: no project label).
BASE_TO_PROJECT: dict[str, str | None] = {
    "happy": "happy",
    "sad": "sad",
    "angry": "angry",
    "fearful": "fearful",
    "surprised": "surprised",
    "disgusted": "disgusted",
    "neutral": "neutral",
    "confused": None,
    "embarrassed": None,
}

# fmt: off
EN_MODIFIERS: tuple[str, ...] = (
    "a little bit", "a little", "a bit", "kind of", "sort of", "very", "slightly", "somewhat",
    "extremely", "quite", "rather", "deeply", "highly", "really", "so", "too", "mildly",
    "strongly", "feeling", "feels", "feel", "seems", "looks", "appears", "being", "is", "was",
)
ZH_MODIFIERS: tuple[str, ...] = (
    "有一点", "有点儿", "有点", "有些", "非常", "十分", "特别", "比较", "略微", "稍微", "极其", "很",
    "太", "感到", "感觉", "觉得", "显得", "似乎", "有",
)
# fmt: on
#: Words that negate the emotion word right after them (EN within 3 tokens, ZH directly before).
EN_NEGATIONS: tuple[str, ...] = (
    "not",
    "no",
    "never",
    "n't",
    "without",
    "hardly",
    "isn't",
    "wasn't",
)
ZH_NEGATIONS: tuple[str, ...] = ("不", "没有", "没", "并非", "不是", "毫无", "无")

_WORD_TO_BASE: dict[str, str] = {}
for _base, (_en, _zh) in WHEEL.items():
    for _word in (*_en, *_zh):
        _WORD_TO_BASE.setdefault(_word, _base)
for _label in EMOTIONS:  # the project labels themselves always resolve
    _WORD_TO_BASE.setdefault(_label, _label)

_ZH_WORDS_LONGEST_FIRST: tuple[str, ...] = tuple(
    sorted((w for _, zh in WHEEL.values() for w in zh), key=len, reverse=True)
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_EN_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def _en_candidates(word: str) -> list[str]:
    """The word and its suffix-stripped forms, in the documented rule order."""
    out = [word]
    rules = (
        ("ily", "y"),
        ("ly", ""),
        ("iness", "y"),
        ("ness", ""),
        ("ies", "y"),
        ("ing", ""),
        ("ed", ""),
        ("ed", "e"),
        ("s", ""),
    )
    for suffix, replacement in rules:
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            out.append(word[: -len(suffix)] + replacement)
    return out


def normalize_word(word: str) -> str:
    """Lower-case, trim punctuation and intensity modifiers (EN and ZH)."""
    text = word.strip().lower()
    text = re.sub(r"[\s\"'`.,;:!?()\[\]{}，。；：！？、（）“”‘’]+", " ", text).strip()
    if has_cjk(text):
        text = text.replace(" ", "")
        changed = True
        while changed:
            changed = False
            for mod in ZH_MODIFIERS:
                if text.startswith(mod) and len(text) > len(mod):
                    text, changed = text[len(mod) :], True
        if text.endswith("的") and len(text) > 1:
            text = text[:-1]
        return text
    changed = True
    while changed:
        changed = False
        for mod in EN_MODIFIERS:
            if text.startswith(mod + " "):
                text, changed = text[len(mod) + 1 :].strip(), True
    return text


def base_emotion(word: str, strict: bool = False) -> str | None:
    """The wheel base of one emotion word or short phrase, or None when it is not in the wheel.

    Not ``strict``: a ZH phrase that contains a wheel word, or an EN phrase whose last word is
    one, also resolves ("悲伤情绪", "quite mad"). ``strict``: only the word itself (after the
    modifier and word-form rules).

    >>> base_emotion("Angrily"), base_emotion("a bit worried"), base_emotion("有点难过")
    ('angry', 'fearful', 'sad')
    """
    text = normalize_word(word)
    if not text:
        return None
    if has_cjk(text):
        if text in _WORD_TO_BASE or strict:
            return _WORD_TO_BASE.get(text)
        for zh in _ZH_WORDS_LONGEST_FIRST:  # e.g. "悲伤情绪" contains "悲伤"
            if zh in text:
                return _WORD_TO_BASE[zh]
        return None
    for candidate in _en_candidates(text):
        if candidate in _WORD_TO_BASE:
            return _WORD_TO_BASE[candidate]
    last = text.split()[-1] if " " in text else None
    if last is not None and not strict:
        for candidate in _en_candidates(last):
            if candidate in _WORD_TO_BASE:
                return _WORD_TO_BASE[candidate]
    return None


def project_label(word: str) -> str | None:
    """The project label (:data:`EMOTIONS`) of an emotion word, or None."""
    base = base_emotion(word)
    return BASE_TO_PROJECT.get(base) if base is not None else None


def map_to_bases(words: Iterable[str]) -> set[str]:
    """A set of emotion words as a set of groups: the base, or the normalised word if unknown."""
    groups: set[str] = set()
    for word in words:
        base = base_emotion(word)
        if base is not None:
            groups.add(base)
        else:
            text = normalize_word(word)
            if text:
                groups.add(text)
    return groups


_CLAUSE_END = re.compile(r"[,.;:!?，。；：！？\n]")


def is_negated(text: str, start: int) -> bool:
    """Whether the word at ``start`` is negated: a ZH negation right before it, or an EN
    negation among the three tokens before it within the same clause (no punctuation between).
    """
    before = text[:start]
    if any(before.endswith(neg) for neg in ZH_NEGATIONS):
        return True
    clause = _CLAUSE_END.split(before)[-1].lower()
    tokens = _EN_TOKEN.findall(clause)[-3:]
    return any(t in EN_NEGATIONS or t.endswith("n't") for t in tokens)


def find_emotion_mentions(text: str) -> list[tuple[int, str, str]]:
    """Every non-negated emotion word in free text as ``(offset, word, base)``, in text order.

    EN words are whole tokens (with the word-form rules); a mention is negated when one of
    :data:`EN_NEGATIONS` is among the three tokens before it in the same clause. ZH words are
    found as substrings (longest first, no overlaps); negated when directly preceded by a ZH
    negation (see :func:`is_negated`).
    """
    mentions: list[tuple[int, str, str]] = []
    lowered = text.lower()
    tokens = [(m.start(), m.group()) for m in _EN_TOKEN.finditer(lowered)]
    for offset, token in tokens:
        base = None
        for candidate in _en_candidates(token):
            if candidate in _WORD_TO_BASE:
                base = _WORD_TO_BASE[candidate]
                break
        if base is None:
            continue
        if is_negated(lowered, offset):
            continue
        mentions.append((offset, token, base))
    taken: list[tuple[int, int]] = []
    for zh in _ZH_WORDS_LONGEST_FIRST:
        start = lowered.find(zh)
        while start != -1:
            end = start + len(zh)
            if not any(s < end and start < e for s, e in taken):
                taken.append((start, end))
                if not is_negated(lowered, start):
                    mentions.append((start, zh, _WORD_TO_BASE[zh]))
            start = lowered.find(zh, end)
    mentions.sort(key=lambda m: m[0])
    return mentions
