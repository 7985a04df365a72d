"""Is a whisper transcript trustworthy enough to quote and to read emotion from? (rule: **ours**)

Whisper does not only hallucinate on silence: on speech it cannot understand (robotic TTS of a
language it does not hear, heavy noise, music) it writes fluent-looking invented text, often with
runs of digits or repeated phrases. Such words must never be quoted as evidence or vote for an
emotion. The rule reads only what faster-whisper itself reports, per kept segment and per word:

========================  =====================================================================
signal                    flagged when
========================  =====================================================================
word probability          mean word probability < ``min_mean_word_probability`` (0.6), or more
                          than ``max_low_word_fraction`` (0.4) of the words have p < 0.5
                          (needs >= 3 words)
compression ratio         any segment's gzip compression ratio > ``max_compression_ratio``
                          (2.4, whisper's own repetition threshold)
average log-probability   word-weighted mean segment ``avg_logprob`` < ``min_avg_logprob`` (-1.0)
no-speech probability     mean segment ``no_speech_prob`` > ``max_no_speech_prob`` (0.6)
repeated n-grams          >= 12 tokens and more than ``max_repeated_trigram_share`` (0.5) of the
                          token 3-grams are ones that occur three or more times ("3, 4, 3, 1 ...")
digit share               >= 6 tokens and more than ``max_digit_share`` (0.35) of the characters
                          are digits (an emotional utterance is not a number list)
script                    a detected language of ``en`` written mostly in a non-Latin script, or
                          ``zh`` written mostly in another script
========================  =====================================================================

Any flag makes the transcript unreliable; every flag is reported as a reason. The thresholds were
chosen from whisper's documented defaults and checked (not fitted) on the example clips: the clean
English and Mandarin clips have mean word probability >= 0.79 and compression ratio <= 1.05; the
espeak-ng pinyin clip has mean word probability 0.41, 71 % low-probability words and a segment
with compression ratio 10.8.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from emoreason.errors import ConfigError
from emoreason.schema.languages import LANGUAGES

LATIN = re.compile(r"[A-Za-z]")
CJK = re.compile(r"[\u3400-\u9fff]")
LETTER = re.compile(r"[^\W\d_]")
TOKEN = re.compile(r"[\u3400-\u9fff]|[^\W_]+")


@dataclass
class TranscriptQualityConfig:
    """Thresholds of the transcript reliability rule (module docstring)."""

    min_mean_word_probability: float = field(
        default=0.6, metadata={"help": "below this mean word probability the words are doubtful"}
    )
    max_low_word_fraction: float = field(
        default=0.4, metadata={"help": "share of words with probability < 0.5 that is too many"}
    )
    max_compression_ratio: float = field(
        default=2.4, metadata={"help": "a segment compressing better than this is repetitive"}
    )
    min_avg_logprob: float = field(
        default=-1.0, metadata={"help": "mean decoder log-probability below this is doubtful"}
    )
    max_no_speech_prob: float = field(
        default=0.6, metadata={"help": "mean no-speech probability above this is doubtful"}
    )
    max_repeated_trigram_share: float = field(
        default=0.5, metadata={"help": "share of 3-grams that occur three or more times"}
    )
    max_digit_share: float = field(
        default=0.35, metadata={"help": "share of digit characters that marks a number list"}
    )

    def __post_init__(self) -> None:
        for name in ("min_mean_word_probability", "max_low_word_fraction", "max_no_speech_prob",
                     "max_repeated_trigram_share", "max_digit_share"):  # fmt: skip
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"TranscriptQualityConfig.{name} must be in [0, 1], got {value}")
        if self.max_compression_ratio <= 0:
            raise ConfigError("TranscriptQualityConfig.max_compression_ratio must be > 0")
        if self.min_avg_logprob > 0:
            raise ConfigError("TranscriptQualityConfig.min_avg_logprob must be <= 0")


@dataclass(frozen=True)
class SegmentStats:
    """What faster-whisper reports for one kept segment."""

    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    words: int = 0


def _script_mismatch(text: str, language: str | None) -> str | None:
    letters = LETTER.findall(text)
    if len(letters) < 4 or language not in LANGUAGES:
        return None
    latin = sum(bool(LATIN.match(c)) for c in letters) / len(letters)
    cjk = sum(bool(CJK.match(c)) for c in letters) / len(letters)
    if language == "en" and latin < 0.5:
        return f"language en but only {latin:.0%} of the letters are Latin"
    if language == "zh" and cjk < 0.5:
        return f"language zh but only {cjk:.0%} of the characters are Chinese"
    return None


def _repeated_trigram_share(tokens: list[str]) -> float:
    grams = [tuple(tokens[i : i + 3]) for i in range(len(tokens) - 2)]
    if not grams:
        return 0.0
    counts = Counter(grams)
    return sum(counts[g] >= 3 for g in grams) / len(grams)


def transcript_issues(
    segments: Sequence[SegmentStats],
    word_probabilities: Sequence[float],
    language: str | None,
    config: TranscriptQualityConfig | None = None,
) -> list[str]:
    """Reasons why the transcript is unreliable (empty list: reliable)."""
    cfg = config or TranscriptQualityConfig()
    text = " ".join(s.text for s in segments).strip()
    if not text:
        return []
    issues: list[str] = []
    probs = list(word_probabilities)
    if len(probs) >= 3:
        mean_p = sum(probs) / len(probs)
        low = sum(p < 0.5 for p in probs) / len(probs)
        if mean_p < cfg.min_mean_word_probability:
            issues.append(f"mean word probability {mean_p:.2f}")
        if low > cfg.max_low_word_fraction:
            issues.append(f"{low:.0%} of the words have probability < 0.5")
    worst = max(segments, key=lambda s: s.compression_ratio)
    if worst.compression_ratio > cfg.max_compression_ratio:
        issues.append(f"a repetitive segment (compression ratio {worst.compression_ratio:.1f})")
    weights = [max(1, s.words) for s in segments]
    logprob = sum(s.avg_logprob * w for s, w in zip(segments, weights, strict=True)) / sum(weights)
    if logprob < cfg.min_avg_logprob:
        issues.append(f"mean log-probability {logprob:.2f}")
    no_speech = sum(s.no_speech_prob for s in segments) / len(segments)
    if no_speech > cfg.max_no_speech_prob:
        issues.append(f"no-speech probability {no_speech:.2f}")
    tokens = TOKEN.findall(text.lower())
    if len(tokens) >= 12:
        share = _repeated_trigram_share(tokens)
        if share > cfg.max_repeated_trigram_share:
            issues.append(f"a phrase repeats ({share:.0%} of the 3-grams)")
    chars = [c for c in text if not c.isspace()]
    if len(tokens) >= 6 and chars:
        digits = sum(c.isdigit() for c in chars) / len(chars)
        if digits > cfg.max_digit_share:
            issues.append(f"{digits:.0%} of the characters are digits")
    mismatch = _script_mismatch(text, language)
    if mismatch:
        issues.append(mismatch)
    return issues
