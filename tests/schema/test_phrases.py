"""Structured wording: every phrase writes in every language, round-trips, and old text still shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from chinese_text import latin_words
from emoreason.schema import Cue, Evidence, ModalityEvidence
from emoreason.schema.languages import LANGUAGES
from emoreason.schema.phrasebook import CUE_PHRASES, PHRASES, STATUS_PHRASES, WORDS
from emoreason.schema.phrases import Phrase, phrase, render

SRC = Path(__file__).resolve().parents[2] / "src" / "emoreason"

#: Parts for every phrase, shaped as perception writes them.
SAMPLES: dict[str, dict[str, object]] = {
    "face.expression": dict(label="sad", frames=17, total=19, mean=0.76, peak=0.97, at=2.3),
    "face.action": dict(action="lip corners pulled down", frames=12, total=20, at=3.1),
    "face.pose_extreme": dict(yaw_limit=45.0, pitch_limit=35.0, frames=3, total=20),
    "face.several": dict(faces=2),
    "face.missing": dict(missing=1, total=21),
    "face.readers_disagree": dict(
        model="sad", model_p=0.61, formed="angry", formed_p=0.55,
        actions=["brows drawn together and lowered", "lips pressed together"],
    ),
    "face.head_turned": dict(side="to the image left", degrees=20.4),
    "face.head_down": {},
    "face.head_up": {},
    "face.head_tilt": dict(degrees=14.0),
    "face.gaze_averted": dict(side="to the image right"),
    "body.slumped": {},
    "body.upright": {},
    "body.lean": dict(degrees=15.0),
    "body.hand_to_face": dict(frames=1, total=17, at=4.0),
    "body.arms": dict(posture="closed, arms close to the body"),
    "body.motion": dict(kind="moving a little", speed=0.24),
    "scene.brightness": dict(light="dark", brightness=0.24, contrast=0.19),
    "scene.colour": dict(colour="muted, low-colour", tone="warm"),
    "scene.motion": dict(movement="lively, much movement", energy=0.129),
    "scene.shots": dict(count=2, at=[1.0, 3.0]),
    "scene.single_shot": {},
    "acoustic.no_voicing": {},
    "acoustic.loudness_peak": dict(at=3.0, peak=-14.2, mean=-26.0),
    "acoustic.pitch_level": dict(mean_hz=85.0, range_st=4.2, level="monotone", std=1.4),
    "acoustic.pitch_contour": dict(direction="falls", slope=-0.6),
    "acoustic.pitch_flat": {},
    "acoustic.pitch_rise": dict(at=1.3, rise=3.5),
    "acoustic.pitch_rise_sharp": dict(at=1.3, rise=5.5),
    "acoustic.voice_quality": dict(kind="breathy or rough", hnr=9.0, jitter=0.95, shimmer=15.3),
    "acoustic.speech_rate": dict(pace="slow", rate=2.9),
    "acoustic.pauses": dict(count=2, total=1.1, longest=0.5, at=4.2),
    "acoustic.no_pauses": dict(min_pause=0.25),
    "acoustic.regular_voicing": dict(jitter=0.12, shimmer=1.1),
    "speech.silence": dict(peak=-62.0),
    "speech.transcript": dict(text="我很想她"),
    "speech.unreliable_transcript": dict(issues="avg_logprob -1.3 < -1.0", count=1),
    "speech.nonspeech": dict(tag="[笑声]", at=2.0),
    "speech.pause": dict(seconds=0.7, word="走了", at=1.9),
    "verbal.no_evidence": dict(why="too few words, no emotion words"),
    "verbal.sentence": dict(sentence="我很想她。", label="sad", p=0.79, at=2.6),
    "verbal.emotion_words": dict(
        groups=[
            {"emotion": "sad", "negated": False, "words": ["想", "走了"]},
            {"emotion": "happy", "negated": True, "words": ["开心"]},
        ]
    ),
    "verbal.bad_news": {},
    "verbal.sentiment": dict(tone="positive", compound=0.89),
    "verbal.irony": dict(markers=["真是太好了"]),
    "verbal.short_text": {},
    "verbal.asr_uncertain": {},
    "video.no_stream": {},
    "video.no_stream_in_file": {},
    "video.no_frames": {},
    "face.found": dict(frames=20, total=21),
    "face.several_in_frame": dict(faces=3),
    "face.small_frames": {},
    "face.none_found": dict(total=12),
    "face.none_found_tiny": dict(total=12, height=48),
    "body.found": dict(frames=8, total=8),
    "body.none_found": dict(total=8),
    "scene.sampled": dict(frames=15, seconds=4.7, decoded=118),
    "acoustic.no_audio": {},
    "acoustic.too_short": dict(seconds=0.12),
    "acoustic.silent": dict(loudest=-70.0, threshold=-50.0),
    "acoustic.silent_no_signal": dict(threshold=-50.0),
    "acoustic.analysed": dict(voiced=0.43, seconds=4.7),
    "speech.no_audio": {},
    "speech.silent": {},
    "speech.none_detected": dict(seconds=4.7),
    "speech.none_detected_dropped": dict(seconds=4.7, dropped=2),
    "speech.transcribed": dict(words=12, language="en", p=0.98),
    "speech.transcribed_configured": dict(words=12, language="zh", p=1.0),
    "speech.transcribed_uncertain": dict(words=12, language="en", p=0.41),
    "speech.transcribed_unsupported": dict(words=12, language="de", p=0.9, supported=["en", "zh"]),
    "speech.words_unreliable": dict(issues="compression ratio 3.1 > 2.4", count=1),
    "verbal.no_audio": {},
    "verbal.empty": {},
    "verbal.unreliable": {},
    "verbal.analysed": dict(sentences=3, language="en"),
    "verbal.lean": dict(label="sad"),
    "verbal.no_lean": {},
    "perception.failed": dict(name="face", error="RuntimeError", reason="坏帧"),
    "perception.disabled": dict(name="body"),
    "perception.transcript_unreliable": dict(issues="avg_logprob -1.3 < -1.0", count=1),
    "modality.not_analysed": dict(name="scene"),
    "modality.ablated": dict(name="acoustic", keep="visual"),
}  # fmt: skip


def test_every_phrase_is_written_in_every_language_and_keys_are_distinct():
    assert not set(CUE_PHRASES) & set(STATUS_PHRASES)
    for key, templates in PHRASES.items():
        assert set(templates) == set(LANGUAGES), key


def test_samples_cover_the_phrasebook():
    assert set(SAMPLES) == set(PHRASES)


@pytest.mark.parametrize("key", sorted(PHRASES))
def test_phrase_renders_in_english_and_chinese_without_english_words(key):
    p = phrase(key, **SAMPLES[key])
    english, chinese = render(p, "en"), render(p, "zh")
    assert english and chinese and english != chinese
    assert re.search(r"[\u4e00-\u9fff]", chinese), chinese
    assert not latin_words(chinese), (key, chinese)
    for value in SAMPLES[key].values():  # numbers and outside text reach both renderings
        if isinstance(value, int) and not isinstance(value, bool) and value > 1:
            assert str(value) in chinese, (key, value)


def test_every_face_action_phrase_has_chinese_wording():
    from emoreason.perception.face_actions import ACTIONS

    for action in ACTIONS.values():
        assert action.phrase in WORDS["zh"], action.phrase


def test_phrase_checks_key_and_parts():
    with pytest.raises(ValueError, match=r"unknown phrase key 'face\.smile'"):
        phrase("face.smile")
    with pytest.raises(ValueError, match=r"takes parts \['faces'\], got \['count'\]"):
        phrase("face.several", count=2)
    with pytest.raises(ValueError, match="finite"):
        Phrase(key="face.head_tilt", parts={"degrees": float("nan")})


def test_times_are_worded_per_language_and_lists_use_the_language_separator():
    shots = phrase("scene.shots", count=2, at=[1.0, 3.0])
    assert render(shots, "en") == "2 shot change(s) (at 1.0 s, 3.0 s)"
    assert render(shots, "zh") == "2 次镜头切换（1.0 秒、3.0 秒）"
    words = phrase("verbal.emotion_words", **SAMPLES["verbal.emotion_words"])
    assert render(words, "en") == "emotion words: sad: 想, 走了; not happy: 开心"
    assert render(words, "zh") == "情绪词：悲伤：“想”、“走了”；非开心：“开心”"


def test_phrased_cue_and_status_round_trip_through_json():
    cue = Cue(
        name="lip_corner_depressor",
        start=3.1,
        phrase=phrase("face.action", **SAMPLES["face.action"]),
    )
    assert cue.description == "lip corners pulled down in 12/20 face frames (peak at 3.1 s)"
    status = [phrase("face.found", frames=20, total=21), phrase("face.several_in_frame", faces=3)]
    ev = ModalityEvidence(modality="face", available=True, status_phrases=status, cues=[cue])
    assert ev.status == "face found in 20/21 sampled frames; up to 3 faces in a frame (the " \
        "largest is analysed)"  # fmt: skip
    back = ModalityEvidence.model_validate_json(ev.model_dump_json())
    assert back == ev
    assert back.cues[0].text("zh") == "嘴角下垂出现在 20 个人脸帧中的 12 帧（3.1 秒最明显）"
    assert (
        back.status_text("zh")
        == "21 个采样帧中有 20 帧检测到人脸；单帧最多 3 张人脸（分析最大的一张）"
    )


def test_old_records_with_text_only_load_and_show_their_text():
    old = {"name": "x", "description": "a cue an older emoreason wrote", "start": 1.0}
    cue = Cue.model_validate_json(json.dumps(old))
    assert cue.phrase is None
    assert cue.text("en") == "a cue an older emoreason wrote"
    assert cue.text("zh") == "“a cue an older emoreason wrote”"  # quoted, never paraphrased
    ev = ModalityEvidence.model_validate({"modality": "face", "available": False,
                                          "status": "no face detected"})  # fmt: skip
    assert ev.status_text("en") == "no face detected"
    assert ev.status_text("zh") == "“no face detected”"


def test_a_phrase_this_version_cannot_write_falls_back_to_the_stored_text():
    newer = {"name": "x", "description": "a newer cue", "phrase": {"key": "face.new", "parts": {}}}
    assert Cue.model_validate(newer).text("zh") == "“a newer cue”"
    changed = {"key": "face.missing", "parts": {"absent": 1}}  # parts renamed since
    cue = Cue.model_validate({"name": "x", "description": "no face in 1/3", "phrase": changed})
    assert cue.text("zh") == "“no face in 1/3”"


def test_a_cue_needs_wording():
    with pytest.raises(ValueError, match="needs a description or a phrase"):
        Cue(name="x")
    with pytest.raises(ValueError, match="needs a status or status_phrases"):
        ModalityEvidence(modality="face", available=False)


def test_evidence_with_phrases_round_trips(tmp_path):
    from emoreason.schema import ClipInfo

    ev = Evidence(
        clip=ClipInfo(path="x.mp4", duration=2.0, has_video=True, has_audio=False),
        modalities={
            "scene": ModalityEvidence(
                modality="scene",
                available=True,
                status_phrases=[phrase("scene.sampled", frames=4, seconds=1.9, decoded=40)],
                cues=[Cue(name="shot_changes", value=0, phrase=phrase("scene.single_shot"))],
            )
        },
    )
    path = tmp_path / "ev.json"
    path.write_text(ev.model_dump_json())
    assert Evidence.model_validate_json(path.read_text()) == ev


def _phrase_keys_in(paths: list[Path]) -> set[str]:
    kinds = "|".join({key.split(".")[0] for key in PHRASES})
    pattern = re.compile(rf'"((?:{kinds})\.[a-z_]+)"')
    return {m for p in paths for m in pattern.findall(p.read_text(encoding="utf-8"))}


def test_the_code_uses_every_phrase_and_only_known_ones():
    writers = [*sorted((SRC / "perception").glob("*.py")), SRC / "schema" / "evidence.py",
               SRC / "reasoning" / "rules" / "facts.py"]  # fmt: skip
    used = _phrase_keys_in(writers)
    assert used <= set(PHRASES), sorted(used - set(PHRASES))
    assert set(PHRASES) <= used, sorted(set(PHRASES) - used)
