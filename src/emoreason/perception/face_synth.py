"""Faces made for the purpose (ours): a neutral 478-point mesh moved along facial actions, turned
in 3-D and projected like MediaPipe output. Used by the tests and by the calibration of the
action reader (``benchmarks/calibrate_face.py``).

Landmarks are moved in the head frame of :mod:`face_geometry` (inter-ocular units, x from the
subject's right eye to the left, y down, z away from the viewer). Each action moves the points
of the region its muscle pulls, by an anatomical amount at intensity 1 (e.g. inner brows up
0.12 IOD, about 7.5 mm), with a smooth fall-off (:data:`MOVES`). Emotion prototypes combine the
actions of :data:`face_actions.PROTOTYPES`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from emoreason.perception import face_geometry as g

LIPS = (0, 13, 14, 17, 37, 39, 40, 61, 78, 80, 81, 82, 84, 87, 88, 91, 95, 146, 178, 181, 185,
        191, 267, 269, 270, 291, 308, 310, 311, 312, 314, 317, 318, 321, 324, 375, 402, 405, 409,
        415)  # fmt: skip
UPPER_LIP = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 78, 191, 80, 81, 82, 13, 312, 311,
             310, 415, 308)  # fmt: skip
LOWER_LIP = (146, 91, 181, 84, 17, 314, 405, 321, 375, 95, 88, 178, 87, 14, 317, 402, 318, 324)
UPPER_LIDS = (246, 161, 160, 159, 158, 157, 173, 466, 388, 387, 386, 385, 384, 398)
LOWER_LIDS = (7, 163, 144, 145, 153, 154, 155, 249, 390, 373, 374, 380, 381, 382)
BROWS = (46, 52, 53, 55, 63, 65, 66, 70, 105, 107, 276, 282, 283, 285, 293, 295, 296, 300, 334,
         336)  # fmt: skip
#: points the head frame is built on: never moved by an action
RIGID = (g.R_EYE_OUT, g.R_EYE_IN, g.L_EYE_OUT, g.L_EYE_IN, g.SUBNASALE)

#: action -> displacement of its region at intensity 1, in IOD units (dx is towards the face's
#: side, i.e. outwards, for symmetric moves)
MOVES: dict[str, dict[str, float]] = {
    "AU1": {"inner_brow_up": 0.12},
    "AU2": {"outer_brow_up": 0.12},
    "AU4": {"brow_down": 0.07, "brow_in": 0.045},
    "AU5": {"upper_lid_up": 0.06},
    "AU6": {"cheek_up": 0.07, "lower_lid_up": 0.012},
    "AU7": {"lower_lid_up": 0.035, "upper_lid_up": -0.012},
    "AU9": {"nose_wing_up": 0.08, "upper_lip_up": 0.03, "brow_down": 0.02},
    "AU10": {"upper_lip_up": 0.07},
    "AU12": {"corner_up": 0.11, "corner_out": 0.06},
    "AU15": {"corner_up": -0.09},
    "AU20": {"corner_out": 0.10, "corner_up": -0.015},
    "AU23/24": {"lips_thin": 0.05, "corner_out": -0.03},
    "AU26": {"jaw_down": 0.32},
}

#: prototype expression -> actions and intensities (the core actions of each EMFACS prototype)
EXPRESSIONS: dict[str, dict[str, float]] = {
    "neutral": {},
    "happy": {"AU6": 0.8, "AU12": 1.0},
    "sad": {"AU1": 0.9, "AU4": 0.7, "AU15": 0.9},
    "surprised": {"AU1": 1.0, "AU2": 1.0, "AU5": 0.9, "AU26": 0.9},
    "fearful": {"AU1": 0.9, "AU2": 0.6, "AU4": 0.8, "AU5": 0.9, "AU20": 0.9, "AU26": 0.5},
    "angry": {"AU4": 1.0, "AU7": 0.9, "AU23/24": 0.9},
    "disgusted": {"AU9": 1.0, "AU10": 0.8, "AU15": 0.4},
}


def local_face(points: np.ndarray) -> np.ndarray:
    """Mesh points (N, 3) in pixels -> the head frame (N, 3) in IOD units."""
    return g.head_frame(points)[0]


def _gauss(p: np.ndarray, centre: np.ndarray, sigma: float) -> np.ndarray:
    return np.exp(-np.sum((p[:, :2] - centre[:2]) ** 2, axis=1) / (2 * sigma**2))  # (N,)


def move(face: np.ndarray, actions: Mapping[str, float]) -> np.ndarray:
    """A head-frame face (N, 3) with each action applied at its intensity (0..1+)."""
    p = face.copy()
    base = face
    side = np.sign(base[:, 0])  # -1 subject's right, +1 left
    mouth_y = (base[g.LIP_UP_IN, 1] + base[g.LIP_LO_IN, 1]) / 2
    lips = np.zeros(len(p), bool)
    lips[list(LIPS)] = True
    upper_lip, lower_lip = np.zeros(len(p), bool), np.zeros(len(p), bool)
    upper_lip[list(UPPER_LIP)], lower_lip[list(LOWER_LIP)] = True, True
    corners = _gauss(base, base[g.MOUTH_R], 0.07) + _gauss(base, base[g.MOUTH_L], 0.07)
    face_part = np.ones(len(p), bool)
    face_part[list(LIPS) + list(UPPER_LIDS) + list(LOWER_LIDS) + list(BROWS) + list(RIGID)] = False
    brows = np.zeros(len(p), bool)
    brows[list(BROWS)] = True
    outer = np.clip((np.abs(base[:, 0]) - 0.2) / 0.6, 0, 1)
    for action, intensity in actions.items():
        for what, amount in MOVES[action].items():
            d = amount * intensity
            if what == "inner_brow_up":
                p[brows, 1] -= d * (1 - outer[brows])
            elif what == "outer_brow_up":
                p[brows, 1] -= d * outer[brows]
            elif what == "brow_down":
                p[brows, 1] += d * (1 - 0.5 * outer[brows])
            elif what == "brow_in":
                p[brows, 0] -= d * side[brows] * (1 - outer[brows])
            elif what == "upper_lid_up":
                p[list(UPPER_LIDS), 1] -= d
            elif what == "lower_lid_up":
                p[list(LOWER_LIDS), 1] -= d
            elif what == "cheek_up":
                w = _gauss(base, base[g.CHEEK_APEX_R], 0.15) + _gauss(
                    base, base[g.CHEEK_APEX_L], 0.15
                )
                p[:, 1] -= d * w * face_part
            elif what == "nose_wing_up":
                w = _gauss(base, base[g.NOSE_WING_R], 0.07) + _gauss(
                    base, base[g.NOSE_WING_L], 0.07
                )
                p[:, 1] -= d * w * face_part
            elif what == "upper_lip_up":
                p[upper_lip, 1] -= d * (1 - 0.5 * corners[upper_lip].clip(0, 1))
            elif what == "corner_up":
                p[lips, 1] -= d * corners[lips].clip(0, 1)
            elif what == "corner_out":
                p[lips, 0] += d * side[lips] * corners[lips].clip(0, 1)
            elif what == "lips_thin":
                top, bottom = (0, 37, 39, 40, 185, 267, 269, 270, 409), (17, 84, 91, 146, 181, 314,
                                                                          321, 375, 405)  # fmt: skip
                p[list(top), 1] += d
                p[list(bottom), 1] -= d
            elif what == "jaw_down":
                below = (lower_lip | (base[:, 1] > mouth_y)) & ~upper_lip
                w = np.clip(1 - (np.abs(base[:, 0]) - 0.45) / 0.6, 0, 1)
                w = np.where(lower_lip, 1.0, w * np.clip((base[:, 1] - mouth_y) / 0.15, 0, 1))
                p[below, 1] += d * w[below]
                p[[g.MOUTH_R, g.MOUTH_L, 78, 308], 1] += d / 2  # corners follow halfway
    return p


def neutralised(face: np.ndarray, iterations: int = 3) -> np.ndarray:
    """Move a head-frame face so that every action proxy reads its neutral value (the brows,
    lids, cheeks, nose and mouth of a real face brought to rest)."""
    from emoreason.perception.face_actions import ACTIONS, action_intensities

    targets = {a.measure: a.neutral for a in ACTIONS.values()}
    targets["corner_lift"] = 0.02
    targets["mouth_open"] = 0.01
    drivers = {"inner_brow_height": "AU1", "outer_brow_height": "AU2", "brow_gap": "AU4",
               "upper_lid_height": "AU5", "cheek_height": "AU6", "lower_lid_height": "AU7",
               "nose_wing_height": "AU9", "upper_lip_gap": "AU10", "corner_lift": "AU12",
               "mouth_width": "AU20", "lip_thickness": "AU23/24", "mouth_open": "AU26"}  # fmt: skip
    p = face.copy()
    for _ in range(iterations):
        for measure, action in drivers.items():
            now = g.raw_measures(p)[measure]
            gain = g.raw_measures(move(p, {action: 1.0}))[measure] - now
            if abs(gain) > 1e-9:
                p = move(p, {action: (targets[measure] - now) / gain})
    left = max(action_intensities(g.raw_measures(p)).values())
    if left >= 0.05:
        raise ValueError(f"face could not be brought to rest (an action still reads {left:.2f})")
    return p


def rotation(yaw_deg: float = 0.0, pitch_deg: float = 0.0, roll_deg: float = 0.0) -> np.ndarray:
    """(3, 3) head rotation in camera coordinates (x right, y down, z away): yaw > 0 turns the
    face towards the image right, pitch > 0 tilts it down, roll > 0 turns it clockwise."""
    a, b, c = (math.radians(v) for v in (yaw_deg, pitch_deg, roll_deg))
    yaw = np.array([[math.cos(a), 0, -math.sin(a)], [0, 1, 0], [math.sin(a), 0, math.cos(a)]])
    pitch = np.array([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
    roll = np.array([[math.cos(c), -math.sin(c), 0], [math.sin(c), math.cos(c), 0], [0, 0, 1]])
    return roll @ pitch @ yaw


def to_camera(
    face: np.ndarray,
    yaw_deg: float = 0.0,
    pitch_deg: float = 0.0,
    roll_deg: float = 0.0,
    scale: float = 120.0,
    centre: tuple[float, float] = (320.0, 240.0),
) -> np.ndarray:
    """Head-frame face (N, 3) -> MediaPipe-like points (N, 3): pixels x, y and depth z, turned."""
    cam = face @ rotation(yaw_deg, pitch_deg, roll_deg).T  # (N, 3) @ (3, 3) -> (N, 3)
    return cam * scale + np.array([centre[0], centre[1], 0.0])


def random_face(
    neutral: np.ndarray, expression: str, rng: np.random.Generator
) -> tuple[np.ndarray, dict[str, float]]:
    """One labelled synthetic face in camera coordinates (478, 3) and its pose.

    A random person (rest face: every action moved by N(0, 0.15) in either direction, face
    proportions scaled by N(1, 0.04)), the expression's actions at U(0.4, 1.1) each (every one
    dropped with probability 0.15, unless it is the only one), other actions leaking at
    U(0, 0.15), a pose with |yaw| <= 40, |pitch| <= 20, |roll| <= 15 degrees, and landmark jitter
    (0.005 IOD in the image plane, 0.015 in depth, as a mesh's depth is rougher)."""
    rest = {a: float(rng.normal(0.0, 0.15)) for a in MOVES}
    face = move(neutral, rest) * np.array([rng.normal(1, 0.04), rng.normal(1, 0.04), 1.0])
    actions = {a: float(rng.uniform(0.0, 0.15)) for a in MOVES}
    core = EXPRESSIONS[expression]
    for a, level in core.items():
        if len(core) == 1 or rng.random() > 0.15:
            actions[a] = level * float(rng.uniform(0.4, 1.1))
    pose = {
        "yaw_deg": float(rng.uniform(-40, 40)),
        "pitch_deg": float(rng.uniform(-20, 20)),
        "roll_deg": float(rng.uniform(-15, 15)),
    }
    points = to_camera(move(face, actions), **pose)
    scale = 120.0  # to_camera's default: IOD in pixels
    jitter = rng.normal(0.0, 1.0, points.shape) * np.array([0.005, 0.005, 0.015]) * scale
    return points + jitter, pose
