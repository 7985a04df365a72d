"""A complete, meaningful SABER record for tests that need one (import: ``from saber_samples``)."""

from __future__ import annotations

RECORD: dict = {
    "video_desc": "an office, one person at a desk",
    "audio_desc": {"speech_content": "It is fine.", "acoustic_feat": "flat, quiet voice"},
    "facial_exp_desc": "lips pressed, brows drawn together",
    "body_lang_desc": "arms crossed",
    "sentiment_analysis": "angry: the words deny what face and voice show",
}
