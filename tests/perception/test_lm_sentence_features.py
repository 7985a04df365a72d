"""The Chinese verbal model's LM features: SmolLM2 hidden states, mean-pooled per sentence, and
the LM block of the linear verbal model (checked against a reference written here)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from emoreason.errors import ModelNotFoundError
from emoreason.perception.verbal_model import LanguageModel, VerbalModel
from emoreason.schema import EMOTIONS

K = len(EMOTIONS)


def _model_with_lm(rng: np.random.Generator, h: int = 5, d: int = 3) -> LanguageModel:
    return LanguageModel(
        lang="zh", dense_mean=rng.normal(size=d), dense_scale=rng.uniform(0.5, 2, size=d),
        w_dense=rng.normal(size=(d, K)), w_embed=None, w_ngram=None, bias=rng.normal(size=K),
        temperature=0.8, lm_layer=6, lm_mean=rng.normal(size=h),
        lm_scale=rng.uniform(0.5, 2, size=h), w_lm=rng.normal(size=(h, K)),
    )  # fmt: skip


def test_lm_block_adds_standardised_features_times_weights() -> None:
    rng = np.random.default_rng(0)
    m = _model_with_lm(rng)
    dense, lm = rng.normal(size=(4, 3)), rng.normal(size=(4, 5))
    expected = np.zeros((4, K))
    for i in range(4):  # row by row, no broadcasting tricks
        for k in range(K):
            expected[i, k] = m.bias[k]
            for j in range(3):
                expected[i, k] += (
                    (dense[i, j] - m.dense_mean[j]) / m.dense_scale[j] * m.w_dense[j, k]
                )
            for j in range(5):
                expected[i, k] += (lm[i, j] - m.lm_mean[j]) / m.lm_scale[j] * m.w_lm[j, k]
    np.testing.assert_allclose(m.logits(dense, None, None, lm), expected, rtol=1e-10)
    without = m.logits(dense, None, None, None)
    assert not np.allclose(without, expected)  # the block does contribute


def test_lm_block_round_trips_and_bad_shapes_are_one_line_errors(tmp_path) -> None:
    rng = np.random.default_rng(1)
    shipped = VerbalModel.load()
    zh = _model_with_lm(rng, d=len(shipped.dense_names))
    model = VerbalModel({"en": shipped.languages["en"], "zh": zh}, shipped.dense_names, {})
    path = tmp_path / "m.json"
    model.save(path)
    back = VerbalModel.load(path).languages["zh"]
    assert back.lm_layer == 6 and back.uses_lm
    np.testing.assert_allclose(back.w_lm, zh.w_lm, atol=1e-6)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["languages"]["zh"]["lm_mean"] = [0.0, 1.0]  # width 2 against 5 weights rows
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelNotFoundError, match="LM feature shapes"):
        VerbalModel.load(path)


def test_shipped_chinese_model_uses_lm_features_and_english_does_not() -> None:
    model = VerbalModel.load()
    assert model.languages["zh"].uses_lm
    assert not model.languages["en"].uses_lm
    assert "SmolLM2" in model.training["encoder"]


@pytest.mark.slow
def test_layer_zero_is_the_mean_token_embedding() -> None:
    import torch

    from emoreason.perception.lm_sentence_features import LMSentenceFeatures

    features = LMSentenceFeatures()
    sentences = ["我今天特别开心！", "The meeting is at three."]
    got = features.encode(sentences, layer=0)
    assert got.shape == (2, features.width) and np.isfinite(got).all()
    table = features.model.get_input_embeddings().weight.detach().double().numpy()
    for row, sentence in zip(got, sentences, strict=True):
        ids = features.tokenizer(sentence)["input_ids"]
        np.testing.assert_allclose(row, table[ids].mean(axis=0), rtol=1e-5, atol=1e-6)
    deep = features.encode(sentences, layer=6)
    assert not np.allclose(deep, got)  # a hidden layer is not the embedding table
    with torch.inference_mode():
        again = features.encode(sentences[:1], layer=6)
    np.testing.assert_allclose(again[0], deep[0], rtol=1e-5, atol=1e-6)  # one at a time = batch
    several = features.encode_layers(sentences, (0, 6))  # one pass, several layers
    np.testing.assert_allclose(several[0], got, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(several[6], deep, rtol=1e-6, atol=1e-7)
