"""Our mean-pooling sentence encoder against a naive per-sentence, per-token loop (tiny BERT)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from tiny_bert import build_tiny_bert  # noqa: E402

from emoreason.sentence_encoder import SentenceEncoder, mean_pool  # noqa: E402


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny_bert")
    words = [
        "[PAD]",
        "[UNK]",
        "[CLS]",
        "[SEP]",
        "[MASK]",
        "i",
        "miss",
        "her",
        "so",
        "much",
        "great",
        "ok",
    ]
    return build_tiny_bert(folder, words)


def test_mean_pool_matches_a_loop() -> None:
    hidden = torch.randn(3, 5, 4)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]])
    pooled = mean_pool(hidden, mask)
    for b in range(3):
        rows = [hidden[b, t] for t in range(5) if mask[b, t] == 1]
        assert torch.allclose(pooled[b], sum(rows) / len(rows), atol=1e-6)


def test_batched_padded_encoding_equals_one_sentence_at_a_time(tiny_folder) -> None:
    encoder = SentenceEncoder(tiny_folder)
    sentences = ["i miss her so much", "great", "ok ok"]
    batched = encoder.encode(sentences)
    assert batched.shape == (3, 16)
    np.testing.assert_allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    for i, sentence in enumerate(sentences):
        ids = encoder.tokenizer(sentence, return_tensors="pt")
        with torch.no_grad():
            hidden = encoder.model(**ids).last_hidden_state[0]  # (T, 16), no padding at all
        vec = hidden.mean(dim=0)
        vec = (vec / vec.norm()).numpy()
        np.testing.assert_allclose(batched[i], vec, atol=1e-5)
    assert encoder.encode([]).shape == (0, 16)
