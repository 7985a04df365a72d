"""Rule-based hypotheses: valid distributions, documented directions, documented confidences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from emoreason.perception import hypotheses as hy
from emoreason.schema import EMOTIONS, ModalityEvidence


def _sums_to_one(d: dict[str, float]) -> None:
    assert set(d) == set(EMOTIONS) and sum(d.values()) == pytest.approx(1.0)


# The acoustic hypothesis is the learned voice model: tests/perception/test_voice_model.py.


def test_fer_label_order_maps_to_our_labels() -> None:
    probs = np.zeros(7)
    probs[3] = 1.0  # FER2013 index 3 = happy
    assert hy.fer_distribution(probs)["happy"] == 1.0
    probs = np.zeros(7)
    probs[1] = 1.0  # index 1 = disgust
    assert hy.fer_distribution(probs)["disgusted"] == 1.0


def test_face_frame_scores_pool_both_readers() -> None:
    fer = {e: 1.0 if e == "sad" else 0.0 for e in EMOTIONS}
    actions = {e: 1.0 if e == "angry" else 0.0 for e in EMOTIONS}
    both = hy.face_frame_scores(fer, actions)
    _sums_to_one(both)
    assert both["sad"] > 0.3 and both["angry"] > 0.3  # neither reader is ignored
    assert hy.face_frame_scores(fer, None)["sad"] == pytest.approx(1.0)
    assert hy.face_frame_scores(None, actions)["angry"] == pytest.approx(1.0)


def _face(
    p: dict[str, float], coverage: float, frames: float = 20.0, reliability: float = 0.6
) -> ModalityEvidence:
    features = {f"p_{e}": p.get(e, 0.0) for e in EMOTIONS} | {
        "face_coverage": coverage, "frames_readable": frames, "face_quality": 1.0,
        "face_reliability": reliability,
    }  # fmt: skip
    return ModalityEvidence(modality="face", available=True, status="face found", features=features)


def test_visual_confidence_formula() -> None:
    h = hy.visual_hypothesis(_face({"sad": 0.8, "neutral": 0.2}, coverage=0.64), None)
    assert h.label == "sad"
    evidence = 1 - 0.5 * math.exp(-(20 - 1) / 4)
    expected = math.sqrt(0.64) * evidence * (0.3 + 0.7 * 0.8) * (0.5 + 0.5 * 0.6)
    assert h.confidence == pytest.approx(expected, abs=1e-3)
    weak = hy.visual_hypothesis(_face({"angry": 0.8, "neutral": 0.2}, 0.64, reliability=0.4), None)
    assert weak.confidence < h.confidence  # a less reliable class is less certain
    still = hy.visual_hypothesis(_face({"sad": 0.8, "neutral": 0.2}, 0.64, frames=1.0), None)
    assert still.confidence < 0.6 * h.confidence  # one still frame is one frame of evidence
    unreadable = _face({}, 1.0, frames=0.0)  # faces seen, none in a readable pose
    assert not hy.visual_hypothesis(unreadable, None).available


def test_visual_body_supplements_and_stands_in_weakly() -> None:
    body = ModalityEvidence(
        modality="body", available=True, status="body found",
        features={"frames_with_body": 10.0, "slump": 1.0, "hand_to_face_fraction": 0.5},
    )  # fmt: skip
    with_body = hy.visual_hypothesis(_face({"neutral": 1.0}, 1.0), body)
    assert with_body.distribution["sad"] > 0 and "posture" in with_body.based_on
    no_face = ModalityEvidence(modality="face", available=False, status="no face detected")
    alone = hy.visual_hypothesis(no_face, body)
    assert alone.available and alone.label == "sad" and alone.confidence <= 0.25
    assert not hy.visual_hypothesis(no_face, None).available


def test_verbal_confidence_tracks_asr_quality() -> None:
    p = {f"p_{e}": (1.0 if e == "happy" else 0.0) for e in EMOTIONS}
    good = ModalityEvidence(
        modality="verbal", available=True, status="ok", features=p | {"asr_quality": 1.0}
    )
    poor = ModalityEvidence(
        modality="verbal", available=True, status="ok", features=p | {"asr_quality": 0.2}
    )
    calibrated = p | {"text_confidence": 0.8}
    sure = hy.verbal_hypothesis(
        good.model_copy(update={"features": calibrated | {"asr_quality": 1.0}})
    )
    doubtful = hy.verbal_hypothesis(
        good.model_copy(update={"features": calibrated | {"asr_quality": 0.2}})
    )
    assert sure.label == doubtful.label == "happy"
    assert sure.confidence == pytest.approx(0.8)  # typed-quality words: the calibrated confidence
    assert doubtful.confidence < 0.25 * sure.confidence + 1e-9  # unreliable words count little
    # older evidence without a calibrated confidence still orders by quality
    assert hy.verbal_hypothesis(good).confidence > hy.verbal_hypothesis(poor).confidence


def test_verbal_no_evidence_is_flat_and_flagged_never_neutral() -> None:
    features = {f"p_{e}": (1.0 if e == "neutral" else 0.0) for e in EMOTIONS}
    ev = ModalityEvidence(
        modality="verbal", available=True, status="ok",
        features=features | {"asr_quality": 1.0, "no_evidence": 1.0, "text_confidence": 0.0},
    )  # fmt: skip
    h = hy.verbal_hypothesis(ev)
    assert h.based_on == ["no_evidence"] and h.confidence == 0.0
    assert max(h.distribution.values()) == pytest.approx(min(h.distribution.values()))
