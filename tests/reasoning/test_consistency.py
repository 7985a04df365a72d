"""Consistency analysis: CA-MER verdicts, patterns, resolution rule and its config."""

from __future__ import annotations

import pytest

from emoreason.errors import ConfigError
from emoreason.reasoning.consistency import ConsistencyConfig, analyze_consistency, fuse
from emoreason.schema import EMOTIONS, EmotionHypothesis, restrict_evidence
from synthetic_evidence import hyp, make_evidence

EXPECTED = {
    # scenario: (consistent, verdict, pattern, final)
    "consistent_sad": (True, "consistent", None, "sad"),
    "consistent_happy": (True, "consistent", None, "happy"),
    "masking": (False, "video-aligned", "masking", "sad"),
    "sarcasm": (False, "audio-aligned", "sarcasm", "angry"),
    "missing_audio": (True, "consistent", None, "sad"),
    "no_face": (True, "consistent", None, "happy"),
    "silence": (True, "consistent", None, "sad"),
}


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_scenarios(scenario):
    consistent, verdict, pattern, final = EXPECTED[scenario]
    c = analyze_consistency(make_evidence(scenario).hypotheses)
    assert (c.consistent, c.verdict.value, c.pattern, c.resolution) == (
        consistent,
        verdict,
        pattern,
        final,
    )
    assert set(c.modalities) == {"visual", "acoustic", "verbal"}
    assert bool(c.conflicts) == (not consistent)


def test_unavailable_modalities_have_no_label():
    c = analyze_consistency(make_evidence("missing_audio").hypotheses)
    assert c.modalities == {"visual": "sad", "acoustic": None, "verbal": None}
    assert "the voice: unavailable" in c.explanation and "the words: unavailable" in c.explanation
    assert c.evidence_used == ["visual"]
    assert c.evidence_ignored == {"acoustic": "unavailable", "verbal": "unavailable"}


@pytest.mark.parametrize("scenario", ["masking", "sarcasm"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_conflict_explanation_names_both_sides(scenario, lang):
    ev = make_evidence(scenario)
    c = analyze_consistency(ev.hypotheses, lang=lang)
    if lang == "en":
        assert "face" in c.explanation and ("words" in c.explanation or "voice" in c.explanation)
        assert ev.hypotheses["visual"].label in c.explanation
        assert ev.hypotheses["verbal"].label in c.explanation
        assert c.pattern in c.explanation.lower()
    else:
        assert "面部" in c.explanation and "言语" in c.explanation
        assert ("掩饰" if scenario == "masking" else "反讽") in c.explanation


def test_masking_pair_is_reported():
    c = analyze_consistency(make_evidence("masking").hypotheses)
    assert ("visual", "verbal") in c.conflicts
    assert c.agreement < 0.5


def test_weak_neutral_voice_does_not_break_agreement_but_strong_one_does():
    base = {"visual": hyp("visual", "sad"), "verbal": hyp("verbal", "sad")}
    weak = {**base, "acoustic": hyp("acoustic", "neutral", 0.6, confidence=0.3)}
    strong = {**base, "acoustic": hyp("acoustic", "neutral", 0.6, confidence=0.9)}
    assert analyze_consistency(weak).consistent
    # face and words agree: a confident neutral voice is outweighed, not a conflict
    assert analyze_consistency(strong).consistent
    # alone against the face, the confident neutral voice does conflict (masking)
    alone = {"visual": base["visual"], "acoustic": strong["acoustic"]}
    c = analyze_consistency(alone)
    assert not c.consistent and ("visual", "acoustic") in c.conflicts
    # the threshold is a config field: raise it and the voice no longer conflicts
    loose = ConsistencyConfig(neutral_conflict_min_confidence=0.95)
    assert analyze_consistency(alone, config=loose).consistent


def test_low_confidence_hypotheses_are_ignored():
    hyps = {
        "visual": hyp("visual", "happy", confidence=0.9),
        "verbal": hyp("verbal", "sad", confidence=0.1),
    }
    c = analyze_consistency(hyps)
    assert c.consistent and c.resolution == "happy"
    # below min_confidence the words are no evidence; above it but below their reliability
    # they are weak and cannot create a conflict on their own; above both they conflict
    c = analyze_consistency(hyps, config=ConsistencyConfig(min_confidence=0.05))
    assert c.consistent and c.evidence_ignored["verbal"].startswith("weak")
    c = analyze_consistency(
        hyps, config=ConsistencyConfig(min_confidence=0.05, reliable_verbal=0.1)
    )
    assert not c.consistent


def test_generic_conflict_follows_the_stronger_side_or_is_ambiguous():
    strong_face = {
        "visual": hyp("visual", "fearful", 0.9, 0.95),
        "verbal": hyp("verbal", "sad", 0.6, 0.4),
    }
    equal = ConsistencyConfig(w_visual=1.0, w_verbal=1.0, resolution_margin=0.1)
    c = analyze_consistency(strong_face, config=equal)
    assert (c.verdict.value, c.resolution, c.pattern) == ("video-aligned", "fearful", None)
    even = {"visual": hyp("visual", "fearful", 0.6, 0.6), "verbal": hyp("verbal", "sad", 0.6, 0.6)}
    assert analyze_consistency(even, config=equal).verdict.value == "ambiguous"


def test_nothing_informative_is_ambiguous_without_a_label():
    c = analyze_consistency({})
    assert c.verdict.value == "ambiguous" and c.resolution is None and not c.consistent
    assert "neutral" not in c.explanation.replace("not a neutral reading", "")


@pytest.mark.parametrize("side,label", [("visual", "happy"), ("audio", "angry")])
def test_restricted_evidence_lands_on_the_kept_side(side, label):
    ev = restrict_evidence(make_evidence("sarcasm"), side)
    c = analyze_consistency(ev.hypotheses)
    assert c.resolution == label and c.consistent


def test_fuse_matches_naive_weighted_average():
    hyps = make_evidence("sarcasm").hypotheses
    cfg = ConsistencyConfig(w_visual=1.3, w_acoustic=0.4, w_verbal=0.9)
    fused, total = fuse(hyps, ("visual", "acoustic", "verbal"), cfg)
    weights = {"visual": 1.3, "acoustic": 0.4, "verbal": 0.9}
    expected_total = 0.0
    expected = dict.fromkeys(EMOTIONS, 0.0)
    for name, h in hyps.items():
        w = weights[name] * h.confidence
        expected_total += w
        for e in EMOTIONS:
            expected[e] += w * h.distribution[e]
    assert total == pytest.approx(expected_total)
    for e in EMOTIONS:
        assert fused[e] == pytest.approx(expected[e] / expected_total)


def test_fuse_of_nothing_is_uniform():
    fused, total = fuse(
        {"visual": EmotionHypothesis.unavailable("visual")}, ("visual",), ConsistencyConfig()
    )
    assert total == 0 and fused["happy"] == pytest.approx(1 / len(EMOTIONS))


def test_config_validation():
    with pytest.raises(ConfigError, match="min_confidence"):
        ConsistencyConfig(min_confidence=1.5)
    with pytest.raises(ConfigError, match="min_label_margin must be > 0"):
        ConsistencyConfig(min_label_margin=0.0)
    with pytest.raises(ConfigError, match="w_visual"):
        ConsistencyConfig(w_visual=-1)
    with pytest.raises(ConfigError, match="unknown key 'bogus' for ConsistencyConfig"):
        ConsistencyConfig.from_dict({"bogus": 1})
    assert ConsistencyConfig.from_dict({"hostile_mass": 0.5}).hostile_mass == 0.5


def test_weak_hostile_words_do_not_override_a_clear_smile():
    # e.g. garbled speech recognition read as angry with low confidence
    hyps = {
        "visual": hyp("visual", "happy", 0.86, 0.91),
        "verbal": hyp("verbal", "angry", 0.5, 0.35, sad=0.2),
        "acoustic": hyp("acoustic", "neutral", 0.54, 0.45),
    }
    c = analyze_consistency(hyps)
    assert (c.pattern, c.verdict.value, c.resolution) == (None, "video-aligned", "happy")
    strong = {**hyps, "verbal": hyp("verbal", "angry", 0.75, 0.6)}
    assert analyze_consistency(strong).pattern == "sarcasm"
    lenient = ConsistencyConfig(hostile_min_confidence=0.3)
    assert analyze_consistency(hyps, config=lenient).pattern == "sarcasm"
