"""SABER record, evidence and result models: published keys, strictness, round trips."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from emoreason.schema import (
    EMOTIONS,
    AnalysisResult,
    ClipInfo,
    Consistency,
    ConsistencyVerdict,
    EmotionHypothesis,
    Evidence,
    ModalityEvidence,
    SaberItem,
    SaberRecord,
    normalize_distribution,
    restrict_evidence,
)

PUBLISHED = {
    "video_desc": "A woman sits in a dim room.",
    "audio_desc": {"speech_content": "I miss her.", "acoustic_feat": "low, slow voice"},
    "facial_exp_desc": "brows drawn together, lip corners down",
    "body_lang_desc": "head lowered",
    "sentiment_analysis": "sad: face and words agree",
}


def test_saber_has_exactly_the_published_keys() -> None:
    record = SaberRecord.model_validate(PUBLISHED)
    dumped = record.model_dump()
    assert dumped == PUBLISHED
    assert list(dumped) == [
        "video_desc",
        "audio_desc",
        "facial_exp_desc",
        "body_lang_desc",
        "sentiment_analysis",
    ]
    assert list(dumped["audio_desc"]) == ["speech_content", "acoustic_feat"]


def test_saber_json_round_trip_keeps_chinese() -> None:
    zh = {**PUBLISHED, "sentiment_analysis": "悲伤：面部与言语一致"}
    record = SaberRecord.model_validate(zh)
    again = SaberRecord.model_validate_json(record.model_dump_json())
    assert again == record
    assert again.sentiment_analysis == "悲伤：面部与言语一致"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.pop("facial_exp_desc"), "facial_exp_desc"),
        (lambda d: d.update(extra_key="x"), "extra_key"),
        (lambda d: d.update(video_desc=3), "video_desc"),
        (lambda d: d["audio_desc"].pop("acoustic_feat"), "audio_desc.acoustic_feat"),
        (lambda d: d.update(audio_desc="loud"), "audio_desc"),
    ],
)
def test_saber_rejects_bad_records(mutate, field: str) -> None:
    data = json.loads(json.dumps(PUBLISHED))
    mutate(data)
    with pytest.raises(ValidationError) as info:
        SaberRecord.model_validate(data)
    locs = {".".join(map(str, e["loc"])) for e in info.value.errors()}
    assert field in locs


def test_dimension_access_and_replace() -> None:
    record = SaberRecord.model_validate(PUBLISHED)
    assert record.dimension("audio_desc.acoustic_feat") == "low, slow voice"
    changed = record.replace_dimension("audio_desc.speech_content", "hello")
    assert changed.audio_desc.speech_content == "hello"
    assert record.audio_desc.speech_content == "I miss her."  # original untouched
    assert SaberRecord.empty().missing_dimensions() == [
        "video_desc",
        "audio_desc.speech_content",
        "audio_desc.acoustic_feat",
        "facial_exp_desc",
        "body_lang_desc",
        "sentiment_analysis",
    ]
    with pytest.raises(KeyError, match="unknown SABER dimension"):
        record.dimension("mood")


def test_hypothesis_distribution_is_validated() -> None:
    hyp = EmotionHypothesis(
        modality="visual", distribution={"sad": 0.7, "neutral": 0.3}, confidence=0.8
    )
    assert hyp.label == "sad"
    assert set(hyp.distribution) == set(EMOTIONS)
    with pytest.raises(ValidationError, match="sum to 1"):
        EmotionHypothesis(modality="visual", distribution={"sad": 0.5}, confidence=0.5)
    with pytest.raises(ValidationError, match="unknown labels"):
        EmotionHypothesis(modality="visual", distribution={"joy": 1.0}, confidence=0.5)


def test_normalize_distribution() -> None:
    dist = normalize_distribution({"happy": 2.0, "sad": 2.0})
    assert dist["happy"] == pytest.approx(0.5)
    assert sum(dist.values()) == pytest.approx(1.0)
    uniform = normalize_distribution({})
    assert all(v == pytest.approx(1 / 7) for v in uniform.values())
    with pytest.raises(ValueError, match="unknown emotion"):
        normalize_distribution({"joy": 1.0})


def _evidence() -> Evidence:
    clip = ClipInfo(path="x.mp4", duration=3.0, has_video=True, has_audio=True)
    mods = {
        m: ModalityEvidence(modality=m, available=True, status=f"{m} ok")
        for m in ("face", "body", "scene", "acoustic", "speech", "verbal")
    }
    hyps = {
        "visual": EmotionHypothesis(modality="visual", distribution={"sad": 1.0}, confidence=0.9),
        "acoustic": EmotionHypothesis(
            modality="acoustic", distribution={"neutral": 1.0}, confidence=0.4
        ),
        "verbal": EmotionHypothesis(modality="verbal", distribution={"happy": 1.0}, confidence=0.7),
    }
    return Evidence(clip=clip, modalities=mods, hypotheses=hyps)


def test_restrict_evidence_keeps_one_side() -> None:
    ev = _evidence()
    visual = restrict_evidence(ev, "visual")
    assert visual.modalities["face"].available
    assert not visual.modalities["verbal"].available
    assert "ablation" in visual.modalities["acoustic"].status
    assert visual.hypotheses["verbal"].confidence == 0.0
    assert visual.hypotheses["visual"].label == "sad"
    audio = restrict_evidence(ev, "audio")
    assert not audio.modalities["face"].available
    assert audio.hypotheses["verbal"].label == "happy"
    assert not audio.hypotheses["visual"].available
    with pytest.raises(ValueError, match="unknown side"):
        restrict_evidence(ev, "smell")


def test_analysis_result_contract_round_trip() -> None:
    ev = _evidence()
    result = AnalysisResult(
        id="x",
        source="x.mp4",
        saber=SaberRecord.model_validate(PUBLISHED),
        emotion="sad",
        hypotheses=ev.hypotheses,
        consistency=Consistency(
            consistent=False,
            verdict=ConsistencyVerdict.VIDEO_ALIGNED,
            modalities={"visual": "sad", "acoustic": "neutral", "verbal": "happy"},
            conflicts=[("visual", "verbal")],
            pattern="masking",
            resolution="sad",
            explanation="sad face, reassuring words",
        ),
        evidence=ev,
        timings={"total": 1.0},
    )
    data = json.loads(result.model_dump_json())
    for key in ("saber", "emotion", "consistency", "evidence", "timings", "language", "backend"):
        assert key in data
    assert data["consistency"]["modalities"] == {
        "visual": "sad",
        "acoustic": "neutral",
        "verbal": "happy",
    }
    assert data["consistency"]["verdict"] == "video-aligned"
    assert AnalysisResult.model_validate(data) == result


def test_saber_item_forbids_unknown_fields() -> None:
    SaberItem(id="a", saber=SaberRecord.empty())
    with pytest.raises(ValidationError):
        SaberItem.model_validate({"id": "a", "saber": PUBLISHED, "mood": "x"})
