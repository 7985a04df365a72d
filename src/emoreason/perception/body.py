"""Body evidence from MediaPipe Pose (the bundled "full" model, complexity 1: the lite and heavy
models are not shipped and mediapipe would try to download them, so they are never requested): posture, lean, arm openness, hand-to-face,
head and body motion. Lengths are in shoulder widths so that framing and resolution cancel.

Measures per frame (landmarks with visibility >= 0.5 only), ours:

- ``head_height``: (shoulder midpoint y - nose y) / shoulder width; small = head dropped;
  ``slump`` = ramp from 0.55 (upright) to 0.25 (head sunk between the shoulders).
- ``lean_forward``: torso angle from vertical (shoulders vs hips, degrees / 30), when hips show.
- ``arm_openness``: wrist-to-wrist distance / shoulder width.
- ``hand_to_face``: a wrist within 0.6 shoulder widths of the nose.
- motion: mean displacement of the nose (head) and shoulder midpoint (body) between
  consecutive sampled frames, per second, in shoulder widths.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field

import numpy as np

from emoreason.perception.base import FrameExtractor
from emoreason.perception.decode import FrameStats, SampledFrame, StreamFacts
from emoreason.perception.face_geometry import ramp
from emoreason.schema import Cue, ModalityEvidence
from emoreason.schema.phrases import phrase

NOSE, L_SHOULDER, R_SHOULDER, L_WRIST, R_WRIST, L_HIP, R_HIP = 0, 11, 12, 15, 16, 23, 24
VISIBLE = 0.5


@dataclass
class _BodyFrame:
    time: float
    head_height: float | None
    lean: float | None
    openness: float | None
    hand_to_face: bool
    nose: np.ndarray | None
    shoulders: np.ndarray
    scale: float
    tilt: float  # shoulder line angle, degrees


@dataclass
class _State:
    seen: int = 0  # sampled frames offered
    sampled: int = 0  # frames the pose model ran on (every body_stride-th)
    frames: list[_BodyFrame] = field(default_factory=list)


class BodyExtractor(FrameExtractor):
    modality = "body"
    feature_names = (
        "frames_sampled", "frames_with_body", "body_coverage", "head_height", "slump",
        "lean_forward", "arm_openness", "hand_to_face_fraction", "head_motion", "body_motion",
        "shoulder_tilt_deg",
    )  # fmt: skip

    def __init__(self, config=None) -> None:
        super().__init__(config)
        self._pose = None
        self._lock = threading.Lock()
        self._state = _State()

    def load(self) -> None:
        """A fresh tracker (video mode: the person detector runs only when tracking is lost,
        about half the cost of detecting on every frame); one per clip so no state leaks."""
        with self._lock:
            import mediapipe as mp

            if self._pose is not None:
                self._pose.close()
            self._pose = mp.solutions.pose.Pose(
                static_image_mode=False, model_complexity=1, smooth_landmarks=False
            )

    def start(self, facts: StreamFacts) -> None:
        self.load()
        self._state = _State()

    def update(self, frame: SampledFrame) -> None:
        self._state.seen += 1
        if (self._state.seen - 1) % self.config.body_stride:
            return
        self._state.sampled += 1
        h, w = frame.rgb.shape[:2]
        result = self._pose.process(frame.rgb)
        if result.pose_landmarks is None:
            return
        lm = result.pose_landmarks.landmark
        pts = np.array([[p.x * w, p.y * h] for p in lm])  # (33, 2) pixels
        vis = np.array([p.visibility for p in lm])  # (33,)
        if vis[L_SHOULDER] < VISIBLE or vis[R_SHOULDER] < VISIBLE:
            return
        shoulders = (pts[L_SHOULDER] + pts[R_SHOULDER]) / 2
        scale = float(np.hypot(*(pts[L_SHOULDER] - pts[R_SHOULDER])))
        if scale < 4:
            return
        tilt = float(np.degrees(np.arctan2(*(pts[L_SHOULDER] - pts[R_SHOULDER])[::-1])))
        nose = pts[NOSE] if vis[NOSE] >= VISIBLE else None
        head = float((shoulders[1] - nose[1]) / scale) if nose is not None else None
        lean = None
        if vis[L_HIP] >= VISIBLE and vis[R_HIP] >= VISIBLE:
            hips = (pts[L_HIP] + pts[R_HIP]) / 2
            torso = shoulders - hips
            lean = float(np.degrees(np.arctan2(abs(torso[0]), -torso[1])) / 30.0)
        openness = None
        wrists_seen = vis[L_WRIST] >= VISIBLE and vis[R_WRIST] >= VISIBLE
        if wrists_seen:
            openness = float(np.hypot(*(pts[L_WRIST] - pts[R_WRIST])) / scale)
        near_face = False
        if nose is not None:
            for wrist in (L_WRIST, R_WRIST):
                if vis[wrist] >= VISIBLE and np.hypot(*(pts[wrist] - nose)) / scale < 0.6:
                    near_face = True
        self._state.frames.append(_BodyFrame(frame.time, head, lean, openness, near_face, nose,
                                             shoulders, scale, tilt))  # fmt: skip

    def finish(self, stats: FrameStats) -> ModalityEvidence:
        n, frames = self._state.sampled, self._state.frames
        if n == 0:
            return self.unavailable(phrase("video.no_frames"))
        if not frames:
            return self.unavailable(phrase("body.none_found", total=n), frames_analyzed=n)
        k = len(frames)

        def mean(values: list[float | None]) -> float | None:
            vals = [v for v in values if v is not None]
            return float(np.mean(vals)) if vals else None

        head = mean([f.head_height for f in frames])
        values = {
            "frames_sampled": n, "frames_with_body": k, "body_coverage": k / n,
            "head_height": head, "slump": ramp(head, 0.55, 0.25) if head is not None else None,
            "lean_forward": mean([f.lean for f in frames]),
            "arm_openness": mean([f.openness for f in frames]),
            "hand_to_face_fraction": sum(f.hand_to_face for f in frames) / k,
            "head_motion": _motion([(f.time, f.nose, f.scale) for f in frames if f.nose is not None]),
            "body_motion": _motion([(f.time, f.shoulders, f.scale) for f in frames]),
            "shoulder_tilt_deg": mean([min(abs(f.tilt), abs(180 - abs(f.tilt))) for f in frames]),
        }  # fmt: skip
        return ModalityEvidence(
            modality=self.modality, available=True,
            status_phrases=[phrase("body.found", frames=k, total=n)],
            features=self.declared(values), cues=_cues(values, frames), frames_analyzed=n,
        )  # fmt: skip


def _motion(track: list[tuple[float, np.ndarray, float]]) -> float | None:
    """Mean displacement per second between consecutive observations, in shoulder widths."""
    speeds = []
    for (t0, p0, s0), (t1, p1, s1) in itertools.pairwise(track):
        if t1 > t0:
            speeds.append(float(np.hypot(*(p1 - p0)) / ((s0 + s1) / 2) / (t1 - t0)))
    return float(np.mean(speeds)) if speeds else None


def _cues(v: dict, frames: list[_BodyFrame]) -> list[Cue]:
    k = len(frames)
    cues = []
    if v["slump"] is not None and v["slump"] >= 0.5:
        cues.append(
            Cue(
                name="slumped_posture",
                value=round(v["slump"], 2),
                phrase=phrase("body.slumped"),
            )
        )
    elif v["head_height"] is not None:
        cues.append(
            Cue(
                name="upright_posture",
                value=round(v["head_height"], 2),
                phrase=phrase("body.upright"),
            )
        )
    if v["lean_forward"] is not None and v["lean_forward"] >= 0.4:
        cues.append(
            Cue(
                name="posture_lean",
                value=round(v["lean_forward"] * 30, 1),
                unit="deg",
                phrase=phrase("body.lean", degrees=v["lean_forward"] * 30),
            )
        )
    hands = [f.time for f in frames if f.hand_to_face]
    if hands:
        cues.append(
            Cue(
                name="hand_to_face",
                value=len(hands),
                start=hands[0],
                end=hands[-1],
                phrase=phrase("body.hand_to_face", frames=len(hands), total=k, at=hands[0]),
            )
        )
    if v["arm_openness"] is not None:
        wide = v["arm_openness"] > 1.5
        kind = "open, arms apart" if wide else "closed, arms close to the body"
        cues.append(
            Cue(
                name="arms_open" if wide else "arms_closed",
                value=round(v["arm_openness"], 2),
                phrase=phrase("body.arms", posture=kind),
            )
        )
    motion = v["body_motion"]
    if motion is not None:
        kind = "still" if motion < 0.05 else "moving a lot" if motion > 0.3 else "moving a little"
        cues.append(
            Cue(
                name="body_motion",
                value=round(motion, 3),
                unit="shoulder widths/s",
                phrase=phrase("body.motion", kind=kind, speed=motion),
            )
        )
    return cues
