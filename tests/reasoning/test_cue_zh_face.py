"""Every face cue the perception stage can write has Chinese wording (none quoted in English)."""

from __future__ import annotations

import pytest

from emoreason.perception.face_actions import ACTIONS
from emoreason.reasoning.rules.cue_zh import cue_zh
from emoreason.schema import Cue


@pytest.mark.parametrize("phrase", [a.phrase for a in ACTIONS.values()])
def test_every_action_phrase_is_translated(phrase: str) -> None:
    cue = Cue(name="au", description=f"{phrase} in 7/12 face frames (peak at 1.3 s)")
    text = cue_zh(cue)
    assert not text.startswith("“") and phrase not in text


def test_pose_and_disagreement_cues_are_translated() -> None:
    pose = Cue(
        name="pose_too_extreme",
        description="head turned beyond 45 degrees (or tilted beyond 35) in 3/20 face frames: "
        "expression not read there",
    )
    assert cue_zh(pose).startswith("20 个人脸帧中有 3 帧")
    disagree = Cue(
        name="face_readers_disagree",
        description="the expression model reads sad (0.61), the facial actions form angry "
        "(0.55: brows drawn together and lowered, lips pressed together)",
    )
    text = cue_zh(disagree)
    assert "悲伤" in text and "愤怒" in text and "皱眉" in text and "双唇紧抿" in text


def test_verbal_cues_are_translated() -> None:
    for description in (
        "the words report bad news (loss, illness, failure)",
        "the words give no emotional evidence (no words)",
        "the words give no emotional evidence (too few words, no emotion words)",
        "very few words: the reading counts half",
    ):
        assert not cue_zh(Cue(name="v", description=description)).startswith("“"), description
    words = cue_zh(
        Cue(name="emotion_words", description="emotion words: sad: miss, gone; not happy: great")
    )
    assert words == "情绪词：悲伤：miss、gone；非开心：great"
