"""Perception settings: one dataclass, per-field help, validated on construction, loadable from YAML.

Groups:

- **sampling**: ``fps``, ``keep_keyframes``, ``max_side``, ``window_seconds``, ``max_frames``
- **audio / speech**: ``sample_rate``, ``language``, ``whisper_beam_size``, ``word_timestamps``,
  ``silence_dbfs``, ``no_speech_threshold``, ``min_language_probability``
- **face**: ``max_faces``, ``min_face_confidence``
- **stages**: ``stages`` (which extractors run), ``concurrent``, ``whisper_threads``
- **models** (local overrides; default = the package-shipped assets): ``whisper_dir``,
  ``fer_model``, ``minilm_dir``
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from emoreason.config import ConfigLoading
from emoreason.errors import ConfigError
from emoreason.schema.languages import LANGUAGES

ALL_STAGES: tuple[str, ...] = ("face", "body", "scene", "acoustic", "speech", "verbal")


def default_threads() -> int:
    """CPU threads per native model: ``EMOREASON_THREADS`` (a positive integer) or 1."""
    raw = os.environ.get("EMOREASON_THREADS", "").strip()
    if not raw:
        return 1
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"EMOREASON_THREADS must be a positive integer, got {raw!r}")
    return int(raw)


@dataclass
class PerceptionConfig(ConfigLoading):
    """How a clip is decoded and which extractors look at it."""

    fps: float = field(
        default=3.0,
        metadata={"help": "frames sampled per second of video for face/body/scene (0.1-30)"},
    )
    keep_keyframes: bool = field(
        default=True,
        metadata={"help": "also analyse every coded keyframe (they often mark shot changes)"},
    )
    max_side: int = field(
        default=960,
        metadata={"help": "sampled frames larger than this (pixels, longest side) are downscaled"},
    )
    max_frames: int = field(
        default=600,
        metadata={"help": "upper bound on sampled frames per clip; fps is lowered to respect it"},
    )
    window_seconds: float = field(
        default=30.0,
        metadata={"help": "long clips are analysed in windows of this many seconds (acoustic)"},
    )
    sample_rate: int = field(
        default=16000, metadata={"help": "audio is resampled to this rate, mono (Hz)"}
    )
    language: str | None = field(
        default=None,
        metadata={"help": "force the speech language (e.g. 'en', 'zh'); None = detect"},
    )
    whisper_beam_size: int = field(
        default=1, metadata={"help": "beam width for faster-whisper decoding (1 = greedy)"}
    )
    word_timestamps: bool = field(
        default=True, metadata={"help": "ask faster-whisper for per-word timestamps"}
    )
    silence_dbfs: float = field(
        default=-50.0,
        metadata={"help": "audio whose loudest 50 ms frame is below this level (dBFS) is silence"},
    )
    no_speech_threshold: float = field(
        default=0.6,
        metadata={"help": "whisper segments with no_speech_prob above this are dropped"},
    )
    languages: tuple[str, ...] = field(
        default=LANGUAGES,
        metadata={"help": "languages the analysis supports; others are flagged as unreliable"},
    )
    min_language_probability: float = field(
        default=0.5,
        metadata={"help": "below this, the detected language is reported as uncertain"},
    )
    body_stride: int = field(
        default=2,
        metadata={"help": "run the pose model on every Nth sampled frame (posture changes slowly)"},
    )
    max_faces: int = field(
        default=4, metadata={"help": "faces counted per frame (the largest one is analysed)"}
    )
    min_face_confidence: float = field(
        default=0.5, metadata={"help": "MediaPipe face detection threshold (0-1)"}
    )
    stages: tuple[str, ...] = field(
        default=ALL_STAGES,
        metadata={"help": f"extractors to run, any of {list(ALL_STAGES)}"},
    )
    concurrent: bool = field(
        default=True, metadata={"help": "run the audio and visual branches in two threads"}
    )
    whisper_threads: int = field(
        default_factory=default_threads,
        metadata={
            "help": "CPU threads for whisper (the visual branch runs on another core); "
            "default: $EMOREASON_THREADS or 1"
        },
    )
    whisper_dir: str | None = field(
        default=None, metadata={"help": "local faster-whisper model folder (default: shipped)"}
    )
    fer_model: str | None = field(
        default=None, metadata={"help": "local 7-class expression .tflite (default: shipped)"}
    )
    minilm_dir: str | None = field(
        default=None, metadata={"help": "local sentence-transformers folder (default: shipped)"}
    )

    def __post_init__(self) -> None:
        self.stages = tuple(self.stages)
        self.languages = tuple(self.languages)
        checks: list[tuple[bool, str]] = [
            (0.1 <= self.fps <= 30, f"fps must be in [0.1, 30], got {self.fps}"),
            (self.max_side >= 64, f"max_side must be >= 64, got {self.max_side}"),
            (self.max_frames >= 1, f"max_frames must be >= 1, got {self.max_frames}"),
            (self.window_seconds >= 1, f"window_seconds must be >= 1, got {self.window_seconds}"),
            (
                self.sample_rate in (8000, 16000),
                f"sample_rate must be 8000 or 16000, got {self.sample_rate}",
            ),
            (self.whisper_beam_size >= 1, "whisper_beam_size must be >= 1"),
            (-120 <= self.silence_dbfs <= 0, "silence_dbfs must be in [-120, 0]"),
            (0 <= self.no_speech_threshold <= 1, "no_speech_threshold must be in [0, 1]"),
            (0 <= self.min_language_probability <= 1, "min_language_probability in [0, 1]"),
            (1 <= self.max_faces <= 20, "max_faces must be in [1, 20]"),
            (self.body_stride >= 1, "body_stride must be >= 1"),
            (0 < self.min_face_confidence < 1, "min_face_confidence must be in (0, 1)"),
            (self.whisper_threads >= 1, "whisper_threads must be >= 1"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(f"PerceptionConfig: {message}")
        unknown = [s for s in self.stages if s not in ALL_STAGES]
        if unknown:
            raise ConfigError(
                f"PerceptionConfig: unknown stage(s) {unknown}; valid stages: {list(ALL_STAGES)}"
            )
        for name in ("whisper_dir", "fer_model", "minilm_dir"):
            value = getattr(self, name)
            if value is not None and not Path(value).exists():
                raise ConfigError(f"PerceptionConfig: {name} {value!r} does not exist")

    def runs(self, stage: str) -> bool:
        return stage in self.stages

    @classmethod
    def help(cls) -> dict[str, str]:
        """Field name -> help text (for the CLI and docs)."""
        return cls.field_help()
