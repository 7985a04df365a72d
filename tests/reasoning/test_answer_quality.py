"""Degenerate model answers are named (hand-written answers, synthetic evidence, real rules text)."""

from __future__ import annotations

import json
import random

import pytest

from emoreason.prompts import sed_prompt
from emoreason.reasoning.answer_quality import (
    assess_answer,
    content_units,
    copied_input,
    loop_detail,
    summary,
    tokens,
)
from emoreason.reasoning.assemble import result_from_text
from emoreason.reasoning.evidence_text import evidence_text
from emoreason.reasoning.parser import parse_saber
from emoreason.reasoning.rules import RulesReasoner
from emoreason.reasoning.rules_fill import dimensions_to_fill, fill_from_rules
from emoreason.schema import SABER_DIMENSIONS
from synthetic_evidence import SCENARIOS, make_evidence

STATUS = "19 frames sampled over 6.0 s (151 decoded)"
GOOD = {
    "video_desc": "A person sits in a dim indoor room, facing the camera for about eight seconds.",
    "audio_desc": {
        "speech_content": "She says she can't believe she is gone and that she misses her.",
        "acoustic_feat": "Low, flat pitch and slow speech with long pauses.",
    },
    "facial_exp_desc": "Lip corners pulled down and inner brows raised for most of the clip.",
    "body_lang_desc": "Head tilted down, shoulders still.",
    "sentiment_analysis": "Face, voice and words agree on grief; the final emotion is sad.",
}


def _assess(text: str, scenario: str = "consistent_sad", lang: str = "en"):
    evidence = make_evidence(scenario)
    return assess_answer(text, parse_saber(text), evidence, prompt=sed_prompt(lang), lang=lang)  # type: ignore[arg-type]


def _kinds(quality) -> set[tuple[str, str | None]]:
    return {(p.kind, p.dimension) for p in quality.problems}


def test_smollm2_style_loop_is_degenerate_and_named():
    """The answer seen from the bundled SmolLM2: one evidence status line, 37 times."""
    evidence = make_evidence("consistent_sad")
    visual = evidence.modalities["scene"].model_copy(update={"status": STATUS})
    evidence = evidence.model_copy(update={"modalities": {**evidence.modalities, "scene": visual}})
    text = "\n".join([STATUS] * 37)
    quality = assess_answer(text, parse_saber(text), evidence, prompt=sed_prompt("en"))
    kinds = _kinds(quality)
    for dim in SABER_DIMENSIONS[:5]:
        assert ("missing_dimension", dim) in kinds
    assert ("repetition", "sentiment_analysis") in kinds
    assert ("copied_input", "sentiment_analysis") not in kinds  # one status line: a loop, named so
    assert ("no_emotion_named", None) in kinds
    assert quality.degenerate and quality.score == 0.0
    loop = next(p for p in quality.problems if p.kind == "repetition")
    assert "37 times" in loop.detail and "19 frames sampled" in loop.detail
    assert "repetition x1" in summary(quality)


def test_good_answers_pass_in_every_shape():
    sections = (
        "1. Scene: " + GOOD["video_desc"] + "\n2. Speech content: "
        + GOOD["audio_desc"]["speech_content"] + "\n3. Acoustic features: "
        + GOOD["audio_desc"]["acoustic_feat"] + "\n4. Facial expression: "
        + GOOD["facial_exp_desc"] + "\n5. Body language: " + GOOD["body_lang_desc"]
        + "\n6. Reasoning: " + GOOD["sentiment_analysis"]
    )  # fmt: skip
    for text in (json.dumps(GOOD), "```json\n" + json.dumps(GOOD) + "\n```", sections):
        quality = _assess(text)
        assert quality.ok, quality.problems
        assert quality.score == 1.0 and not quality.degenerate


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_rules_reasoner_text_is_never_flagged(scenario, lang):
    """The rules reasoner's grounded answers, given back as a model answer, raise no problem
    (silence: the rules text names no emotion only when nothing was perceived)."""
    evidence = make_evidence(scenario)
    record = RulesReasoner().reason(evidence, lang).saber
    text = json.dumps(record.model_dump(), ensure_ascii=False)
    quality = assess_answer(text, parse_saber(text), evidence, prompt=sed_prompt(lang), lang=lang)
    assert quality.ok, (scenario, lang, quality.problems)


def test_loop_inside_one_line_and_partial_answers():
    looping = dict(GOOD, body_lang_desc="I feel sad and I cry. " * 8)
    quality = _assess(json.dumps(looping))
    assert _kinds(quality) == {("repetition", "body_lang_desc")}
    assert quality.score == pytest.approx(5 / 6, abs=1e-3) and not quality.degenerate
    partial = {k: v for k, v in GOOD.items() if k in ("sentiment_analysis", "facial_exp_desc")}
    quality = _assess(json.dumps(partial))
    missing = {d for k, d in _kinds(quality) if k == "missing_dimension"}
    assert missing == {"video_desc", "audio_desc.speech_content", "audio_desc.acoustic_feat",
                       "body_lang_desc"}  # fmt: skip
    assert quality.score == pytest.approx(2 / 6, abs=1e-3) and quality.degenerate


def test_answer_that_ignores_the_evidence():
    unrelated = {
        "video_desc": "A cat plays a grand piano on a spaceship.",
        "audio_desc": {"speech_content": "Meowing.", "acoustic_feat": "Jazz chords."},
        "facial_exp_desc": "Whiskers twitching.",
        "body_lang_desc": "Paws on keys.",
        "sentiment_analysis": "Musical bliss; the final emotion is happy.",
    }
    quality = _assess(json.dumps(unrelated))
    assert _kinds(quality) == {("ignores_evidence", None)}
    assert quality.score == 0.5 and not quality.degenerate


def test_labels_outside_the_set_and_no_label():
    bored = dict(GOOD, sentiment_analysis="Lip corners pulled down; final emotion: boredom.")
    quality = _assess(json.dumps(bored))
    assert ("unknown_label", "sentiment_analysis") in _kinds(quality)
    assert "boredom" in next(p.detail for p in quality.problems if p.kind == "unknown_label")
    hedged = dict(GOOD, sentiment_analysis="The final emotion is probably sad.")
    assert _assess(json.dumps(hedged)).ok
    unnamed = dict(GOOD, sentiment_analysis="Lip corners pulled down while the voice is slow.")
    assert ("no_emotion_named", None) in _kinds(_assess(json.dumps(unnamed)))


def test_echoed_evidence_and_prompt_are_copied_input():
    evidence = make_evidence("consistent_sad")
    echo = evidence_text(evidence, "en")
    copied = dict(GOOD, video_desc=echo, body_lang_desc=sed_prompt("en"))
    quality = _assess(json.dumps(copied))
    assert ("copied_input", "video_desc") in _kinds(quality)
    assert ("copied_input", "body_lang_desc") in _kinds(quality)
    # several cues given back as they were listed: copied; two statuses quoted in prose: not
    face_line = next(line for line in echo.splitlines() if line.startswith("[face]"))
    listed = dict(GOOD, facial_exp_desc=face_line.removeprefix("[face] "))
    assert ("copied_input", "facial_exp_desc") in _kinds(_assess(json.dumps(listed)))
    quoted = (
        'Face: "no face detected in 0/40 sampled frames". Person: "no person detected in 0/40 '
        'sampled frames". A dim room, with sound.'
    )
    no_face = dict(GOOD, video_desc=quoted)
    assert ("copied_input", "video_desc") not in _kinds(_assess(json.dumps(no_face), "no_face"))
    # quoting the transcript is what speech_content is for
    quote = dict(GOOD, audio_desc={"speech_content": evidence.transcript.text,
                                   "acoustic_feat": "low, flat pitch"})  # fmt: skip
    assert _assess(json.dumps(quote)).ok


def test_chinese_loop_and_chinese_good_answer():
    good = RulesReasoner().reason(make_evidence("masking"), "zh").saber.model_dump()
    assert _assess(json.dumps(good, ensure_ascii=False), "masking", "zh").ok
    looping = dict(good, video_desc="画面中一个人坐着。" * 10)
    quality = _assess(json.dumps(looping, ensure_ascii=False), "masking", "zh")
    assert ("repetition", "video_desc") in _kinds(quality)


def _reference_repeat_share(toks: list[str], n: int) -> float:
    """Independent reference: the share of n-gram positions whose n-gram occurred before."""
    seen: list[tuple[str, ...]] = []
    repeats = 0
    for i in range(len(toks) - n + 1):
        gram = tuple(toks[i : i + n])
        repeats += gram in seen
        seen.append(gram)
    return repeats / (len(toks) - n + 1)


def test_ngram_loop_rule_matches_a_reference():
    rng = random.Random(7)
    vocab = ["alpha", "beta", "gamma", "delta", "omega", "sigma"]
    checked = 0
    for _ in range(300):
        period = rng.randint(1, 12)
        unit = [rng.choice(vocab) for _ in range(period)]
        length = rng.randint(12, 60)
        toks = (unit * (length // period + 1))[:length]
        for _ in range(rng.randint(0, length // 2)):  # noise
            toks[rng.randrange(length)] = rng.choice(vocab) + str(rng.randint(0, 9))
        text = " ".join(toks)
        expected = _reference_repeat_share(tokens(text), 4) >= 0.5
        assert (loop_detail(text) is not None) == expected, text
        checked += expected
    assert 30 < checked < 270  # both outcomes were exercised


def test_helpers_on_small_inputs():
    assert loop_detail("") is None and loop_detail("sad sad sad") is None  # too short to judge
    assert copied_input("", [("anything at all", False)]) == (0.0, set())
    assert "lip" not in content_units("the lip", ignore=frozenset({"lip"}))
    assert {"悲伤", "伤心"} <= content_units("悲伤心")


def test_result_from_text_records_quality_and_rules_does_not():
    evidence = make_evidence("consistent_sad")
    result = result_from_text(
        evidence, "\n".join(["nothing to see"] * 9), lang="en", backend="openai", model="m"
    )
    assert result.quality is not None and result.quality.degenerate
    again = type(result).model_validate_json(result.model_dump_json())
    assert again.quality == result.quality
    assert RulesReasoner().reason(evidence, "en").quality is None


def test_fill_from_rules_replaces_only_unusable_dimensions():
    evidence = make_evidence("masking")
    answer = {"facial_exp_desc": GOOD["facial_exp_desc"], "body_lang_desc": "ok ok " * 10}
    result = result_from_text(evidence, json.dumps(answer), lang="en", backend="x", model=None)
    dims = dimensions_to_fill(result)
    assert "facial_exp_desc" not in dims and "body_lang_desc" in dims
    assert "sentiment_analysis" in dims
    rules = RulesReasoner().reason(evidence, "en")
    filled = fill_from_rules(result, evidence, "en")
    assert filled.quality.filled_from_rules == dims
    assert filled.quality.problems == result.quality.problems  # the model's answer, as judged
    assert filled.saber.facial_exp_desc == GOOD["facial_exp_desc"]
    for dim in dims:
        assert filled.saber.dimension(dim) == rules.saber.dimension(dim)
    assert filled.missing == [] and filled.emotion == rules.emotion
    assert fill_from_rules(rules, evidence, "en") is rules  # nothing to fill
