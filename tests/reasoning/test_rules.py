"""Rule backend: six non-empty dimensions, EN and ZH, every claim traced to the Evidence."""

from __future__ import annotations

import re

import pytest

from emoreason.errors import ConfigError
from emoreason.reasoning import RulesConfig, RulesReasoner
from emoreason.schema import SABER_DIMENSIONS, AnalysisResult, restrict_evidence
from synthetic_evidence import SCENARIOS, make_evidence

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_all_dimensions_written_and_deterministic(any_evidence, lang):
    reasoner = RulesReasoner()
    first = reasoner.reason(any_evidence, lang)
    second = reasoner.reason(any_evidence, lang)
    assert isinstance(first, AnalysisResult)
    assert first.saber == second.saber and first.emotion == second.emotion
    assert first.missing == []
    for dim in SABER_DIMENSIONS:
        text = first.saber.dimension(dim)
        assert text.strip(), dim
        if lang == "zh":
            assert CJK.search(text), (dim, text)
    assert first.language == lang and first.backend == "rules"
    assert first.emotion == first.consistency.resolution


def test_json_contract_keys(evidence_factory):
    data = RulesReasoner().reason(evidence_factory("masking")).model_dump(mode="json")
    for key in ("saber", "emotion", "consistency", "evidence", "timings", "language", "backend"):
        assert key in data
    assert set(data["saber"]) == {
        "video_desc",
        "audio_desc",
        "facial_exp_desc",
        "body_lang_desc",
        "sentiment_analysis",
    }
    assert set(data["consistency"]["modalities"]) >= {"visual", "acoustic", "verbal"}
    assert data["consistency"]["consistent"] is False and data["consistency"]["explanation"]
    assert "reasoning" in data["timings"]


def test_every_cited_cue_exists_with_its_time_span(evidence_factory):
    ev = evidence_factory("consistent_sad")
    result = RulesReasoner(RulesConfig(max_cues=5, min_cue_confidence=0.0)).reason(ev)
    text = " ".join(result.saber.dimension(d) for d in SABER_DIMENSIONS)
    for name in ("face", "body", "scene", "acoustic"):
        for cue in ev.modalities[name].cues:
            assert cue.description in text
            if cue.start is not None and cue.end is not None:
                assert f"{cue.start:.1f}–{cue.end:.1f} s" in text
    # and nothing is cited that perception did not produce: every bracketed span is a cue's span
    spans = set(re.findall(r"\[(\d+\.\d)–(\d+\.\d) s\]", text))
    known = {
        (f"{c.start:.1f}", f"{c.end:.1f}")
        for m in ev.modalities.values()
        for c in m.cues
        if c.start is not None and c.end is not None
    }
    assert spans <= known


def test_low_confidence_cues_are_not_cited(evidence_factory):
    ev = evidence_factory("consistent_sad")
    result = RulesReasoner(RulesConfig(min_cue_confidence=0.75)).reason(ev)
    assert "inner brows raised" not in result.saber.facial_exp_desc  # confidence 0.7
    assert "lip corners pulled down" in result.saber.facial_exp_desc  # confidence 0.8


def test_missing_audio_is_stated_not_invented(evidence_factory):
    result = RulesReasoner().reason(evidence_factory("missing_audio"))
    audio = result.saber.audio_desc
    assert "unavailable" in audio.speech_content and "no audio stream" in audio.speech_content
    assert "unavailable" in audio.acoustic_feat
    assert '"' not in audio.speech_content  # no quoted words
    assert result.emotion == "sad"
    zh = RulesReasoner().reason(evidence_factory("missing_audio"), "zh")
    assert (
        "不可用" in zh.saber.audio_desc.speech_content
        and "没有音频流" in zh.saber.audio_desc.speech_content
    )


def test_no_face_dimensions_say_so(evidence_factory):
    result = RulesReasoner().reason(evidence_factory("no_face"))
    assert "no face detected" in result.saber.facial_exp_desc
    assert "unavailable" in result.saber.body_lang_desc
    assert "wonderful news" in result.saber.audio_desc.speech_content
    assert result.emotion == "happy"


def test_silence_states_empty_transcript(evidence_factory):
    result = RulesReasoner().reason(evidence_factory("silence"))
    assert "No speech was detected" in result.saber.audio_desc.speech_content
    assert "transcript is empty" in result.saber.audio_desc.speech_content


def test_holistic_reasoning_cites_evidence_and_states_conflict(evidence_factory):
    ev = evidence_factory("sarcasm")
    result = RulesReasoner().reason(ev)
    text = result.saber.sentiment_analysis
    assert "lip corners pulled up (smile)" in text  # visual cue cited
    assert "loud voice" in text  # acoustic cue cited
    assert "ruined everything" in text  # words cited
    assert "Sarcasm" in text and "audio-aligned" in text
    assert "visual (happy) vs acoustic (angry)" in text
    assert result.emotion == "angry"
    zh = RulesReasoner().reason(ev, "zh").saber.sentiment_analysis
    assert "反讽" in zh and "愤怒" in zh and "开心" in zh


@pytest.mark.parametrize("scenario", ["masking", "sarcasm", "consistent_happy"])
@pytest.mark.parametrize("side", ["visual", "audio"])
def test_restricted_evidence_lands_on_the_kept_side(scenario, side):
    ev = make_evidence(scenario)
    result = RulesReasoner().reason(restrict_evidence(ev, side))
    # visual side: the face's label; audio side: the words' label (voice agrees or is weak)
    expected = ev.hypotheses["visual" if side == "visual" else "verbal"].label
    assert result.emotion == expected
    assert result.consistency.consistent
    assert "removed by ablation" in " ".join(result.saber.dimension(d) for d in SABER_DIMENSIONS)


def test_unknown_language_and_bad_config():
    with pytest.raises(ConfigError, match="unknown language"):
        RulesReasoner().reason(make_evidence("masking"), "fr")
    with pytest.raises(ConfigError, match="max_cues"):
        RulesConfig(max_cues=0)
    with pytest.raises(ConfigError, match="unknown key 'nope' for RulesConfig"):
        RulesConfig.from_dict({"nope": 1})
    assert (
        RulesConfig.from_dict({"consistency": {"hostile_mass": 0.4}}).consistency.hostile_mass
        == 0.4
    )


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_secondary_labels_exclude_final(scenario):
    result = RulesReasoner().reason(make_evidence(scenario))
    assert result.emotion not in result.emotions
    assert abs(sum(result.emotion_scores.values()) - 1) < 1e-3


def test_rules_config_from_yaml(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("max_cues: 2\nconsistency:\n  resolution_margin: 0.2\n")
    cfg = RulesConfig.from_yaml(path)
    assert cfg.max_cues == 2 and cfg.consistency.resolution_margin == 0.2
    path.write_text("consistency:\n  bogus: 1\n")
    with pytest.raises(ConfigError, match="unknown key 'bogus' for ConsistencyConfig"):
        RulesConfig.from_yaml(path)
