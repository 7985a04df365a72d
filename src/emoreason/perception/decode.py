"""Decoding with PyAV: container facts, 16 kHz mono audio, and frames sampled on a time grid.

Frames are *streamed* (a generator): a long clip never holds more than one decoded frame plus the
extractors' small per-frame summaries in memory. Audio is kept whole as float32 at 16 kHz
(64 KB per second: one hour is 230 MB) and analysed in windows by the acoustic extractor.

Sampling works on presentation times, not frame indices, so variable-frame-rate video is sampled
evenly in time: the first frame at or after each grid instant ``k / fps`` is taken (plus every
coded keyframe when ``keep_keyframes``).

Display rotation: a phone clip is often stored sideways with a display matrix saying how to turn
it upright. Every sampled frame is turned by that matrix (quarter turns, as players do), so the
extractors see the picture the way it is shown; :func:`probe` reports the upright size.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np

from emoreason.errors import MediaError


@dataclass
class SampledFrame:
    """One decoded frame chosen for analysis."""

    time: float
    index: int  # index among all decoded frames of the stream
    rgb: np.ndarray  # (H, W, 3) uint8
    keyframe: bool = False


@dataclass
class AudioTrack:
    samples: np.ndarray  # (n,) float32 in [-1, 1], mono
    sample_rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


@dataclass
class StreamFacts:
    """What the container says before any decoding (see :func:`probe`)."""

    path: str
    duration: float
    has_video: bool
    has_audio: bool
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    audio_status: str = ""
    rotation: int = 0  # degrees counter-clockwise the stored picture is turned for display


@dataclass
class FrameStats:
    """Filled while frames are iterated: how many were decoded and how regular their timing was."""

    decoded: int = 0
    sampled: int = 0
    last_time: float = 0.0
    intervals: list[float] = field(default_factory=list)
    damaged: bool = False  # decoding stopped on an error before the end of the stream

    @property
    def decoded_seconds(self) -> float:
        """Seconds of video decoded: the last frame's time plus one typical frame interval."""
        if self.decoded == 0:
            return 0.0
        step = float(np.median(self.intervals)) if self.intervals else 0.0
        return self.last_time + step

    @property
    def variable_frame_rate(self) -> bool:
        """True when frame intervals vary by more than 10 % around their median (ours)."""
        if len(self.intervals) < 3:
            return False
        gaps = np.asarray(self.intervals)
        median = float(np.median(gaps))
        return median > 0 and float(np.percentile(np.abs(gaps - median), 90)) > 0.1 * median


def _media_error(path: str | Path, exc: BaseException) -> MediaError:
    reason = str(getattr(exc, "strerror", None) or exc).split(":")[0].strip().lower()
    return MediaError(f"not a decodable video ({reason})", path=str(path))


def _open(path: str | Path) -> av.container.InputContainer:
    p = Path(path)
    if not p.exists():
        raise MediaError("file not found", path=str(path))
    if p.is_dir():
        raise MediaError("is a folder, expected a video file", path=str(path))
    if p.stat().st_size == 0:
        raise MediaError("file is empty", path=str(path))
    try:
        return av.open(str(p), mode="r")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise _media_error(path, exc) from None


def probe(path: str | Path) -> StreamFacts:
    """Open ``path`` and read stream facts; :class:`MediaError` if it is not decodable media."""
    with _open(path) as container:
        video = container.streams.video[0] if container.streams.video else None
        audio = container.streams.audio[0] if container.streams.audio else None
        if video is None and audio is None:
            raise MediaError("no video or audio stream", path=str(path))
        duration = 0.0
        if container.duration:
            duration = container.duration / av.time_base
        for stream in (video, audio):
            if stream is not None and stream.duration and stream.time_base:
                duration = max(duration, float(stream.duration * stream.time_base))
        facts = StreamFacts(
            path=str(path), duration=duration, has_video=video is not None,
            has_audio=audio is not None,
        )  # fmt: skip
        if video is not None:
            facts.width = video.codec_context.width or None
            facts.height = video.codec_context.height or None
            rate = video.average_rate or video.guessed_rate
            facts.fps = float(rate) if rate else None
            if not facts.width or not facts.height:
                raise MediaError("video stream has no frame size (corrupt header)", path=str(path))
            facts.rotation = _first_frame_rotation(container, video)
            if facts.rotation % 180:
                facts.width, facts.height = facts.height, facts.width
        facts.audio_status = "audio stream present" if audio is not None else "no audio stream"
        return facts


def decode_audio(path: str | Path, sample_rate: int = 16000) -> AudioTrack | None:
    """The first audio stream as mono float32 at ``sample_rate``; None when there is none."""
    with _open(path) as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        chunks: list[np.ndarray] = []
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))  # (1, n) -> (n,)
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except av.FFmpegError as exc:
            if not chunks:
                raise _media_error(path, exc) from None
            # keep what decoded: a damaged tail should not lose the whole track
        samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
        return AudioTrack(
            samples=np.clip(samples, -1.0, 1.0).astype(np.float32), sample_rate=sample_rate
        )


def _quarter_turns(rotation: float) -> int:
    """Display rotation (degrees, counter-clockwise) -> quarter turns for ``np.rot90``."""
    return round(rotation / 90.0) % 4


def _first_frame_rotation(container: av.container.InputContainer, stream) -> int:
    """The display rotation carried by the first decodable frame (0 when none or unreadable)."""
    try:
        for frame in container.decode(stream):
            return _quarter_turns(frame.rotation or 0.0) * 90
    except (av.FFmpegError, ValueError):
        return 0
    return 0


def upright(rgb: np.ndarray, rotation: float) -> np.ndarray:
    """``rgb`` turned by its display rotation (degrees counter-clockwise), as a player shows it."""
    turns = _quarter_turns(rotation)
    return np.ascontiguousarray(np.rot90(rgb, k=turns)) if turns else rgb


def _target_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height))
    # even sizes keep swscale happy; never below 2 px
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def iter_frames(
    path: str | Path,
    fps: float,
    *,
    keep_keyframes: bool = True,
    max_side: int = 960,
    stats: FrameStats | None = None,
) -> Iterator[SampledFrame]:
    """Yield frames on a ``1/fps`` time grid (first frame at/after each instant), downscaled.

    ``stats`` (optional) is updated in place with decoded/sampled counts and frame intervals.
    Raises :class:`MediaError` when the video stream cannot be decoded at all.
    """
    stats = stats if stats is not None else FrameStats()
    step = 1.0 / fps
    with _open(path) as container:
        if not container.streams.video:
            return
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        next_time = 0.0
        previous: float | None = None
        try:
            for frame in container.decode(stream):
                time = float(frame.time) if frame.time is not None else stats.decoded * step
                if previous is not None and time > previous:
                    stats.intervals.append(time - previous)
                previous = time
                stats.decoded += 1
                stats.last_time = max(stats.last_time, time)
                on_grid = time + 1e-6 >= next_time
                if not on_grid and not (keep_keyframes and frame.key_frame):
                    continue
                if on_grid:
                    next_time = (int((time + 1e-6) / step) + 1) * step
                width, height = _target_size(frame.width, frame.height, max_side)
                rgb = upright(
                    frame.to_ndarray(format="rgb24", width=width, height=height),
                    frame.rotation or 0.0,
                )
                stats.sampled += 1
                yield SampledFrame(time, stats.decoded - 1, rgb, bool(frame.key_frame))
        except av.FFmpegError as exc:
            if stats.decoded == 0:
                raise _media_error(path, exc) from None
            stats.damaged = True
            # frames before the damage were analysed; the caller reports the shortfall
