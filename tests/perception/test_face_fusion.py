"""Fusion of the expression model and the facial actions, pose limits, and the face confidence."""

from __future__ import annotations

import pytest

from emoreason.perception import face_fusion as ff
from emoreason.schema import EMOTIONS


def _peaked(label: str, p: float, second: str = "neutral") -> dict[str, float]:
    rest = (1 - p) / (len(EMOTIONS) - 1)
    return {e: p if e == label else rest for e in EMOTIONS}


def test_fuse_frame_against_a_reference_written_here() -> None:
    fer, act = _peaked("sad", 0.6), _peaked("angry", 0.7)
    mass = {e: ff.FER_RELIABILITY[e] * fer[e] + ff.ACTION_RELIABILITY[e] * act[e] for e in EMOTIONS}
    total = sum(mass.values())
    fused = ff.fuse_frame(fer, act)
    for e in EMOTIONS:
        assert fused[e] == pytest.approx(mass[e] / total)


@pytest.mark.parametrize(
    ("fer_label", "action_label"),
    [("fearful", "surprised"), ("sad", "angry"), ("angry", "disgusted"), ("neutral", "fearful")],
)
def test_clear_actions_overrule_the_models_known_misreadings(fer_label, action_label) -> None:
    """The issue's real-face errors: surprise read as fear, anger as sadness, disgust as anger,
    fear as neutral. A clear action prototype wins over a moderate misreading."""
    fused = ff.fuse_frame(_peaked(fer_label, 0.55), _peaked(action_label, 0.8))
    assert max(fused, key=fused.get) == action_label


def test_a_confident_happy_reading_is_not_overruled_by_a_weak_action_reading() -> None:
    fused = ff.fuse_frame(_peaked("happy", 0.9), _peaked("disgusted", 0.4))
    assert max(fused, key=fused.get) == "happy"


def test_class_reliability_weights_each_readers_support() -> None:
    fer, act = _peaked("angry", 0.8), _peaked("angry", 0.8)
    both = ff.class_reliability("angry", fer, act)
    assert min(ff.FER_RELIABILITY["angry"], ff.ACTION_RELIABILITY["angry"]) <= both
    assert both <= max(ff.FER_RELIABILITY["angry"], ff.ACTION_RELIABILITY["angry"])
    assert ff.class_reliability("happy", _peaked("happy", 0.8), None) == ff.FER_RELIABILITY["happy"]
    assert (
        ff.FER_RELIABILITY["happy"]
        > ff.FER_RELIABILITY["angry"]
        > ff.FER_RELIABILITY["disgusted"] - 0.01
    )


def test_pose_limits_and_quality() -> None:
    assert ff.pose_readable(30.0, 0.0) and ff.pose_readable(-45.0, 10.0)
    assert not ff.pose_readable(50.0, 0.0) and not ff.pose_readable(0.0, 40.0)
    frontal = ff.frame_quality(200.0, 0.0, 0.0)
    assert frontal == 1.0
    assert ff.frame_quality(200.0, 30.0, 0.0) < frontal
    assert ff.frame_quality(200.0, 45.0, 0.0) < ff.frame_quality(200.0, 30.0, 0.0)
    assert ff.frame_quality(200.0, 45.0, 0.0) >= 0.5  # 15-45 degrees still gives readings
    assert ff.frame_quality(40.0, 0.0, 0.0) < frontal  # small faces count less


def test_confidence_grows_with_frames_and_reliability() -> None:
    dist = _peaked("sad", 0.7)
    still = ff.face_confidence(dist, 0.6, 1.0, frames=1, quality=1.0)
    clip = ff.face_confidence(dist, 0.6, 1.0, frames=20, quality=1.0)
    assert 0.2 < still < 0.6 * clip  # one still frame: evidence, but half a clip's
    assert ff.face_confidence(dist, 0.35, 1.0, 20, 1.0) < clip
    assert ff.face_confidence(dist, 0.6, 1.0, 20, 0.5) == pytest.approx(0.5 * clip)


def test_disagreement_is_named_only_when_both_readers_decide() -> None:
    assert ff.disagreement(_peaked("sad", 0.6), _peaked("angry", 0.7)) == ("sad", "angry")
    assert ff.disagreement(_peaked("sad", 0.6), _peaked("neutral", 0.9)) is None
    assert ff.disagreement(_peaked("sad", 0.6), _peaked("sad", 0.9)) is None
    assert ff.disagreement(_peaked("sad", 0.8), _peaked("happy", 0.4)) is None  # a weak reading
    flat = {e: 1 / len(EMOTIONS) for e in EMOTIONS}
    assert ff.disagreement(flat, _peaked("angry", 0.7)) is None
