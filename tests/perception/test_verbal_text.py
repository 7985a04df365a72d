"""classify_text: the product path for words (real MiniLM weights and the shipped verbal model)."""

from __future__ import annotations

import pytest

from emoreason.perception import classify_text
from emoreason.schema import EMOTIONS
from emoreason.schema.labels import VALENCE

pytestmark = pytest.mark.slow

#: measured test-split accuracy (README: EN 0.897, ZH 0.714) minus a margin: below is a regression
MIN_TEST_ACCURACY = {"en": 0.85, "zh": 0.66}


def test_angry_office_sentence_is_angry_not_averaged_away() -> None:
    text = "Get out of my office right now! I'm sick of your lies!"
    h = classify_text(text)
    assert h.label == "angry" and h.distribution["angry"] > 0.5
    assert h.distribution["angry"] > 2 * h.distribution["neutral"]
    assert "no_evidence" not in h.based_on


def test_bad_news_reads_negative_not_neutral() -> None:
    h = classify_text("The doctor called. The results are not good.")
    assert h.label != "neutral" and VALENCE[h.label] < 0
    assert h.label == "sad"


def test_a_strong_sentence_survives_neutral_ones() -> None:
    calm = "We left the house at nine. The traffic was normal. We parked near the station."
    alone = classify_text(calm)
    mixed = classify_text(calm + " I'm absolutely furious with you!")
    assert alone.label == "neutral"
    assert mixed.label == "angry"


def test_negation() -> None:
    assert classify_text("I'm so happy today!").label == "happy"
    assert VALENCE[classify_text("I'm not happy about this at all.").label] < 0
    assert classify_text("我一点都不开心。").label in ("sad", "angry")


def test_chinese_anger_and_language_detection() -> None:
    h = classify_text("你给我滚出去！我受够你的谎言了！")
    assert h.label == "angry" and h.confidence > 0.5
    forced = classify_text("你给我滚出去！我受够你的谎言了！", lang="zh")
    assert forced.distribution == pytest.approx(h.distribution)


def test_irony_reads_the_complaint() -> None:
    h = classify_text("Oh great, just perfect. You ruined everything again! Thanks a lot!")
    assert h.label == "angry" and h.distribution["happy"] < 0.2


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "...", "Okay.", "嗯。"])
def test_no_words_or_no_emotional_content_is_no_evidence(text: str) -> None:
    h = classify_text(text)
    assert "no_evidence" in h.based_on
    assert h.confidence <= 0.1
    assert max(h.distribution.values()) - min(h.distribution.values()) < 1e-9  # flat, not neutral


def test_confidence_is_lower_for_unclear_text_than_for_a_clear_one() -> None:
    clear = classify_text("I'm terrified, please help me, someone is breaking in!")
    vague = classify_text("Well, I guess it could be something, who knows.")
    assert clear.confidence > vague.confidence


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_test_split_accuracy_holds(lang: str) -> None:
    from emoreason.evaluation.loaders.verbal_sentences import read_sentences

    rows = read_sentences(lang, "test")
    correct = 0
    for row in rows:
        h = classify_text(row.text)  # language detected, as a user would call it
        correct += h.label == row.label and "no_evidence" not in h.based_on
    assert correct / len(rows) >= MIN_TEST_ACCURACY[lang]
    assert set(EMOTIONS) == {r.label for r in rows}
