"""A clip as Qwen2.5-Omni input, in the layout SABER-LLM's inference uses.

SABER-LLM's ms-swift inference script (``infer/SABER_Swift_Infer.sh``) runs with
``VIDEO_MAX_PIXELS=50176 FPS_MAX_FRAMES=40`` and passes the clip twice: as ``videos`` (frames)
and as ``audios`` (the sound as its own stream; ``USE_AUDIO_IN_VIDEO`` is not set, so audio and
video tokens are not interleaved). The frame rules follow qwen-omni-utils, which ms-swift uses:

- frames: ``fps`` (2) per second, at least ``min_frames`` (4) and at most ``max_frames`` (40),
  an even count, spread evenly over the clip;
- frame size: area between ``min_pixels`` (128·28·28) and ``max(max_pixels, 1.05·min_pixels)``
  (so with SABER's 50176 the 128·28·28 floor wins: about 100k pixels, 128 video tokens per frame
  pair), sides multiples of 28, aspect kept;
- audio: the first audio stream at 16 kHz mono; the Whisper encoder window takes 30 s.

The user turn is ``[video][audio]<prompt>`` (ms-swift puts media tags before the query).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.errors import ConfigError, MediaError
from emoreason.reasoning.omni_video import VideoPatching, resized_frames
from emoreason.schema.model_input import ModelInput

AUDIO_RATE = 16000


@dataclass(frozen=True)
class MediaLayout:
    """Frame sampling and size caps (defaults: SABER-LLM's inference settings)."""

    fps: float = 2.0
    min_frames: int = 4
    max_frames: int = 40
    min_pixels: int = 128 * 28 * 28
    max_pixels: int = 50176

    def __post_init__(self) -> None:
        if not self.fps > 0:
            raise ConfigError(f"video_fps must be > 0, got {self.fps}")
        if self.max_frames < 2 or self.min_frames < 1 or self.min_frames > self.max_frames:
            raise ConfigError(
                f"video frames: need 1 <= min_frames <= max_frames and max_frames >= 2, "
                f"got {self.min_frames}..{self.max_frames}"
            )
        if self.min_pixels < 28 * 28 or self.max_pixels < 28 * 28:
            raise ConfigError(
                f"video pixels: min and max must be >= {28 * 28}, got {self.min_pixels}, {self.max_pixels}"
            )

    @classmethod
    def from_video_fields(cls, config: Any) -> MediaLayout:
        """The layout a configuration names in its ``video_fps``, ``video_min_frames``,
        ``video_max_frames``, ``video_min_pixels`` and ``video_max_pixels`` fields (inference and
        training configurations carry them). A value that is not a number (a YAML string, say)
        is a ConfigError naming its field."""
        values = {f.name: getattr(config, f"video_{f.name}") for f in fields(cls)}
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"video_{name}: expected a number, got {value!r}")
        return cls(**values)

    @property
    def frame_max_pixels(self) -> int:
        """The cap a frame is resized under: the max, but never below 1.05 x the min."""
        return max(self.max_pixels, int(self.min_pixels * 1.05))

    def frame_count(self, duration: float, stream_frames: int | None) -> int:
        """Frames to sample from a clip of ``duration`` s with ``stream_frames`` decoded frames."""
        ceiling = self.max_frames if stream_frames is None else min(self.max_frames, stream_frames)
        wanted = min(max(duration * self.fps, self.min_frames), ceiling)
        return max(2, int(wanted) // 2 * 2)


@dataclass
class ClipMedia:
    """Decoded streams of one clip, ready for a processor."""

    frames: np.ndarray | None  # (T, H, W, 3) uint8, already at the encoder's size
    frame_rate: float | None  # frames per second of the sample
    video_seconds: float
    audio: np.ndarray | None  # (n,) float32 at 16 kHz
    audio_seconds: float
    audio_truncated: bool


def sample_frames(path: str | Path, layout: MediaLayout) -> tuple[np.ndarray, float, float]:
    """(frames, sampling rate, seconds covered): frames evenly over the clip, even count."""
    from emoreason.perception.decode import iter_frames, probe

    facts = probe(path)
    if not facts.has_video:
        raise MediaError("has no video stream", path=str(path))
    duration = facts.duration or 0.0
    stream_frames = round(duration * facts.fps) if facts.fps and duration else None
    count = layout.frame_count(duration, stream_frames)
    rate = count / duration if duration > 0 else layout.fps
    frames, times = [], []
    for frame in iter_frames(path, rate, keep_keyframes=False):
        frames.append(frame.rgb)
        times.append(frame.time)
        if len(frames) >= count:
            break
    if not frames:
        raise MediaError("no video frame could be decoded", path=str(path))
    covered = (times[-1] - times[0]) + 1.0 / rate
    return np.stack(frames), rate, min(covered, duration) if duration else covered


def clip_audio(path: str | Path, window_seconds: float) -> tuple[np.ndarray | None, float, bool]:
    """(16 kHz samples or None, seconds given, truncated?): at most ``window_seconds``."""
    from emoreason.perception.decode import decode_audio

    track = decode_audio(path, AUDIO_RATE)
    if track is None or track.samples.size == 0:
        return None, 0.0, False
    limit = int(window_seconds * AUDIO_RATE)
    truncated = track.samples.size > limit
    samples = track.samples[:limit]
    return samples, samples.size / AUDIO_RATE, truncated


def read_clip(
    path: str | Path,
    *,
    has_video: bool,
    has_audio: bool,
    layout: MediaLayout,
    patching: VideoPatching,
    audio_window: float = 30.0,
) -> ClipMedia:
    """Decode the clip's frames (resized for the vision encoder) and audio."""
    frames, rate, seconds = None, None, 0.0
    if has_video:
        raw, rate, seconds = sample_frames(path, layout)
        frames = resized_frames(
            raw, patching.with_pixels(layout.min_pixels, layout.frame_max_pixels)
        )
    audio, audio_seconds, truncated = (None, 0.0, False)
    if has_audio:
        audio, audio_seconds, truncated = clip_audio(path, audio_window)
    if frames is None and audio is None:
        raise MediaError("neither frames nor audio could be read for the model", path=str(path))
    return ClipMedia(frames, rate, seconds, audio, audio_seconds, truncated)


def omni_inputs(processor: Any, prompt: str, media: ClipMedia) -> dict[str, Any]:
    """Processor output (``pt`` tensors) for a ``[video][audio]<prompt>`` user turn."""
    content: list[dict[str, Any]] = []
    if media.frames is not None:
        content.append({"type": "video"})
    if media.audio is not None:
        content.append({"type": "audio"})
    content.append({"type": "text", "text": prompt})
    text = processor.apply_chat_template(
        [{"role": "user", "content": content}], tokenize=False, add_generation_prompt=True
    )
    kwargs: dict[str, Any] = {"text": [text], "return_tensors": "pt"}
    if media.frames is not None:
        kwargs["videos"] = [media.frames]
        # frames are already sampled and sized by the layout's rules: the processor only
        # normalises and patches them (a second resize could move the size again)
        kwargs["videos_kwargs"] = {
            "fps": media.frame_rate,
            "do_sample_frames": False,
            "do_resize": False,
        }
    if media.audio is not None:
        kwargs["audio"] = [media.audio]
    return dict(processor(**kwargs))


def received(
    inputs: dict[str, Any], media: ClipMedia, token_ids: dict[str, int | None], video_processor: str
) -> ModelInput:
    """The :class:`ModelInput` record of what ``inputs`` carry."""
    ids = inputs["input_ids"][0]
    video_id, audio_id = token_ids.get("video"), token_ids.get("audio")
    video_tokens = int((ids == video_id).sum()) if video_id is not None else 0
    audio_tokens = int((ids == audio_id).sum()) if audio_id is not None else 0
    given = [n for n, present in (("video", video_tokens), ("audio", audio_tokens)) if present]
    frame_size = None
    if media.frames is not None:
        frame_size = (int(media.frames.shape[2]), int(media.frames.shape[1]))
    return ModelInput(
        media="+".join(given) if given else "text",  # type: ignore[arg-type]
        video_frames=0 if media.frames is None else int(media.frames.shape[0]),
        video_fps=None if media.frame_rate is None else round(media.frame_rate, 4),
        video_seconds=round(media.video_seconds, 3),
        frame_size=frame_size,
        audio_seconds=round(media.audio_seconds, 3),
        audio_truncated=media.audio_truncated,
        text_tokens=int(ids.numel()) - video_tokens - audio_tokens,
        video_tokens=video_tokens,
        audio_tokens=audio_tokens,
        video_processor=video_processor if media.frames is not None else None,
    )


def text_only(inputs: dict[str, Any], reason: str) -> ModelInput:
    """The record of a text-only input and why."""
    return ModelInput(
        media="text", text_reason=reason, text_tokens=int(inputs["input_ids"].shape[-1])
    )


__all__ = [
    "ClipMedia",
    "MediaLayout",
    "clip_audio",
    "omni_inputs",
    "read_clip",
    "received",
    "sample_frames",
    "text_only",
]
