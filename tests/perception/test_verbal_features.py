"""Model-free verbal rules: lexicon with negation and degree words, bad news, pooling, the model file."""

from __future__ import annotations

import json

import numpy as np
import pytest

from emoreason.errors import ModelNotFoundError
from emoreason.perception.verbal import pool_logits
from emoreason.perception.verbal_features import (
    DENSE_NAMES,
    dense_features,
    detect_language,
    lexicon_scores,
)
from emoreason.perception.verbal_model import POOL_FLOOR, POOL_POWER, VerbalModel, ngram_vector
from emoreason.schema import EMOTIONS


def test_language_detection() -> None:
    assert detect_language("你好") == "zh" and detect_language("hello") == "en"
    assert detect_language("OK 好的") == "zh"


@pytest.mark.parametrize(
    ("text", "emotion"),
    [("I'm so scared.", "fearful"), ("That's disgusting, ew.", "disgusted"),
     ("我好害怕。", "fearful"), ("你给我滚出去！", "angry"), ("太恶心了。", "disgusted")],
)  # fmt: skip
def test_emotion_words_count_for_their_emotion(text: str, emotion: str) -> None:
    reading = lexicon_scores(text)
    assert max(reading.hits, key=reading.hits.get) == emotion
    assert reading.negated_positive == reading.negated_negative == 0


@pytest.mark.parametrize(
    ("text", "polarity"),
    [("I'm not happy about this.", "positive"), ("I am not scared at all.", "negative"),
     ("我一点都不害怕。", "negative"), ("I don't love it.", "positive")],
)  # fmt: skip
def test_negation_moves_a_hit_to_its_negated_polarity(text: str, polarity: str) -> None:
    reading = lexicon_scores(text)
    assert sum(reading.hits.values()) == 0
    negated = reading.negated_positive if polarity == "positive" else reading.negated_negative
    assert negated > 0


def test_negation_stops_at_the_clause_and_degree_words_intensify() -> None:
    assert lexicon_scores("No, I'm happy.").hits["happy"] > 0  # comma ends the scope
    assert (
        lexicon_scores("I am so angry").hits["angry"] > lexicon_scores("I am angry").hits["angry"]
    )
    assert lexicon_scores("太恶心").hits["disgusted"] > lexicon_scores("恶心").hits["disgusted"]
    # an entry holding its own negator is the entry, not a negated other word
    assert lexicon_scores("我不开心").hits["sad"] > 0


def test_bad_news_is_flagged_without_emotion_words() -> None:
    assert lexicon_scores("The doctor called. The results are not good.").bad_news >= 1
    assert lexicon_scores("检查结果不太好。").bad_news >= 1
    assert lexicon_scores("The results are in the folder.").bad_news == 0


def test_dense_features_have_the_declared_length() -> None:
    values, _ = dense_features("Wow, really?!", "en", {"compound": 0.2, "pos": 0.3, "neg": 0.0})
    assert len(values) == len(DENSE_NAMES)
    named = dict(zip(DENSE_NAMES, values, strict=True))
    assert named["question"] > 0 and named["exclaim"] > 0 and named["vader_compound"] == 0.2
    zh, _ = dense_features("你又迟到了！", "zh")
    assert dict(zip(DENSE_NAMES, zh, strict=True))["second_person"] == 1.0


def _reference_pool(z: np.ndarray) -> np.ndarray:
    """Pooling written out sentence by sentence (independent of the vectorised code)."""
    total_w, acc = 0.0, np.zeros(z.shape[1])
    for row in z:
        p = np.exp(row - row.max())
        p /= p.sum()
        w = (POOL_FLOOR + 1.0 - p[EMOTIONS.index("neutral")]) ** POOL_POWER
        total_w += w
        acc += w * row
    return acc / total_w


def test_pooling_matches_reference_and_keeps_a_strong_sentence() -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4, len(EMOTIONS)))
    assert np.allclose(pool_logits(z), _reference_pool(z))
    neutral = np.zeros(len(EMOTIONS))
    neutral[EMOTIONS.index("neutral")] = 4.0
    angry = np.zeros(len(EMOTIONS))
    angry[EMOTIONS.index("angry")] = 4.0
    pooled = pool_logits(np.stack([neutral, neutral, angry]))
    assert EMOTIONS[int(pooled.argmax())] == "angry"  # two calm sentences do not average it away
    mean = np.stack([neutral, neutral, angry]).mean(axis=0)
    assert EMOTIONS[int(mean.argmax())] == "neutral"  # ... as a plain mean would


def test_ngram_vector_is_unit_length_and_deterministic() -> None:
    a, b = ngram_vector("我好害怕", 64), ngram_vector("我好害怕", 64)
    assert np.allclose(a, b) and np.isclose(np.linalg.norm(a), 1.0)
    assert not ngram_vector("", 64).any()


def test_shipped_model_loads_and_bad_files_are_one_line_errors(tmp_path) -> None:
    model = VerbalModel.load()
    assert set(model.languages) == {"en", "zh"} and model.dense_names == DENSE_NAMES
    for lang in ("en", "zh"):
        assert model.languages[lang].temperature > 0
    assert "dev" in model.training["data"]
    bad = tmp_path / "m.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ModelNotFoundError, match=r"m\.json"):
        VerbalModel.load(bad)
    data = {"format": 1, "labels": list(EMOTIONS), "languages": {}, "dense_names": []}
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelNotFoundError, match="needs languages"):
        VerbalModel.load(bad)
