"""The one ms-swift media convention: what a row names, and how a departure is reported."""

from __future__ import annotations

from emoreason.formats.swift import (
    SWIFT_ENV,
    SwiftRow,
    convention_problems,
    media_tags,
    row_audio,
    saber_to_swift,
)
from emoreason.schema import SaberRecord
from saber_samples import RECORD

SAMPLE = SaberRecord.model_validate(RECORD)


def _row(content: str, videos: list[str], audios: list[str]) -> SwiftRow:
    return SwiftRow.model_validate(
        {
            "messages": [
                {"role": "user", "content": content},
                {"role": "assistant", "content": "{}"},
            ],
            "videos": videos,
            "audios": audios,
        }
    )


def test_audio_is_a_separate_stream_or_nothing():
    assert row_audio("a.mp4", None, video_has_audio=True) == "a.mp4"
    assert row_audio("a.mp4", "a.wav", video_has_audio=True) == "a.wav"
    assert row_audio("a.mp4", "a.wav", video_has_audio=False) == "a.wav"  # the file is given
    assert row_audio("a.mp4", None, video_has_audio=False) is None
    assert row_audio("a.mp4", None, video_has_audio=None) is None  # unknown: claim nothing
    assert row_audio(None, "a.wav", video_has_audio=None) == "a.wav"


def test_rows_written_by_saber_to_swift_follow_the_convention():
    for video, audio in (("a.mp4", "a.mp4"), ("a.mp4", None), (None, "a.wav"), (None, None)):
        row = saber_to_swift(SAMPLE, video=video, audio=audio, rejected="x")
        assert convention_problems(row) == [], (video, audio)
        assert row.messages[0].content.startswith(media_tags(video is not None, audio is not None))


def test_departures_are_named():
    prompt = "Describe."
    assert convention_problems(_row("<video><audio>" + prompt, ["a.mp4"], ["a.mp4"])) == []
    # a clip without an audio track (the row cannot tell; the writers probe the file)
    assert convention_problems(_row("<video>" + prompt, ["a.mp4"], [])) == []
    problems = convention_problems(_row("<audio><video>" + prompt, ["a.mp4"], ["a.mp4"]))
    assert problems and "should start with '<video><audio>'" in problems[0]
    problems = convention_problems(_row("<video>" + prompt, ["a.mp4"], ["a.mp4"]))
    assert any("<audio> appears 0 time(s)" in p for p in problems)
    problems = convention_problems(_row("<video><video>" + prompt, ["a.mp4", "b.mp4"], []))
    assert any("one clip per row" in p for p in problems)
    problems = convention_problems(_row(prompt + " <video>", ["a.mp4"], []))
    assert problems


def test_swift_env_keeps_audio_in_video_off_and_caps_frames():
    assert SWIFT_ENV["USE_AUDIO_IN_VIDEO"] == "false"
    assert SWIFT_ENV["SWIFT_AUDIO_LOAD_BACKEND"] == "soundfile_pyav"
    assert int(SWIFT_ENV["VIDEO_MAX_PIXELS"]) == 224 * 224
    assert int(SWIFT_ENV["FPS_MAX_FRAMES"]) == 40
