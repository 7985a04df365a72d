"""A fast, deterministic stand-in analyser for tests and benchmarks of the pipeline machinery.

``emoreason pipeline run --config cfg.yaml`` with ``analyzer:
"emoreason.pipeline.testing:build_fake_analyzer"`` runs the real rules reasoner on synthetic
Evidence chosen from the file name (no decoding, no models), so engines, resume and output can be
exercised on hundreds of clips in seconds. ``analyzer_options``: ``delay`` (seconds of sleep per
clip, to make a run killable mid-way) and ``busy`` (seconds of CPU work per clip, for throughput
benchmarks). A stem containing ``broken`` raises MediaError; one containing ``crash`` kills
the worker process outright (``os._exit``), as a native crash would.
"""

from __future__ import annotations

import os
import time
import zlib
from pathlib import Path
from typing import Any

from emoreason.errors import MediaError
from emoreason.schema import (
    ClipInfo,
    Cue,
    EmotionHypothesis,
    Evidence,
    ModalityEvidence,
    Transcript,
    Word,
    normalize_distribution,
)

#: profile -> (face label, face cue, voice label, voice cue, words, verbal label)
PROFILES: dict[str, tuple[str, Cue, str, Cue, str, str]] = {
    "happy": (
        "happy",
        Cue(name="lip_corner_puller", description="lip corners pulled up (smile)", start=0.0, end=3.0),
        "happy",
        Cue(name="pitch_high", description="raised, lively pitch", start=0.2, end=2.8),
        "This is wonderful news, I am so happy for you",
        "happy",
    ),
    "sad": (
        "sad",
        Cue(name="lip_corner_depressor", description="lip corners pulled down", start=0.5, end=3.0),
        "sad",
        Cue(name="speech_rate_slow", description="slow speech (2.1 syllables/s)", start=0.0, end=3.0),
        "I miss her so much, nothing feels right",
        "sad",
    ),
    "sarcasm": (
        "happy",
        Cue(name="lip_corner_puller", description="lip corners pulled up (smile)", start=0.0, end=3.0),
        "angry",
        Cue(name="loudness_high", description="loud voice (-12 dBFS)", start=0.2, end=2.5),
        "Oh great, just perfect, you ruined everything again",
        "angry",
    ),
}  # fmt: skip


def _hypothesis(modality: str, label: str, confidence: float = 0.8) -> EmotionHypothesis:
    scores = normalize_distribution({label: 0.7, "neutral": 0.3} if label != "neutral" else {})
    return EmotionHypothesis(
        modality=modality, distribution=scores, confidence=confidence, based_on=[f"{modality}_cue"]
    )


def fake_evidence(path: str) -> Evidence:
    """Synthetic Evidence for ``path``: the profile is named in the stem or picked by a hash."""
    stem = Path(path).stem.lower()
    profile = next((p for p in PROFILES if p in stem), None)
    if profile is None:
        profile = sorted(PROFILES)[zlib.crc32(stem.encode()) % len(PROFILES)]
    face_label, face_cue, voice_label, voice_cue, text, verbal_label = PROFILES[profile]
    words = [Word(word=w, start=0.3 * i, end=0.3 * i + 0.25) for i, w in enumerate(text.split())]
    modalities = {
        "scene": ModalityEvidence(modality="scene", available=True, status="12 frames analysed"),
        "face": ModalityEvidence(
            modality="face", available=True, status="face in 12/12 frames", cues=[face_cue]
        ),
        "body": ModalityEvidence(modality="body", available=False, status="no pose found"),
        "acoustic": ModalityEvidence(
            modality="acoustic", available=True, status="voiced speech", cues=[voice_cue]
        ),
        "speech": ModalityEvidence(
            modality="speech", available=True, status=f"{len(words)} words recognised"
        ),
        "verbal": ModalityEvidence(modality="verbal", available=True, status="words analysed"),
    }
    return Evidence(
        clip=ClipInfo(
            path=path,
            duration=3.0,
            has_video=True,
            has_audio=True,
            width=320,
            height=240,
            fps=25.0,
            frames_sampled=12,
            sample_rate=16000,
        ),
        modalities=modalities,
        transcript=Transcript(text=text, language="en", language_probability=0.99, words=words),
        hypotheses={
            "visual": _hypothesis("visual", face_label, 0.85),
            "acoustic": _hypothesis("acoustic", voice_label, 0.6),
            "verbal": _hypothesis("verbal", verbal_label, 0.8),
        },
    )


class FakePerceiver:
    """Evidence from the file name after an optional sleep / busy loop."""

    def __init__(self, delay: float = 0.0, busy: float = 0.0) -> None:
        self.delay = delay
        self.busy = busy

    def perceive(self, path: str) -> Evidence:
        if "crash" in Path(path).stem:
            os._exit(3)
        if "broken" in Path(path).stem:
            raise MediaError("not a decodable video (fake: 'broken' in the name)", path=path)
        if self.delay:
            time.sleep(self.delay)
        if self.busy:
            end = time.process_time() + self.busy
            x = 0
            while time.process_time() < end:
                x += 1
        return fake_evidence(path)


def build_fake_analyzer(config: Any) -> Any:
    """``analyzer`` factory: the rules reasoner over :class:`FakePerceiver` evidence."""
    from emoreason.pipeline.analyze import Analyzer

    options = dict(config.analyzer_options)
    perceiver = FakePerceiver(
        delay=float(options.get("delay", 0.0)), busy=float(options.get("busy", 0.0))
    )
    return Analyzer("rules", config.languages[0], perceiver=perceiver)
