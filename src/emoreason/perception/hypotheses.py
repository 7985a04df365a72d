"""Per-modality emotion hypotheses from evidence: documented rules (all **ours**).

Label set: :data:`~emoreason.schema.labels.EMOTIONS` (neutral, happy, sad, angry, fearful,
surprised, disgusted). Each rule yields a distribution and a confidence in [0, 1].

**visual** (face-driven, body supplementing; the face part is :mod:`face_fusion`)::

    p_face(t) ∝ r_fer(e) * FER(t)(e) + r_act(e) * ACTIONS(t)(e)     per frame, per class e
    p_face    = quality-weighted mean over the frames with a readable pose
    p         = 0.9 * p_face + 0.1 * BODY(posture)            (body term only when a body was seen)
    conf      = sqrt(coverage) * evidence(frames) * quality * (0.3 + 0.7 max p) * (0.5 + 0.5 r)

``ACTIONS`` reads EMFACS prototype combinations of facial-action proxies
(:mod:`face_actions`); ``r_fer``/``r_act`` are per-class reliabilities (the FER2013 model is weak
on anger, fear and disgust), ``r`` the reliability of the top class. A still image is one frame
of evidence. Without a readable face the visual hypothesis rests on the body alone with
confidence <= 0.25.

**acoustic** (learned: :mod:`emoreason.perception.voice_model`, trained on real speech)::

    p, arousal, valence = voice model on the clip's acoustic features (level-free prosody,
                          voice quality, spectral balance) and its Whisper-encoder speech
                          embedding (logistic regression trained on EmoDB speakers 11-16,
                          temperature-calibrated on held-out speakers)
    p over EMOTIONS     = model classes with bored folded into neutral (no surprised class)
    r    = completeness * voicing * typicality * (0.4 if voicing is synthetic-regular)
    dist = r * p + (1 - r) * uniform;   conf = r * max(p)

``r`` (reliability, in [0, 1]) is defined in :mod:`~emoreason.perception.voice_model`: little
voiced speech, missing measures or features far outside the training speech lower it, so a
weak reading is flat and low-confidence rather than a confident guess.

**verbal**: the distribution and its calibrated confidence ``c`` come from
:mod:`emoreason.perception.verbal` (learned sentence model, pooling that keeps strong sentences,
temperature fitted on held-out calib sentences); ``conf = c * asr_quality`` where ``asr_quality``
combines the language probability and whisper's mean log-probability (1 for typed text,
:func:`~emoreason.perception.verbal.classify_text`). No words, or a few words without emotion
words, is *no evidence*: a flat distribution, confidence 0, ``based_on == ["no_evidence"]``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from emoreason.perception.face_actions import ACTION_NAMES
from emoreason.perception.face_fusion import face_confidence, fuse_frame
from emoreason.schema import EMOTIONS, EmotionHypothesis, ModalityEvidence, Transcript
from emoreason.schema.labels import normalize_distribution

if TYPE_CHECKING:
    from emoreason.perception.voice_model import VoiceModel

#: FER2013 class order of the shipped tflite -> our labels.
FER_LABELS: tuple[str, ...] = (
    "angry",
    "disgusted",
    "fearful",
    "happy",
    "sad",
    "surprised",
    "neutral",
)

#: Reliability factor for synthetic-sounding regular voicing (espeak-like; ours).
SYNTHETIC_VOICING_FACTOR = 0.4


def softmax(logits: dict[str, float], temperature: float = 1.0) -> dict[str, float]:
    top = max(logits.values())
    exp = {k: math.exp((v - top) / temperature) for k, v in logits.items()}
    total = sum(exp.values())
    return {k: v / total for k, v in exp.items()}


def acoustic_scores(f: dict[str, float | None]) -> dict[str, float]:
    """Emotion distribution of the voice model, shrunk towards uniform by its reliability.

    Works on partial feature sets (e.g. timeline windows): missing measures lower the
    reliability; no measures at all give the uniform distribution.
    """
    from emoreason.perception.voice_model import default_voice_model

    return default_voice_model().read(f).distribution


def acoustic_hypothesis(
    ev: ModalityEvidence | None, model: VoiceModel | None = None
) -> EmotionHypothesis:
    """The voice model's reading of the acoustic evidence (module docstring); ``model``: a
    :class:`~emoreason.perception.voice_model.VoiceModel` other than the shipped one."""
    from emoreason.perception.voice_embedding import embedding_of
    from emoreason.perception.voice_model import default_voice_model

    if ev is None or not ev.available:
        return EmotionHypothesis.unavailable("acoustic")
    reading = (model or default_voice_model()).read(ev.features, embedding_of(ev.extra))
    synthetic = any(c.name == "regular_voicing" for c in ev.cues)
    factor = SYNTHETIC_VOICING_FACTOR if synthetic else 1.0
    uniform = 1.0 / len(EMOTIONS)
    dist = {e: factor * p + (1.0 - factor) * uniform for e, p in reading.distribution.items()}
    based_on = [c.name for c in ev.cues if c.name in ("pitch_level", "loudness_peak", "speech_rate",
                                                        "pitch_rise", "voice_quality")]  # fmt: skip
    return EmotionHypothesis(
        modality="acoustic", distribution=normalize_distribution(dist),
        confidence=round(factor * reading.confidence, 3), based_on=based_on,
    )  # fmt: skip


def fer_distribution(probs: np.ndarray) -> dict[str, float]:
    """FER2013 softmax (7,) in model order -> our labels."""
    return normalize_distribution(dict(zip(FER_LABELS, map(float, probs), strict=True)))


def face_frame_scores(
    fer: dict[str, float] | None, actions: dict[str, float] | None
) -> dict[str, float]:
    """One frame's face distribution: the expression model's and the facial actions' readings,
    each class weighted by the reader's reliability on it (:func:`face_fusion.fuse_frame`)."""
    return fuse_frame(fer, actions)


def body_scores(f: dict[str, float | None]) -> dict[str, float] | None:
    """Posture -> weak emotion scores (ours): slump/head down/hand-to-face -> sad; forward lean
    with fast motion -> angry; open arms with motion -> happy; otherwise neutral."""
    if f.get("frames_with_body") in (None, 0.0):
        return None
    slump = f.get("slump") or 0.0
    hand_face = f.get("hand_to_face_fraction") or 0.0
    motion = min(1.0, (f.get("body_motion") or 0.0) / 0.05)
    openness = f.get("arm_openness") or 0.0
    lean = f.get("lean_forward") or 0.0
    mass = {
        "neutral": 1.0,
        "sad": 1.5 * slump + 1.0 * hand_face,
        "angry": 0.8 * max(0.0, lean) * motion,
        "happy": 0.6 * max(0.0, openness - 1.2) * motion,
        "fearful": 0.3 * hand_face,
    }
    return normalize_distribution(mass)


def visual_hypothesis(
    face: ModalityEvidence | None, body: ModalityEvidence | None
) -> EmotionHypothesis:
    body_dist = body_scores(body.features) if body is not None and body.available else None
    if face is None or not face.available:
        if body_dist is None:
            return EmotionHypothesis.unavailable("visual")
        return EmotionHypothesis(
            modality="visual", distribution=body_dist,
            confidence=round(0.25 * max(body_dist.values()), 3), based_on=["posture"],
        )  # fmt: skip
    f = face.features
    face_dist = {e: f.get(f"p_{e}") or 0.0 for e in EMOTIONS}
    if sum(face_dist.values()) <= 0:  # faces seen, none in a readable pose
        return visual_hypothesis(None, body)
    face_dist = normalize_distribution(face_dist)
    dist = face_dist
    based_on = [
        c.name for c in face.cues
        if c.name.startswith("expression") or c.name in ACTION_NAMES or c.name == "face_readers_disagree"
    ][:6]  # fmt: skip
    if body_dist is not None:
        dist = {e: 0.9 * face_dist[e] + 0.1 * body_dist[e] for e in EMOTIONS}
        based_on.append("posture")
    confidence = face_confidence(
        dist,
        reliability=f.get("face_reliability") or 0.0,
        coverage=f.get("face_coverage") or 0.0,
        frames=f.get("frames_readable") or 0.0,
        quality=f.get("face_quality") or 0.0,
    )
    return EmotionHypothesis(
        modality="visual", distribution=normalize_distribution(dist),
        confidence=round(min(0.95, confidence), 3), based_on=based_on,
    )  # fmt: skip


def asr_quality(transcript: Transcript | None, avg_logprob: float | None) -> float:
    """How far the words can be trusted, in [0, 1] (ours): language certainty x decoding certainty."""
    if transcript is None or not transcript.text.strip():
        return 0.0
    lang = transcript.language_probability if transcript.language_probability is not None else 0.5
    decoding = 1.0 if avg_logprob is None else min(1.0, max(0.0, 1.0 + avg_logprob / 1.5))
    return max(0.0, min(1.0, (0.4 + 0.6 * lang) * decoding))


def verbal_hypothesis(ev: ModalityEvidence | None) -> EmotionHypothesis:
    if ev is None or not ev.available:
        return EmotionHypothesis.unavailable("verbal")
    f = ev.features
    if f.get("no_evidence"):
        flat = {e: 1.0 / len(EMOTIONS) for e in EMOTIONS}
        return EmotionHypothesis(
            modality="verbal", distribution=flat, confidence=0.0, based_on=["no_evidence"]
        )
    dist = normalize_distribution({e: f.get(f"p_{e}") or 0.0 for e in EMOTIONS})
    quality = min(1.0, max(0.0, f.get("asr_quality") or 0.0))
    text_confidence = f.get("text_confidence")
    if text_confidence is None:  # evidence written before calibrated verbal confidences
        text_confidence = max(dist.values())
    based_on = [c.name for c in ev.cues][:6]
    return EmotionHypothesis(
        modality="verbal", distribution=dist,
        confidence=round(min(1.0, max(0.0, text_confidence * quality)), 3), based_on=based_on,
    )  # fmt: skip
