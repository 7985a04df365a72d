"""Cue embedders for EmoCue-360: callables ``list[str] -> (n, d)`` unit vectors.

- ``minilm`` (default, the metric's definition): all-MiniLM-L6-v2 from its package, run with plain
  ``transformers`` (:class:`SentenceEmbedder`), with an in-process cache. Exact, but a transformer:
  on 2 CPU cores it embeds a few hundred short cues per second. With a ``store_dir`` its
  vectors are also kept on disk (:mod:`emoreason.evaluation.embedding_store`, exact), so a
  benchmark's reference cues are embedded once, not at every evaluation.
- ``static`` (opt-in, fast): a model2vec table distilled once from the same MiniLM
  (:mod:`emoreason.assets.static_embeddings`); a sentence is the mean of its token vectors, so it
  is ~100x faster and ignores word order. Its agreement with ``minilm`` is measured, not assumed
  (``benchmarks/bench_emocue.py`` prints both scores side by side).
- a folder: a model2vec folder (``modules.json`` names a ``StaticEmbedding``, or ``config.json``
  says ``"model_type": "model2vec"``) or a sentence-transformers BERT folder, from disk only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.errors import ConfigError, ModelNotFoundError
from emoreason.evaluation.embedding_store import EmbeddingStore
from emoreason.registry import Registry


def _minilm(store_dir: str | Path | None) -> Callable[[list[str]], Any]:
    from emoreason.assets.models import model_path

    return SentenceEmbedder(model_path("all-minilm-l6-v2"), store_dir=store_dir)


def _static(store_dir: str | Path | None) -> Callable[[list[str]], Any]:
    from emoreason.assets import minilm_static_dir

    return StaticEmbedder(minilm_static_dir())


#: Named cue embedders -> factory(store_dir); any other spec must be a local model folder.
EMBEDDERS: Registry[Callable[[str | Path | None], Callable[[list[str]], Any]]] = Registry(
    "cue embedder", {"minilm": _minilm, "static": _static}
)
EMBEDDER_NAMES = tuple(EMBEDDERS)


class SentenceEmbedder:
    """A sentence-transformers BERT folder (default all-MiniLM-L6-v2) with an embedding cache.

    Encoding goes through :class:`emoreason.sentence_encoder.SentenceEncoder` (plain
    transformers, the same vectors as sentence-transformers without its ~25 s import). Strings
    already embedded (e.g. a benchmark's reference cues, scored again for a second model) are not
    recomputed; new strings are encoded sorted by length, ``batch_size`` at a time, so that
    short cues are not padded to the longest one.
    """

    name = "minilm"

    def __init__(
        self,
        model_dir: str | Path,
        batch_size: int = 128,
        store_dir: str | Path | None = None,
    ) -> None:
        from emoreason.sentence_encoder import SentenceEncoder

        self.model_dir = str(model_dir)
        self.batch_size = batch_size
        self.encoder = SentenceEncoder(model_dir)
        self.dim = int(self.encoder.model.config.hidden_size)
        self._cache: dict[str, np.ndarray] = {}
        self.store: EmbeddingStore | None = None
        if store_dir is not None:
            self.store = EmbeddingStore(store_dir, weights_key(model_dir), self.dim)

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if self.store is not None and missing:
            self._cache.update(self.store.get(missing))
            missing = [t for t in missing if t not in self._cache]
        new = sorted(missing, key=len)
        computed: dict[str, np.ndarray] = {}
        for start in range(0, len(new), self.batch_size):
            chunk = new[start : start + self.batch_size]
            computed.update(zip(chunk, self.encoder.encode(chunk), strict=True))  # (n, D)
        self._cache.update(computed)
        if self.store is not None and computed:
            self.store.put(computed)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])

    def clear_cache(self) -> None:
        self._cache.clear()


def weights_key(model_dir: str | Path) -> str:
    """A file-name-safe key of a model folder's weights: name + SHA-256 prefix of the file."""
    from emoreason.assets import sha256_file

    folder = Path(model_dir)
    weights = folder / "model.safetensors"
    if not weights.is_file():
        weights = folder / "pytorch_model.bin"
    if not weights.is_file():
        raise ModelNotFoundError(f"{folder}: no model.safetensors or pytorch_model.bin")
    name = folder.name if folder.name != "model" else folder.parent.name
    return f"{name}-{sha256_file(weights)[:16]}"


class StaticEmbedder:
    """A model2vec static model: mean of token vectors, L2-normalised (no transformer)."""

    name = "static"

    def __init__(self, folder: str | Path) -> None:
        from model2vec import StaticModel

        self.folder = str(folder)
        self.model = StaticModel.from_pretrained(str(folder), normalize=True, force_download=False)
        self.dim = int(self.model.dim)

    def __call__(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(list(texts), use_multiprocessing=False, normalize=True)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)  # (n, d)

    def clear_cache(self) -> None:
        """Nothing is cached: encoding is a table lookup."""


_LOADED: dict[str, Callable[[list[str]], Any]] = {}


def default_embedder() -> SentenceEmbedder:
    """The process-wide all-MiniLM-L6-v2 embedder (loaded once, offline)."""
    return resolve_embedder("minilm")  # type: ignore[return-value]


def resolve_embedder(
    spec: str | Path | None = None, store_dir: str | Path | None = None
) -> Callable[[list[str]], Any]:
    """``None``/``"minilm"``, ``"static"`` or a local folder -> a loaded embedder (memoised).

    ``store_dir``: keep transformer embeddings on disk there (:class:`EmbeddingStore`), so the
    next process re-uses them; the static embedder needs no store.
    """
    key = str(spec) if spec is not None else "minilm"
    memo = f"{key}\0{store_dir or ''}"
    if memo not in _LOADED:
        _LOADED[memo] = _load(key, store_dir)
    return _LOADED[memo]


def default_store_dir() -> Path:
    """Where the CLI keeps embeddings: ``<emoreason cache>/embeddings``."""
    from emoreason.assets import cache_dir

    return cache_dir() / "embeddings"


def _load(key: str, store_dir: str | Path | None) -> Callable[[list[str]], Any]:
    if key in EMBEDDERS:
        return EMBEDDERS[key](store_dir)
    folder = Path(key)
    if not folder.is_dir():
        raise ConfigError(
            f"cue embedder {key!r}{EMBEDDERS.hint(key)}: expected one of {list(EMBEDDERS)} "
            "or a local model folder"
        )
    config_path = folder / "config.json"
    if not config_path.is_file():
        raise ModelNotFoundError(f"cue embedder {folder}: no config.json (not a model folder)")
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ModelNotFoundError(f"{config_path}: not valid JSON ({exc.msg})") from exc
    modules = folder / "modules.json"
    static = modules.is_file() and "StaticEmbedding" in modules.read_text(encoding="utf-8")
    if static or config.get("model_type") == "model2vec":
        return StaticEmbedder(folder)
    return SentenceEmbedder(folder, store_dir=store_dir)
