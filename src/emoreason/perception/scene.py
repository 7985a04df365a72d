"""Scene evidence: brightness, contrast, colour, motion energy and shot changes (numpy/OpenCV).

Per sampled frame, on a 64-px-high thumbnail (ours):

- brightness = mean luma / 255; contrast = luma std / 255;
- colourfulness = Hasler & Suesstrunk (2003) M = sqrt(s_rg^2 + s_yb^2) + 0.3 sqrt(m_rg^2 + m_yb^2)
  with rg = R - G, yb = (R + G)/2 - B, scaled by 1/255;
- warmth = mean(R - B) / 255 (> 0 warm, < 0 cool);
- motion energy = mean |luma_t - luma_{t-1}| / 255 per second between consecutive samples;
- shot change = Bhattacharyya distance between 32-bin luma+hue histograms of consecutive
  samples above 0.5.

``people_count`` is filled in by the runner from the face and body extractors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from emoreason.perception.base import FrameExtractor
from emoreason.perception.decode import FrameStats, SampledFrame, StreamFacts
from emoreason.schema import Cue, ModalityEvidence
from emoreason.schema.phrases import phrase

SHOT_DISTANCE = 0.5


def colourfulness(rgb: np.ndarray) -> float:
    """Hasler & Suesstrunk (2003) colourfulness of an (H, W, 3) uint8 image, scaled by 1/255."""
    r, g, b = (rgb[..., i].astype(np.float64) for i in range(3))
    rg, yb = r - g, (r + g) / 2 - b
    return float((np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean())) / 255.0)


def histogram(rgb: np.ndarray) -> np.ndarray:
    """Concatenated, normalised 32-bin luma and 32-bin hue histograms, float32 (64,)."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    h1 = cv2.calcHist([gray], [0], None, [32], [0, 256]).ravel()
    h2 = cv2.calcHist([hsv], [0], None, [32], [0, 180]).ravel()
    out = np.concatenate([h1 / max(h1.sum(), 1), h2 / max(h2.sum(), 1)]).astype(np.float32)
    return out


@dataclass
class _State:
    times: list[float] = field(default_factory=list)
    brightness: list[float] = field(default_factory=list)
    contrast: list[float] = field(default_factory=list)
    colour: list[float] = field(default_factory=list)
    warmth: list[float] = field(default_factory=list)
    motion: list[float] = field(default_factory=list)
    cuts: list[float] = field(default_factory=list)
    previous: tuple[float, np.ndarray, np.ndarray] | None = None


class SceneExtractor(FrameExtractor):
    modality = "scene"
    feature_names = (
        "frames_sampled", "brightness", "contrast", "colourfulness", "warmth", "motion_energy",
        "shot_changes", "people_count",
    )  # fmt: skip

    def __init__(self, config=None) -> None:
        super().__init__(config)
        self._state = _State()

    def start(self, facts: StreamFacts) -> None:
        self._state = _State()

    def update(self, frame: SampledFrame) -> None:
        st = self._state
        h, w = frame.rgb.shape[:2]
        small = cv2.resize(frame.rgb, (max(2, int(64 * w / h)), 64), interpolation=cv2.INTER_AREA)
        gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32)
        st.times.append(frame.time)
        st.brightness.append(float(gray.mean() / 255))
        st.contrast.append(float(gray.std() / 255))
        st.colour.append(colourfulness(small))
        st.warmth.append(float((small[..., 0].astype(np.float32) - small[..., 2]).mean() / 255))
        hist = histogram(small)
        if st.previous is not None:
            t0, gray0, hist0 = st.previous
            if gray0.shape == gray.shape and frame.time > t0:
                st.motion.append(float(np.abs(gray - gray0).mean() / 255 / (frame.time - t0)))
            distance = cv2.compareHist(hist0, hist, cv2.HISTCMP_BHATTACHARYYA) / 2 + cv2.compareHist(
                hist0[32:], hist[32:], cv2.HISTCMP_BHATTACHARYYA) / 2  # fmt: skip
            if distance > SHOT_DISTANCE:
                st.cuts.append(frame.time)
        st.previous = (frame.time, gray, hist)

    def finish(self, stats: FrameStats) -> ModalityEvidence:
        st = self._state
        n = len(st.times)
        if n == 0:
            return self.unavailable(phrase("video.no_frames"))
        v = {
            "frames_sampled": n, "brightness": float(np.mean(st.brightness)),
            "contrast": float(np.mean(st.contrast)), "colourfulness": float(np.mean(st.colour)),
            "warmth": float(np.mean(st.warmth)),
            "motion_energy": float(np.mean(st.motion)) if st.motion else 0.0,
            "shot_changes": float(len(st.cuts)),
        }  # fmt: skip
        return ModalityEvidence(
            modality=self.modality, available=True,
            status_phrases=[
                phrase("scene.sampled", frames=n, seconds=st.times[-1], decoded=stats.decoded)
            ],
            features=self.declared(v), cues=_cues(v, st), frames_analyzed=n,
            extra={"shot_change_times": [round(t, 3) for t in st.cuts]},
        )  # fmt: skip


def _cues(v: dict, st: _State) -> list[Cue]:
    light = (
        "dark"
        if v["brightness"] < 0.25
        else "bright"
        if v["brightness"] > 0.65
        else "moderately lit"
    )
    colour = (
        "muted, low-colour"
        if v["colourfulness"] < 0.1
        else "vivid"
        if v["colourfulness"] > 0.35
        else "moderately colourful"
    )
    tone = "warm" if v["warmth"] > 0.05 else "cool" if v["warmth"] < -0.05 else "neutral"
    motion = v["motion_energy"]
    movement = (
        "static" if motion < 0.01 else "lively, much movement" if motion > 0.08 else "some movement"
    )
    cues = [
        Cue(name="brightness", value=round(v["brightness"], 3),
            phrase=phrase("scene.brightness", light=light, brightness=v["brightness"],
                          contrast=v["contrast"])),
        Cue(name="colour", value=round(v["colourfulness"], 3),
            phrase=phrase("scene.colour", colour=colour, tone=tone)),
        Cue(name="motion", value=round(motion, 4),
            phrase=phrase("scene.motion", movement=movement, energy=motion)),
    ]  # fmt: skip
    if st.cuts:
        cues.append(
            Cue(
                name="shot_changes",
                value=len(st.cuts),
                start=st.cuts[0],
                phrase=phrase("scene.shots", count=len(st.cuts), at=st.cuts[:5]),
            )
        )
    else:
        cues.append(Cue(name="shot_changes", value=0, phrase=phrase("scene.single_shot")))
    return cues
