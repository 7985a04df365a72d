"""The one API every extractor shares (in the spirit of openSMILE's ``process_signal`` /
``process_file``): declared feature names known before processing, a signal in, a
:class:`~emoreason.schema.ModalityEvidence` out.

- :class:`Extractor` - ``process_signal(signal)`` and ``process_file(path)``.
- :class:`FrameExtractor` - visual extractors also expose ``start`` / ``update(frame)`` /
  ``finish`` so that the runner decodes the video once and feeds every visual extractor from
  the same loop (``process_signal`` runs that loop for a single extractor).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from emoreason.perception.config import PerceptionConfig
from emoreason.perception.decode import (
    AudioTrack,
    FrameStats,
    SampledFrame,
    StreamFacts,
    decode_audio,
    iter_frames,
    probe,
)
from emoreason.schema import ModalityEvidence, Transcript
from emoreason.schema.phrases import Phrase, phrase


@dataclass
class ClipSignal:
    """A decoded clip as extractors see it; frames come from a re-callable generator factory."""

    facts: StreamFacts
    audio: AudioTrack | None = None
    frames: Callable[[], Iterator[SampledFrame]] | None = None
    frame_stats: FrameStats = field(default_factory=FrameStats)
    transcript: Transcript | None = None  # set by the speech extractor
    asr_avg_logprob: float | None = None  # whisper's mean segment log-probability

    @classmethod
    def from_file(cls, path: str | Path, config: PerceptionConfig) -> ClipSignal:
        facts = probe(path)
        audio = decode_audio(path, config.sample_rate) if facts.has_audio else None
        signal = cls(facts=facts, audio=audio)
        if facts.has_video:
            fps = effective_fps(facts.duration, config)

            def frames() -> Iterator[SampledFrame]:
                signal.frame_stats = FrameStats()
                yield from iter_frames(
                    path, fps, keep_keyframes=config.keep_keyframes, max_side=config.max_side,
                    stats=signal.frame_stats,
                )  # fmt: skip

            signal.frames = frames
        return signal


def effective_fps(duration: float, config: PerceptionConfig) -> float:
    """``config.fps``, lowered so that at most ``config.max_frames`` grid frames are sampled."""
    if duration <= 0:
        return config.fps
    return max(0.01, min(config.fps, config.max_frames / duration))


class Extractor(ABC):
    """Base class: ``modality`` and ``feature_names`` are declared before anything is processed."""

    modality: ClassVar[str]
    feature_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: PerceptionConfig | None = None) -> None:
        self.config = config or PerceptionConfig()

    @abstractmethod
    def process_signal(self, signal: ClipSignal) -> ModalityEvidence:
        """Observe one decoded clip."""

    def process_file(self, path: str | Path) -> ModalityEvidence:
        """Decode ``path`` (raising :class:`~emoreason.errors.MediaError`) and process it."""
        return self.process_signal(ClipSignal.from_file(path, self.config))

    def declared(self, values: dict[str, float | None]) -> dict[str, float | None]:
        """All declared features in order (None where not measured); unknown names are errors."""
        unknown = set(values) - set(self.feature_names)
        if unknown:
            raise KeyError(f"{self.modality}: undeclared feature(s) {sorted(unknown)}")
        out: dict[str, float | None] = {}
        for name in self.feature_names:
            value = values.get(name)
            out[name] = None if value is None or value != value else float(value)  # NaN -> None
        return out

    def unavailable(
        self, status: Phrase | str, seconds: float = 0.0, frames_analyzed: int | None = None
    ) -> ModalityEvidence:
        """Evidence saying plainly why this modality was not observed (all features None).

        ``status`` is a :class:`~emoreason.schema.phrases.Phrase` (written in every language)
        or, for text no phrase covers yet, an English sentence (shown as it is).
        """
        stated = {"status": status} if isinstance(status, str) else {"status_phrases": [status]}
        return ModalityEvidence(
            modality=self.modality, available=False, **stated,
            features=self.declared({}), seconds=seconds, frames_analyzed=frames_analyzed,
        )  # fmt: skip


class FrameExtractor(Extractor):
    """An extractor fed one sampled frame at a time (state lives between ``start`` and ``finish``)."""

    @abstractmethod
    def start(self, facts: StreamFacts) -> None: ...

    @abstractmethod
    def update(self, frame: SampledFrame) -> None: ...

    @abstractmethod
    def finish(self, stats: FrameStats) -> ModalityEvidence: ...

    def process_signal(self, signal: ClipSignal) -> ModalityEvidence:
        if signal.frames is None:
            return self.unavailable(phrase("video.no_stream"))
        began = time.perf_counter()
        self.start(signal.facts)
        for frame in signal.frames():
            self.update(frame)
        evidence = self.finish(signal.frame_stats)
        evidence.seconds = time.perf_counter() - began
        return evidence
