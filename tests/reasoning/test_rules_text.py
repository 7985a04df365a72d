"""One rules-text writer for every language: the same facts, worded from each language's table."""

from __future__ import annotations

import dataclasses
import re

import pytest

from chinese_text import latin_words
from emoreason.reasoning import RulesReasoner
from emoreason.reasoning.rules.text_wording import WORDING, SentenceWording
from emoreason.schema import (
    SABER_DIMENSIONS,
    ClipInfo,
    Cue,
    EmotionHypothesis,
    Evidence,
    ModalityEvidence,
    TimelinePoint,
    Transcript,
    normalize_distribution,
)
from emoreason.schema.languages import LANGUAGES
from emoreason.schema.phrases import phrase, template_fields

#: Sentences whose English states the recogniser's own (English) issues and whose other
#: languages state how many there are.
COUNTED_IN_TRANSLATION = {"words_unreliable"}


def test_every_language_states_the_same_facts():
    assert set(WORDING) == set(LANGUAGES)
    english = WORDING["en"]
    for f in dataclasses.fields(SentenceWording):
        values = {lang: getattr(WORDING[lang], f.name) for lang in LANGUAGES}
        if isinstance(values["en"], dict):
            assert all(set(v) == set(values["en"]) for v in values.values()), f.name
        elif isinstance(values["en"], str) and f.name not in COUNTED_IN_TRANSLATION:
            fields = template_fields(getattr(english, f.name))
            assert all(template_fields(v) == fields for v in values.values()), f.name


def _hypothesis(modality: str, label: str, p: float, confidence: float) -> EmotionHypothesis:
    return EmotionHypothesis(
        modality=modality,
        distribution=normalize_distribution({label: p, "neutral": 1 - p}),
        confidence=confidence,
    )


def _evidence(acoustic_cues: bool = True) -> Evidence:
    """Evidence with its wording as phrases (and one status as text only, as older records)."""

    def modality(name: str, status, cues=(), timeline=()) -> ModalityEvidence:
        stated = {"status": status} if isinstance(status, str) else {"status_phrases": [status]}
        return ModalityEvidence(
            modality=name, available=True, cues=list(cues), timeline=list(timeline), **stated
        )

    action = phrase("face.action", action="lip corners pulled down", frames=9, total=10, at=1.5)
    voice = [phrase("acoustic.speech_rate", pace="slow", rate=2.4)] if acoustic_cues else []
    sad = [TimelinePoint(time=2.0, scores={"sad": 0.6, "neutral": 0.4})]
    text = "I miss her so much."
    return Evidence(
        clip=ClipInfo(
            path="x.mp4",
            duration=4.0,
            has_video=True,
            has_audio=True,
            width=320,
            height=240,
            fps=25.0,
            frames_sampled=10,
        ),
        modalities={
            "scene": modality(
                "scene",
                phrase("scene.sampled", frames=10, seconds=3.9, decoded=99),
                [Cue(name="motion", phrase=phrase("scene.single_shot"))],
            ),
            "face": modality(
                "face",
                phrase("face.found", frames=10, total=10),
                [Cue(name="lip_corner_depressor", start=1.5, phrase=action)],
                sad,
            ),
            "body": modality("body", phrase("body.found", frames=5, total=5)),
            "acoustic": modality(
                "acoustic",
                phrase("acoustic.analysed", voiced=0.5, seconds=4.0),
                [Cue(name="speech_rate", start=0.2, end=3.8, phrase=p) for p in voice],
                sad,
            ),
            "speech": modality(
                "speech", phrase("speech.transcribed", words=5, language="en", p=0.99)
            ),
            "verbal": modality(
                "verbal",
                "1 sentence(s) analysed (en); words lean sad",  # a status kept as text only
                [
                    Cue(
                        name="words_sad",
                        start=0.0,
                        end=1.2,
                        phrase=phrase("verbal.sentence", sentence=text, label="sad", p=0.8, at=0.0),
                    )
                ],
            ),
        },
        transcript=Transcript(text=text, language="en"),
        hypotheses={
            "visual": _hypothesis("visual", "sad", 0.7, 0.8),
            "acoustic": _hypothesis("acoustic", "sad", 0.6, 0.5),
            "verbal": _hypothesis("verbal", "sad", 0.8, 0.7),
        },
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_phrased_evidence_is_written_wholly_in_the_language(lang):
    result = RulesReasoner().reason(_evidence(), lang)
    for dim in SABER_DIMENSIONS:
        text = result.saber.dimension(dim)
        assert text.strip(), dim
        if lang == "zh":
            assert not latin_words(text), (dim, text)
    face = result.saber.facial_exp_desc
    expected = {
        "en": "Face: lip corners pulled down in 9/10 face frames (peak at 1.5 s).",
        "zh": "面部：嘴角下垂出现在 10 个人脸帧中的 9 帧（1.5 秒最明显）。",
    }[lang]
    assert face.startswith(expected), face
    span = {"en": "[0.2–3.8 s]", "zh": "（0.2–3.8 秒）"}[lang]  # a cue without its own time
    assert span in result.saber.audio_desc.acoustic_feat


def test_a_status_then_a_peak_are_two_sentences():
    text = RulesReasoner().reason(_evidence(acoustic_cues=False), "en").saber.audio_desc
    assert text.acoustic_feat.startswith(
        "voice analysed: 50% of 4.0 s voiced. Strongest vocal sad score 0.60 at 2.0 s."
    )


def test_english_and_chinese_state_the_same_numbers():
    evidence = _evidence()
    en = RulesReasoner().reason(evidence, "en").saber.sentiment_analysis
    zh = RulesReasoner().reason(evidence, "zh").saber.sentiment_analysis
    numbers = re.compile(r"\d+(?:\.\d+)?")
    assert sorted(numbers.findall(en)) == sorted(numbers.findall(zh))
