"""The face extractor's clip summary from per-frame readings (no models: frames are built from
moved meshes and given expression-model readings)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emoreason.perception import face_synth as fs
from emoreason.perception.face import FaceExtractor, _FaceFrame, read_frames
from emoreason.perception.face_geometry import raw_measures
from emoreason.perception.hypotheses import visual_hypothesis
from emoreason.schema import EMOTIONS

NEUTRAL = Path(__file__).with_name("neutral_face_478.npy")


def _fer(label: str, p: float) -> dict[str, float]:
    return {e: p if e == label else (1 - p) / 6 for e in EMOTIONS}


def _frames(expression: str, fer: dict[str, float] | None, yaws: list[float]) -> list[_FaceFrame]:
    neutral = np.load(NEUTRAL).astype(np.float64)
    face = fs.move(neutral, fs.EXPRESSIONS[expression])
    return [
        _FaceFrame(time=0.5 * i, faces=1, box_area=0.1, side_px=160.0, fer=fer,
                   raw=raw_measures(fs.to_camera(face, yaw_deg=yaw)))
        for i, yaw in enumerate(yaws)
    ]  # fmt: skip


def _summary(frames: list[_FaceFrame], sampled: int | None = None):
    baseline = read_frames(frames)
    return FaceExtractor()._summarise(sampled or len(frames), frames, 1, False, baseline)


def test_angry_actions_overrule_a_sad_misreading_and_the_disagreement_is_a_cue() -> None:
    ev = _summary(_frames("angry", _fer("sad", 0.55), [0.0, 20.0, -30.0] * 4))
    h = visual_hypothesis(ev, None)
    assert h.label == "angry"
    cue = next(c for c in ev.cues if c.name == "face_readers_disagree")
    assert "reads sad" in cue.description and "form angry" in cue.description
    assert "brows drawn together and lowered" in cue.description
    assert "face_readers_disagree" in h.based_on


def test_beyond_45_degrees_the_pose_is_too_extreme_to_read() -> None:
    ev = _summary(_frames("surprised", _fer("fearful", 0.5), [10.0, 30.0, 60.0, 70.0]))
    assert ev.features["frames_readable"] == 2 and ev.features["frames_with_face"] == 4
    assert any(c.name == "pose_too_extreme" and c.value == 2 for c in ev.cues)
    assert len(ev.timeline) == 2
    assert visual_hypothesis(ev, None).label == "surprised"
    gone = _summary(_frames("happy", _fer("happy", 0.9), [60.0, -70.0]))
    assert not visual_hypothesis(gone, None).available


def test_a_still_image_is_one_frame_of_evidence() -> None:
    one = visual_hypothesis(_summary(_frames("happy", _fer("happy", 0.9), [0.0])), None)
    many = visual_hypothesis(_summary(_frames("happy", _fer("happy", 0.9), [0.0] * 12)), None)
    assert one.label == many.label == "happy"
    assert one.confidence < 0.6 * many.confidence


@pytest.mark.parametrize("expression", ["sad", "fearful", "disgusted"])
def test_actions_alone_read_the_expression_when_the_model_gives_nothing(expression: str) -> None:
    ev = _summary(_frames(expression, None, [0.0, 15.0, 30.0]))
    assert visual_hypothesis(ev, None).label == expression
