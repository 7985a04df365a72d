"""The transcript reliability rule (emoreason.perception.transcript_quality), on constructed
whisper outputs: clean speech passes, each kind of invented text is flagged with its reason."""

from __future__ import annotations

import pytest

from emoreason.errors import ConfigError
from emoreason.perception.transcript_quality import (
    SegmentStats,
    TranscriptQualityConfig,
    transcript_issues,
)


def seg(
    text: str, logprob: float = -0.3, no_speech: float = 0.05, ratio: float = 1.0
) -> SegmentStats:
    return SegmentStats(text, logprob, no_speech, ratio, words=len(text.split()))


CLEAN = [seg("I can't believe she is gone."), seg("I miss her so much.")]


def test_clean_english_and_mandarin_pass() -> None:
    assert transcript_issues(CLEAN, [0.95] * 10, "en") == []
    zh = [seg("今天真是太开心了，我们终于赢了比赛，谢谢大家。", logprob=-0.24)]
    assert transcript_issues(zh, [0.95] * 15, "zh") == []
    # a few hesitant words in a clean sentence are not enough
    assert transcript_issues(CLEAN, [0.95] * 8 + [0.3, 0.45], "en") == []


def test_empty_transcript_has_no_issues() -> None:
    assert transcript_issues([], [], "en") == []
    assert transcript_issues([seg("  ")], [], None) == []


def test_low_word_probabilities_are_flagged() -> None:
    issues = transcript_issues(CLEAN, [0.3, 0.4, 0.2, 0.9, 0.35, 0.4], "en")
    assert any("mean word probability" in i for i in issues)
    assert any("probability < 0.5" in i for i in issues)


def test_number_runs_and_repetition_are_flagged() -> None:
    """What whisper wrote for robotic pinyin speech on another CPU: fluent words, then digits."""
    invented = "Therefore, hand one two three. " + "3, 4, 3, 1, " * 20
    issues = transcript_issues([seg(invented, ratio=2.0)], [0.9] * 90, "en")
    assert any("repeats" in i for i in issues), issues
    assert any("digits" in i for i in issues), issues


def test_compression_ratio_logprob_and_no_speech() -> None:
    assert any(
        "compression" in i for i in transcript_issues([seg("la " * 30, ratio=9.0)], [], "en")
    )
    assert any(
        "log-probability" in i
        for i in transcript_issues([seg("Hello there my friend.", logprob=-1.6)], [], "en")
    )
    assert any(
        "no-speech" in i
        for i in transcript_issues([seg("Hello there my friend.", no_speech=0.9)], [], "en")
    )


def test_script_that_does_not_match_the_language() -> None:
    assert any("Latin" in i for i in transcript_issues([seg("แค่ นั้น เอง ครับ")], [], "en"))
    assert any("Chinese" in i for i in transcript_issues([seg("hello there my friend")], [], "zh"))
    # mixed: a Chinese sentence with a Latin brand name is still Chinese
    assert transcript_issues([seg("我今天买了 iPhone，太开心了")], [], "zh") == []


def test_thresholds_move_the_decision() -> None:
    probs = [0.55] * 10
    assert transcript_issues(CLEAN, probs, "en")  # mean 0.55 < 0.6
    lenient = TranscriptQualityConfig(min_mean_word_probability=0.5)
    assert transcript_issues(CLEAN, probs, "en", lenient) == []


@pytest.mark.parametrize(
    "kwargs",
    [{"max_low_word_fraction": 1.5}, {"max_compression_ratio": 0.0}, {"min_avg_logprob": 0.5}],
)
def test_config_is_validated(kwargs) -> None:
    with pytest.raises(ConfigError):
        TranscriptQualityConfig(**kwargs)
