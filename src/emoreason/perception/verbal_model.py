"""The learned verbal sentence model: a linear softmax layer per language (ours), parameters in
``perception/models/verbal_model.json`` (plain JSON, no pickle).

Per sentence ``s`` of language ``L``::

    x_dense = (dense_features(s) - mean_L) / scale_L                 (DENSE_NAMES, standardised)
    x_embed = MiniLM(s)                                               (384, unit length)
    x_ngram = hashed character n-gram counts of s, L2-normalised      (ZH only; n = 1, 2)
    x_lm    = (SmolLM2 layer-l mean hidden state(s) - lm_mean_L) / lm_scale_L
              (ZH only: :mod:`emoreason.perception.lm_sentence_features`; l = ``lm_layer``)
    z_s     = x_dense W_dense + x_embed W_embed + x_ngram W_ngram + x_lm W_lm + b
              (7 logits, EMOTIONS order)

The weights are fitted on the dev split of the sentence sets only, by
``python -m emoreason.fitting.verbal`` (which records data, seed and scores in the
file). Clip pooling and the calibration temperature are applied by
:mod:`emoreason.perception.verbal` (:func:`pool_logits`).
"""

from __future__ import annotations

import itertools
import json
import math
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.assets.models import model_path
from emoreason.errors import ModelNotFoundError
from emoreason.schema import EMOTIONS

MODEL_FILE = "verbal_model.json"
FORMAT = 1
#: Pooling constants (ours): unit weight = (POOL_FLOOR + 1 - p_unit(neutral)) ** POOL_POWER.
POOL_FLOOR, POOL_POWER = 0.1, 2.0


def ngram_vector(text: str, buckets: int) -> np.ndarray:
    """Hashed counts of character 1- and 2-grams (CJK and Latin letters), L2-normalised."""
    out = np.zeros(buckets, dtype=np.float64)
    if buckets <= 0:
        return out
    chars = [c for c in text if c.isalnum()]
    grams = chars + [a + b for a, b in itertools.pairwise(chars)]
    for gram in grams:
        out[zlib.crc32(gram.encode("utf-8")) % buckets] += 1.0
    norm = np.linalg.norm(out)
    return out / norm if norm > 0 else out


@dataclass
class LanguageModel:
    """Standardisation and linear weights for one language."""

    lang: str
    dense_mean: np.ndarray  # (d,)
    dense_scale: np.ndarray  # (d,)
    w_dense: np.ndarray  # (d, 7)
    w_embed: np.ndarray | None  # (384, 7) or None
    w_ngram: np.ndarray | None  # (buckets, 7) or None
    bias: np.ndarray  # (7,)
    temperature: float = 1.0
    lm_layer: int | None = None  # hidden layer of the LM features; None: not used
    lm_mean: np.ndarray | None = None  # (h,)
    lm_scale: np.ndarray | None = None  # (h,)
    w_lm: np.ndarray | None = None  # (h, 7)

    @property
    def ngram_buckets(self) -> int:
        return 0 if self.w_ngram is None else int(self.w_ngram.shape[0])

    @property
    def uses_lm(self) -> bool:
        return self.w_lm is not None and self.lm_layer is not None

    def logits(
        self,
        dense: np.ndarray,
        embed: np.ndarray | None,
        ngram: np.ndarray | None,
        lm: np.ndarray | None = None,
    ) -> np.ndarray:
        """(n, d), (n, 384) | None, (n, buckets) | None, (n, h) | None -> (n, 7) logits
        (uncalibrated); ``lm`` is the raw LM features, standardised here."""
        z = ((dense - self.dense_mean) / self.dense_scale) @ self.w_dense + self.bias
        if self.w_embed is not None and embed is not None:
            z = z + embed @ self.w_embed
        if self.w_ngram is not None and ngram is not None:
            z = z + ngram @ self.w_ngram
        if self.uses_lm and lm is not None:
            z = z + ((lm - self.lm_mean) / self.lm_scale) @ self.w_lm
        return z

    def to_dict(self) -> dict[str, Any]:
        def arr(a: np.ndarray | None) -> list | None:
            return None if a is None else np.round(a, 6).tolist()

        return {
            "dense_mean": arr(self.dense_mean), "dense_scale": arr(self.dense_scale),
            "w_dense": arr(self.w_dense), "w_embed": arr(self.w_embed),
            "w_ngram": arr(self.w_ngram), "bias": arr(self.bias),
            "temperature": round(float(self.temperature), 6), "lm_layer": self.lm_layer,
            "lm_mean": arr(self.lm_mean), "lm_scale": arr(self.lm_scale), "w_lm": arr(self.w_lm),
        }  # fmt: skip

    @classmethod
    def from_dict(cls, lang: str, d: dict[str, Any], where: str) -> LanguageModel:
        def arr(key: str, optional: bool = False) -> np.ndarray | None:
            if d.get(key) is None:
                if optional:
                    return None
                raise ModelNotFoundError(f"{where}: language {lang!r}: missing field {key!r}")
            return np.asarray(d[key], dtype=np.float64)

        model = cls(
            lang=lang, dense_mean=arr("dense_mean"), dense_scale=arr("dense_scale"),
            w_dense=arr("w_dense"), w_embed=arr("w_embed", True), w_ngram=arr("w_ngram", True),
            bias=arr("bias"), temperature=float(d.get("temperature", 1.0)),
            lm_layer=None if d.get("lm_layer") is None else int(d["lm_layer"]),
            lm_mean=arr("lm_mean", True), lm_scale=arr("lm_scale", True), w_lm=arr("w_lm", True),
        )  # fmt: skip
        k = len(EMOTIONS)
        if model.w_dense.shape != (len(model.dense_mean), k) or model.bias.shape != (k,):
            raise ModelNotFoundError(f"{where}: language {lang!r}: weight shapes do not match")
        if model.uses_lm and not (
            model.lm_mean is not None and model.lm_scale is not None
            and model.lm_mean.shape == model.lm_scale.shape == (model.w_lm.shape[0],)
            and model.w_lm.shape[1] == k
        ):  # fmt: skip
            raise ModelNotFoundError(f"{where}: language {lang!r}: LM feature shapes do not match")
        if not math.isfinite(model.temperature) or model.temperature <= 0:
            raise ModelNotFoundError(f"{where}: language {lang!r}: temperature must be > 0")
        return model


@dataclass
class VerbalModel:
    """Both languages' models plus the training record."""

    languages: dict[str, LanguageModel]
    dense_names: tuple[str, ...]
    training: dict[str, Any]

    def for_lang(self, lang: str) -> LanguageModel:
        return self.languages["zh" if lang.startswith("zh") else "en"]

    def save(self, path: str | Path) -> None:
        data = {
            "format": FORMAT, "labels": list(EMOTIONS), "dense_names": list(self.dense_names),
            "training": self.training,
            "languages": {k: m.to_dict() for k, m in self.languages.items()},
        }  # fmt: skip
        Path(path).write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path | None = None) -> VerbalModel:
        """Read the shipped model (or ``path``); a missing or malformed file is one-line error."""
        path = model_path("verbal-model", path)
        where = str(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ModelNotFoundError(f"{where}: cannot read the verbal model ({exc})") from exc
        if data.get("format") != FORMAT or data.get("labels") != list(EMOTIONS):
            raise ModelNotFoundError(f"{where}: not a verbal model of format {FORMAT}")
        languages = {
            lang: LanguageModel.from_dict(lang, d, where) for lang, d in data["languages"].items()
        }
        if set(languages) != {"en", "zh"}:
            raise ModelNotFoundError(f"{where}: needs languages en and zh, has {sorted(languages)}")
        return cls(languages, tuple(data["dense_names"]), data.get("training", {}))
