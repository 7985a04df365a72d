"""Geometric AU proxies: invariance to pose in the image plane, and direction of each proxy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from emoreason.perception import face_geometry as g


def synthetic_face(
    corner_lift: float = 0.0, mouth_open: float = 0.02, brow: float = 0.28
) -> np.ndarray:
    """478 landmarks (IOD = 1, eyes on y = 0) with the points the proxies read set explicitly."""
    p = np.zeros((478, 2))
    p[g.R_EYE_OUT], p[g.R_EYE_IN] = (-0.75, 0), (-0.25, 0)
    p[g.L_EYE_IN], p[g.L_EYE_OUT] = (0.25, 0), (0.75, 0)
    p[g.R_EYE_UP], p[g.R_EYE_LO] = (-0.5, -0.07), (-0.5, 0.07)
    p[g.L_EYE_UP], p[g.L_EYE_LO] = (0.5, -0.07), (0.5, 0.07)
    p[g.R_BROW_IN], p[g.L_BROW_IN] = (-0.2, -brow), (0.2, -brow)
    p[g.R_BROW_OUT], p[g.L_BROW_OUT] = (-0.8, -brow), (0.8, -brow)
    p[g.NOSE_TIP], p[g.CHIN] = (0, 0.6), (0, 1.6)
    p[g.CHEEK_R], p[g.CHEEK_L] = (-1.0, 0.5), (1.0, 0.5)
    p[g.LIP_UP_OUT], p[g.LIP_UP_IN] = (0, 0.85), (0, 1.0 - mouth_open / 2)
    p[g.LIP_LO_IN], p[g.LIP_LO_OUT] = (0, 1.0 + mouth_open / 2), (0, 1.15)
    p[g.MOUTH_R], p[g.MOUTH_L] = (-0.4, 1.0 - corner_lift), (0.4, 1.0 - corner_lift)
    p[g.R_IRIS], p[g.L_IRIS] = (-0.5, 0), (0.5, 0)
    return p


def transform(
    p: np.ndarray, angle_deg: float, scale: float, shift: tuple[float, float]
) -> np.ndarray:
    a = math.radians(angle_deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return p @ rot.T * scale + np.array(shift)  # (N, 2) @ (2, 2) -> (N, 2)


def test_measures_are_invariant_to_roll_scale_and_position() -> None:
    face = synthetic_face(corner_lift=0.08, mouth_open=0.1)
    ref = g.raw_measures(face)
    moved = g.raw_measures(transform(face, 17.0, 230.0, (320.0, 180.0)))
    for key in ref:
        if key == "head_roll_deg":
            assert moved[key] == pytest.approx(17.0, abs=1e-6)
        else:
            assert moved[key] == pytest.approx(ref[key], abs=1e-6), key


def test_proxies_move_in_the_right_direction() -> None:
    neutral = g.au_intensities(g.raw_measures(synthetic_face()))
    smile = g.au_intensities(g.raw_measures(synthetic_face(corner_lift=0.15)))
    frown = g.au_intensities(g.raw_measures(synthetic_face(corner_lift=-0.1)))
    open_mouth = g.au_intensities(g.raw_measures(synthetic_face(mouth_open=0.5)))
    raised = g.au_intensities(g.raw_measures(synthetic_face(brow=0.45)))
    assert smile["lip_corner_puller"] == 1.0 and neutral["lip_corner_puller"] == 0.0
    assert frown["lip_corner_depressor"] == 1.0 and smile["lip_corner_depressor"] == 0.0
    assert open_mouth["jaw_drop"] > 0.9 and neutral["jaw_drop"] == 0.0
    assert raised["inner_brow_raiser"] == 1.0 and neutral["inner_brow_raiser"] < 0.5
    assert open_mouth["lip_pressor"] == 0.0  # an open mouth cannot be pressed lips


def test_measured_values_match_the_constructed_geometry() -> None:
    raw = g.raw_measures(synthetic_face(corner_lift=0.08, mouth_open=0.1))
    assert raw["corner_lift"] == pytest.approx(0.08)
    assert raw["mouth_open"] == pytest.approx(0.1)
    assert raw["eye_aperture"] == pytest.approx(0.14)
    assert raw["brow_gap"] == pytest.approx(0.4)
    assert raw["head_yaw_deg"] == pytest.approx(0.0)
    assert raw["gaze_horizontal"] == pytest.approx(0.0)


def test_ramp_either_direction_and_clipped() -> None:
    assert g.ramp(0.5, 0.0, 1.0) == 0.5
    assert g.ramp(0.25, 0.5, 0.0) == 0.5
    assert g.ramp(2.0, 0.0, 1.0) == 1.0 and g.ramp(-1.0, 0.0, 1.0) == 0.0
