"""English SABER text from :class:`~emoreason.reasoning.rules.facts.ClipFacts`.

Each sentence restates a cue (its description and time span), a modality status, the
transcript or a hypothesis; nothing is said about a modality that was not observed except that
it was unavailable, with the perception stage's own status line.
"""

from __future__ import annotations

from emoreason.reasoning.rules.facts import ALWAYS_CITE, ClipFacts, ModalityFacts
from emoreason.schema.evidence import Cue
from emoreason.schema.saber import AudioDesc, SaberRecord

_SIDE_NAME = {"visual": "face", "acoustic": "voice", "verbal": "words"}
_READS = {"visual": "The face reads", "acoustic": "The voice reads", "verbal": "The words read"}


def span(cue: Cue) -> str:
    """The cue's time span, unless its description already states the time."""
    if cue.start is None or f"{cue.start:.1f} s" in cue.description:
        return ""
    if cue.end is None or abs(cue.end - cue.start) < 0.05:
        return f" [at {cue.start:.1f} s]"
    return f" [{cue.start:.1f}–{cue.end:.1f} s]"


def cue_list(cues: list[Cue]) -> str:
    return "; ".join(f"{c.description}{span(c)}" for c in cues)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _unavailable(m: ModalityFacts, what: str) -> str:
    return _sentence(f"{what} unavailable: {m.status}")


def _hypothesis(facts: ClipFacts, modality: str) -> str:
    h = facts.hypotheses[modality]
    if not h.available:
        return ""
    second = sorted(h.distribution, key=lambda e: -h.distribution[e])[1]
    return (
        f" {_READS[modality]} as {h.label} "
        f"(p={h.distribution[h.label]:.2f}, next {second} p={h.distribution[second]:.2f}; "
        f"confidence {h.confidence:.2f})."
    )


def video_desc(facts: ClipFacts) -> str:
    clip = facts.clip
    size = f"{clip.width}×{clip.height}, " if clip.width and clip.height else ""
    fps = f"{clip.fps:.0f} fps, " if clip.fps else ""
    head = (
        f"Clip of {clip.duration:.1f} s ({size}{fps}{clip.frames_sampled} frames sampled"
        f"{', with sound' if clip.has_audio else ', no audio stream'})."
    )
    if clip.incomplete and clip.decoded_duration is not None:
        head += (
            f" Only {clip.decoded_duration:.1f} of its {clip.duration:.1f} s could be decoded "
            f"(file cut or damaged): confidences are scaled by {clip.coverage:.2f}."
        )
    scene = facts.modality("scene")
    if not clip.has_video:
        return head + " There is no video stream."
    if not scene.available:
        return f"{head} {_unavailable(scene, 'Scene analysis')}"
    parts = [head]
    if scene.cues:
        parts.append(_sentence(f"Scene: {cue_list(scene.cues)}"))
    face, body = facts.modality("face"), facts.modality("body")
    parts.append(_sentence(f"Face: {face.status}"))
    if body.status:
        parts.append(_sentence(f"Person: {body.status}"))
    return " ".join(parts)


def speech_content(facts: ClipFacts) -> str:
    speech, verbal = facts.modality("speech"), facts.modality("verbal")
    if not facts.clip.has_audio:
        return _unavailable(speech, "Speech")
    if not facts.speech_detected:
        return _sentence(
            f"No speech was detected: the transcript is empty, so there are no words to analyse "
            f"(speech: {speech.status})"
        )
    if facts.transcript_issues:
        return _sentence(
            "Speech was heard, but the recognised words are unreliable "
            f"({'; '.join(facts.transcript_issues)}), so they are neither quoted nor read for "
            "emotion"
        )
    lang = f" ({facts.transcript_language})" if facts.transcript_language else ""
    text = f'The speaker says{lang}: "{facts.transcript}"'
    if verbal.available and verbal.cues:
        text += f" Word cues: {_sentence(cue_list(verbal.cues))}"
    elif not verbal.available:
        text += f" {_unavailable(verbal, 'Word analysis')}"
    return text + _hypothesis(facts, "verbal")


def acoustic_feat(facts: ClipFacts) -> str:
    acoustic = facts.modality("acoustic")
    if not acoustic.available:
        return _unavailable(acoustic, "Acoustic analysis")
    text = _sentence(f"Voice: {cue_list(acoustic.cues)}") if acoustic.cues else acoustic.status
    if acoustic.peak:
        t, label, score = acoustic.peak
        text += f" Strongest vocal {label} score {score:.2f} at {t:.1f} s."
    return _sentence(text) + _hypothesis(facts, "acoustic")


def facial_exp_desc(facts: ClipFacts) -> str:
    face = facts.modality("face")
    if not face.available:
        return _unavailable(face, "Facial expression")
    text = _sentence(f"Face: {cue_list(face.cues)}") if face.cues else _sentence(face.status)
    if face.peak:
        t, label, score = face.peak
        text += f" The expression peaks as {label} ({score:.2f}) at {t:.1f} s."
    return text + _hypothesis(facts, "visual")


def body_lang_desc(facts: ClipFacts) -> str:
    body = facts.modality("body")
    if not body.available:
        return _unavailable(body, "Body language")
    if body.cues:
        return _sentence(f"Body: {cue_list(body.cues)}")
    return _sentence(f"{body.status}; no notable posture or gesture cue")


def sentiment_analysis(facts: ClipFacts) -> str:
    pieces = []
    for modality, source in (("visual", "face"), ("acoustic", "acoustic"), ("verbal", "verbal")):
        m = facts.modality(source)
        h = facts.hypotheses[modality]
        name = _SIDE_NAME[modality]
        if not h.available or not m.available:
            pieces.append(f"{name}: unavailable ({m.status})")
            continue
        cited = cue_list(m.cues[:2]) or m.status
        if modality == "verbal" and facts.transcript:
            flags = [c for c in m.cues if c.name in ALWAYS_CITE]
            cited = f'"{_clip(facts.transcript)}"' + "".join(f"; {c.description}" for c in flags)
        read = facts.consistency.modalities.get(modality) or "no emotion evidence"
        pieces.append(f"{name} → {read} ({cited})")
    c = facts.consistency
    text = f"Evidence: {'; '.join(pieces)}. {c.explanation}"
    if c.conflicts:
        sides = ", ".join(
            f"{a} ({c.modalities.get(a)}) vs {b} ({c.modalities.get(b)})" for a, b in c.conflicts
        )
        text += f" Conflicting pairs: {sides}."
    text += f" Final emotion: {facts.emotion}"
    if c.resolution is None:
        text += " (a default: no modality gave emotion evidence)"
    if facts.secondary:
        text += f", with traces of {', '.join(facts.secondary)}"
    verdict = c.verdict.value
    return text + f" (verdict: {verdict})."


def _clip(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def write_en(facts: ClipFacts) -> SaberRecord:
    return SaberRecord(
        video_desc=video_desc(facts),
        audio_desc=AudioDesc(
            speech_content=speech_content(facts), acoustic_feat=acoustic_feat(facts)
        ),
        facial_exp_desc=facial_exp_desc(facts),
        body_lang_desc=body_lang_desc(facts),
        sentiment_analysis=sentiment_analysis(facts),
    )
