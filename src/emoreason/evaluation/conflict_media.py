"""Put the audio of one clip under the video of another with PyAV (H.264 + AAC in mp4).

The output lasts as long as the chosen video segment: the audio is cut at that length or padded
with digital silence up to it (both amounts are reported). Video frames are re-encoded (a cut
need not start on a keyframe); audio is decoded, resampled to mono and encoded as AAC.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from emoreason.errors import MediaError
from emoreason.perception.decode import decode_audio

AAC_FRAME = 1024  # samples per AAC frame


@dataclass(frozen=True)
class RecombinedClip:
    """What :func:`recombine` wrote."""

    path: str
    duration: float  # video frames / frame rate; the audio has exactly this length
    frames: int
    audio_seconds_used: float  # seconds of source audio in the output
    audio_padded: float  # seconds of silence appended
    audio_trimmed: float  # seconds of source audio left out at the end


def _video_frames(
    path: Path, start: float, duration: float | None
) -> tuple[list[av.VideoFrame], Fraction]:
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise MediaError(f"cannot open video ({exc})", path=str(path)) from None
    with container:
        if not container.streams.video:
            raise MediaError("no video stream", path=str(path))
        stream = container.streams.video[0]
        rate = Fraction(stream.average_rate or stream.guessed_rate or 25).limit_denominator(1001)
        end = None if duration is None else start + duration
        frames = []
        for frame in container.decode(stream):
            t = float(frame.time or 0.0)
            if t + 1e-6 < start:
                continue
            if end is not None and t >= end - 1e-6:
                break
            frames.append(frame.reformat(format="yuv420p"))
    if not frames:
        raise MediaError(
            f"no video frames in the segment starting at {start:.2f} s", path=str(path)
        )
    return frames, rate


def _audio_samples(path: Path, sample_rate: int) -> np.ndarray:
    """The first audio stream as mono float32 at ``sample_rate`` (perception's decoder)."""
    track = decode_audio(path, sample_rate)
    if track is None:
        raise MediaError("no audio stream", path=str(path))
    if not len(track.samples):
        raise MediaError("the audio stream decodes to nothing", path=str(path))
    return track.samples


def _fit_audio(samples: np.ndarray, n: int) -> tuple[np.ndarray, int, int]:
    """``samples`` cut or zero-padded to ``n``; also (padded, trimmed) sample counts."""
    if len(samples) >= n:
        return samples[:n], 0, len(samples) - n
    return np.concatenate([samples, np.zeros(n - len(samples), np.float32)]), n - len(samples), 0


def recombine(
    video: str | Path,
    audio: str | Path,
    out: str | Path,
    *,
    video_start: float = 0.0,
    duration: float | None = None,
    audio_start: float = 0.0,
    sample_rate: int = 22050,
) -> RecombinedClip:
    """Write ``out`` (mp4): the video of ``video`` from ``video_start`` for ``duration`` seconds
    (to its end when None) with the audio of ``audio`` from ``audio_start``, cut or padded to the
    video's length. The file appears only when complete (written to a temporary sibling)."""
    video, audio, out = Path(video), Path(audio), Path(out)
    frames, rate = _video_frames(video, video_start, duration)
    length = len(frames) / rate
    source = _audio_samples(audio, sample_rate)[round(audio_start * sample_rate) :]
    n = round(float(length) * sample_rate)
    samples, padded, trimmed = _fit_audio(source, n)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.{os.getpid()}.partial.mp4")
    try:
        _encode(tmp, frames, rate, samples, sample_rate)
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return RecombinedClip(
        path=str(out),
        duration=float(length),
        frames=len(frames),
        audio_seconds_used=round((n - padded) / sample_rate, 3),
        audio_padded=round(padded / sample_rate, 3),
        audio_trimmed=round(trimmed / sample_rate, 3),
    )


def _encode(
    path: str, frames: list[av.VideoFrame], rate: Fraction, samples: np.ndarray, sample_rate: int
) -> None:
    with av.open(path, mode="w", format="mp4") as container:
        vstream = container.add_stream("libx264", rate=rate)
        vstream.width, vstream.height = frames[0].width, frames[0].height
        vstream.pix_fmt = "yuv420p"
        vstream.options = {"crf": "28", "preset": "veryfast"}
        astream = container.add_stream("aac", rate=sample_rate, layout="mono")
        for i, frame in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(frame.to_ndarray(), format="yuv420p")
            frame.pts = i
            frame.time_base = 1 / rate
            container.mux(vstream.encode(frame))
        container.mux(vstream.encode(None))
        for i, begin in enumerate(range(0, len(samples), AAC_FRAME)):
            chunk = samples[begin : begin + AAC_FRAME]
            if len(chunk) < AAC_FRAME:
                chunk = np.concatenate([chunk, np.zeros(AAC_FRAME - len(chunk), np.float32)])
            frame = av.AudioFrame.from_ndarray(chunk[None, :], format="fltp", layout="mono")
            frame.sample_rate = sample_rate
            frame.pts = i * AAC_FRAME
            frame.time_base = Fraction(1, sample_rate)
            container.mux(astream.encode(frame))
        container.mux(astream.encode(None))
