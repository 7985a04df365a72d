"""An on-disk cache of sentence embeddings (SQLite, one file per model), exact and reusable.

EmoCue-360 with MiniLM is compute-bound on a CPU; most of a benchmark's strings (its reference
cues) are the same every time a model is scored. The store keeps every embedded string's
vector, keyed by the text, in a file named after the model's weights digest, so a vector is
never reused across different weights. Writes are one transaction per batch; several processes
may share a file (SQLite locking). A damaged file is reported with its path, never silently
recreated.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from emoreason.errors import InputError

_SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (text TEXT PRIMARY KEY, vector BLOB NOT NULL)"
_CHUNK = 500  # SQLite host parameters per query stay well under its limit


class EmbeddingStore:
    """``text -> float32 vector`` of one model, in ``folder/<model_key>.sqlite``."""

    def __init__(self, folder: str | Path, model_key: str, dim: int) -> None:
        if not model_key or any(c in model_key for c in "/\\"):
            raise ValueError(f"model_key: expected a plain file name, got {model_key!r}")
        self.path = Path(folder) / f"{model_key}.sqlite"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                f"embedding cache folder cannot be created ({exc.strerror})", path=folder
            ) from exc
        self.dim = dim
        try:
            self._db = sqlite3.connect(self.path, timeout=30)
            self._db.execute(_SCHEMA)
            self._db.commit()
        except sqlite3.DatabaseError as exc:
            raise InputError(
                f"embedding cache is not readable ({exc}); delete it to start afresh",
                path=self.path,
            ) from exc

    def get(self, texts: Iterable[str]) -> dict[str, np.ndarray]:
        """The stored vectors among ``texts`` (missing ones are simply absent)."""
        wanted = list(dict.fromkeys(texts))
        found: dict[str, np.ndarray] = {}
        try:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT text, vector FROM vectors WHERE text IN ({marks})", chunk
                )
                for text, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.shape != (self.dim,):
                        raise InputError(
                            f"stored vector for {text[:40]!r} has {vector.size} values, "
                            f"expected {self.dim}; delete the file",
                            path=self.path,
                        )
                    found[text] = vector
        except sqlite3.DatabaseError as exc:
            raise InputError(
                f"embedding cache is not readable ({exc}); delete it to start afresh",
                path=self.path,
            ) from exc
        return found

    def put(self, vectors: dict[str, np.ndarray]) -> None:
        """Store new vectors (one transaction; an existing text keeps its first vector)."""
        rows = [(t, np.asarray(v, dtype=np.float32).tobytes()) for t, v in vectors.items()]
        with self._db:
            self._db.executemany("INSERT OR IGNORE INTO vectors VALUES (?, ?)", rows)

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])

    def close(self) -> None:
        self._db.close()
