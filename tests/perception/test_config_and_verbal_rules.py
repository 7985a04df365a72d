"""PerceptionConfig validation/YAML and the model-free verbal rules (lexicon, irony, sentences)."""

from __future__ import annotations

import pytest

from emoreason.errors import ConfigError
from emoreason.perception import PerceptionConfig
from emoreason.perception.verbal import (
    irony_strength,
    lexicon_counts,
    split_sentences,
    timed_sentences,
)
from emoreason.schema import Transcript, Word


def test_config_validates_and_lists_valid_values(tmp_path) -> None:
    with pytest.raises(ConfigError, match="fps"):
        PerceptionConfig(fps=0)
    with pytest.raises(ConfigError, match="valid stages"):
        PerceptionConfig(stages=("face", "smell"))
    with pytest.raises(ConfigError, match="whisper_dir"):
        PerceptionConfig(whisper_dir=str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match=r"unknown key.*'colour'"):
        PerceptionConfig.from_dict({"colour": 1})
    path = tmp_path / "p.yaml"
    path.write_text("fps: 2\nstages: [face, scene]\nlanguage: zh\n")
    cfg = PerceptionConfig.from_yaml(path)
    assert cfg.fps == 2 and cfg.stages == ("face", "scene") and cfg.language == "zh"
    assert cfg.runs("face") and not cfg.runs("speech")
    assert set(PerceptionConfig.help()) >= {"fps", "stages", "window_seconds"}


def test_lexicon_counts_whole_words_and_chinese() -> None:
    counts = lexicon_counts("I'm so happy, happiness aside; I miss her. 我很难过")
    assert counts["happy"] == 1  # 'happiness' is not the word 'happy'
    assert counts["sad"] == 2  # 'miss' + '难过'


@pytest.mark.parametrize(
    ("text", "strength"),
    [
        ("Oh great, just perfect. You ruined everything again! Thanks a lot!", 0.8),
        ("Great, just perfect. You're in everything again. Thanks a lot.", 0.8),
        ("Just perfect, you broke it again.", 0.6),
        ("Thanks a lot for the lovely dinner!", 0.0),
        ("This is wonderful news, congratulations!", 0.0),
        ("It's fine. Really, everything is okay. No problem at all, I'm doing great.", 0.0),
    ],
)
def test_irony_markers(text: str, strength: float) -> None:
    assert irony_strength(text)[0] == strength


def test_split_sentences_en_and_zh() -> None:
    assert split_sentences("It's fine. Really? Yes!") == ["It's fine.", "Really?", "Yes!"]
    assert split_sentences("这真是太好了！我为你感到非常开心。") == [
        "这真是太好了！",
        "我为你感到非常开心。",
    ]


def test_sentences_get_times_from_their_words_en_and_zh() -> None:
    en = Transcript(
        text="I miss her. So much!",
        words=[
            Word(word=w, start=i, end=i + 0.5)
            for i, w in enumerate(["I", "miss", "her.", "So", "much!"])
        ],
    )
    assert timed_sentences(en) == [("I miss her.", 0, 2.5), ("So much!", 3, 4.5)]
    zh = Transcript(
        text="太好了！我很开心。",
        words=[
            Word(word=w, start=i, end=i + 1)
            for i, w in enumerate(["太好", "了！", "我", "很", "开心。"])
        ],
    )
    assert timed_sentences(zh) == [("太好了！", 0, 2), ("我很开心。", 2, 5)]
    assert timed_sentences(Transcript(text="Hi. Bye.")) == [("Hi.", 0.0, 0.0), ("Bye.", 0.0, 0.0)]
