"""What a model backend actually received for one clip (frames, audio, tokens per modality)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MediaGiven = Literal["video+audio", "video", "audio", "text"]


class ModelInput(BaseModel):
    """The model's input for one clip, as built by the backend (not as the clip declares it).

    ``media`` names the streams that reached the model; ``text_reason`` says why the model got
    text evidence only (``media == "text"``), e.g. text-only asked for, or a text-only model.
    Token counts are the placeholder positions of each stream in the input ids.
    """

    model_config = ConfigDict(extra="forbid")

    media: MediaGiven
    text_reason: str = ""
    video_frames: int = Field(
        default=0, ge=0, description="frames sampled and given (before pair padding)"
    )
    video_fps: float | None = Field(default=None, ge=0, description="frames per second sampled")
    video_seconds: float = Field(default=0.0, ge=0, description="clip span the frames cover")
    frame_size: tuple[int, int] | None = Field(
        default=None, description="(width, height) of each frame as the vision encoder saw it"
    )
    audio_seconds: float = Field(default=0.0, ge=0, description="seconds of 16 kHz audio given")
    audio_truncated: bool = Field(
        default=False, description="the track is longer than the audio encoder's window"
    )
    text_tokens: int = Field(default=0, ge=0)
    video_tokens: int = Field(default=0, ge=0)
    audio_tokens: int = Field(default=0, ge=0)
    video_processor: str | None = Field(
        default=None, description="'transformers' or 'emoreason-frames' (no torchvision)"
    )
