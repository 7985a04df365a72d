"""Decoding and the awkward inputs: VFR, tiny/huge frames, several faces, long clips, audio-only,
bad files. Clips are generated here with PyAV (tiny, a few frames)."""

from __future__ import annotations

import numpy as np
import pytest
from clipgen import face_crop, gradient_frames, tone, write_clip

from emoreason.errors import MediaError
from emoreason.perception import Perceiver, PerceptionConfig, SceneExtractor
from emoreason.perception.decode import FrameStats, decode_audio, iter_frames, probe


@pytest.fixture(scope="module")
def light_perceiver() -> Perceiver:
    """Scene + acoustic only (no heavy models), opensmile windows of 10 s."""
    return Perceiver(
        PerceptionConfig(stages=("scene", "acoustic"), window_seconds=10, max_frames=30)
    )


@pytest.fixture(scope="module")
def visual_perceiver() -> Perceiver:
    """Face, body and scene only (MediaPipe + the expression model; no speech models)."""
    return Perceiver(PerceptionConfig(stages=("face", "body", "scene")))


def naive_grid(times: list[float], fps: float) -> list[float]:
    """For each instant k/fps, the first frame at or after it (each frame taken once)."""
    chosen: list[float] = []
    k = 0
    while k / fps <= max(times):
        later = [t for t in times if t + 1e-6 >= k / fps]
        if later and (not chosen or later[0] > chosen[-1]):
            chosen.append(later[0])
        k += 1
    return chosen


def test_variable_frame_rate_sampling_matches_naive_grid(tmp_path, light_perceiver) -> None:
    rng = np.random.default_rng(1)
    times = list(np.round(np.cumsum(rng.uniform(0.02, 0.3, size=40)), 3))
    path = write_clip(tmp_path / "vfr.mp4", gradient_frames(40, 64, 48), times=times)
    stats = FrameStats()
    got = [f.time for f in iter_frames(path, fps=4.0, keep_keyframes=False, stats=stats)]
    decoded = [f.time for f in iter_frames(path, fps=30.0, keep_keyframes=False)]
    assert got == pytest.approx(naive_grid(decoded, 4.0), abs=1e-6)
    assert stats.decoded == 40 and stats.variable_frame_rate
    ev = light_perceiver.perceive(path)
    assert ev.clip.variable_frame_rate and ev.clip.frames_sampled > 0
    cfr = write_clip(tmp_path / "cfr.mp4", gradient_frames(20, 64, 48), fps=10)
    cfr_stats = FrameStats()
    list(iter_frames(cfr, fps=2.0, stats=cfr_stats))
    assert not cfr_stats.variable_frame_rate


def test_audio_is_16k_mono_float(tmp_path) -> None:
    path = write_clip(
        tmp_path / "a.mp4",
        gradient_frames(10, 32, 32),
        audio=tone(1.0, sr=22050),
        sample_rate=22050,
    )
    track = decode_audio(path, 16000)
    assert (
        track.sample_rate == 16000 and track.samples.dtype == np.float32 and track.samples.ndim == 1
    )
    assert track.duration == pytest.approx(1.0, abs=0.1)
    middle = track.samples[4000:12000]
    assert float(np.sqrt(np.mean(middle**2))) == pytest.approx(
        0.3 / np.sqrt(2), rel=0.15
    )  # sine RMS


def test_huge_frames_are_downscaled_and_tiny_frames_are_stated(tmp_path, visual_perceiver) -> None:
    huge = write_clip(tmp_path / "huge.mp4", gradient_frames(2, 1920, 1080), fps=2)
    frames = list(iter_frames(huge, fps=3.0, max_side=960))
    assert frames and max(frames[0].rgb.shape[:2]) <= 960
    tiny = write_clip(tmp_path / "tiny.mp4", gradient_frames(6, 48, 32), fps=3)
    ev = visual_perceiver.perceive(tiny)
    face = ev.modalities["face"]
    assert not face.available and face.status.startswith("no face detected in 0/")
    assert "too small" in face.status
    assert ev.modalities["scene"].available and ev.clip.width == 48
    assert not ev.clip.has_audio and "not run" in ev.modalities["speech"].status


def test_several_faces_are_counted_and_the_largest_analysed(
    tmp_path, visual_perceiver, clips_dir
) -> None:
    face = face_crop(clips_dir / "happy_consistent.mp4", size=220)
    small = np.ascontiguousarray(face[::2, ::2])  # (110, 110, 3)
    canvas = np.full((360, 640, 3), 200, np.uint8)
    canvas[70:290, 40:260] = face
    canvas[125:235, 420:530] = small
    path = write_clip(tmp_path / "two.mp4", [canvas] * 4, fps=2)
    ev = visual_perceiver.perceive(path)
    f = ev.modalities["face"]
    assert f.available and f.features["max_faces_in_frame"] == 2
    assert "largest" in f.status and any(c.name == "several_faces" for c in f.cues)
    # the primary face is the 220 px one: its box (about half the crop) covers > 5 % of the frame
    assert f.features["face_area_fraction"] > 0.03  # the 110 px copy would give ~0.013
    assert ev.modalities["scene"].features["people_count"] == 2


def test_long_clip_is_windowed(tmp_path, light_perceiver) -> None:
    seconds = 24
    bursts = np.concatenate(
        [np.concatenate([tone(0.4, 180 + 5 * i), np.zeros(9600, np.float32)]) for i in range(24)]
    )
    path = write_clip(
        tmp_path / "long.mp4", gradient_frames(seconds * 2, 32, 32), fps=2, audio=bursts
    )
    ev = light_perceiver.perceive(path)
    assert ev.clip.duration == pytest.approx(seconds, abs=0.6)
    scene = ev.modalities["scene"]
    assert (
        scene.available and scene.features["frames_sampled"] <= 30 + 3
    )  # max_frames (+ keyframes)
    acoustic = ev.modalities["acoustic"]
    assert acoustic.available and acoustic.features["egemaps.loudness_sma3_amean"] is not None
    assert acoustic.features["pause_count"] >= 15  # 0.6 s gaps between bursts
    assert ev.modalities["face"].status.startswith("face: not run")


def test_audio_only_file_is_analysed_without_visual(tmp_path, light_perceiver) -> None:
    import av

    path = tmp_path / "voice.wav"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=16000)
        stream.layout = "mono"
        pcm = (tone(1.5) * 32767).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(pcm[None, :], format="s16", layout="mono")
        frame.sample_rate = 16000
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    ev = light_perceiver.perceive(path)
    assert not ev.clip.has_video and ev.clip.has_audio
    assert ev.modalities["scene"].status == "no video stream in this file"
    assert ev.modalities["acoustic"].available


def test_extractor_process_file_api(tmp_path) -> None:
    path = write_clip(tmp_path / "g.mp4", gradient_frames(8, 64, 48), fps=4)
    ev = SceneExtractor().process_file(path)
    assert ev.available and list(ev.features) == list(SceneExtractor.feature_names)
    assert ev.frames_analyzed == ev.features["frames_sampled"] >= 2


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "file not found"),
        (b"", "file is empty"),
        (b"hello, not a video\n", "not a decodable video"),
    ],
)
def test_bad_files_raise_one_line_media_errors(tmp_path, content, expected) -> None:
    path = tmp_path / "clip.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(MediaError) as err:
        probe(path)
    assert str(err.value).startswith(str(path)) and expected in str(err.value)
    with pytest.raises(MediaError, match="folder"):
        probe(tmp_path)


def test_shot_change_is_found_at_the_cut(tmp_path) -> None:
    warm = [np.full((48, 64, 3), (200, 120, 40), np.uint8)] * 10
    cold = [np.full((48, 64, 3), (20, 60, 220), np.uint8)] * 10
    path = write_clip(tmp_path / "cut.mp4", warm + cold, fps=5)
    ev = SceneExtractor().process_file(path)
    assert ev.features["shot_changes"] == 1
    (cut,) = ev.extra["shot_change_times"]
    assert 2.0 <= cut <= 2.5  # the first 'cold' frame is at 2.0 s, sampled at 3 fps
    assert any(c.name == "shot_changes" and "at 2." in c.description for c in ev.cues)


def test_colourfulness_matches_the_published_formula_on_pixels() -> None:
    from emoreason.perception.scene import colourfulness

    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, size=(6, 5, 3), dtype=np.uint8)
    rg = [float(p[0]) - float(p[1]) for row in img for p in row]
    yb = [(float(p[0]) + float(p[1])) / 2 - float(p[2]) for row in img for p in row]

    def std(v: list[float]) -> float:
        m = sum(v) / len(v)
        return (sum((x - m) ** 2 for x in v) / len(v)) ** 0.5

    expected = (
        (std(rg) ** 2 + std(yb) ** 2) ** 0.5
        + 0.3 * ((sum(rg) / 30) ** 2 + (sum(yb) / 30) ** 2) ** 0.5
    ) / 255
    assert colourfulness(img) == pytest.approx(expected)
    assert colourfulness(np.full((4, 4, 3), 128, np.uint8)) == 0.0


def test_acoustic_glide_rises_and_silence_is_stated() -> None:
    from emoreason.perception import AcousticExtractor, ClipSignal
    from emoreason.perception.decode import AudioTrack, StreamFacts

    sr = 16000
    t = np.arange(int(2.0 * sr)) / sr
    hz = 120 * 2 ** (t / 2.0)  # one octave up over 2 s: +6 st/s
    glide = (0.3 * np.sin(2 * np.pi * np.cumsum(hz) / sr)).astype(np.float32)
    facts = StreamFacts("glide", 2.0, False, True)
    ex = AcousticExtractor()
    ev = ex.process_signal(ClipSignal(facts=facts, audio=AudioTrack(glide, sr)))
    assert ev.available
    assert ev.features["pitch_slope_st_per_s"] == pytest.approx(6.0, rel=0.1)
    assert ev.features["pitch_min_hz"] == pytest.approx(120, rel=0.05)
    assert any(c.name == "pitch_contour" and "rises" in c.description for c in ev.cues)
    silent = ex.process_signal(
        ClipSignal(facts=facts, audio=AudioTrack(np.zeros(sr, np.float32), sr))
    )
    assert not silent.available and "silent" in silent.status
