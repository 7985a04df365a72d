"""Synthetic perception Evidence for reasoning tests (no media, no models).

``make_evidence(scenario)`` builds the Evidence a perception stage would hand over for one of
the named scenarios, with cues, timelines, a transcript and per-modality hypotheses.
"""

from __future__ import annotations

from emoreason.schema import (
    ClipInfo,
    Cue,
    EmotionHypothesis,
    Evidence,
    ModalityEvidence,
    TimelinePoint,
    Transcript,
    Word,
    normalize_distribution,
)
from emoreason.schema.phrases import phrase

SCENARIOS = (
    "consistent_sad",
    "consistent_happy",
    "masking",
    "sarcasm",
    "missing_audio",
    "no_face",
    "silence",
)


def hyp(modality: str, label: str, peak: float = 0.7, confidence: float = 0.8, **extra: float):
    scores = {label: peak, **extra}
    rest = max(0.0, 1.0 - sum(scores.values()))
    scores["neutral"] = scores.get("neutral", 0.0) + rest
    return EmotionHypothesis(
        modality=modality,
        distribution=normalize_distribution(scores),
        confidence=confidence,
        based_on=[f"{modality}_cue"],
    )


def _timeline(label: str, duration: float, peak: float) -> list[TimelinePoint]:
    points = []
    for i in range(6):
        t = duration * i / 5
        score = peak * (0.5 + 0.5 * (i / 5))
        points.append(TimelinePoint(time=t, scores={label: score, "neutral": 1 - score}))
    return points


def _face(label: str) -> ModalityEvidence:
    cues = {
        "sad": [
            Cue(
                name="lip_corner_depressor",
                description="lip corners pulled down",
                value=0.61,
                start=1.0,
                end=6.5,
                confidence=0.8,
            ),
            Cue(
                name="inner_brow_raise",
                description="inner brows raised",
                value=0.44,
                start=2.0,
                end=5.0,
                confidence=0.7,
            ),
        ],
        "happy": [
            Cue(
                name="lip_corner_puller",
                description="lip corners pulled up (smile)",
                value=0.72,
                start=0.0,
                end=8.0,
                confidence=0.9,
            ),
            Cue(
                name="cheek_raise",
                description="cheeks raised",
                value=0.5,
                start=0.5,
                end=7.5,
                confidence=0.7,
            ),
        ],
    }[label]
    return ModalityEvidence(
        modality="face",
        available=True,
        status="face found in 40/40 sampled frames",
        cues=cues,
        timeline=_timeline(label, 8.0, 0.8),
        frames_analyzed=40,
        features={"face_presence": 1.0},
    )


def _body() -> ModalityEvidence:
    return ModalityEvidence(
        modality="body",
        available=True,
        status="upper body visible in 38/40 frames",
        cues=[
            Cue(
                name="head_down",
                description="head tilted down",
                value=0.3,
                start=1.0,
                end=4.0,
                confidence=0.6,
            )
        ],
    )


def _scene() -> ModalityEvidence:
    return ModalityEvidence(
        modality="scene",
        available=True,
        status="40 frames analysed",
        cues=[
            Cue(name="brightness", description="dim indoor lighting", value=0.31, confidence=0.9)
        ],
        features={"brightness": 0.31, "faces": 1.0},
    )


def _acoustic(kind: str) -> ModalityEvidence:
    cues = {
        "low": [
            Cue(
                name="pitch_low",
                description="low, flat pitch (mean 142 Hz)",
                value=142.0,
                unit="Hz",
                start=0.3,
                end=7.8,
                confidence=0.7,
            ),
            Cue(
                name="speech_rate_slow",
                description="slow speech (2.1 syllables/s)",
                value=2.1,
                confidence=0.6,
            ),
        ],
        "calm": [
            Cue(
                name="pitch_steady",
                description="steady, even pitch",
                value=180.0,
                unit="Hz",
                start=0.3,
                end=7.5,
                confidence=0.6,
            )
        ],
        "bright": [
            Cue(
                name="pitch_high",
                description="raised, lively pitch",
                value=230.0,
                unit="Hz",
                start=0.2,
                end=5.0,
                confidence=0.6,
            )
        ],
        "loud": [
            Cue(
                name="loudness_high",
                description="loud voice (-12 dBFS)",
                value=-12.0,
                unit="dBFS",
                start=0.2,
                end=4.8,
                confidence=0.8,
            ),
            Cue(
                name="speech_rate_fast",
                description="fast speech (5.6 syllables/s)",
                value=5.6,
                confidence=0.7,
            ),
        ],
    }[kind]
    return ModalityEvidence(
        modality="acoustic",
        available=True,
        status="speech-bearing audio analysed",
        cues=cues,
        timeline=_timeline("sad" if kind == "low" else "angry", 8.0, 0.5),
        features={"pitch_mean_hz": 180.0},
    )


def _speech(text: str, lang: str = "en") -> tuple[ModalityEvidence, ModalityEvidence, Transcript]:
    words = [Word(word=w, start=0.4 * i, end=0.4 * i + 0.3) for i, w in enumerate(text.split())]
    transcript = Transcript(text=text, language=lang, language_probability=0.98, words=words)
    speech = ModalityEvidence(
        modality="speech", available=True, status=f"{len(words)} words recognised"
    )
    verbal = ModalityEvidence(
        modality="verbal",
        available=True,
        status="transcript analysed",
        cues=[
            Cue(
                name="lexicon_sentiment",
                description=f"words: '{words[0].word} ...'",
                value=0.5,
                start=0.0,
                end=words[-1].end,
                confidence=0.8,
            )
        ],
    )
    return speech, verbal, transcript


def _missing(name: str, status: str) -> ModalityEvidence:
    return ModalityEvidence(modality=name, available=False, status=status)


TEXT = {
    "consistent_sad": "I can't believe she is gone. I miss her so much.",
    "consistent_happy": "This is wonderful news! I am so happy for you!",
    "masking": "It's fine. Really, everything is okay. I'm doing great.",
    "sarcasm": "Oh great, just perfect. You ruined everything again!",
    "no_face": "This is wonderful news! I am so happy for you!",
}


def make_evidence(scenario: str, path: str | None = None) -> Evidence:
    """Evidence for one of :data:`SCENARIOS`."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}")
    has_audio = scenario != "missing_audio"
    clip = ClipInfo(
        path=path or f"/clips/{scenario}.mp4",
        duration=8.0,
        has_video=True,
        has_audio=has_audio,
        width=640,
        height=360,
        fps=25.0,
        frames_sampled=40,
        sample_rate=16000 if has_audio else None,
    )
    face_label = {"consistent_happy": "happy", "sarcasm": "happy"}.get(scenario, "sad")
    mods = {"scene": _scene(), "face": _face(face_label), "body": _body()}
    hyps = {"visual": hyp("visual", face_label, 0.75, 0.85)}
    transcript = None
    if scenario == "no_face":
        mods["face"] = _missing("face", "no face detected in 0/40 sampled frames")
        mods["body"] = _missing("body", "no person detected in 0/40 sampled frames")
        hyps["visual"] = EmotionHypothesis.unavailable("visual")
    if scenario == "missing_audio":  # as perception states it
        for name in ("acoustic", "speech"):
            mods[name] = ModalityEvidence(
                modality=name, available=False, status_phrases=[phrase(f"{name}.no_audio")]
            )
        mods["verbal"] = _missing("verbal", "no audio, so no words to analyse")
        hyps["acoustic"] = EmotionHypothesis.unavailable("acoustic")
        hyps["verbal"] = EmotionHypothesis.unavailable("verbal")
    elif scenario == "silence":
        mods["acoustic"] = _missing("acoustic", "audio is digital silence (peak -96 dBFS)")
        mods["speech"] = _missing("speech", "no speech detected")
        mods["verbal"] = _missing("verbal", "empty transcript: nothing to analyse")
        transcript = Transcript(text="", language=None)
        hyps["acoustic"] = EmotionHypothesis.unavailable("acoustic")
        hyps["verbal"] = EmotionHypothesis.unavailable("verbal")
    else:
        kind, a_hyp, v_hyp = {
            "consistent_sad": ("low", hyp("acoustic", "sad", 0.55, 0.5), hyp("verbal", "sad")),
            "consistent_happy": (
                "bright",
                hyp("acoustic", "happy", 0.55, 0.5),
                hyp("verbal", "happy", 0.8, 0.9),
            ),
            "masking": (
                "calm",
                hyp("acoustic", "neutral", 0.6, 0.4),
                hyp("verbal", "happy", 0.65, 0.8),
            ),
            "sarcasm": (
                "loud",
                hyp("acoustic", "angry", 0.55, 0.6, disgusted=0.1),
                hyp("verbal", "angry", 0.45, 0.7, happy=0.35),
            ),
            "no_face": (
                "bright",
                hyp("acoustic", "happy", 0.55, 0.5),
                hyp("verbal", "happy", 0.8, 0.9),
            ),
        }[scenario]
        mods["acoustic"] = _acoustic(kind)
        speech, verbal, transcript = _speech(TEXT[scenario])
        mods["speech"], mods["verbal"] = speech, verbal
        hyps["acoustic"], hyps["verbal"] = a_hyp, v_hyp
    return Evidence(
        clip=clip,
        modalities=mods,
        transcript=transcript,
        hypotheses=hyps,
        timings={"decode": 0.1, "face": 0.5},
    )
