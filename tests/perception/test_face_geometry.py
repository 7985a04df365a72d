"""Face geometry: measures do not change when the head turns, tilts, nods, scales or moves;
pose is read back; each measure follows the landmarks it is built on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emoreason.perception import face_geometry as g
from emoreason.perception import face_synth as fs

NEUTRAL = Path(__file__).with_name("neutral_face_478.npy")


@pytest.fixture(scope="module")
def neutral() -> np.ndarray:
    return np.load(NEUTRAL).astype(np.float64)  # (478, 3) head frame, IOD units


@pytest.mark.parametrize(
    ("yaw", "pitch", "roll"), [(30, 0, 0), (-40, 0, 0), (0, 20, 0), (25, -15, 12), (0, 0, 17)]
)
def test_measures_are_invariant_to_head_rotation_scale_and_position(
    neutral: np.ndarray, yaw: float, pitch: float, roll: float
) -> None:
    face = fs.move(neutral, {"AU12": 0.7, "AU26": 0.5, "AU1": 0.4})
    ref = g.raw_measures(fs.to_camera(face))
    turned = g.raw_measures(fs.to_camera(face, yaw, pitch, roll, scale=230.0, centre=(50.0, 9.0)))
    for key in (*g.SHAPE_NAMES, "gaze_horizontal", "gaze_vertical"):
        assert turned[key] == pytest.approx(ref[key], abs=1e-6), key


@pytest.mark.parametrize(
    ("yaw", "pitch", "roll"), [(30, 0, 0), (-40, 0, 0), (0, 20, 0), (0, -12, 0), (0, 0, 17)]
)
def test_pose_is_read_back(neutral: np.ndarray, yaw: float, pitch: float, roll: float) -> None:
    raw = g.raw_measures(fs.to_camera(neutral, yaw, pitch, roll))
    assert raw["head_yaw_deg"] == pytest.approx(yaw, abs=1.0)
    assert raw["head_pitch_deg"] == pytest.approx(pitch, abs=1.0)
    assert raw["head_roll_deg"] == pytest.approx(roll, abs=1.0)


def test_frontal_face_is_upright_and_unturned(neutral: np.ndarray) -> None:
    raw = g.raw_measures(fs.to_camera(neutral))
    assert abs(raw["head_yaw_deg"]) < 1e-3 and abs(raw["head_pitch_deg"]) < 1e-3


def test_two_dimensional_points_work_with_roll_removed(neutral: np.ndarray) -> None:
    flat = fs.to_camera(neutral)[:, :2]
    a = np.radians(20.0)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    turned = flat @ rot.T * 1.7 + 40.0  # (478, 2) @ (2, 2) -> (478, 2)
    ref, moved = g.raw_measures(flat), g.raw_measures(turned)
    assert moved["head_roll_deg"] == pytest.approx(20.0, abs=1e-6)
    for key in g.SHAPE_NAMES:
        assert moved[key] == pytest.approx(ref[key], abs=1e-6), key


def test_measures_follow_the_moved_landmarks(neutral: np.ndarray) -> None:
    base = g.raw_measures(neutral)
    lids = g.raw_measures(fs.move(neutral, {"AU5": 1.0}))  # upper lids up by 0.06 IOD
    assert lids["upper_lid_height"] - base["upper_lid_height"] == pytest.approx(0.06, abs=1e-9)
    jaw = g.raw_measures(fs.move(neutral, {"AU26": 1.0}))  # lower lip down by 0.32 IOD
    assert jaw["mouth_open"] - base["mouth_open"] == pytest.approx(0.32, abs=1e-9)
    lip = g.raw_measures(fs.move(neutral, {"AU10": 1.0}))
    assert lip["upper_lip_gap"] < base["upper_lip_gap"] - 0.05
    nose = g.raw_measures(fs.move(neutral, {"AU9": 1.0}))
    assert nose["nose_wing_height"] < base["nose_wing_height"] - 0.05
    brows = g.raw_measures(fs.move(neutral, {"AU4": 1.0}))
    assert brows["brow_gap"] < base["brow_gap"] - 0.06


def test_mesh_geometry_matches_a_direct_computation(neutral: np.ndarray) -> None:
    """Reference written here: on an upright frontal face the head frame is the input frame."""
    pts = fs.to_camera(neutral, scale=1.0, centre=(0.0, 0.0))
    eyes = (pts[[g.R_EYE_OUT, g.R_EYE_IN, g.L_EYE_OUT, g.L_EYE_IN]]).mean(0)
    iod = np.linalg.norm(
        (pts[g.L_EYE_OUT] + pts[g.L_EYE_IN] - pts[g.R_EYE_OUT] - pts[g.R_EYE_IN]) / 2
    )
    raw = g.raw_measures(pts)
    expected_open = (pts[g.LIP_LO_IN, 1] - pts[g.LIP_UP_IN, 1]) / iod
    assert raw["mouth_open"] == pytest.approx(max(0.0, expected_open), abs=1e-5)
    expected_cheek = ((pts[g.CHEEK_APEX_R, 1] + pts[g.CHEEK_APEX_L, 1]) / 2 - eyes[1]) / iod
    assert raw["cheek_height"] == pytest.approx(expected_cheek, abs=1e-5)


def test_ramp_either_direction_and_clipped() -> None:
    assert g.ramp(0.5, 0.0, 1.0) == 0.5
    assert g.ramp(0.25, 0.5, 0.0) == 0.5
    assert g.ramp(2.0, 0.0, 1.0) == 1.0 and g.ramp(-1.0, 0.0, 1.0) == 0.0
