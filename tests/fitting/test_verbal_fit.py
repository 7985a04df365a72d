"""The verbal fitting's input cache: each text's inputs are computed once, LM features of
every grid layer from one pass, and a layer that was not computed is an error."""

from __future__ import annotations

import numpy as np
import pytest

from emoreason.fitting import verbal as fit_verbal


class _Classifier:
    """Stands in for VerbalClassifier.inputs: dense = [len], embed = [ord of first char]."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def inputs(self, texts, lang, buckets, lm_layer=None):
        assert lm_layer is None  # LM features come from the cache's own multi-layer pass
        self.calls.append(list(texts))
        n = len(texts)
        dense = np.array([[len(t)] for t in texts], dtype=float)
        embed = np.array([[ord(t[0])] for t in texts], dtype=float)
        return dense, embed, np.ones((n, buckets)), None, [None] * n


class _LM:
    def __init__(self) -> None:
        self.calls: list[tuple[list[str], tuple[int, ...]]] = []

    def encode_layers(self, texts, layers):
        self.calls.append((list(texts), tuple(layers)))
        return {k: np.array([[k * 100.0 + len(t), 1.0] for t in texts]) for k in layers}


def test_inputs_are_computed_once_and_each_layer_is_its_own(monkeypatch) -> None:
    lm = _LM()
    monkeypatch.setattr(fit_verbal, "shared_lm_features", lambda: lm)
    clf = _Classifier()
    cache = fit_verbal.InputCache(clf, "zh", 4, lm_layers=(6, 9))
    a = cache.get(["你好", "今天下雨"], 6)
    b = cache.get(["今天下雨", "你好", "新的一句话"], 9)
    assert len(lm.calls) == 2 and lm.calls[0][1] == (6, 9)
    assert sorted(t for call in clf.calls for t in call) == ["今天下雨", "你好", "新的一句话"]
    np.testing.assert_array_equal(a.lm[:, 0], [602.0, 604.0])
    np.testing.assert_array_equal(b.lm[:, 0], [904.0, 902.0, 905.0])
    np.testing.assert_array_equal(b.dense[:, 0], [4.0, 2.0, 5.0])
    assert b.ngram.shape == (3, 4)
    none = cache.get(["你好"])
    assert none.lm.shape == (1, 0)
    with pytest.raises(ValueError, match="LM layer 12 was not computed"):
        cache.get(["你好"], 12)


def test_grid_layers_are_the_layers_tried() -> None:
    layers = {g[5] for g in fit_verbal.GRID["zh"]}
    assert layers == set(fit_verbal.LM_LAYERS)
    assert all(g[5] is None for g in fit_verbal.GRID["en"])
