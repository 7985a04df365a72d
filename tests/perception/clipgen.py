"""Tiny synthetic clips for perception tests, written with PyAV (no external tools)."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from emoreason.perception.decode import iter_frames


def write_clip(
    path: Path,
    frames: Iterable[np.ndarray],
    fps: float = 10.0,
    *,
    times: list[float] | None = None,
    audio: np.ndarray | None = None,
    sample_rate: int = 16000,
    codec: str = "libx264",
) -> Path:
    """Encode RGB frames (H, W, 3 uint8) and optional mono float audio into an mp4/mkv.

    ``times`` gives each frame's presentation time (variable frame rate); default ``i / fps``.
    """
    frames = list(frames)
    h, w = frames[0].shape[:2]
    time_base = Fraction(1, 1000)
    with av.open(str(path), mode="w") as container:
        video = container.add_stream(codec, rate=round(fps))
        video.width, video.height, video.pix_fmt = w, h, "yuv420p"
        video.time_base = time_base
        video.codec_context.time_base = time_base  # keep irregular (VFR) times exact
        if codec == "libx264":
            video.options = {"preset": "ultrafast", "g": "25", "bf": "0"}
        astream = None
        if audio is not None:
            astream = container.add_stream("aac", rate=sample_rate)
            astream.layout = "mono"
        for i, rgb in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            t = times[i] if times is not None else i / fps
            frame.pts = round(t * 1000)
            frame.time_base = time_base
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        if astream is not None:
            pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
            step = 1024
            for start in range(0, len(pcm), step):
                chunk = pcm[start : start + step]
                aframe = av.AudioFrame.from_ndarray(chunk[None, :], format="s16", layout="mono")
                aframe.sample_rate = sample_rate
                aframe.pts = start
                for packet in astream.encode(aframe):
                    container.mux(packet)
            for packet in astream.encode():
                container.mux(packet)
    return path


def gradient_frames(n: int, w: int, h: int, seed: int = 0) -> list[np.ndarray]:
    """Moving colour gradients (faceless, compressible, some motion)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    out = []
    for i in range(n):
        r = (x * 255 // max(1, w - 1) + 8 * i) % 256
        g = (y * 255 // max(1, h - 1)) % 256
        b = np.full_like(r, int(rng.integers(0, 255)))
        out.append(np.stack([r, g, b], axis=-1).astype(np.uint8))
    return out


def face_crop(clip: Path, size: int = 256) -> np.ndarray:
    """The first face of an example clip: a square crop of twice its detected box, resized (RGB)."""
    import cv2
    import mediapipe as mp

    frame = next(iter_frames(clip, fps=1.0)).rgb
    h, w = frame.shape[:2]
    with mp.solutions.face_detection.FaceDetection(model_selection=1) as detector:
        box = detector.process(frame).detections[0].location_data.relative_bounding_box
    cx, cy = (box.xmin + box.width / 2) * w, (box.ymin + box.height / 2) * h
    half = int(max(box.width * w, box.height * h))
    x0, y0 = max(0, int(cx) - half), max(0, int(cy) - half)
    crop = frame[y0 : min(h, int(cy) + half), x0 : min(w, int(cx) + half)]
    return cv2.resize(crop, (size, size))


def tone(seconds: float, hz: float = 220.0, sr: int = 16000, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (level * np.sin(2 * np.pi * hz * t)).astype(np.float32)
