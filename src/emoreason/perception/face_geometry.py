"""Geometric action-unit proxies, head pose and gaze from the 478-point MediaPipe face mesh (ours).

No package ships AU or blendshape models, so each proxy is a landmark distance in a
face-aligned frame: origin between the eyes, x along the eye line (roll removed), unit =
inter-ocular distance (IOD, between eye centres). Raw ratios are mapped to an intensity in
[0, 1] by a linear ramp between a typical-neutral value and a clearly-expressive value
(``AU_RAMPS``), chosen on frontal faces; they are proxies, not FACS codes.
"""

from __future__ import annotations

import math

import numpy as np

# landmark indices (subject's right = image left)
R_EYE_OUT, R_EYE_IN, R_EYE_UP, R_EYE_LO = 33, 133, 159, 145
L_EYE_OUT, L_EYE_IN, L_EYE_UP, L_EYE_LO = 263, 362, 386, 374
R_BROW_IN, R_BROW_OUT, L_BROW_IN, L_BROW_OUT = 55, 46, 285, 276
MOUTH_R, MOUTH_L, LIP_UP_IN, LIP_LO_IN, LIP_UP_OUT, LIP_LO_OUT = 61, 291, 13, 14, 0, 17
NOSE_TIP, CHEEK_R, CHEEK_L, CHIN = 1, 234, 454, 152
R_IRIS, L_IRIS = 468, 473

#: raw ratio -> (neutral, expressive) ramp for each AU proxy (ours; see module docstring)
AU_RAMPS: dict[str, tuple[str, float, float]] = {
    "inner_brow_raiser": ("inner_brow_height", 0.25, 0.38),
    "outer_brow_raiser": ("outer_brow_height", 0.22, 0.35),
    "brow_lowerer": ("brow_gap", 0.38, 0.30),
    "lid_tightener": ("eye_aperture", 0.11, 0.05),
    "upper_lid_raiser": ("eye_aperture", 0.18, 0.28),
    "lip_corner_puller": ("corner_lift", 0.04, 0.14),
    "lip_corner_depressor": ("corner_lift", 0.00, -0.08),
    "lip_pressor": ("lip_thickness", 0.22, 0.12),
    "jaw_drop": ("mouth_open", 0.08, 0.45),
}
AU_NAMES: tuple[str, ...] = tuple(AU_RAMPS)
RAW_NAMES: tuple[str, ...] = (
    "inner_brow_height", "outer_brow_height", "brow_gap", "eye_aperture", "corner_lift",
    "mouth_width", "mouth_open", "lip_thickness", "head_yaw_deg", "head_pitch_ratio",
    "head_roll_deg", "gaze_horizontal", "gaze_vertical",
)  # fmt: skip


def aligned(points: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Landmarks (N, 2) in pixels -> face-aligned (N, 2) in IOD units, plus roll (deg) and IOD (px)."""
    right = (points[R_EYE_OUT] + points[R_EYE_IN]) / 2
    left = (points[L_EYE_OUT] + points[L_EYE_IN]) / 2
    axis = left - right
    iod = float(np.hypot(*axis))
    roll = math.atan2(axis[1], axis[0])
    c, s = math.cos(-roll), math.sin(-roll)
    rot = np.array([[c, -s], [s, c]])  # (2, 2) rotation by -roll
    centred = (points - (right + left) / 2) @ rot.T  # (N, 2) @ (2, 2) -> (N, 2)
    return centred / max(iod, 1e-6), math.degrees(roll), iod


def raw_measures(points: np.ndarray) -> dict[str, float]:
    """Geometric ratios of one face; ``points`` is (478, 2) or (468, 2) in pixels (x right, y down)."""
    p, roll, _ = aligned(points)
    y = p[:, 1]  # down is positive

    def dist(a: int, b: int) -> float:
        return float(np.hypot(*(p[a] - p[b])))

    mouth_centre_y = (y[LIP_UP_IN] + y[LIP_LO_IN]) / 2
    out = {
        "inner_brow_height": ((y[R_EYE_IN] - y[R_BROW_IN]) + (y[L_EYE_IN] - y[L_BROW_IN])) / 2,
        "outer_brow_height": ((y[R_EYE_OUT] - y[R_BROW_OUT]) + (y[L_EYE_OUT] - y[L_BROW_OUT])) / 2,
        "brow_gap": dist(R_BROW_IN, L_BROW_IN),
        "eye_aperture": ((y[R_EYE_LO] - y[R_EYE_UP]) + (y[L_EYE_LO] - y[L_EYE_UP])) / 2,
        "corner_lift": mouth_centre_y - (y[MOUTH_R] + y[MOUTH_L]) / 2,
        "mouth_width": dist(MOUTH_R, MOUTH_L),
        "mouth_open": max(0.0, y[LIP_LO_IN] - y[LIP_UP_IN]),
        "lip_thickness": max(0.0, (y[LIP_UP_IN] - y[LIP_UP_OUT]) + (y[LIP_LO_OUT] - y[LIP_LO_IN])),
        "head_roll_deg": roll,
    }
    # yaw: nose tip offset from the cheek midline, as a fraction of half the face width
    half_width = max(1e-6, abs(p[CHEEK_L, 0] - p[CHEEK_R, 0]) / 2)
    offset = (p[NOSE_TIP, 0] - (p[CHEEK_L, 0] + p[CHEEK_R, 0]) / 2) / half_width
    out["head_yaw_deg"] = math.degrees(math.asin(max(-1.0, min(1.0, offset))))
    # pitch: where the nose tip sits between eye line (0) and chin (1); ~0.45 when frontal
    out["head_pitch_ratio"] = float(p[NOSE_TIP, 1] / max(1e-6, p[CHIN, 1]))
    if len(points) > L_IRIS and out["eye_aperture"] > 0.06:  # closed eyes: no gaze
        out["gaze_horizontal"], out["gaze_vertical"] = _gaze(p)
    return {k: float(v) for k, v in out.items()}


def _gaze(p: np.ndarray) -> tuple[float, float]:
    """Iris position inside each eye: -1 (image left / up) .. +1 (image right / down), averaged."""
    h, v = [], []
    for iris, a, b, up, lo in ((R_IRIS, R_EYE_OUT, R_EYE_IN, R_EYE_UP, R_EYE_LO),
                               (L_IRIS, L_EYE_IN, L_EYE_OUT, L_EYE_UP, L_EYE_LO)):  # fmt: skip
        width = p[b, 0] - p[a, 0]
        height = p[lo, 1] - p[up, 1]
        h.append(2 * (p[iris, 0] - p[a, 0]) / width - 1 if abs(width) > 1e-6 else 0.0)
        v.append(2 * (p[iris, 1] - p[up, 1]) / height - 1 if abs(height) > 1e-6 else 0.0)
    return float(np.mean(h)), float(np.mean(v))


def ramp(value: float, neutral: float, expressive: float) -> float:
    """0 at ``neutral``, 1 at ``expressive`` (either direction), clipped to [0, 1]."""
    if expressive == neutral:
        return 0.0
    return float(min(1.0, max(0.0, (value - neutral) / (expressive - neutral))))


def au_intensities(raw: dict[str, float]) -> dict[str, float]:
    """AU proxy intensities in [0, 1]; lip press only counts with a closed mouth (a smile also
    thins the lips)."""
    out = {au: ramp(raw[key], lo, hi) for au, (key, lo, hi) in AU_RAMPS.items() if key in raw}
    if "lip_pressor" in out and raw.get("mouth_open", 0.0) > 0.03:
        out["lip_pressor"] = 0.0
    return out
