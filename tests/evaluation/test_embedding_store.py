"""The on-disk embedding store: exact round trips, shared files, damaged files named."""

from __future__ import annotations

import numpy as np
import pytest

from emoreason.errors import InputError
from emoreason.evaluation.embedding_store import EmbeddingStore


def test_round_trip_is_exact_and_missing_texts_are_absent(tmp_path):
    store = EmbeddingStore(tmp_path, "model-abc", dim=3)
    vectors = {"a smile": np.array([0.1, 0.2, 0.3]), "tears": np.array([1e-8, -2.0, 3.5])}
    store.put(vectors)
    got = EmbeddingStore(tmp_path, "model-abc", dim=3).get(["tears", "unknown", "a smile"])
    assert set(got) == {"tears", "a smile"}
    for text, vector in vectors.items():
        np.testing.assert_array_equal(got[text], vector.astype(np.float32))
    store.put({"tears": np.zeros(3)})  # an existing text keeps its first vector
    assert len(store) == 2 and got["tears"][1] == -2.0


def test_many_texts_in_one_query_and_one_file_per_model(tmp_path):
    texts = [f"cue number {i}" for i in range(1234)]  # more than one SQLite query's worth
    store = EmbeddingStore(tmp_path, "m1", dim=2)
    store.put({t: np.array([i, -i]) for i, t in enumerate(texts)})
    got = store.get(texts)
    assert len(got) == 1234 and got["cue number 1000"].tolist() == [1000.0, -1000.0]
    assert EmbeddingStore(tmp_path, "m2", dim=2).get(texts) == {}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m1.sqlite", "m2.sqlite"]


def test_damaged_or_mismatched_files_are_named(tmp_path):
    (tmp_path / "broken.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(InputError, match=r"broken\.sqlite: embedding cache is not readable"):
        EmbeddingStore(tmp_path, "broken", dim=3).get(["x"])
    EmbeddingStore(tmp_path, "small", dim=2).put({"x": np.ones(2)})
    with pytest.raises(InputError, match="has 2 values, expected 4"):
        EmbeddingStore(tmp_path, "small", dim=4).get(["x"])
    with pytest.raises(ValueError, match="model_key"):
        EmbeddingStore(tmp_path, "../escape", dim=2)


def test_a_file_where_the_folder_should_be_is_named(tmp_path):
    (tmp_path / "taken").write_text("a file")
    with pytest.raises(InputError, match=r"taken: embedding cache folder cannot be created"):
        EmbeddingStore(tmp_path / "taken", "m", dim=2)
