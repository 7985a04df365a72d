"""The verdict rule as a pure decision, and the explanation written from it."""

from __future__ import annotations

import random

import pytest
from pydantic import ValidationError

from emoreason.reasoning.consistency import ConsistencyConfig, analyze_consistency, decide
from emoreason.reasoning.consistency_rules import EvidenceStatus, Role, read_modality
from emoreason.reasoning.consistency_text import describe, explain
from emoreason.schema import EMOTIONS, EmotionHypothesis
from emoreason.schema.result import Consistency, ConsistencyVerdict
from synthetic_evidence import hyp

FLAT = {e: 1.0 / len(EMOTIONS) for e in EMOTIONS}


def flat(modality: str, confidence: float = 0.6) -> EmotionHypothesis:
    return EmotionHypothesis(modality=modality, distribution=FLAT, confidence=confidence)


def random_hypotheses(rng: random.Random) -> dict[str, EmotionHypothesis]:
    out = {}
    for m in ("visual", "acoustic", "verbal"):
        kind = rng.random()
        if kind < 0.1:
            out[m] = EmotionHypothesis.unavailable(m)
        elif kind < 0.2:
            out[m] = flat(m, rng.random())
        else:
            raw = {e: rng.random() ** 3 for e in EMOTIONS}
            total = sum(raw.values())
            out[m] = EmotionHypothesis(
                modality=m,
                distribution={e: v / total for e, v in raw.items()},
                confidence=round(rng.random(), 3),
            )
    return out


def test_weak_third_modality_does_not_break_the_agreement_of_two_confident_ones():
    # the failure of issue 13: a weak acoustic 'happy' (0.26-0.28) on sad speech
    agree = {"visual": hyp("visual", "sad", 0.7, 0.8), "verbal": hyp("verbal", "sad", 0.7, 0.7)}
    for conf in (0.26, 0.28):
        c = analyze_consistency({**agree, "acoustic": hyp("acoustic", "happy", 0.6, conf)})
        assert (c.verdict.value, c.resolution, c.conflicts) == ("consistent", "sad", [])
        assert c.evidence_used == ["visual", "verbal"]
        assert c.evidence_ignored["acoustic"].startswith("weak")
    # the same voice above its calibrated reliability does take part
    cfg = ConsistencyConfig(reliable_acoustic=0.2)
    c = analyze_consistency({**agree, "acoustic": hyp("acoustic", "happy", 0.6, 0.28)}, config=cfg)
    assert "acoustic" in c.evidence_used


def test_a_weak_modality_cannot_create_a_conflict_on_its_own():
    hyps = {"visual": hyp("visual", "happy", 0.8, 0.9), "verbal": hyp("verbal", "angry", 0.8, 0.25)}
    d = decide(hyps)
    assert d.verdict is ConsistencyVerdict.CONSISTENT and d.final == "happy"
    assert d.roles["verbal"] is Role.DISREGARDED and not d.conflicts
    # two weak readings that disagree: no conflict claimed either, the verdict is ambiguous
    weak = {"visual": hyp("visual", "happy", 0.8, 0.2), "verbal": hyp("verbal", "angry", 0.8, 0.2)}
    assert decide(weak).verdict is ConsistencyVerdict.AMBIGUOUS and not decide(weak).conflicts


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_evidence_is_never_neutral(lang):
    hyps = {"visual": flat("visual", 0.9), "acoustic": flat("acoustic"), "verbal": flat("verbal")}
    c = analyze_consistency(hyps, lang=lang)
    assert c.verdict.value == "ambiguous" and c.resolution is None
    assert set(c.modalities.values()) == {None}
    assert set(c.evidence_ignored.values()) == {"no evidence"}
    marker = "并非中性" if lang == "zh" else "not a neutral reading"
    assert "中性" not in c.explanation.replace(marker, "")
    assert "neutral" not in c.explanation.replace(marker, "")


def test_flat_modality_next_to_a_reading_is_reported_as_no_evidence():
    c = analyze_consistency({"visual": hyp("visual", "sad"), "acoustic": flat("acoustic", 0.45)})
    assert c.modalities["acoustic"] is None and c.resolution == "sad"
    assert "the voice: no emotion evidence (flat distribution" in c.explanation
    reading = read_modality(flat("acoustic", 0.45), ConsistencyConfig())
    assert reading.status is EvidenceStatus.NO_EVIDENCE and reading.flat


def test_sarcasm_and_masking_are_still_resolved():
    sarcasm = {
        "visual": hyp("visual", "happy", 0.86, 0.9),
        "verbal": hyp("verbal", "angry", 0.75, 0.55),
        "acoustic": hyp("acoustic", "neutral", 0.5, 0.33),
    }
    d = decide(sarcasm)
    assert (d.verdict.value, d.final, d.pattern) == ("audio-aligned", "angry", "sarcasm")
    assert d.sides == {"visual": "happy", "audio": "angry"}
    assert d.conflicts == (("visual", "verbal"),)
    masking = {
        "visual": hyp("visual", "sad", 0.6, 0.74),
        "verbal": hyp("verbal", "neutral", 0.74, 0.64, happy=0.26),
        "acoustic": hyp("acoustic", "neutral", 0.53, 0.33),
    }
    d = decide(masking)
    assert (d.verdict.value, d.final, d.pattern) == ("video-aligned", "sad", "masking")


@pytest.mark.parametrize(
    "visual,audio,verdict,final",
    [
        ("happy", "neutral", "video-aligned", "happy"),
        ("neutral", "angry", "audio-aligned", "angry"),
    ],
)
def test_an_expressed_emotion_outweighs_a_neutral_display(visual, audio, verdict, final):
    hyps = {"visual": hyp("visual", visual, 0.8, 0.8), "acoustic": hyp("acoustic", audio, 0.8, 0.8)}
    d = decide(hyps)
    assert (d.verdict.value, d.final, d.reason) == (verdict, final, "emotion_over_neutral")


def test_voice_against_words_without_a_face_is_ambiguous():
    hyps = {
        "acoustic": hyp("acoustic", "angry", 0.8, 0.8),
        "verbal": hyp("verbal", "sad", 0.8, 0.8),
    }
    d = decide(hyps)
    assert d.verdict is ConsistencyVerdict.AMBIGUOUS and d.reason == "within_audio"


def test_consistent_and_verdict_never_contradict():
    rng = random.Random(13)
    verdicts = set()
    for _ in range(400):
        c = analyze_consistency(random_hypotheses(rng))
        verdicts.add(c.verdict.value)
        assert c.consistent == (c.verdict.value == "consistent")
        assert bool(c.conflicts) <= (c.verdict.value != "consistent")
        data = c.model_dump()
        assert data["consistent"] == c.consistent
        assert Consistency.model_validate(data) == c  # the JSON round trip keeps it
    assert verdicts == {"consistent", "video-aligned", "audio-aligned", "ambiguous"}
    with pytest.raises(ValidationError, match="contradicts verdict"):
        Consistency(consistent=True, verdict="ambiguous", modalities={})


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_explanation_cites_exactly_the_evidence_used(lang):
    rng = random.Random(7)
    for _ in range(300):
        hyps = random_hypotheses(rng)
        d = decide(hyps)
        text = explain(d, lang)
        for m, r in d.readings.items():
            if d.roles[m] in (Role.SUPPORT, Role.OPPOSED) and r.status is EvidenceStatus.RELIABLE:
                assert describe(r, lang) in text, (m, text)
            if r.status is EvidenceStatus.NO_EVIDENCE:
                assert ("没有情绪证据" if lang == "zh" else "no emotion evidence") in text
            if r.status is EvidenceStatus.UNAVAILABLE:
                assert ("不可用" if lang == "zh" else "unavailable") in text
            if r.claims:  # every reading with a label is accounted for, with its confidence
                assert f"{r.confidence:.2f}" in text, (m, text)
        if d.final is None:
            assert d.verdict is ConsistencyVerdict.AMBIGUOUS


def test_decision_is_pure():
    hyps = random_hypotheses(random.Random(3))
    before = {m: h.model_dump() for m, h in hyps.items()}
    assert decide(hyps) == decide(hyps)
    assert {m: h.model_dump() for m, h in hyps.items()} == before


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_never_reads_a_flat_modality_as_neutral(lang):
    from emoreason.reasoning import RulesReasoner
    from synthetic_evidence import make_evidence

    ev = make_evidence("consistent_sad")
    ev = ev.model_copy(update={"hypotheses": {**ev.hypotheses, "verbal": flat("verbal", 0.45)}})
    text = RulesReasoner().reason(ev, lang).saber.sentiment_analysis
    if lang == "en":
        assert "the words → no emotion evidence" in text or "words → no emotion evidence" in text
        assert "→ neutral" not in text
    else:
        assert "没有情绪证据" in text and "→ 中性" not in text


def test_two_agreeing_modalities_outweigh_a_confident_dissenter():
    # a synthetic (espeak) voice read as disgusted with confidence 0.93 under a crying face and
    # sad words: the face and the words agree, the clip is consistent
    hyps = {
        "visual": hyp("visual", "sad", 0.56, 0.44),
        "verbal": hyp("verbal", "sad", 0.76, 0.57),
        "acoustic": hyp("acoustic", "disgusted", 0.9, 0.93),
    }
    d = decide(hyps)
    assert (d.verdict.value, d.final, d.reason) == ("consistent", "sad", "agree")
    assert d.roles["acoustic"] is Role.OUTWEIGHED and not d.conflicts
    text = explain(d)
    assert "the voice reads disgusted (confidence 0.93) but is outweighed" in text
    # a smile with positive words over a hostile voice is still sarcasm, not agreement
    sarcasm = {
        "visual": hyp("visual", "happy", 0.8, 0.8),
        "verbal": hyp("verbal", "happy", 0.55, 0.5, angry=0.3),
        "acoustic": hyp("acoustic", "angry", 0.85, 0.8),
    }
    assert decide(sarcasm).pattern == "sarcasm"


def test_fear_behind_a_smile_is_not_sarcasm():
    hyps = {
        "visual": hyp("visual", "happy", 0.8, 0.8),
        "acoustic": hyp("acoustic", "fearful", 0.55, 0.7, angry=0.35),
    }
    d = decide(hyps)
    assert d.pattern != "sarcasm" and d.verdict.value == "video-aligned"
    hostile = {**hyps, "acoustic": hyp("acoustic", "angry", 0.55, 0.7, fearful=0.35)}
    assert decide(hostile).pattern == "sarcasm" and decide(hostile).final == "angry"
