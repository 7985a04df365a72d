"""Evidence-as-text for prompts and media payloads (cue wording: tests/schema/test_phrases.py)."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest

from emoreason.errors import MediaError
from emoreason.reasoning.evidence_text import evidence_text
from emoreason.reasoning.media_parts import audio_wav_bytes, data_url, video_mime
from synthetic_evidence import make_evidence

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
