"""Evidence-as-text for prompts, media payloads, and the Chinese phrasebook for cues."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest
from synthetic_evidence import make_evidence

from emoreason.errors import MediaError
from emoreason.reasoning.evidence_text import evidence_text
from emoreason.reasoning.media_parts import audio_wav_bytes, data_url, video_mime
from emoreason.reasoning.rules.cue_zh import cue_zh, status_zh
from emoreason.schema import Cue

CLIPS = Path(__file__).resolve().parents[2] / "examples" / "clips"


def test_evidence_text_lists_cues_transcript_and_estimates():
    text = evidence_text(make_evidence("sarcasm"), "en")
    assert "loud voice (-12 dBFS) @0.2-4.8 (conf 0.80)" in text
    assert 'Transcript (en): "Oh great, just perfect.' in text
    assert "visual: happy 0.75" in text
    silent = evidence_text(make_evidence("silence"), "zh")
    assert "转写：空" in silent and "acoustic: 不可用" in silent


def test_wav_payload_from_clip(tmp_path):
    data = audio_wav_bytes(CLIPS / "sad_consistent.mp4")
    with wave.open(io.BytesIO(data)) as wav:
        assert (wav.getnchannels(), wav.getframerate(), wav.getsampwidth()) == (1, 16000, 2)
        assert 5.0 < wav.getnframes() / 16000 < 9.0
    assert audio_wav_bytes(CLIPS / "no_audio.mp4") is None
    with pytest.raises(MediaError, match=r"not_a_video\.mp4"):
        audio_wav_bytes(CLIPS / "not_a_video.mp4")
    assert data_url(b"ab", "audio/wav") == "data:audio/wav;base64,YWI="
    assert video_mime("x.webm") == "video/webm" and video_mime("x.unknown") == "video/mp4"


# Descriptions written exactly as the perception extractors format them.
PERCEPTION_DESCRIPTIONS = {
    "expression model reads 'sad' in 17/19 face frames (mean p=0.76, peak 0.97 at 2.3 s)": "判断为悲伤",
    "lip corners pulled down in 12/20 face frames (peak at 3.1 s)": "嘴角下垂",
    "no face in 1/21 sampled frames": "未见人脸",
    "head turned to the image left (about 20 degrees)": "向画面左侧",
    "hand at the face in 1/17 frames (first at 4.0 s)": "手在脸部",
    "arm posture closed, arms close to the body": "双臂贴近身体",
    "body moving a little (0.24 shoulder widths per second)": "轻微移动",
    "dark picture (brightness 0.24, contrast 0.19)": "昏暗",
    "muted, low-colour, warm-toned colours": "暖色调",
    "lively, much movement (motion energy 0.129/s)": "运动较多",
    "2 shot change(s) (at 1.0 s, 3.0 s)": "镜头切换",
    "loudness peaks at 3.0 s (-14 dBFS; mean -26 dBFS)": "响度",
    "pitch averages 85 Hz, range 4.2 semitones, monotone (std 1.4 st)": "单调",
    "pitch falls over the utterance (-0.6 st/s)": "下降",
    "pitch rises sharply at 1.3 s (+5.5 st within 0.3 s)": "急剧",
    "breathy or rough voice (HNR 9 dB, jitter 0.95 %, shimmer 15.3 %)": "粗糙",
    "slow speech, about 2.9 syllables per second": "语速慢",
    "2 pause(s), 1.1 s in total; longest 0.5 s at 4.2 s": "停顿",
    "pause of 0.7 s after 'gone.' at 1.9 s": "“gone.”之后",
    '"I miss her so much." reads sad (p=0.79) at 2.6 s': "读来悲伤",
    "emotion words: happy x2, sad x1": "开心×2、悲伤×1",
    "literal wording is positive (VADER compound +0.89)": "正面",
    "likely sarcasm: stock ironic phrases ('just perfect') alongside a complaint, so positive "
    "words are read as annoyance": "反讽",
}


@pytest.mark.parametrize("description,expected", sorted(PERCEPTION_DESCRIPTIONS.items()))
def test_cue_phrasebook(description, expected):
    text = cue_zh(Cue(name="x", description=description))
    assert expected in text and not text.startswith("“" + description[:5])


def test_unknown_cue_and_status_are_quoted_not_paraphrased():
    assert cue_zh(Cue(name="x", description="a brand new cue")) == "“a brand new cue”"
    assert status_zh("something odd") == "“something odd”"
    assert status_zh("face found in 20/21 sampled frames") == "21 个采样帧中有 20 帧检测到人脸"
    assert "仅保留视觉" in status_zh("acoustic: removed by ablation (visual-only)")
