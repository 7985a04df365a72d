"""The learned voice model: calibrated emotion, arousal and valence from acoustic evidence.

Multinomial logistic regressions trained on real acted speech (clean clips plus noisy,
telephone-band and reverberant copies of each) by :mod:`emoreason.fitting.voice` and shipped as
``models/voice_emodb.npz`` (plain arrays, no pickle; inference is numpy). Two heads read a clip:

- the **embedding head** (used whenever the clip has a speech embedding, i.e. every clip the
  acoustic extractor analyses): the voice features below followed by the clip's 512-d
  Whisper-encoder embedding (:mod:`~emoreason.perception.voice_embedding`);
- the **features head**: :mod:`~emoreason.perception.voice_features` only (level-free prosody,
  voice quality and spectral balance), for inputs without an embedding (timeline windows,
  evidence written before embeddings existed).

With an embedding, the reading is ``w · p_embedding_head + (1 - w) · p_features_head``, where
``w`` (:class:`EmbeddingSpace`) is 1 for speech like the training speech and falls towards 0 for
a voice far outside it (the embedding also encodes the language and the synthesiser, and has
only been validated on EmoDB's German speakers; the level-free features transfer better).

Per clip::

    x  = inputs of the head (NaN -> training mean);  z = clip((x - mean) / scale, -5, 5)
    p  = softmax((W z + b) / T)                  over the model classes (EmoDB's seven)
    product distribution: p over EMOTIONS with bored folded into neutral, surprised 0
    arousal, valence = Σ_c p_c · CIRCUMPLEX[c]   (in [-1, 1])

``T`` is the temperature fitted on held-out speakers (speaker-grouped cross-validation).

**Reliability** ``r`` in [0, 1] (ours) shrinks the distribution towards uniform and scales the
confidence, so that weak evidence reads as weak::

    r = completeness · voicing · typicality
    completeness = fraction of model features that were measured
    voicing      = min(1, voiced_fraction / VOICED_FULL)
    typicality   = min(1, (q99 / rms(z))²)         q99: 99th percentile of rms(z) in training
                                                   (z of the voice features, either head)
    distribution = r · p_product + (1 - r) · uniform;   confidence = r · max(p_product)

The acoustic hypothesis further scales ``r`` for synthetic-sounding regular voicing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.assets.models import load_once, model_path
from emoreason.perception.calibration import softmax_with_temperature
from emoreason.perception.voice_features import Features, voice_feature_vector
from emoreason.schema.labels import EMOTIONS

#: Model class -> project label it counts as (bored is low-arousal, non-negative: neutral).
CLASS_TO_PRODUCT: dict[str, str] = {
    "neutral": "neutral",
    "happy": "happy",
    "sad": "sad",
    "angry": "angry",
    "fearful": "fearful",
    "disgusted": "disgusted",
    "surprised": "surprised",
    "bored": "neutral",
}
#: (arousal, valence) of each class on Russell's circumplex (rounded placements, ours).
CIRCUMPLEX: dict[str, tuple[float, float]] = {
    "neutral": (0.0, 0.0),
    "happy": (0.6, 0.8),
    "sad": (-0.6, -0.7),
    "angry": (0.8, -0.6),
    "fearful": (0.7, -0.7),
    "disgusted": (0.3, -0.7),
    "surprised": (0.8, 0.2),
    "bored": (-0.7, -0.3),
}
Z_CLIP = 5.0
#: Voiced fraction at which a clip counts as fully voiced speech (EmoDB clips: mostly 0.3-0.6).
VOICED_FULL = 0.25


@dataclass(frozen=True)
class LinearHead:
    """One fitted parameter set: standardisation, weights, temperature."""

    mean: np.ndarray  # (d,)
    scale: np.ndarray  # (d,)
    weights: np.ndarray  # (k, d)
    bias: np.ndarray  # (k,)
    temperature: float

    def standardise(self, x: np.ndarray) -> np.ndarray:
        """(n, d) raw features -> clipped z-scores; NaN -> 0 (the training mean)."""
        z = (x - self.mean) / self.scale  # (n, d)
        return np.clip(np.nan_to_num(z, nan=0.0), -Z_CLIP, Z_CLIP)

    def logits(self, x: np.ndarray) -> np.ndarray:
        """(n, d) raw features -> (n, k) uncalibrated logits."""
        return self.standardise(x) @ self.weights.T + self.bias  # (n, d) @ (d, k) -> (n, k)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """(n, d) -> (n, k) temperature-scaled class probabilities."""
        return softmax_with_temperature(self.logits(x), self.temperature)


@dataclass(frozen=True)
class EmbeddingSpace:
    """Where the training speech lies in embedding space: its mean, the top principal axes of
    the training embeddings, and the 99th percentile of their distance from that subspace.

    ``weight(e) = min(1, (q99 / residual(e))²)``, residual = norm of ``e - mean`` outside the
    axes (ours). Speech like the training speech (EmoDB's speakers, its degraded copies) sits
    at weight 1; a voice the embedding has never been validated on (another language, a
    synthetic voice) sits far outside, and the reading falls back towards the features head.
    """

    mean: np.ndarray  # (512,)
    axes: np.ndarray  # (k, 512), orthonormal rows
    residual_q99: float

    @classmethod
    def fit(cls, embeddings: np.ndarray, n_axes: int = 20) -> EmbeddingSpace:
        """From (n, 512) training embeddings (rows with NaN are left out)."""
        e = embeddings[np.all(np.isfinite(embeddings), axis=1)]
        mean = e.mean(axis=0)
        _, _, vt = np.linalg.svd(e - mean, full_matrices=False)
        space = cls(mean, vt[:n_axes], 1.0)
        return cls(mean, vt[:n_axes], float(np.percentile(space.residual(e), 99)))

    def residual(self, embeddings: np.ndarray) -> np.ndarray:
        """(n, 512) -> (n,) distance from the training subspace."""
        centred = np.atleast_2d(embeddings) - self.mean
        outside = centred - (centred @ self.axes.T) @ self.axes
        return np.sqrt((outside**2).sum(axis=1))

    def weights(self, embeddings: np.ndarray) -> np.ndarray:
        """(n, 512) -> (n,) how far the embedding head is trusted for each clip, in (0, 1]."""
        r = np.maximum(self.residual(embeddings), 1e-9)
        return np.minimum(1.0, (self.residual_q99 / r) ** 2)


@dataclass(frozen=True)
class VoiceReading:
    """What the voice model says about one clip."""

    class_probabilities: dict[str, float]  # over the model classes, calibrated
    distribution: dict[str, float]  # over EMOTIONS, reliability-shrunk
    arousal: float
    valence: float
    confidence: float
    reliability: dict[str, float] = field(default_factory=dict)
    embedding_weight: float = 0.0  # share of the embedding head in the mixture (0: features only)

    @property
    def inputs(self) -> str:
        """Which heads read the clip: "features" or "features+embedding" (weight > 0)."""
        return "features+embedding" if self.embedding_weight > 0 else "features"

    @property
    def weight(self) -> float:
        """The reliability ``r`` (product of the factors in ``reliability``), in [0, 1]."""
        r = 1.0
        for factor in self.reliability.values():
            r *= factor
        return min(1.0, max(0.0, r))

    @property
    def top_class(self) -> str:
        return max(self.class_probabilities, key=lambda c: self.class_probabilities[c])


def speaker_normalise(x: np.ndarray, speakers: np.ndarray) -> np.ndarray:
    """(n, d) -> each speaker's rows z-scored by that speaker's own mean and std (NaN kept)."""
    out = np.full_like(x, np.nan, dtype=np.float64)
    for speaker in np.unique(speakers):
        rows = speakers == speaker
        block = x[rows]  # (n_speaker, d)
        mean = np.nanmean(np.where(np.isfinite(block), block, np.nan), axis=0)
        std = np.nanstd(block, axis=0)
        out[rows] = (block - mean) / np.where(std > 1e-9, std, 1.0)
    return out


def product_distribution(class_probs: Mapping[str, float]) -> dict[str, float]:
    """Model classes -> EMOTIONS (CLASS_TO_PRODUCT; labels the model lacks get 0)."""
    out = dict.fromkeys(EMOTIONS, 0.0)
    for name, p in class_probs.items():
        out[CLASS_TO_PRODUCT[name]] += float(p)
    return out


def arousal_valence(class_probs: Mapping[str, float]) -> tuple[float, float]:
    """Expected circumplex coordinates under the class probabilities."""
    arousal = sum(p * CIRCUMPLEX[c][0] for c, p in class_probs.items())
    valence = sum(p * CIRCUMPLEX[c][1] for c, p in class_probs.items())
    return float(arousal), float(valence)


class VoiceModel:
    """Loaded parameters plus inference (see the module docstring)."""

    def __init__(
        self,
        classes: tuple[str, ...],
        feature_names: tuple[str, ...],
        head: LinearHead,
        rms_quantiles: np.ndarray,
        metadata: dict[str, Any],
        speaker_head: LinearHead | None = None,
        embedding_head: LinearHead | None = None,
        embedding_space: EmbeddingSpace | None = None,
    ) -> None:
        unknown = set(classes) - set(CLASS_TO_PRODUCT)
        if unknown:
            raise ValueError(f"voice model: classes {sorted(unknown)} have no product label")
        self.classes = classes
        self.feature_names = feature_names
        self.head = head
        self.speaker_head = speaker_head
        self.embedding_head = embedding_head  # over [voice features ; speech embedding]
        self.embedding_space = embedding_space
        if (embedding_head is None) != (embedding_space is None):
            raise ValueError("voice model: an embedding head needs its embedding space")
        self.rms_quantiles = rms_quantiles  # (3,): 50th, 95th, 99th percentile of training rms(z)
        self.metadata = metadata

    # ---- persistence -------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the npz (arrays and a JSON metadata string; readable without pickle)."""
        from emoreason.formats.atomic import atomic_write

        arrays: dict[str, np.ndarray] = {
            "classes": np.array(self.classes),
            "feature_names": np.array(self.feature_names),
            "rms_quantiles": self.rms_quantiles,
            "metadata_json": np.array(json.dumps(self.metadata, sort_keys=True)),
        }
        heads = (("product", self.head), ("speaker", self.speaker_head),
                 ("embedding", self.embedding_head))  # fmt: skip
        for prefix, head in heads:
            if head is None:
                continue
            arrays |= {
                f"{prefix}.mean": head.mean, f"{prefix}.scale": head.scale,
                f"{prefix}.weights": head.weights, f"{prefix}.bias": head.bias,
                f"{prefix}.temperature": np.array(head.temperature),
            }  # fmt: skip
        if self.embedding_space is not None:
            space = self.embedding_space
            arrays |= {
                "embedding_space.mean": space.mean, "embedding_space.axes": space.axes,
                "embedding_space.residual_q99": np.array(space.residual_q99),
            }  # fmt: skip
        path = Path(path)
        with atomic_write(path, "wb", encoding=None) as handle:
            np.savez_compressed(handle, **arrays)
        return path

    @classmethod
    def load(cls, path: str | Path | None = None) -> VoiceModel:
        """The shipped model (``path=None``) or a file written by :meth:`save`."""
        path = model_path("voice-model", path)
        try:
            data = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: cannot read voice model ({exc})") from exc
        with data:

            def head(prefix: str) -> LinearHead | None:
                if f"{prefix}.weights" not in data.files:
                    return None
                return LinearHead(
                    mean=data[f"{prefix}.mean"], scale=data[f"{prefix}.scale"],
                    weights=data[f"{prefix}.weights"], bias=data[f"{prefix}.bias"],
                    temperature=float(data[f"{prefix}.temperature"]),
                )  # fmt: skip

            product = head("product")
            if product is None:
                raise ValueError(f"{path}: voice model has no 'product' parameters")
            if ("embedding.weights" in data.files) != ("embedding_space.mean" in data.files):
                raise ValueError(f"{path}: voice model has an embedding head without its "
                                 "embedding space (or the reverse); refit it")  # fmt: skip
            return cls(
                classes=tuple(str(c) for c in data["classes"]),
                feature_names=tuple(str(n) for n in data["feature_names"]),
                head=product,
                rms_quantiles=data["rms_quantiles"],
                metadata=json.loads(str(data["metadata_json"])),
                speaker_head=head("speaker"),
                embedding_head=head("embedding"),
                embedding_space=EmbeddingSpace(
                    data["embedding_space.mean"], data["embedding_space.axes"],
                    float(data["embedding_space.residual_q99"]),
                ) if "embedding_space.mean" in data.files else None,
            )  # fmt: skip

    # ---- inference ---------------------------------------------------------------------------
    def features(self, rows: list[Features]) -> np.ndarray:
        """(n, d) model features of acoustic evidence feature dicts."""
        if not rows:
            return np.zeros((0, len(self.feature_names)))
        return np.stack([voice_feature_vector(r, self.feature_names) for r in rows])

    def typicality(self, x: np.ndarray) -> np.ndarray:
        """(n, d) -> (n,) in (0, 1]: 1 while rms(z) is within the training 99th percentile."""
        z = self.head.standardise(x)  # (n, d)
        rms = np.sqrt((z**2).mean(axis=1))  # (n,)
        q99 = float(self.rms_quantiles[-1])
        return np.minimum(1.0, (q99 / np.maximum(rms, 1e-9)) ** 2)

    def speaker_normalised_probabilities(self, x: np.ndarray, speakers: np.ndarray) -> np.ndarray:
        """(n, d) features of a batch with speaker ids -> (n, k) probabilities of the speaker head."""
        if self.speaker_head is None:
            raise ValueError("this voice model has no speaker-normalised head")
        return self.speaker_head.probabilities(speaker_normalise(x, speakers))

    def probabilities(
        self, x: np.ndarray, embeddings: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(n, d) voice features [+ (n, 512) embeddings] -> (n, k) calibrated class
        probabilities and (n,) the embedding head's share (module docstring; 0 without one)."""
        probs = self.head.probabilities(x)
        if embeddings is None or self.embedding_head is None:
            return probs, np.zeros(len(x))
        w = self.embedding_space.weights(embeddings)  # (n,)
        with_embedding = self.embedding_head.probabilities(np.hstack([x, embeddings]))
        return w[:, None] * with_embedding + (1.0 - w[:, None]) * probs, w

    def read(self, features: Features, embedding: np.ndarray | None = None) -> VoiceReading:
        """One clip's reading from its acoustic evidence features and, when given and the model
        has an embedding head, its speech embedding (module docstring)."""
        x = self.features([features])  # (1, d)
        e = None if embedding is None else np.asarray(embedding, dtype=np.float64)[None]
        probs, weights = self.probabilities(x, e)
        probs, weight = probs[0], float(weights[0])  # (k,)
        class_probs = {c: float(p) for c, p in zip(self.classes, probs, strict=True)}
        completeness = float(np.mean(np.isfinite(x[0])))
        voiced = features.get("voiced_fraction")
        voicing = min(1.0, max(0.0, float(voiced or 0.0)) / VOICED_FULL)
        typical = float(self.typicality(x)[0]) if completeness > 0 else 0.0
        r = completeness * voicing * typical
        product = product_distribution(class_probs)
        uniform = 1.0 / len(EMOTIONS)
        distribution = {e: r * p + (1.0 - r) * uniform for e, p in product.items()}
        arousal, valence = arousal_valence(class_probs)
        return VoiceReading(
            class_probabilities=class_probs, distribution=distribution,
            arousal=r * arousal, valence=r * valence, confidence=r * max(product.values()),
            reliability={"completeness": completeness, "voicing": voicing, "typicality": typical},
            embedding_weight=weight,
        )  # fmt: skip


def default_voice_model() -> VoiceModel:
    """The shipped voice model, loaded once on first use."""
    return load_once("voice-model", VoiceModel.load)


#: Evidence features the acoustic extractor adds from the voice model.
VOICE_DIMENSION_NAMES: tuple[str, ...] = ("voice_arousal", "voice_valence")


def voice_dimensions(features: Features, embedding: np.ndarray | None = None) -> dict[str, float]:
    """``voice_arousal`` and ``voice_valence`` (reliability-scaled, in [-1, 1]) of one clip."""
    reading = default_voice_model().read(features, embedding)
    return {"voice_arousal": reading.arousal, "voice_valence": reading.valence}
