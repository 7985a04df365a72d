"""Face evidence: MediaPipe face detection (faces counted, largest = primary), 478-point mesh on the
primary face (AU proxies, head pose, gaze; :mod:`face_geometry`) and the 7-class FER2013
expression model (the ``fer`` package's quantised tflite, run with ai-edge-litert).

Per sampled frame -> a timeline point (face distribution, :func:`hypotheses.face_frame_scores`);
per clip -> means, active fractions and peak frames, each stated in a cue.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from emoreason.errors import ModelNotFoundError
from emoreason.perception.base import FrameExtractor, fmt_time
from emoreason.perception.decode import FrameStats, SampledFrame, StreamFacts
from emoreason.perception.face_geometry import AU_NAMES, RAW_NAMES, au_intensities, raw_measures
from emoreason.perception.hypotheses import face_frame_scores, fer_distribution
from emoreason.schema import EMOTIONS, Cue, ModalityEvidence, TimelinePoint

AU_PHRASES: dict[str, str] = {
    "inner_brow_raiser": "inner brows raised",
    "outer_brow_raiser": "outer brows raised",
    "brow_lowerer": "brows drawn together and lowered",
    "lid_tightener": "eyes narrowed or closed",
    "upper_lid_raiser": "eyes widened",
    "lip_corner_puller": "lip corners pulled up",
    "lip_corner_depressor": "lip corners pulled down",
    "lip_pressor": "lips pressed together",
    "jaw_drop": "jaw dropped, mouth open",
}
TINY_SIDE = 96  # below this (pixels, shorter side) face detection is unreliable


@dataclass
class _FaceFrame:
    time: float
    faces: int
    box_area: float  # fraction of the frame
    fer: dict[str, float] | None
    aus: dict[str, float]
    raw: dict[str, float]
    scores: dict[str, float]


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
        "mean_faces", "face_area_fraction", "expression_change",
        *(f"p_{e}" for e in EMOTIONS), *(f"fer_{e}" for e in EMOTIONS),
        *(f"au_{a}" for a in AU_NAMES), *RAW_NAMES,
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
            path = Path(self.config.fer_model) if self.config.fer_model else _shipped_fer()
            if not path.exists():
                raise ModelNotFoundError(f"{path}: expression model (.tflite) not found")
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
        raw, aus = self._mesh_measures(rgb, (x0, y0, x1, y1))
        st.frames.append(_FaceFrame(
            time=frame.time, faces=len(boxes), box_area=bw * bh / (w * h), fer=fer, aus=aus,
            raw=raw, scores=face_frame_scores(fer, aus),
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
            return {}, {}
        ch, cw = crop.shape[:2]
        lm = result.multi_face_landmarks[0].landmark
        points = np.array([[p.x * cw, p.y * ch] for p in lm], dtype=np.float64)  # (478, 2) px
        raw = raw_measures(points)
        return raw, au_intensities(raw)

    def finish(self, stats: FrameStats) -> ModalityEvidence:
        st = self._state
        n, frames = st.sampled, st.frames
        if n == 0:
            return self.unavailable("no video frames could be sampled")
        tiny = st.min_side < TINY_SIDE
        if not frames:
            note = (
                f" (frames are only {st.min_side} px high: too small for reliable detection)"
                if tiny
                else ""
            )
            return self.unavailable(
                f"no face detected in 0/{n} sampled frames{note}", frames_analyzed=n
            )
        return self._summarise(n, frames, st.max_faces, tiny)

    def _summarise(
        self, n: int, frames: list[_FaceFrame], max_faces: int, tiny: bool
    ) -> ModalityEvidence:
        k = len(frames)
        times = np.array([f.time for f in frames])
        scores = np.array([[f.scores[e] for e in EMOTIONS] for f in frames])  # (k, 7)
        fer_frames = [f for f in frames if f.fer is not None]
        values: dict[str, float | None] = {
            "frames_sampled": n, "frames_with_face": k, "face_coverage": k / n,
            "max_faces_in_frame": max_faces, "mean_faces": float(np.mean([f.faces for f in frames])),
            "face_area_fraction": float(np.mean([f.box_area for f in frames])),
            "expression_change": float(np.abs(np.diff(scores, axis=0)).sum(1).mean()) if k > 1 else 0.0,
        }  # fmt: skip
        values |= {f"p_{e}": float(scores[:, i].mean()) for i, e in enumerate(EMOTIONS)}
        if fer_frames:
            values |= {f"fer_{e}": float(np.mean([f.fer[e] for f in fer_frames])) for e in EMOTIONS}
        for name in AU_NAMES:
            vals = [f.aus[name] for f in frames if name in f.aus]
            values[f"au_{name}"] = float(np.mean(vals)) if vals else None
        for name in RAW_NAMES:
            vals = [f.raw[name] for f in frames if name in f.raw]
            values[name] = float(np.mean(vals)) if vals else None
        cues = self._cues(n, frames, times, scores, fer_frames, max_faces, values)
        status = f"face found in {k}/{n} sampled frames"
        if max_faces > 1:
            status += f"; up to {max_faces} faces in a frame (the largest is analysed)"
        if tiny:
            status += "; frames are very small, measurements are rough"
        timeline = [TimelinePoint(time=f.time, scores={e: round(f.scores[e], 4) for e in EMOTIONS})
                    for f in frames]  # fmt: skip
        return ModalityEvidence(
            modality=self.modality, available=True, status=status,
            features=self.declared(values), cues=cues, timeline=timeline, frames_analyzed=n,
            extra={"peak_frames": {c.name: c.start for c in cues if c.start is not None}},
        )  # fmt: skip

    def _cues(self, n, frames, times, scores, fer_frames, max_faces, values) -> list[Cue]:
        k = len(frames)
        cues: list[Cue] = []
        if fer_frames:
            labels = [max(f.fer, key=f.fer.get) for f in fer_frames]
            top = max(set(labels), key=labels.count)
            probs = np.array([f.fer[top] for f in fer_frames])
            peak = fer_frames[int(probs.argmax())].time
            cues.append(Cue(
                name=f"expression_{top}", value=round(float(probs.mean()), 3), start=peak,
                confidence=round(float(probs.mean()), 3),
                description=f"expression model reads '{top}' in {labels.count(top)}/{len(fer_frames)} "
                f"face frames (mean p={probs.mean():.2f}, peak {probs.max():.2f} at {fmt_time(peak)})",
            ))  # fmt: skip
        for name in AU_NAMES:
            vals = np.array([f.aus.get(name, 0.0) for f in frames])
            active = int((vals >= 0.5).sum())
            if active < max(1, 0.2 * k):
                continue
            peak = float(times[int(vals.argmax())])
            cues.append(Cue(
                name=name, value=round(float(vals.mean()), 3), start=peak,
                confidence=round(float(min(1.0, active / k + 0.2)), 3),
                description=f"{AU_PHRASES[name]} in {active}/{k} face frames (peak at {fmt_time(peak)})",
            ))  # fmt: skip
        cues += _pose_cues(values)
        if max_faces > 1:
            cues.append(
                Cue(
                    name="several_faces",
                    value=max_faces,
                    description=f"up to {max_faces} faces visible; the largest is analysed",
                )
            )
        if k < n:
            cues.append(
                Cue(
                    name="face_missing",
                    value=n - k,
                    description=f"no face in {n - k}/{n} sampled frames",
                )
            )
        return cues


def _pose_cues(v: dict[str, float | None]) -> list[Cue]:
    cues = []
    yaw, pitch, roll = v.get("head_yaw_deg"), v.get("head_pitch_ratio"), v.get("head_roll_deg")
    if yaw is not None and abs(yaw) >= 15:
        side = "to the image left" if yaw < 0 else "to the image right"
        cues.append(
            Cue(
                name="head_turned",
                value=round(yaw, 1),
                unit="deg",
                description=f"head turned {side} (about {abs(yaw):.0f} degrees)",
            )
        )
    if pitch is not None and pitch > 0.45:
        cues.append(Cue(name="head_down", value=round(pitch, 3), description="head tilted down"))
    if pitch is not None and pitch < 0.25:
        cues.append(Cue(name="head_up", value=round(pitch, 3), description="head tilted up"))
    if roll is not None and abs(roll) >= 12:
        cues.append(
            Cue(
                name="head_tilt",
                value=round(roll, 1),
                unit="deg",
                description=f"head tilted sideways ({abs(roll):.0f} degrees)",
            )
        )
    gaze = v.get("gaze_horizontal")
    if gaze is not None and abs(gaze) >= 0.35:
        cues.append(
            Cue(
                name="gaze_averted",
                value=round(gaze, 2),
                description="gaze averted "
                + ("to the image left" if gaze < 0 else "to the image right"),
            )
        )
    return cues


def _shipped_fer() -> Path:
    from emoreason.assets import fer_model_path

    return fer_model_path()
