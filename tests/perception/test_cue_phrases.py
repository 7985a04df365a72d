"""The cues perception writes carry their wording as a phrase: every branch of every cue builder
is written in Chinese without English words, and survives a JSON round trip."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from chinese_text import latin_words
from emoreason.perception import acoustic, body, scene, speech, verbal
from emoreason.perception.face import _pose_cues
from emoreason.perception.verbal_features import LexiconReading
from emoreason.schema import Cue, Word


def _check(cues: list[Cue]) -> set[str]:
    """Asserts every cue is phrased, Chinese and round-trips; returns the phrase keys seen."""
    assert cues
    for cue in cues:
        assert cue.phrase is not None, cue.description
        chinese = cue.text("zh")
        assert not latin_words(chinese), (cue.phrase.key, chinese)
        assert cue.text("en") == cue.description
        back = Cue.model_validate_json(cue.model_dump_json())
        assert back == cue and back.text("zh") == chinese
    return {cue.phrase.key for cue in cues if cue.phrase}


def test_scene_cues():
    keys = set()
    for light, colour, warmth, motion, cuts in itertools.product(
        (0.1, 0.5, 0.8), (0.05, 0.2, 0.5), (0.1, -0.1, 0.0), (0.005, 0.05, 0.1), ([], [1.0, 2.5])
    ):
        values = {"brightness": light, "contrast": 0.2, "colourfulness": colour,
                  "warmth": warmth, "motion_energy": motion}  # fmt: skip
        keys |= _check(scene._cues(values, scene._State(cuts=list(cuts))))
    assert "scene.single_shot" in keys and "scene.shots" in keys


def _body_frame(t: float, hand: bool) -> body._BodyFrame:
    return body._BodyFrame(t, 0.5, 0.1, 1.0, hand, None, np.zeros((2, 2)), 1.0, 0.0)


@pytest.mark.parametrize("slump", [0.6, None])
@pytest.mark.parametrize("openness", [2.0, 1.0])
@pytest.mark.parametrize("motion", [0.01, 0.1, 0.5])
def test_body_cues(slump, openness, motion):
    values = {"slump": slump, "head_height": 0.5, "lean_forward": 0.5, "arm_openness": openness,
              "body_motion": motion}  # fmt: skip
    frames = [_body_frame(0.5, True), _body_frame(1.0, False)]
    keys = _check(body._cues(values, frames))
    assert {"body.lean", "body.hand_to_face", "body.arms", "body.motion"} <= keys


def test_face_pose_cues():
    for sign in (1, -1):
        v = {"head_yaw_deg": 20.0 * sign, "head_pitch_deg": 20.0 * sign,
             "head_roll_deg": 15.0, "gaze_horizontal": 0.5 * sign}  # fmt: skip
        assert len(_check(_pose_cues(v))) == 4


def test_voice_cues():
    keys = set()
    for std, slope, rise in itertools.product((1.0, 2.0, 4.0), (1.0, -1.0, 0.1), (4.0, 6.0)):
        v = {"pitch_std_st": std, "pitch_slope_st_per_s": slope, "pitch_mean_hz": 140.0,
             "pitch_range_st": 6.0, "pitch_max_rise_st": rise}  # fmt: skip
        keys |= _check(acoustic._pitch_cues(v, 1.2, np.array([0.1, 2.0])))
    for hnr in (5.0, 15.0, 20.0):
        v = {"hnr_db": hnr, "jitter_local_pct": 1.0, "shimmer_local_pct": 5.0}
        keys |= _check(acoustic._quality_cues(v))
    for rate, pauses in itertools.product((6.0, 2.0, 4.0), ([], [(1.0, 1.5), (2.0, 2.3)])):
        v = {"speaking_rate_syll_per_s": rate, "pause_total_s": 0.8}
        keys |= _check(acoustic._rate_cues(v, pauses))
    regular = acoustic._regular_voicing({"jitter_local_pct": 0.1, "shimmer_local_pct": 1.0})
    keys |= _check([regular])
    assert {"acoustic.pitch_rise", "acoustic.pitch_rise_sharp", "acoustic.pitch_flat",
            "acoustic.no_pauses", "acoustic.pauses"} <= keys  # fmt: skip


def test_speech_pause_cue():
    words = [Word(word="走了", start=0.0, end=1.0), Word(word="我", start=2.0, end=2.5)]
    assert _check(speech._word_gaps(words)) == {"speech.pause"}


def _reading(**changes) -> verbal.TextReading:
    lexicon = LexiconReading(bad_news=1, words=[("sad", "miss", False), ("happy", "great", True)])
    fields = dict(lang="en", sentences=["I miss her."], no_evidence=False, irony=0.6,
                  irony_markers=["just perfect"], lexicon=lexicon, vader_compound=0.5,
                  sentence_probs=[{"sad": 0.8, "neutral": 0.2}], flags=["short_text"])  # fmt: skip
    return verbal.TextReading(**(fields | changes))


def test_verbal_cues():
    pieces = [("I miss her.", 0.4, 1.8)]
    keys = _check(verbal._cues(pieces, _reading(), 0.3))
    assert {"verbal.sentence", "verbal.emotion_words", "verbal.bad_news", "verbal.sentiment",
            "verbal.irony", "verbal.short_text", "verbal.asr_uncertain"} <= keys  # fmt: skip
    for compound in (-0.5, 0.0):
        _check(verbal._cues(pieces, _reading(vader_compound=compound), 1.0))
    for flags in (["no_words"], []):
        empty = _reading(no_evidence=True, flags=flags, sentence_probs=[], vader_compound=None)
        assert "verbal.no_evidence" in _check(verbal._cues([], empty, 1.0))
