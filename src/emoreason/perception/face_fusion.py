"""Fusion of the two face readers (ours): the FER2013 expression model and the facial-action
prototypes of :mod:`face_actions`, per frame, then over time, and the face's confidence.

**Per frame** (reliability-weighted linear opinion pool)::

    p(e) ∝ r_fer(e) · FER(e) + r_act(e) · ACT(e)

Each reader's vote for a class counts as much as that reader is reliable on that class.

- ``r_fer`` (:data:`FER_RELIABILITY`) is a prior, not fitted here (no labelled face images
  could be had). Two sources, both stated: the FER2013 mini-Xception family is strong on happy
  (per-class recall about 0.85-0.9 on the FER2013 test set), fair on sad, surprise and neutral,
  weak on anger, fear and disgust; and on real faces (issue 19: 11 faces, lab stills and
  actors' clips) this model was right on happy and sad only, reading surprise as fear, anger as
  sadness, disgust as anger or neutral and fear as neutral, so its fear, anger and neutral
  readings are trusted least.
- ``r_act`` (:data:`ACTION_RELIABILITY`) is the per-class precision of the action reader on
  held-out synthetic faces (``benchmarks/calibrate_face.py``, DEV set) times
  :data:`SYNTHETIC_TO_REAL`
  (geometric proxies on a real mesh are noisier than on moved landmarks). Its 'neutral' means
  "no prototype seen", which proxies that miss a subtle action also say: weak evidence (0.3).

**Over time**: the frame distributions are averaged with weights = frame quality (face size,
pose); frames turned beyond :data:`MAX_YAW_DEG` / :data:`MAX_PITCH_DEG` are not read.

**Confidence** of the clip's face reading (top class ``e``)::

    conf = sqrt(coverage) · (1 - exp(-(k - 1) / 4) / 2) · quality · (0.3 + 0.7 · p(e)) · (0.5 + 0.5 · r(e))

with ``k`` the frames that carried a readable face (a still image is one frame of evidence:
half of what a clip of ten or more frames gives),
``quality`` their mean quality and ``r(e)`` the readers' reliability for ``e`` weighted by how
much each supports it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from emoreason.schema import EMOTIONS

#: prior per-class reliability of the FER2013 expression model (module docstring)
FER_RELIABILITY: dict[str, float] = {
    "happy": 0.85, "sad": 0.60, "surprised": 0.60, "neutral": 0.50,
    "angry": 0.40, "disgusted": 0.30, "fearful": 0.30,
}  # fmt: skip
#: discount from synthetic-face precision to real faces (a judgement, stated as such)
SYNTHETIC_TO_REAL = 0.6
#: per-class precision of the action reader on the DEV synthetic faces (seed 2,
#: benchmarks/calibrate_face.py) times SYNTHETIC_TO_REAL; neutral fixed at 0.3 (module docstring)
ACTION_RELIABILITY: dict[str, float] = {
    "happy": 0.57, "sad": 0.57, "angry": 0.41, "fearful": 0.38,
    "surprised": 0.54, "disgusted": 0.31, "neutral": 0.30,
}  # fmt: skip
MAX_YAW_DEG = 45.0
MAX_PITCH_DEG = 35.0
#: face shorter side (pixels) from which size no longer limits the reading (FER input is 64 px)
FULL_QUALITY_SIDE_PX = 96.0


def fuse_frame(
    fer: Mapping[str, float] | None, actions: Mapping[str, float] | None
) -> dict[str, float]:
    """One frame's face distribution from the two readers (either may be missing)."""
    mass = dict.fromkeys(EMOTIONS, 0.0)
    for dist, rel in ((fer, FER_RELIABILITY), (actions, ACTION_RELIABILITY)):
        if dist is not None:
            for e in EMOTIONS:
                mass[e] += rel[e] * dist[e]
    total = sum(mass.values())
    if total <= 0:
        return {e: 1.0 / len(EMOTIONS) for e in EMOTIONS}
    return {e: v / total for e, v in mass.items()}


def class_reliability(
    emotion: str, fer: Mapping[str, float] | None, actions: Mapping[str, float] | None
) -> float:
    """The readers' reliability for ``emotion``, weighted by how much each supports it."""
    num = den = 0.0
    for dist, rel in ((fer, FER_RELIABILITY), (actions, ACTION_RELIABILITY)):
        if dist is not None:
            num += rel[emotion] * dist[emotion]
            den += dist[emotion]
    return num / den if den > 0 else 0.0


def pose_readable(yaw_deg: float | None, pitch_deg: float | None) -> bool:
    """False when the head is turned or tilted too far for the expression to be read."""
    return abs(yaw_deg or 0.0) <= MAX_YAW_DEG and abs(pitch_deg or 0.0) <= MAX_PITCH_DEG


def frame_quality(face_side_px: float, yaw_deg: float | None, pitch_deg: float | None) -> float:
    """In (0, 1]: 1 for a frontal face at least FULL_QUALITY_SIDE_PX high; a 45-degree turn or a
    face a third that size halves it (ours)."""
    size = min(1.0, max(0.2, face_side_px / FULL_QUALITY_SIDE_PX))
    yaw = 1.0 - 0.5 * max(0.0, abs(yaw_deg or 0.0) - 15.0) / 30.0
    pitch = 1.0 - 0.5 * max(0.0, abs(pitch_deg or 0.0) - 15.0) / 20.0
    return max(0.05, size * max(0.5, yaw) * max(0.5, pitch))


def pool_frames(dists: Sequence[Mapping[str, float]], weights: Sequence[float]) -> dict[str, float]:
    """Quality-weighted mean of frame distributions (uniform when there is nothing)."""
    total = float(sum(weights))
    if not dists or total <= 0:
        return {e: 1.0 / len(EMOTIONS) for e in EMOTIONS}
    return {e: sum(w * d[e] for d, w in zip(dists, weights, strict=True)) / total for e in EMOTIONS}


def frames_evidence(frames: float) -> float:
    """How much ``frames`` face frames can say, in [0, 1): none 0, one still frame 0.5, five
    0.82, ten 0.95."""
    if frames <= 0:
        return 0.0
    return 1.0 - 0.5 * math.exp(-(frames - 1.0) / 4.0)


def face_confidence(
    dist: Mapping[str, float],
    reliability: float,
    coverage: float,
    frames: float,
    quality: float,
) -> float:
    """Confidence of the face reading (module docstring)."""
    top = max(dist.values())
    return (
        math.sqrt(max(0.0, coverage))
        * frames_evidence(frames)
        * max(0.0, min(1.0, quality))
        * (0.3 + 0.7 * top)
        * (0.5 + 0.5 * reliability)
    )


def disagreement(
    fer: Mapping[str, float],
    actions: Mapping[str, float],
    margin: float = 0.1,
    clear: float = 0.5,
) -> tuple[str, str] | None:
    """(FER's label, the actions' label) when both readers are decided (top at least ``clear``
    and ``margin`` above the runner-up) and differ; 'neutral' from the actions (no prototype
    seen) is not a disagreement."""

    def decided(d: Mapping[str, float]) -> str | None:
        ranked = sorted(d, key=lambda e: d[e], reverse=True)
        top, second = d[ranked[0]], d[ranked[1]]
        return ranked[0] if top >= clear and top - second >= margin else None

    a, b = decided(fer), decided(actions)
    if a is None or b is None or a == b or b == "neutral":
        return None
    return a, b
