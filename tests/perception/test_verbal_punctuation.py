"""A transcript piece made of punctuation only ("." from a damaged clip) is never scored."""

from __future__ import annotations

import pytest

from emoreason.perception import PerceptionConfig
from emoreason.perception.base import ClipSignal
from emoreason.perception.decode import StreamFacts
from emoreason.perception.verbal import VerbalExtractor
from emoreason.schema import Transcript


def _verbal(text: str):
    facts = StreamFacts(path="x.mp4", duration=2.0, has_video=False, has_audio=True)
    signal = ClipSignal(facts=facts, transcript=Transcript(text=text, language="en"))
    return VerbalExtractor(PerceptionConfig()).process_signal(signal)


@pytest.mark.slow  # loads the verbal model (MiniLM)
def test_punctuation_alone_makes_no_cue() -> None:
    ev = _verbal(". . ... ?!")
    assert not any(c.description.startswith(('"."', '"..."', '"?!"')) for c in ev.cues)
    assert not any(c.name.startswith("words_") for c in ev.cues)


@pytest.mark.slow
def test_punctuation_next_to_words_is_dropped_and_the_words_are_read() -> None:
    ev = _verbal("I am furious, this is outrageous! . .")
    quoted = [c.description for c in ev.cues if c.name.startswith("words_")]
    assert quoted and all("outrageous" in d for d in quoted)
    assert ev.features["sentences"] == 1
