"""A generated media corpus: odd codecs and containers, 8/48 kHz, mono/stereo, audio longer than
the video and the reverse, and a 30-minute clip streamed with flat memory. Every file is made
here with PyAV at tiny sizes; the decoder must read each the same way."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from clipgen import gradient_frames

from emoreason.perception import Perceiver, PerceptionConfig
from emoreason.perception.decode import FrameStats, decode_audio, iter_frames, probe


def write_media(
    path: Path,
    *,
    seconds_video: float = 2.0,
    seconds_audio: float = 0.0,
    codec: str = "libx264",
    audio_codec: str = "aac",
    rate: int = 16000,
    channels: int = 1,
    fps: int = 10,
    size: tuple[int, int] = (64, 48),
) -> Path:
    """A clip of ``seconds_video`` of moving gradients and ``seconds_audio`` of a 220 Hz tone."""
    w, h = size
    with av.open(str(path), "w") as container:
        video = container.add_stream(codec, rate=fps) if seconds_video else None
        if video is not None:
            video.width, video.height = w, h
            video.pix_fmt = "yuvj420p" if codec == "mjpeg" else "yuv420p"
            if codec == "libx264":
                video.options = {"preset": "ultrafast"}
        sound = None
        if seconds_audio:
            sound = container.add_stream(audio_codec, rate=rate)
            sound.layout = "mono" if channels == 1 else "stereo"
        if video is not None:
            n = round(seconds_video * fps)
            pattern = gradient_frames(8, w, h)
            for i in range(n):
                frame = av.VideoFrame.from_ndarray(pattern[i % 8], format="rgb24")
                frame.pts, frame.time_base = i, Fraction(1, fps)
                for packet in video.encode(frame):
                    container.mux(packet)
            for packet in video.encode():
                container.mux(packet)
        if sound is not None:
            t = np.arange(int(seconds_audio * rate)) / rate
            pcm = (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype(np.int16)
            step = sound.codec_context.frame_size or 1024
            for start in range(0, len(pcm), step):
                chunk = np.repeat(pcm[None, start : start + step], channels, axis=0)
                layout = "mono" if channels == 1 else "stereo"
                frame = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(chunk.T.reshape(1, -1)), format="s16", layout=layout
                )
                frame.sample_rate, frame.pts = rate, start
                for packet in sound.encode(frame):
                    container.mux(packet)
            for packet in sound.encode():
                container.mux(packet)
    return path


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("a.mp4", "libx264"),
        ("b.avi", "mpeg4"),
        ("c.mkv", "mjpeg"),
        ("d.webm", "libvpx"),
        ("e.mov", "libx265"),
        ("f.mkv", "ffv1"),
    ],
)
def test_odd_codecs_decode_to_the_same_grid(tmp_path, name, codec) -> None:
    path = write_media(tmp_path / name, codec=codec, seconds_video=2.0)
    facts = probe(path)
    assert facts.has_video and (facts.width, facts.height) == (64, 48)
    assert facts.duration == pytest.approx(2.0, abs=0.25)
    stats = FrameStats()
    frames = list(iter_frames(path, fps=2.0, keep_keyframes=False, stats=stats))
    assert 3 <= len(frames) <= 5 and stats.decoded >= 18
    assert all(f.rgb.shape == (48, 64, 3) for f in frames)


@pytest.mark.parametrize(
    ("rate", "channels", "codec", "name"),
    [
        (8000, 1, "pcm_s16le", "a.wav"),
        (48000, 2, "aac", "b.m4a"),
        (48000, 1, "libopus", "c.webm"),
        (8000, 2, "flac", "d.mkv"),
        (44100, 2, "libmp3lame", "e.mp3"),
    ],
)
def test_audio_rates_and_layouts_become_16k_mono(tmp_path, rate, channels, codec, name) -> None:
    path = write_media(
        tmp_path / name, seconds_video=0, seconds_audio=1.5, audio_codec=codec, rate=rate,
        channels=channels,
    )  # fmt: skip
    track = decode_audio(path)
    assert track is not None and track.sample_rate == 16000 and track.samples.ndim == 1
    assert track.duration == pytest.approx(1.5, abs=0.1)
    spectrum = np.abs(np.fft.rfft(track.samples[2000:18000]))
    peak_hz = float(np.argmax(spectrum))  # 16,000 samples at 16 kHz: 1 Hz bins
    assert abs(peak_hz - 220) < 3  # the tone survives resampling and down-mixing
    assert 0.15 < np.abs(track.samples).max() < 0.45


@pytest.mark.parametrize(("video_s", "audio_s"), [(1.0, 3.0), (3.0, 1.0)])
def test_streams_of_different_lengths_are_a_whole_clip(tmp_path, video_s, audio_s) -> None:
    path = write_media(tmp_path / "x.mp4", seconds_video=video_s, seconds_audio=audio_s)
    ev = Perceiver(PerceptionConfig(stages=("scene", "acoustic"))).perceive(path)
    assert ev.clip.duration == pytest.approx(max(video_s, audio_s), abs=0.3)
    assert ev.clip.coverage == 1.0 and not ev.clip.incomplete  # nothing was cut off


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@pytest.mark.slow
def test_a_30_minute_clip_streams_with_flat_memory(tmp_path) -> None:
    path = write_media(tmp_path / "long.mp4", seconds_video=1800, fps=2, size=(32, 32))
    assert probe(path).duration == pytest.approx(1800, abs=2)
    stats = FrameStats()
    rss: list[float] = []
    for frame in iter_frames(path, fps=1.0, keep_keyframes=False, stats=stats):
        if frame.index % 300 == 0:
            rss.append(_rss_mb())
    assert stats.sampled == pytest.approx(1800, abs=3) and stats.decoded >= 3590
    warm = rss[2]  # after the decoder's buffers are allocated
    print(f"RSS (MB) every 300 frames: {[round(r) for r in rss]}")
    assert max(rss[2:]) - warm < 25  # MB: no growth with the clip's length
