"""The shipped voice model: file and metadata, inference against a plain re-implementation,
valid distributions, low confidence for weak evidence, and (when EmoDB is present) accuracy on
the held-out test speakers."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from emoreason.evaluation.loaders.emodb import DEV_SPEAKERS, EMODB_LABELS, TEST_SPEAKERS
from emoreason.perception import hypotheses as hy
from emoreason.perception.acoustic import AcousticExtractor
from emoreason.perception.base import ClipSignal
from emoreason.perception.decode import AudioTrack, StreamFacts
from emoreason.perception.voice_embedding import EMBEDDING_DIM, embedding_of
from emoreason.perception.voice_features import VOICE_FEATURES
from emoreason.perception.voice_model import (
    CIRCUMPLEX,
    EmbeddingSpace,
    VoiceModel,
    arousal_valence,
    default_voice_model,
    product_distribution,
)
from emoreason.schema import EMOTIONS, ModalityEvidence

SR = 16000
EMODB = Path(os.environ.get("EMOREASON_EMODB", Path(__file__).parents[2] / "../shared/data/emodb"))


def _voice(seconds: float = 2.0, *, regular: bool, seed: int = 0) -> np.ndarray:
    """A vowel-like harmonic source: gliding pitch with jitter and shimmer, or a flat buzz."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    if regular:
        f0 = np.full_like(t, 120.0)
        amp = np.ones_like(t)
    else:
        f0 = 180 + 40 * np.sin(2 * np.pi * 0.7 * t) + rng.normal(0, 3, t.size).cumsum() / 200
        amp = (0.6 + 0.4 * np.sin(2 * np.pi * 3.5 * t) ** 2) * (1 + 0.15 * rng.normal(0, 1, t.size))
    phase = 2 * np.pi * np.cumsum(f0) / SR
    x = sum(np.sin(k * phase) / k for k in range(1, 12)) * amp
    x *= np.sin(2 * np.pi * 1.2 * t) > -0.6  # syllable-ish gaps
    return (0.3 * x / np.abs(x).max()).astype(np.float32)


def _evidence(samples: np.ndarray) -> ModalityEvidence:
    facts = StreamFacts(path="synthetic.wav", duration=len(samples) / SR, has_video=False,
                        has_audio=True)  # fmt: skip
    return AcousticExtractor().process_signal(
        ClipSignal(facts=facts, audio=AudioTrack(samples, SR))
    )


@pytest.fixture(scope="module")
def model() -> VoiceModel:
    return default_voice_model()


def test_shipped_file_and_metadata_are_complete(model: VoiceModel) -> None:
    d, k = len(model.feature_names), len(model.classes)
    assert set(model.classes) == set(EMODB_LABELS)
    assert set(model.feature_names) <= set(VOICE_FEATURES)
    sizes = {"features": d, "speaker": d, "embedding": d + EMBEDDING_DIM}
    heads = {"features": model.head, "speaker": model.speaker_head,
             "embedding": model.embedding_head}  # fmt: skip
    space = model.embedding_space
    assert space.mean.shape == (EMBEDDING_DIM,) and space.axes.shape[1] == EMBEDDING_DIM
    np.testing.assert_allclose(space.axes @ space.axes.T, np.eye(len(space.axes)), atol=1e-6)
    assert space.residual_q99 > 0
    for name, head in heads.items():
        assert head is not None, name
        assert head.weights.shape == (k, sizes[name]) and head.bias.shape == (k,)
        assert head.mean.shape == (sizes[name],) and np.all(head.scale > 0)
        assert 0.2 < head.temperature < 5.0
    meta = model.metadata
    for key in ("data", "split", "seed", "features", "normalisation", "model", "scores",
                "classes", "product_mapping"):  # fmt: skip
        assert key in meta, key
    assert set(meta["split"]["test_speakers"]) == set(TEST_SPEAKERS)
    assert set(meta["split"]["train_dev_speakers"]) <= set(DEV_SPEAKERS)
    assert meta["product_mapping"]["bored"] == "neutral"
    assert {"dev_cv", "test", "embedding_dev_cv", "embedding_test"} <= set(meta["scores"])
    assert model.metadata["scores"]["embedding_test"]["balanced_accuracy"] >= 0.6


def test_embedding_space_trusts_the_training_span_and_not_far_outside() -> None:
    rng = np.random.default_rng(3)
    basis = np.linalg.qr(rng.normal(size=(EMBEDDING_DIM, 20)))[0].T  # (20, 512) orthonormal
    train = rng.normal(0, 3, (400, 20)) @ basis + rng.normal(0, 0.05, (400, EMBEDDING_DIM))
    space = EmbeddingSpace.fit(train, n_axes=20)
    residual = space.residual(train)
    assert np.mean(residual <= space.residual_q99) == pytest.approx(0.99, abs=0.01)
    inside = rng.normal(0, 3, (1, 20)) @ basis  # on the training span, off its samples
    assert space.weights(inside)[0] == 1.0
    outside = inside + rng.normal(0, 0.05, (1, EMBEDDING_DIM)) * 10  # 10x the residual noise
    assert space.weights(outside)[0] < 0.05
    with pytest.raises(ValueError, match="embedding space"):
        VoiceModel(("neutral",), ("x",), space_head(), np.ones(3), {}, None, space_head(), None)


def space_head():
    from emoreason.perception.voice_model import LinearHead

    return LinearHead(np.zeros(1), np.ones(1), np.zeros((1, 1)), np.zeros(1), 1.0)


def test_read_uses_the_embedding_head_only_with_an_embedding(model: VoiceModel) -> None:
    """Plain re-implementation of both heads; no embedding (timeline windows, old evidence)
    falls back to the features-only head."""
    rng = np.random.default_rng(1)
    names = model.feature_names
    features = {n: float(v) for n, v in zip(names, model.head.mean + model.head.scale
                                            * rng.normal(0, 0.5, len(names)), strict=True)}  # fmt: skip
    features["voiced_fraction"] = 0.5
    x = model.features([features])  # (1, d)
    emb_head = model.embedding_head
    embedding = emb_head.mean[len(names):] + emb_head.scale[len(names):] * rng.normal(
        0, 0.5, EMBEDDING_DIM)  # fmt: skip

    def plain(head, row):
        z = np.clip(np.nan_to_num((row - head.mean) / head.scale), -5, 5)
        logits = (z @ head.weights.T + head.bias) / head.temperature
        p = np.exp(logits - logits.max())
        return p / p.sum()

    with_emb = model.read(features, embedding)
    without = model.read(features)
    assert with_emb.inputs == "features+embedding" and without.inputs == "features"
    space = model.embedding_space
    centred = embedding - space.mean
    outside = centred - space.axes.T @ (space.axes @ centred)
    w = min(1.0, (space.residual_q99 / np.linalg.norm(outside)) ** 2)
    assert with_emb.embedding_weight == pytest.approx(w) and without.embedding_weight == 0.0
    expected = w * plain(emb_head, np.hstack([x[0], embedding])) + (1 - w) * plain(model.head, x[0])
    np.testing.assert_allclose([with_emb.class_probabilities[c] for c in model.classes],
                               expected, rtol=1e-9, atol=1e-12)  # fmt: skip
    np.testing.assert_allclose([without.class_probabilities[c] for c in model.classes],
                               plain(model.head, x[0]), rtol=1e-9, atol=1e-12)  # fmt: skip
    # reliability comes from the features in both cases
    assert with_emb.reliability == without.reliability


def test_inference_matches_a_plain_reimplementation(model: VoiceModel) -> None:
    rng = np.random.default_rng(0)
    head = model.head
    x = head.mean + head.scale * rng.normal(0, 1.5, (20, len(model.feature_names)))
    x[0, :5] = np.nan
    z = np.clip(np.nan_to_num((x - head.mean) / head.scale), -5, 5)
    logits = (z @ head.weights.T + head.bias) / head.temperature
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(head.probabilities(x), expected, rtol=1e-10, atol=1e-12)


def test_save_load_round_trip(model: VoiceModel, tmp_path) -> None:
    copy = VoiceModel.load(model.save(tmp_path / "v.npz"))
    x = model.head.mean[None, :] + np.linspace(-1, 1, len(model.feature_names))[None, :]
    np.testing.assert_array_equal(copy.head.probabilities(x), model.head.probabilities(x))
    xe = model.embedding_head.mean[None, :]
    np.testing.assert_array_equal(
        copy.embedding_head.probabilities(xe), model.embedding_head.probabilities(xe)
    )
    assert copy.embedding_space.residual_q99 == model.embedding_space.residual_q99
    np.testing.assert_array_equal(copy.embedding_space.axes, model.embedding_space.axes)
    assert copy.metadata == model.metadata and copy.classes == model.classes


def test_an_embedding_head_without_its_space_is_refused_with_the_file_name(
    model: VoiceModel, tmp_path
) -> None:
    with np.load(model.save(tmp_path / "v.npz"), allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files if not k.startswith("embedding_space.")}
    np.savez_compressed(tmp_path / "broken.npz", **arrays)
    with pytest.raises(ValueError, match=r"broken\.npz: .*embedding space"):
        VoiceModel.load(tmp_path / "broken.npz")


def test_product_mapping_and_circumplex() -> None:
    product = product_distribution({"bored": 0.3, "neutral": 0.2, "angry": 0.5})
    assert product["neutral"] == pytest.approx(0.5) and product["surprised"] == 0.0
    assert set(product) == set(EMOTIONS)
    assert arousal_valence({"angry": 1.0}) == CIRCUMPLEX["angry"]
    a_sad, v_sad = arousal_valence({"sad": 1.0})
    a_happy, v_happy = arousal_valence({"happy": 1.0})
    assert a_sad < 0 < a_happy and v_sad < 0 < v_happy


def test_no_measures_is_no_evidence(model: VoiceModel) -> None:
    reading = model.read({})
    assert reading.confidence == 0.0
    assert reading.distribution == {e: pytest.approx(1 / 7) for e in EMOTIONS}
    assert hy.acoustic_scores({}) == {e: pytest.approx(1 / 7) for e in EMOTIONS}


def test_human_like_voice_gives_a_valid_reading_and_features() -> None:
    ev = _evidence(_voice(regular=False))
    assert ev.available
    h = hy.acoustic_hypothesis(ev)
    assert sum(h.distribution.values()) == pytest.approx(1.0)
    assert min(h.distribution.values()) >= 0 and 0 <= h.confidence <= 1
    for name in ("voice_arousal", "voice_valence"):
        assert -1.0 <= ev.features[name] <= 1.0


def test_weak_evidence_lowers_confidence(model: VoiceModel) -> None:
    ev = _evidence(_voice(regular=False, seed=1))
    base = model.read(ev.features)
    # little voiced speech
    sparse = model.read(dict(ev.features) | {"voiced_fraction": 0.02})
    assert sparse.confidence < 0.2 * base.confidence + 1e-9
    # far outside the training speech: every derived measure pushed to the clip limit
    far = {k: (v * 40 if isinstance(v, float) else v) for k, v in ev.features.items()}
    assert model.read(far).reliability["typicality"] < 0.5
    assert model.read(far).confidence < base.confidence
    # half the measures missing
    half = {k: v for i, (k, v) in enumerate(ev.features.items()) if i % 2}
    assert model.read(half).reliability["completeness"] < 1.0


def test_robotic_regular_voicing_gets_low_confidence() -> None:
    ev = _evidence(_voice(regular=True))
    assert any(c.name == "regular_voicing" for c in ev.cues)
    h = hy.acoustic_hypothesis(ev)
    reading = default_voice_model().read(ev.features, embedding_of(ev.extra))
    assert reading.inputs == "features+embedding"
    assert h.confidence <= 0.4 * max(product_distribution(
        reading.class_probabilities).values()) + 1e-3  # fmt: skip
    assert h.confidence < 0.35
    assert max(h.distribution.values()) < 0.5  # flattened towards uniform


@pytest.mark.slow
@pytest.mark.skipif(not EMODB.is_dir(), reason=f"EmoDB not found at {EMODB} (set EMOREASON_EMODB)")
def test_test_speaker_balanced_accuracy_on_real_speech(model: VoiceModel) -> None:
    """Ten clips per class of the held-out test speakers (fixed choice), through the product path."""
    from emoreason.evaluation.loaders.emodb import load_emodb

    samples = load_emodb(EMODB, list(EMODB_LABELS), None, split="test").samples
    chosen = [s for label in EMODB_LABELS for s in [x for x in samples if x.label == label][:10]]
    extractor = AcousticExtractor()
    recalls = []
    for label in EMODB_LABELS:
        group = [s for s in chosen if s.label == label]
        evidence = [extractor.process_file(s.media) for s in group]
        hits = [model.read(ev.features, embedding_of(ev.extra)).top_class == label
                for ev in evidence]  # fmt: skip
        recalls.append(np.mean(hits))
    assert np.mean(recalls) >= 0.5, dict(zip(EMODB_LABELS, recalls, strict=True))
