"""A fast stand-in for perception, for the service's tests and its load benchmark.

:class:`SyntheticPerceiver` loads no model: it reads the clip's duration from the container and
returns fixed, plausible evidence spread over it (a smiling face, a rising angry voice, angry
words), which the real reasoning backend then turns into a full result. ``delay`` adds a fixed
amount of "work" per clip, so queueing can be exercised. Not for analysing anything.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from emoreason.schema.evidence import (
    ClipInfo,
    Cue,
    EmotionHypothesis,
    Evidence,
    ModalityEvidence,
    TimelinePoint,
    Transcript,
)


def _timeline(points: int, duration: float, scores: Any) -> list[TimelinePoint]:
    step = duration / max(points - 1, 1)
    return [
        TimelinePoint(time=round(i * step, 3), scores=scores(i / max(points - 1, 1)))
        for i in range(points)
    ]


class SyntheticPerceiver:
    """Fixed evidence over the clip's real duration (4.7 s when it cannot be read)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.seen: list[str] = []

    def perceive(self, path: str) -> Evidence:
        from emoreason.serve.app import probe_seconds

        self.seen.append(path)
        if self.delay:
            time.sleep(self.delay)
        d = probe_seconds(path) or 4.7
        clip = ClipInfo(path=path, duration=d, has_video=True, has_audio=True, frames_sampled=15)
        face = ModalityEvidence(
            modality="face",
            available=True,
            status="face in 15/15 sampled frames",
            cues=[
                Cue(
                    name="lip_corner_puller",
                    description="lip corners pulled up",
                    start=0.0,
                    end=round(0.95 * d, 2),
                    confidence=0.8,
                ),
                Cue(
                    name="expression_happy",
                    description="smile",
                    start=round(0.2 * d, 2),
                    confidence=0.9,
                ),
            ],
            timeline=_timeline(15, d, lambda x: {"happy": 0.7 + 0.2 * x, "neutral": 0.3 - 0.2 * x}),
        )
        acoustic = ModalityEvidence(
            modality="acoustic",
            available=True,
            status="voice in 4 windows",
            cues=[
                Cue(
                    name="pitch_rise",
                    description="pitch rises",
                    start=round(0.33 * d, 2),
                    confidence=0.6,
                ),
                Cue(
                    name="loudness",
                    description="loud voice",
                    start=round(0.1 * d, 2),
                    end=round(0.77 * d, 2),
                    confidence=0.7,
                ),
            ],
            timeline=_timeline(5, d, lambda x: {"angry": 0.3 + 0.4 * x, "neutral": 0.7 - 0.4 * x}),
        )
        verbal = ModalityEvidence(
            modality="verbal",
            available=True,
            status="12 words",
            cues=[
                Cue(
                    name="words_angry",
                    description="'You ruined everything again!'",
                    start=round(0.33 * d, 2),
                    end=round(0.56 * d, 2),
                    confidence=0.85,
                ),
            ],
            timeline=_timeline(3, d, lambda x: {"angry": 0.75, "happy": 0.15, "neutral": 0.1}),
        )
        text = "Oh great, just perfect. You ruined everything again! Thanks a lot!"
        return Evidence(
            clip=clip,
            modalities={"face": face, "acoustic": acoustic, "verbal": verbal},
            transcript=Transcript(text=text, language="en"),
            hypotheses={
                "visual": EmotionHypothesis(
                    modality="visual", distribution={"happy": 0.86, "neutral": 0.14}, confidence=0.9
                ),
                "acoustic": EmotionHypothesis(
                    modality="acoustic", distribution={"angry": 0.5, "neutral": 0.5}, confidence=0.4
                ),
                "verbal": EmotionHypothesis(
                    modality="verbal", distribution={"angry": 0.75, "neutral": 0.25}, confidence=0.6
                ),
            },
        )


def synthetic_analyzers(delay: float = 0.0) -> dict[str, Any]:
    """One analyser per language: :class:`SyntheticPerceiver` + the real ``rules`` backend."""
    from emoreason.pipeline.analyze import Analyzer

    perceiver = SyntheticPerceiver(delay)
    return {lang: Analyzer("rules", lang, perceiver=perceiver) for lang in ("en", "zh")}


@contextlib.contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1") -> Iterator[str]:
    """Run ``app`` with uvicorn on a free loopback port in a thread; yields its base URL."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, name="emoreason-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the test server did not start on {host}:{port}")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
