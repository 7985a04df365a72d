"""Face geometry from the 478-point MediaPipe face mesh (ours): a head frame with the rotation
removed, the raw distances the action-unit proxies read, head pose and gaze.

**Head frame.** The mesh gives x, y (pixels) and z (depth, same scale as x). Rotation is removed
by expressing every landmark in a frame fixed to rigid points of the head: origin between the eye
centres, x along the eye line (subject's right eye -> left eye), y towards the subnasale
(orthogonalised against x), z = x cross y; unit = inter-ocular distance (IOD, between the eye
centres). A distance measured in this frame does not change when the head turns, tilts or nods,
nor with the face's size or position in the picture. 2-D input (z = 0) works the same way, with
only the in-plane roll removed.

**Pose.** Yaw, pitch and roll (degrees) are read from the frame's axes in camera coordinates.
Pitch 0 is a face looking straight at the camera (see :data:`NOSE_LINE_TILT_DEG`).
"""

from __future__ import annotations

import math

import numpy as np

# landmark indices (subject's right = image left); groups follow MediaPipe's face_mesh_connections
R_EYE_OUT, R_EYE_IN, R_EYE_UP, R_EYE_LO = 33, 133, 159, 145
L_EYE_OUT, L_EYE_IN, L_EYE_UP, L_EYE_LO = 263, 362, 386, 374
R_BROW_IN, R_BROW_IN_UP, R_BROW_MID, R_BROW_OUT, R_BROW_OUT_UP = 55, 107, 52, 46, 70
L_BROW_IN, L_BROW_IN_UP, L_BROW_MID, L_BROW_OUT, L_BROW_OUT_UP = 285, 336, 282, 276, 300
MOUTH_R, MOUTH_L, LIP_UP_IN, LIP_LO_IN, LIP_UP_OUT, LIP_LO_OUT = 61, 291, 13, 14, 0, 17
NOSE_TIP, SUBNASALE, NOSE_WING_R, NOSE_WING_L = 1, 2, 64, 294
CHEEK_R, CHEEK_L, CHEEK_APEX_R, CHEEK_APEX_L, CHIN = 234, 454, 50, 280, 152
R_IRIS, L_IRIS = 468, 473

#: tilt (deg) of the eye-midpoint -> subnasale line out of the image plane on a face looking
#: straight at the camera (the nose base sits in front of the eyes), measured on the frontal
#: portrait of the example clips; the frame is turned back by it so that its y axis is upright
NOSE_LINE_TILT_DEG = 27.0

RAW_NAMES: tuple[str, ...] = (
    "inner_brow_height", "outer_brow_height", "mid_brow_height", "brow_gap", "upper_lid_height",
    "lower_lid_height", "eye_aperture", "cheek_height", "nose_wing_height", "upper_lip_gap",
    "corner_lift", "mouth_width", "mouth_open", "lip_thickness", "head_yaw_deg", "head_pitch_deg",
    "head_roll_deg", "gaze_horizontal", "gaze_vertical",
)  # fmt: skip
#: measures that describe the expression (the rest are pose and gaze)
SHAPE_NAMES: tuple[str, ...] = RAW_NAMES[:14]


def head_frame(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Landmarks (N, 2|3) -> (landmarks (N, 3) in the head frame in IOD units, axes (3, 3) whose
    rows are the frame's x, y, z in camera coordinates, IOD in input units)."""
    p = np.asarray(points, dtype=np.float64)
    if p.shape[1] == 2:
        p = np.concatenate([p, np.zeros((len(p), 1))], axis=1)  # (N, 2) -> (N, 3)
    right = (p[R_EYE_OUT] + p[R_EYE_IN]) / 2
    left = (p[L_EYE_OUT] + p[L_EYE_IN]) / 2
    origin = (right + left) / 2
    x = left - right
    iod = float(np.linalg.norm(x))
    x = x / max(iod, 1e-9)
    down = p[SUBNASALE] - origin
    down = down - (down @ x) * x
    if np.linalg.norm(down) < 1e-9:  # degenerate input: perpendicular in the image plane
        down = np.array([-x[1], x[0], 0.0])
    y = down / np.linalg.norm(down)
    z = np.cross(x, y)
    t = math.radians(NOSE_LINE_TILT_DEG) if p[:, 2].any() else 0.0
    y, z = math.cos(t) * y + math.sin(t) * z, math.cos(t) * z - math.sin(t) * y  # upright
    axes = np.stack([x, y, z])  # (3, 3), rows = frame axes
    local = (p - origin) @ axes.T / max(iod, 1e-9)  # (N, 3) @ (3, 3) -> (N, 3)
    return local, axes, iod


def pose_degrees(axes: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees from the head frame's axes. Yaw < 0: face turned towards the
    image left; pitch > 0: head tilted down; roll: eye line's angle in the image."""
    x, _, z = axes
    facing = -z  # from the face towards the viewer side (camera z grows away from the camera)
    yaw = math.degrees(math.atan2(facing[0], -facing[2])) if abs(facing[2]) > 1e-9 else 0.0
    pitch = math.degrees(math.atan2(facing[1], math.hypot(facing[0], facing[2])))
    roll = math.degrees(math.atan2(x[1], x[0]))
    return yaw, pitch, roll


def raw_measures(points: np.ndarray) -> dict[str, float]:
    """Geometric measures of one face in IOD units; ``points`` is (N, 2) or (N, 3), N = 468 or 478,
    in pixels (x right, y down, z away from the camera). y grows downwards in the head frame."""
    p, axes, _ = head_frame(points)
    x, y = p[:, 0], p[:, 1]

    def both(right: int, left: int) -> float:
        return float((y[right] + y[left]) / 2)

    eye_line = (y[R_EYE_OUT] + y[R_EYE_IN] + y[L_EYE_OUT] + y[L_EYE_IN]) / 4
    mouth_centre_y = (y[LIP_UP_IN] + y[LIP_LO_IN]) / 2
    inner_brow = (both(R_BROW_IN, L_BROW_IN) + both(R_BROW_IN_UP, L_BROW_IN_UP)) / 2
    outer_brow = (both(R_BROW_OUT, L_BROW_OUT) + both(R_BROW_OUT_UP, L_BROW_OUT_UP)) / 2
    out = {
        "inner_brow_height": (y[R_EYE_IN] + y[L_EYE_IN]) / 2 - inner_brow,
        "outer_brow_height": (y[R_EYE_OUT] + y[L_EYE_OUT]) / 2 - outer_brow,
        "mid_brow_height": eye_line - both(R_BROW_MID, L_BROW_MID),
        "brow_gap": abs(x[L_BROW_IN] - x[R_BROW_IN]),
        "upper_lid_height": eye_line - both(R_EYE_UP, L_EYE_UP),
        "lower_lid_height": both(R_EYE_LO, L_EYE_LO) - eye_line,
        "eye_aperture": both(R_EYE_LO, L_EYE_LO) - both(R_EYE_UP, L_EYE_UP),
        "cheek_height": both(CHEEK_APEX_R, CHEEK_APEX_L) - eye_line,
        "nose_wing_height": both(NOSE_WING_R, NOSE_WING_L) - eye_line,
        "upper_lip_gap": y[LIP_UP_OUT] - y[SUBNASALE],
        "corner_lift": mouth_centre_y - both(MOUTH_R, MOUTH_L),
        "mouth_width": abs(x[MOUTH_L] - x[MOUTH_R]),
        "mouth_open": max(0.0, y[LIP_LO_IN] - y[LIP_UP_IN]),
        "lip_thickness": max(0.0, (y[LIP_UP_IN] - y[LIP_UP_OUT]) + (y[LIP_LO_OUT] - y[LIP_LO_IN])),
    }
    out["head_yaw_deg"], out["head_pitch_deg"], out["head_roll_deg"] = pose_degrees(axes)
    if len(p) > L_IRIS and out["eye_aperture"] > 0.06:  # closed eyes: no gaze
        out["gaze_horizontal"], out["gaze_vertical"] = _gaze(p)
    return {k: float(v) for k, v in out.items()}


def _gaze(p: np.ndarray) -> tuple[float, float]:
    """Iris position inside each eye: -1 (towards the subject's right / up) .. +1, averaged."""
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
