"""The Whisper-encoder speech embedding: shape, windowing against a plain re-implementation,
sample-rate handling, short audio, its place in the acoustic evidence and its JSON round trip."""

from __future__ import annotations

import numpy as np
import pytest

from emoreason.perception.voice_embedding import (
    EMBEDDING_DIM,
    EXTRA_KEY,
    WINDOW_FRAMES,
    default_embedder,
    embedding_extra,
    embedding_of,
)

SR = 16000


def _speechlike(seconds: float, seed: int = 0, sr: int = SR) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    f0 = 150 + 30 * np.sin(2 * np.pi * 0.5 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    x = sum(np.sin(k * phase) / k for k in range(1, 10)) * (np.sin(2 * np.pi * 2 * t) > -0.3)
    return (0.2 * x / np.abs(x).max() + 0.003 * rng.normal(size=t.size)).astype(np.float32)


@pytest.fixture(scope="module")
def embedder():
    return default_embedder()


def test_loaded_once_and_gives_a_finite_vector(embedder) -> None:
    assert default_embedder() is embedder
    v = embedder.embed(_speechlike(2.0), SR)
    assert v.shape == (EMBEDDING_DIM,) and np.all(np.isfinite(v))
    assert np.abs(v).max() > 0.01  # not an all-zero placeholder


def test_long_audio_is_the_frame_weighted_mean_of_its_windows(embedder) -> None:
    """Independent re-implementation: encode each 10 s window padded, keep the frames that
    cover audio, average all kept frames."""
    audio = _speechlike(13.0, seed=1)
    mel = embedder._mel(audio)  # (80, frames)
    kept = []
    for start in range(0, mel.shape[1], WINDOW_FRAMES):
        window = mel[:, start : start + WINDOW_FRAMES]
        padded = np.zeros((mel.shape[0], WINDOW_FRAMES), np.float32)
        padded[:, : window.shape[1]] = window
        kept.append(embedder._encode(padded)[: window.shape[1] // 2])
    expected = np.concatenate(kept).mean(axis=0)
    np.testing.assert_allclose(embedder.embed(audio, SR), expected, rtol=1e-6, atol=1e-6)


def test_other_sample_rates_are_resampled(embedder) -> None:
    at_16k = embedder.embed(_speechlike(3.0, seed=2), SR)
    at_8k = embedder.embed(_speechlike(3.0, seed=2, sr=8000), 8000)
    cosine = at_16k @ at_8k / (np.linalg.norm(at_16k) * np.linalg.norm(at_8k))
    assert cosine > 0.8  # same sound, band-limited: close, not identical


def test_too_short_audio_has_no_embedding(embedder) -> None:
    assert embedder.embed(np.zeros(800, np.float32), SR) is None
    assert embedding_extra(None) == {}


def test_extra_round_trip_and_malformed_values() -> None:
    v = np.linspace(-1, 1, EMBEDDING_DIM)
    extra = embedding_extra(v)
    assert list(extra) == [EXTRA_KEY] and len(extra[EXTRA_KEY]) == EMBEDDING_DIM
    np.testing.assert_allclose(embedding_of(extra), v, atol=1e-5)
    assert embedding_of({}) is None and embedding_of(None) is None
    assert embedding_of({EXTRA_KEY: [0.0] * 3}) is None
    assert embedding_of({EXTRA_KEY: [float("nan")] * EMBEDDING_DIM}) is None


def test_acoustic_evidence_carries_the_embedding() -> None:
    from emoreason.perception.acoustic import AcousticExtractor
    from emoreason.perception.base import ClipSignal
    from emoreason.perception.decode import AudioTrack, StreamFacts

    audio = _speechlike(2.5, seed=3)
    facts = StreamFacts(path="synthetic.wav", duration=2.5, has_video=False, has_audio=True)
    ev = AcousticExtractor().process_signal(ClipSignal(facts=facts, audio=AudioTrack(audio, SR)))
    emb = embedding_of(ev.extra)
    assert emb is not None
    np.testing.assert_allclose(emb, default_embedder().embed(audio, SR), atol=1e-4)
    # the evidence JSON keeps it, and it comes back
    from emoreason.schema import ModalityEvidence

    again = ModalityEvidence.model_validate_json(ev.model_dump_json())
    np.testing.assert_allclose(embedding_of(again.extra), emb, atol=1e-9)
