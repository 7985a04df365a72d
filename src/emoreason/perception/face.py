"""Face evidence: MediaPipe face detection (faces counted, largest = primary), 478-point mesh on the
primary face (head pose, gaze and facial-action proxies measured with the head's rotation removed;
:mod:`face_geometry`, :mod:`face_actions`) and the 7-class FER2013 expression model (the ``fer``
package's quantised tflite, run with ai-edge-litert).

Per sampled frame the mesh measures and the FER reading are kept; at the end of the clip the
action proxies are read against a per-person baseline (the clip's calmest frames, when there are
enough), each frame's two readings are fused (:mod:`face_fusion`) into a timeline point, and the
clip gets means, active fractions and peak frames, each stated in a cue. Frames whose head is
turned beyond 45 degrees (or tilted beyond 35) are counted but not read.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import cv2
import numpy as np

from emoreason.assets.models import model_path
from emoreason.perception import face_fusion as fusion
from emoreason.perception.base import FrameExtractor
from emoreason.perception.decode import FrameStats, SampledFrame, StreamFacts
from emoreason.perception.face_actions import (
    ACTION_NAMES,
    ACTIONS,
    action_intensities,
    action_scores,
    clip_baseline,
    describe_actions,
)
from emoreason.perception.face_geometry import RAW_NAMES, raw_measures
from emoreason.perception.hypotheses import face_frame_scores, fer_distribution
from emoreason.schema import EMOTIONS, Cue, ModalityEvidence, TimelinePoint
from emoreason.schema.phrases import phrase

TINY_SIDE = 96  # below this (pixels, shorter side) face detection is unreliable


@dataclass
class _FaceFrame:
    time: float
    faces: int
    box_area: float  # fraction of the frame
    side_px: float  # shorter side of the face box
    fer: dict[str, float] | None
    raw: dict[str, float]
    # filled at the end of the clip (the baseline needs every frame)
    aus: dict[str, float] = field(default_factory=dict)
    actions: dict[str, float] | None = None
    scores: dict[str, float] | None = None  # None: pose too extreme to read
    quality: float = 0.0


@dataclass
class _State:
    facts: StreamFacts | None = None
    sampled: int = 0
    frames: list[_FaceFrame] = field(default_factory=list)
    max_faces: int = 0
    min_side: int = 10**9


class FaceExtractor(FrameExtractor):
    modality = "face"
    feature_names = (
        "frames_sampled", "frames_with_face", "face_coverage", "max_faces_in_frame",
        "mean_faces", "face_area_fraction", "expression_change", "frames_readable",
        "face_quality", "face_reliability", "baseline_frames",
        *(f"p_{e}" for e in EMOTIONS), *(f"fer_{e}" for e in EMOTIONS),
        *(f"act_{e}" for e in EMOTIONS), *(f"au_{a}" for a in ACTION_NAMES), *RAW_NAMES,
    )  # fmt: skip

    def __init__(self, config=None) -> None:
        super().__init__(config)
        self._lock = threading.Lock()
        self._detector = self._mesh = self._fer = None
        self._state = _State()

    # -- models (loaded once, lazily) ---------------------------------------------------------
    def load(self) -> None:
        with self._lock:
            if self._detector is not None:
                return
            import mediapipe as mp
            from ai_edge_litert.interpreter import Interpreter

            self._detector = mp.solutions.face_detection.FaceDetection(
                model_selection=1, min_detection_confidence=self.config.min_face_confidence
            )
            self._mesh = mp.solutions.face_mesh.FaceMesh(
                static_image_mode=True, max_num_faces=1, refine_landmarks=True
            )
            path = model_path("fer-7class", self.config.fer_model)
            self._fer = Interpreter(model_path=str(path), num_threads=1)
            self._fer.allocate_tensors()

    def classify_expression(self, gray_face: np.ndarray) -> dict[str, float]:
        """FER2013 preprocessing: 64x64 grey, scaled to [-1, 1]; returns our label distribution."""
        inp = self._fer.get_input_details()[0]
        out = self._fer.get_output_details()[0]
        _, height, width, _ = inp["shape"]
        face = cv2.resize(gray_face, (int(width), int(height))).astype(np.float32)
        face = (face / 255.0 - 0.5) * 2.0
        self._fer.set_tensor(inp["index"], face[None, :, :, None])  # (H, W) -> (1, H, W, 1)
        self._fer.invoke()
        return fer_distribution(self._fer.get_tensor(out["index"])[0])

    # -- frame loop ---------------------------------------------------------------------------
    def start(self, facts: StreamFacts) -> None:
        self.load()
        self._state = _State(facts=facts)

    def update(self, frame: SampledFrame) -> None:
        st = self._state
        st.sampled += 1
        rgb = frame.rgb
        h, w = rgb.shape[:2]
        st.min_side = min(st.min_side, h, w)
        result = self._detector.process(rgb)
        detections = (result.detections or [])[: self.config.max_faces]
        if not detections:
            return
        boxes = []
        for det in detections:
            bb = det.location_data.relative_bounding_box
            x0, y0 = max(0, int(bb.xmin * w)), max(0, int(bb.ymin * h))
            x1, y1 = min(w, int((bb.xmin + bb.width) * w)), min(h, int((bb.ymin + bb.height) * h))
            if x1 - x0 >= 8 and y1 - y0 >= 8:
                boxes.append((x0, y0, x1, y1))
        if not boxes:
            return
        st.max_faces = max(st.max_faces, len(boxes))
        x0, y0, x1, y1 = max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
        bw, bh = x1 - x0, y1 - y0
        pad_x, pad_y = int(0.1 * bw), int(0.1 * bh)
        gray = cv2.cvtColor(rgb[max(0, y0 - pad_y) : y1 + pad_y, max(0, x0 - pad_x) : x1 + pad_x],
                            cv2.COLOR_RGB2GRAY)  # fmt: skip
        fer = self.classify_expression(gray) if gray.size else None
        st.frames.append(_FaceFrame(
            time=frame.time, faces=len(boxes), box_area=bw * bh / (w * h), side_px=min(bw, bh),
            fer=fer, raw=self._mesh_measures(rgb, (x0, y0, x1, y1)),
        ))  # fmt: skip

    def _mesh_measures(self, rgb: np.ndarray, box: tuple[int, int, int, int]):
        """Mesh on a crop around the primary face (so the largest face is the one measured)."""
        h, w = rgb.shape[:2]
        x0, y0, x1, y1 = box
        mx, my = int(0.6 * (x1 - x0)), int(0.6 * (y1 - y0))
        cx0, cy0 = max(0, x0 - mx), max(0, y0 - my)
        crop = np.ascontiguousarray(rgb[cy0 : min(h, y1 + my), cx0 : min(w, x1 + mx)])
        result = self._mesh.process(crop)
        if not result.multi_face_landmarks:
            return {}
        ch, cw = crop.shape[:2]
        lm = result.multi_face_landmarks[0].landmark
        points = np.array([[p.x * cw, p.y * ch, p.z * cw] for p in lm])  # (478, 3) px, z as x
        return raw_measures(points)

    def finish(self, stats: FrameStats) -> ModalityEvidence:
        st = self._state
        n, frames = st.sampled, st.frames
        if n == 0:
            return self.unavailable(phrase("video.no_frames"))
        tiny = st.min_side < TINY_SIDE
        if not frames:
            none = (
                phrase("face.none_found_tiny", total=n, height=st.min_side)
                if tiny
                else phrase("face.none_found", total=n)
            )
            return self.unavailable(none, frames_analyzed=n)
        baseline = read_frames(frames)
        return self._summarise(n, frames, st.max_faces, tiny, baseline)

    def _summarise(
        self, n: int, frames: list[_FaceFrame], max_faces: int, tiny: bool, baseline: int
    ) -> ModalityEvidence:
        k = len(frames)
        read = [f for f in frames if f.scores is not None]
        fer_frames = [f for f in read if f.fer is not None]
        act_frames = [f for f in read if f.actions is not None]
        weights = [f.quality for f in read]
        pooled = fusion.pool_frames([f.scores for f in read], weights)
        fer_mean = fusion.pool_frames([f.fer for f in fer_frames], [f.quality for f in fer_frames])
        act_mean = fusion.pool_frames([f.actions for f in act_frames],
                                      [f.quality for f in act_frames])  # fmt: skip
        top = max(pooled, key=lambda e: pooled[e])
        reliability = fusion.class_reliability(
            top, fer_mean if fer_frames else None, act_mean if act_frames else None
        )
        scores = np.array([[f.scores[e] for e in EMOTIONS] for f in read])  # (r, 7)
        values: dict[str, float | None] = {
            "frames_sampled": n, "frames_with_face": k, "face_coverage": k / n,
            "max_faces_in_frame": max_faces, "mean_faces": float(np.mean([f.faces for f in frames])),
            "face_area_fraction": float(np.mean([f.box_area for f in frames])),
            "expression_change": float(np.abs(np.diff(scores, axis=0)).sum(1).mean())
            if len(read) > 1 else 0.0,
            "frames_readable": len(read), "baseline_frames": baseline,
            "face_quality": float(np.mean(weights)) if read else None,
            "face_reliability": reliability if read else None,
        }  # fmt: skip
        if read:
            values |= {f"p_{e}": pooled[e] for e in EMOTIONS}
        if fer_frames:
            values |= {f"fer_{e}": fer_mean[e] for e in EMOTIONS}
        if act_frames:
            values |= {f"act_{e}": act_mean[e] for e in EMOTIONS}
        for a in ACTIONS.values():
            vals = [f.aus[a.code] for f in frames if a.code in f.aus]
            values[f"au_{a.name}"] = float(np.mean(vals)) if vals else None
        for name in RAW_NAMES:
            vals = [f.raw[name] for f in frames if name in f.raw]
            values[name] = float(np.mean(vals)) if vals else None
        cues = self._cues(n, frames, read, max_faces, values)
        if fer_frames and act_frames:
            cues += _disagreement_cue(fer_mean, act_mean, act_frames)
        status = [phrase("face.found", frames=k, total=n)]
        if max_faces > 1:
            status.append(phrase("face.several_in_frame", faces=max_faces))
        if tiny:
            status.append(phrase("face.small_frames"))
        timeline = [TimelinePoint(time=f.time, scores={e: round(f.scores[e], 4) for e in EMOTIONS})
                    for f in read]  # fmt: skip
        return ModalityEvidence(
            modality=self.modality, available=True, status_phrases=status,
            features=self.declared(values), cues=cues, timeline=timeline, frames_analyzed=n,
            extra={"peak_frames": {c.name: c.start for c in cues if c.start is not None}},
        )  # fmt: skip

    def _cues(self, n, frames, read, max_faces, values) -> list[Cue]:
        k = len(frames)
        times = np.array([f.time for f in frames])
        cues: list[Cue] = []
        fer_frames = [f for f in read if f.fer is not None]
        if fer_frames:
            labels = [max(f.fer, key=f.fer.get) for f in fer_frames]
            top = max(set(labels), key=labels.count)
            probs = np.array([f.fer[top] for f in fer_frames])
            peak = fer_frames[int(probs.argmax())].time
            cues.append(Cue(
                name=f"expression_{top}", value=round(float(probs.mean()), 3), start=peak,
                confidence=round(float(probs.mean()), 3),
                phrase=phrase("face.expression", label=top, frames=labels.count(top),
                              total=len(fer_frames), mean=probs.mean(), peak=probs.max(), at=peak),
            ))  # fmt: skip
        for a in ACTIONS.values():
            vals = np.array([f.aus.get(a.code, 0.0) for f in frames])
            active = int((vals >= 0.5).sum())
            if active < max(1, 0.2 * k):
                continue
            peak = float(times[int(vals.argmax())])
            cues.append(Cue(
                name=a.name, value=round(float(vals.mean()), 3), start=peak,
                confidence=round(float(min(1.0, active / k + 0.2)), 3),
                phrase=phrase("face.action", action=a.phrase, frames=active, total=k, at=peak),
            ))  # fmt: skip
        cues += _pose_cues(values)
        extreme = k - len(read)
        if extreme:
            cues.append(Cue(
                name="pose_too_extreme", value=extreme,
                phrase=phrase("face.pose_extreme", yaw_limit=fusion.MAX_YAW_DEG,
                              pitch_limit=fusion.MAX_PITCH_DEG, frames=extreme, total=k),
            ))  # fmt: skip
        if max_faces > 1:
            cues.append(
                Cue(
                    name="several_faces",
                    value=max_faces,
                    phrase=phrase("face.several", faces=max_faces),
                )
            )
        if k < n:
            cues.append(
                Cue(
                    name="face_missing",
                    value=n - k,
                    phrase=phrase("face.missing", missing=n - k, total=n),
                )
            )
        return cues


def read_frames(frames: list[_FaceFrame]) -> int:
    """Fill each frame's action intensities, action reading, fused scores and quality; returns how
    many calm frames set the per-person baseline (0: population norms)."""
    with_mesh = [f for f in frames if f.raw]
    neutral = [f.fer["neutral"] if f.fer is not None else None for f in with_mesh]
    baseline = clip_baseline([f.raw for f in with_mesh], neutral)
    for f in frames:
        yaw, pitch = f.raw.get("head_yaw_deg"), f.raw.get("head_pitch_deg")
        if f.raw:
            f.aus = action_intensities(f.raw, baseline)
            f.actions = action_scores(f.aus)
        if fusion.pose_readable(yaw, pitch) and (f.fer is not None or f.actions is not None):
            f.scores = face_frame_scores(f.fer, f.actions)
            f.quality = fusion.frame_quality(f.side_px, yaw, pitch)
    return max(3, len(with_mesh) // 3) if baseline else 0


def _disagreement_cue(fer: dict, actions: dict, act_frames: list[_FaceFrame]) -> list[Cue]:
    pair = fusion.disagreement(fer, actions)
    if pair is None:
        return []
    model, formed = pair
    peak = max(act_frames, key=lambda f: f.actions[formed])
    parts = describe_actions(peak.aus, formed) or ["the facial actions"]
    return [Cue(
        name="face_readers_disagree", value=round(actions[formed], 3), start=peak.time,
        phrase=phrase("face.readers_disagree", model=model, model_p=fer[model], formed=formed,
                      formed_p=actions[formed], actions=parts),
    )]  # fmt: skip


def _pose_cues(v: dict[str, float | None]) -> list[Cue]:
    cues = []
    yaw, pitch, roll = v.get("head_yaw_deg"), v.get("head_pitch_deg"), v.get("head_roll_deg")
    if yaw is not None and abs(yaw) >= 15:
        side = "to the image left" if yaw < 0 else "to the image right"
        cues.append(
            Cue(
                name="head_turned",
                value=round(yaw, 1),
                unit="deg",
                phrase=phrase("face.head_turned", side=side, degrees=abs(yaw)),
            )
        )
    if pitch is not None and pitch >= 15:
        cues.append(Cue(name="head_down", value=round(pitch, 1), unit="deg",
                        phrase=phrase("face.head_down")))  # fmt: skip
    if pitch is not None and pitch <= -15:
        cues.append(Cue(name="head_up", value=round(pitch, 1), unit="deg",
                        phrase=phrase("face.head_up")))  # fmt: skip
    if roll is not None and abs(roll) >= 12:
        cues.append(
            Cue(
                name="head_tilt",
                value=round(roll, 1),
                unit="deg",
                phrase=phrase("face.head_tilt", degrees=abs(roll)),
            )
        )
    gaze = v.get("gaze_horizontal")
    if gaze is not None and abs(gaze) >= 0.35:
        cues.append(
            Cue(
                name="gaze_averted",
                value=round(gaze, 2),
                phrase=phrase(
                    "face.gaze_averted",
                    side="to the image left" if gaze < 0 else "to the image right",
                ),
            )
        )
    return cues
