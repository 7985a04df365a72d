"""Display rotation and cut/damaged files: frames are turned upright, a file decoded only in part
says so in its evidence and counts for less. Clips are generated here with PyAV (tiny)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from clipgen import face_crop, gradient_frames, tone

from emoreason.perception import Perceiver, PerceptionConfig
from emoreason.perception.decode import iter_frames, probe
from emoreason.perception.runner import COMPLETE_COVERAGE, clip_coverage
from emoreason.reasoning.evidence_text import evidence_text


def write_stored(
    path: Path,
    frames: list[np.ndarray],
    *,
    rotation: int | None = None,
    fps: int = 10,
    audio: np.ndarray | None = None,
    faststart: bool = False,
) -> Path:
    """Encode frames as stored (no turning); ``rotation`` is written as the display matrix."""
    h, w = frames[0].shape[:2]
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", options=options) as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = w, h, "yuv420p"
        video.options = {"preset": "ultrafast"}
        if rotation is not None:
            video.set_display_rotation(rotation)
        sound = None
        if audio is not None:
            sound = container.add_stream("aac", rate=16000)
            sound.layout = "mono"
        for rgb in frames:
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        if sound is not None and audio is not None:
            pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
            for start in range(0, len(pcm), 1024):
                chunk = av.AudioFrame.from_ndarray(pcm[None, start : start + 1024], "s16", "mono")
                chunk.sample_rate, chunk.pts = 16000, start
                for packet in sound.encode(chunk):
                    container.mux(packet)
            for packet in sound.encode():
                container.mux(packet)
    return path


def marked(h: int = 48, w: int = 80) -> np.ndarray:
    """A grey picture with a white block in its top-left corner (orientation is readable)."""
    rgb = np.full((h, w, 3), 90, np.uint8)
    rgb[: h // 3, : w // 4] = 255
    return rgb


def _corner_means(rgb: np.ndarray) -> list[float]:
    h, w = rgb.shape[0] // 4, rgb.shape[1] // 4
    return [float(rgb[:h, :w].mean()), float(rgb[:h, -w:].mean()),
            float(rgb[-h:, :w].mean()), float(rgb[-h:, -w:].mean())]  # fmt: skip


@pytest.mark.parametrize("rotation", [90, -90, 180])
def test_frames_stored_sideways_are_turned_upright(tmp_path, rotation) -> None:
    upright = marked()
    # a player turns the stored picture counter-clockwise by `rotation`: store the inverse turn
    stored = np.rot90(upright, k=-(rotation // 90))
    path = write_stored(tmp_path / "sideways.mp4", [stored] * 3, rotation=rotation)
    facts = probe(path)
    assert (facts.width, facts.height) == (80, 48)
    assert facts.rotation % 360 == rotation % 360
    frame = next(iter_frames(path, fps=10)).rgb
    assert frame.shape[:2] == (48, 80)
    corners = _corner_means(frame)
    assert corners[0] > 200 and max(corners[1:]) < 140  # the white block is top-left again


def test_unrotated_clip_is_left_as_stored(tmp_path) -> None:
    path = write_stored(tmp_path / "plain.mp4", [marked()] * 2)
    assert probe(path).rotation == 0
    assert _corner_means(next(iter_frames(path, fps=10)).rgb)[0] > 200


def test_face_in_a_sideways_phone_clip_is_found_as_upright(tmp_path, clips_dir) -> None:
    face = face_crop(clips_dir / "sad_consistent.mp4", size=200)
    canvas = np.full((240, 320, 3), 200, np.uint8)
    canvas[20:220, 60:260] = face
    perceiver = Perceiver(PerceptionConfig(stages=("face",)))
    upright = perceiver.perceive(write_stored(tmp_path / "up.mp4", [canvas] * 4, fps=2))
    sideways_path = write_stored(
        tmp_path / "side.mp4", [np.rot90(canvas, k=1)] * 4, rotation=-90, fps=2
    )
    sideways = perceiver.perceive(sideways_path)
    up, side = upright.modalities["face"], sideways.modalities["face"]
    assert up.features["frames_with_face"] >= 3
    assert side.features["frames_with_face"] == up.features["frames_with_face"]
    assert sideways.clip.rotation == 270
    assert (sideways.clip.width, sideways.clip.height) == (320, 240)


def test_clip_coverage_rule() -> None:
    assert clip_coverage(7.1, 3.3) == pytest.approx(3.3 / 7.1, abs=1e-3)
    assert clip_coverage(7.1, 7.05) == 1.0  # within the slack
    assert clip_coverage(20.0, COMPLETE_COVERAGE * 20.0) == 1.0
    assert clip_coverage(0.0, 1.0) == 1.0 and clip_coverage(5.0, None) == 1.0


def test_cut_file_states_decoded_vs_declared_and_counts_less(tmp_path) -> None:
    frames = gradient_frames(60, 64, 48)
    whole = write_stored(tmp_path / "whole.mp4", frames, audio=tone(6.0), faststart=True)
    data = whole.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])  # the index (moov) is at the front
    perceiver = Perceiver(PerceptionConfig(stages=("scene", "acoustic"), max_frames=30))
    full_ev, cut_ev = perceiver.perceive(whole), perceiver.perceive(cut)
    assert full_ev.clip.coverage == 1.0 and not full_ev.clip.incomplete
    assert full_ev.provenance is not None and full_ev.provenance.perception["max_frames"] == 30
    clip = cut_ev.clip
    assert clip.duration == pytest.approx(6.0, abs=0.2)  # what the container declares
    assert clip.decoded_duration is not None and 2.0 < clip.decoded_duration < 5.0
    assert clip.coverage == pytest.approx(clip.decoded_duration / clip.duration, abs=0.01)
    for name, h in cut_ev.hypotheses.items():
        assert h.confidence <= full_ev.hypotheses[name].confidence * clip.coverage + 0.05
    text = evidence_text(cut_ev)
    assert f"Only {clip.decoded_duration:.1f} of {clip.duration:.1f} s decoded" in text
