"""Decisive facts on the example clips (examples/clips/README.md); each clip perceived once."""

from __future__ import annotations

import itertools
import json

import pytest

from emoreason.errors import MediaError
from emoreason.schema import EMOTIONS, EVIDENCE_MODALITIES, Evidence
from emoreason.schema.labels import VALENCE

pytestmark = pytest.mark.slow  # real models on real clips (about 30-60 s in total on 2 cores)


def _shape_ok(ev: Evidence, perceiver) -> None:
    assert set(ev.modalities) == set(EVIDENCE_MODALITIES)
    assert set(ev.hypotheses) == {"visual", "acoustic", "verbal"}
    for h in ev.hypotheses.values():
        assert abs(sum(h.distribution.values()) - 1) < 1e-6 and set(h.distribution) == set(EMOTIONS)
    for m in ev.modalities.values():
        assert m.status, m.modality
        # columns known before processing: exactly the extractor's declared features, in order
        assert list(m.features) == list(perceiver.extractors[m.modality].feature_names)
        assert all(cue.description.strip() for cue in m.cues)
    for stage in ("probe", "decode_audio", "face", "acoustic", "speech", "total"):
        assert stage in ev.timings
    json.loads(ev.model_dump_json())  # serialisable


def test_crying_woman_reads_sad_and_words_agree(clip_evidence, perceiver) -> None:
    ev = clip_evidence("sad_consistent")
    _shape_ok(ev, perceiver)
    visual = ev.hypothesis("visual")
    ranked = sorted(visual.distribution.values(), reverse=True)
    assert visual.label == "sad" and ranked[0] - ranked[1] > 0.15
    # a real, clear face over many frames; below the clearest smile (the cry face's lips are
    # partly smile-like to the action reader, which lowers the face's confidence)
    assert visual.confidence > 0.4
    text = ev.transcript.text.lower()
    assert "miss her" in text and "gone" in text
    assert ev.transcript.language == "en"
    assert ev.hypothesis("verbal").label == "sad"
    face = ev.modalities["face"]
    assert face.available and face.features["face_coverage"] > 0.8
    assert any(c.name == "expression_sad" for c in face.cues)
    # one timeline point per face frame, verbal per sentence, acoustic per window
    # (every face frame here is in a readable pose: none turned beyond 45 degrees)
    assert (
        len(face.timeline) == face.features["frames_readable"] == face.features["frames_with_face"]
    )
    assert len(ev.modalities["verbal"].timeline) == 3
    assert ev.modalities["acoustic"].timeline
    words = ev.transcript.words
    assert words and all(a.start <= b.start for a, b in itertools.pairwise(words))


def test_smiling_face_reads_happy_and_words_agree(clip_evidence, perceiver) -> None:
    ev = clip_evidence("happy_consistent")
    _shape_ok(ev, perceiver)
    assert ev.hypothesis("visual").label == "happy"
    assert ev.hypothesis("visual").confidence > 0.6
    face = ev.modalities["face"].features
    assert face["act_happy"] > 0.6 and face["fer_happy"] > 0.6  # both readers see the smile
    assert any(c.name == "lip_corner_puller" for c in ev.modalities["face"].cues)
    assert "happy" in ev.transcript.text.lower() and "congratulations" in ev.transcript.text.lower()
    assert ev.hypothesis("verbal").label == "happy"


def test_sarcasm_words_are_hostile_despite_positive_vocabulary(clip_evidence) -> None:
    ev = clip_evidence("smile_angry_voice")
    assert ev.hypothesis("visual").label == "happy"
    verbal = ev.hypothesis("verbal")
    assert verbal.label == "angry"
    assert VALENCE[verbal.label] < 0 and verbal.distribution["happy"] < 0.2
    assert "perfect" in ev.transcript.text.lower()  # the literal words are positive...
    cues = {c.name for c in ev.modalities["verbal"].cues}
    assert "irony" in cues  # ...and the irony cue says why they are read as hostile


def test_masking_clip_words_are_calm(clip_evidence) -> None:
    ev = clip_evidence("sad_face_calm_voice")
    assert ev.hypothesis("visual").label == "sad"
    verbal = ev.hypothesis("verbal")
    assert VALENCE[verbal.label] >= 0  # neutral or positive wording
    assert "fine" in ev.transcript.text.lower()


def test_mandarin_clip_is_detected_as_chinese_with_a_chinese_transcript(clip_evidence) -> None:
    """happy_zh.mp4: natural-sounding Mandarin (Kokoro-82M), '今天真是太开心了！...'."""
    ev = clip_evidence("happy_zh")
    t = ev.transcript
    assert t is not None and t.language == "zh" and (t.language_probability or 0) > 0.8
    assert t.reliable and not t.issues
    assert "开心" in t.text and "比赛" in t.text  # simplified characters (whisper writes 開心)
    assert "開" not in t.text and "們" not in t.text
    assert "uncertain" not in ev.modalities["speech"].status
    assert ev.hypothesis("verbal").available


def test_garbled_speech_is_flagged_and_not_used(clip_evidence) -> None:
    """garbled_speech.mp4: espeak-ng reading pinyin with English phonemes. Whisper invents words
    (which words depends on the CPU): they must be flagged and never used as evidence."""
    ev = clip_evidence("garbled_speech")
    t = ev.transcript
    assert t is not None and t.text  # something was heard...
    assert not t.reliable and t.issues  # ...and the recogniser's own scores disown it
    speech = ev.modalities["speech"]
    assert "unreliable" in speech.status
    assert all(c.name != "transcript" for c in speech.cues)
    assert not any(t.text[:20] in c.description for c in speech.cues)
    assert not ev.modalities["verbal"].available
    assert not ev.hypothesis("verbal").available


def test_no_face_clip_says_so_and_audio_still_runs(clip_evidence) -> None:
    ev = clip_evidence("no_face")
    face = ev.modalities["face"]
    assert not face.available
    n = ev.clip.frames_sampled
    assert face.status == f"no face detected in 0/{n} sampled frames" and n > 5
    assert not ev.hypothesis("visual").available and ev.hypothesis("visual").confidence == 0
    assert ev.modalities["acoustic"].available and ev.modalities["speech"].available
    assert "everything is okay" in ev.transcript.text.lower()
    assert ev.hypothesis("acoustic").available


def test_no_audio_clip_marks_audio_unavailable(clip_evidence) -> None:
    ev = clip_evidence("no_audio")
    assert not ev.clip.has_audio
    for name in ("acoustic", "speech", "verbal"):
        assert not ev.modalities[name].available
        assert "audio" in ev.modalities[name].status
    assert ev.transcript is None
    assert not ev.hypothesis("acoustic").available and not ev.hypothesis("verbal").available
    assert ev.hypothesis("visual").label == "sad"


def test_silent_clip_has_an_empty_stated_transcript(clip_evidence) -> None:
    ev = clip_evidence("silent")
    assert ev.clip.has_audio
    assert ev.transcript is not None and ev.transcript.text == "" and not ev.transcript.words
    assert any(e.name == "silence" for e in ev.transcript.events)
    assert not ev.modalities["speech"].available
    assert "silent" in ev.modalities["speech"].status
    assert not ev.hypothesis("verbal").available


@pytest.mark.parametrize("name", ["truncated", "not_a_video"])
def test_unreadable_files_raise_media_error_naming_the_file(perceiver, clips_dir, name) -> None:
    with pytest.raises(MediaError) as err:
        perceiver.perceive(clips_dir / f"{name}.mp4")
    message = str(err.value)
    assert f"{name}.mp4" in message and "\n" not in message
    assert "not a decodable video" in message


def test_noise_and_tones_give_no_invented_words(perceiver) -> None:
    """Not silent, not speech: VAD + no_speech gating must leave the transcript empty."""
    import numpy as np

    from emoreason.perception.base import ClipSignal
    from emoreason.perception.decode import AudioTrack, StreamFacts

    sr, rng = 16000, np.random.default_rng(0)
    t = np.arange(sr * 4) / sr
    for x in (rng.standard_normal(sr * 4) * 0.05, 0.2 * np.sin(2 * np.pi * 110 * t)):
        signal = ClipSignal(
            facts=StreamFacts("noise", 4.0, False, True), audio=AudioTrack(x.astype(np.float32), sr)
        )
        ev = perceiver.extractors["speech"].process_signal(signal)
        assert not ev.available and "no speech detected" in ev.status
        assert signal.transcript is not None and signal.transcript.text == ""
