"""Emotion wheel, answer parsing rule, and open-vocabulary Accuracy_s / Recall_s."""

from __future__ import annotations

import pytest

from emoreason.evaluation.answer_parsing import parse_answer
from emoreason.evaluation.emotion_wheel import (
    BASE_TO_PROJECT,
    WHEEL,
    base_emotion,
    find_emotion_mentions,
    map_to_bases,
    project_label,
)
from emoreason.evaluation.metrics import open_vocab_per_sample, open_vocab_scores
from emoreason.schema.labels import EMOTIONS

MER = ["neutral", "angry", "happy", "sad", "worried", "surprise"]


@pytest.mark.parametrize(
    ("word", "base"),
    [
        ("Happy", "happy"),
        ("happiness", "happy"),
        ("happily", "happy"),
        ("joyful", "happy"),
        ("angrily", "angry"),
        ("annoyed", "angry"),
        ("a bit worried", "fearful"),
        ("worries", "fearful"),
        ("worrying", "fearful"),
        ("surprised", "surprised"),
        ("sadness", "sad"),
        ("有点难过", "sad"),
        ("非常开心的", "happy"),
        ("焦虑", "fearful"),
        ("contempt", "disgusted"),
        ("puzzled", "confused"),
        ("平静", "neutral"),
    ],
)
def test_word_forms_and_synonyms_map_to_base(word, base):
    assert base_emotion(word) == base


def test_wheel_covers_every_project_label():
    for label in EMOTIONS:
        assert project_label(label) == label
    assert set(BASE_TO_PROJECT) == set(WHEEL)
    assert {v for v in BASE_TO_PROJECT.values() if v} == set(EMOTIONS)


def test_unknown_words_stay_their_own_group():
    assert base_emotion("nostalgic") is None
    assert map_to_bases(["Nostalgic", "joy", "glad"]) == {"nostalgic", "happy"}


def test_mentions_skip_negated_words():
    found = [
        (w, b)
        for _, w, b in find_emotion_mentions("She is not happy, she is sad. 他不开心，很焦虑")
    ]
    assert found == [("sad", "sad"), ("焦虑", "fearful")]


@pytest.mark.parametrize(
    ("text", "label", "rule"),
    [
        ("{'emotion': 'Joyful'}", "happy", "structured"),
        ('```json\n{"label": "sad"}\n```', "sad", "structured"),
        ("Angry.", "angry", "exact"),
        ("very happy", "happy", "exact"),
        ("The face is sad, but the final emotion: angry.", "angry", "slot"),
        ("情绪：开心", "happy", "slot"),
        ("He seems scared.", "worried", "mention"),
        ("I think the person is not happy, rather sad.", "sad", "mention"),
        ("The voice sounds frustrated, and in the end she is anxious", "worried", "last-mention"),
        ("not happy at all", None, "unparseable"),
        ("blah blah", None, "unparseable"),
        ("", None, "empty"),
        (None, None, "empty"),
    ],
)
def test_answer_parsing_rule(text, label, rule):
    parsed = parse_answer(text, MER)
    assert (parsed.label, parsed.rule) == (label, rule)


def test_multiword_labels_longest_first():
    labels = ["weak negative", "strong negative", "neutral", "weak positive", "strong positive"]
    assert parse_answer("It is weak negative.", labels).label == "weak negative"
    assert parse_answer("answer: strong positive", labels).label == "strong positive"


def naive_open_vocab(refs, preds):
    acc, rec = [], []
    for ref, pred in zip(refs, preds, strict=True):
        truth = {base_emotion(w) or w.lower() for w in ref}
        guess = {base_emotion(w) or w.lower() for w in pred}
        if not truth:
            continue
        if not guess:
            acc.append(0.0)
            rec.append(0.0)
            continue
        common = [g for g in guess if g in truth]
        acc.append(len(common) / len(guess))
        rec.append(len(common) / len(truth))
    return sum(acc) / len(acc), sum(rec) / len(rec), len(acc)


def test_open_vocab_against_naive_reference():
    refs = [["happy", "excited"], ["sad"], [], ["angry", "frustrated", "nervous"], ["surprise"]]
    preds = [["joyful"], ["disappointed", "angry"], ["happy"], [], ["shocked", "happy", "glad"]]
    acc, rec, n = naive_open_vocab(refs, preds)
    got = open_vocab_scores(refs, preds)
    assert got["accuracy_s"] == pytest.approx(acc)
    assert got["recall_s"] == pytest.approx(rec)
    assert got["n"] == n == 4
    per = open_vocab_per_sample(refs, preds)
    assert per[2] is None and per[3] == (0.0, 0.0)
    # hand check: sample 0 -> truth {happy}, guess {happy}: 1/1, 1/1
    assert per[0] == (1.0, 1.0)
    # sample 4 -> truth {surprised}, guess {surprised, happy}: 1/2, 1/1
    assert per[4] == (0.5, 1.0)
