"""Conversion between SABER records and ms-swift JSONL rows, in one media convention.

ms-swift rows: ``{"messages": [{"role": "user", "content": "<video><audio>PROMPT"},
{"role": "assistant", "content": "<SABER JSON>"}], "videos": [...], "audios": [...]}``;
preference (DPO) rows add ``"rejected_response": "..."``. The ``<video>``/``<audio>`` tags mark
where ms-swift inserts the media.

The media convention (SABER-LLM's: its ms-swift inference script feeds ``videos: [clip.mp4]``
and ``audios: [audio]`` as two streams, with ``USE_AUDIO_IN_VIDEO`` left off): one clip per
row; the clip goes in ``videos``, its sound in ``audios`` as a separate stream (a separate file,
or the clip itself, whose audio track swift reads); the user message starts with ``<video>``
then ``<audio>`` for the media the row has, which is where ms-swift would put the tags of a
row that has none. A clip without an audio track has ``audios: []`` and ``<video>`` only; an
audio-only clip ``videos: []`` and ``<audio>`` only. ``USE_AUDIO_IN_VIDEO`` must stay off:
under it swift takes the audio from the video a second time (and fails on a video without an
audio track). :data:`SWIFT_ENV` holds the settings a swift run needs; docs/ms-swift.md says why.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from emoreason.errors import InputError
from emoreason.formats.jsonl import validate_value, validation_error_to_input_error
from emoreason.prompts import Language, sed_prompt
from emoreason.schema.saber import SaberRecord


class SwiftMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str = Field(pattern="^(system|user|assistant|tool)$")
    content: str


class SwiftRow(BaseModel):
    """One ms-swift training/inference row (extra keys are kept, as ms-swift allows)."""

    model_config = ConfigDict(extra="allow")

    messages: list[SwiftMessage]
    videos: list[str] = Field(default_factory=list)
    audios: list[str] = Field(default_factory=list)
    rejected_response: str | None = None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


def saber_to_text(record: SaberRecord) -> str:
    """The assistant target: the record as compact JSON in SED key order, non-ASCII kept."""
    return json.dumps(record.model_dump(), ensure_ascii=False)


#: Environment of a ``swift sft|rlhf|infer`` run on these rows (Qwen2.5-Omni): SABER-LLM's
#: inference caps (video pixels, frames, image pixels, no spoken answer), audio as its own stream,
#: and an audio loader that reads the audio track of an mp4 without ffmpeg.
SWIFT_ENV: dict[str, str] = {
    "USE_AUDIO_IN_VIDEO": "false",
    "SWIFT_AUDIO_LOAD_BACKEND": "soundfile_pyav",
    "VIDEO_MAX_PIXELS": "50176",
    "FPS_MAX_FRAMES": "40",
    "MAX_PIXELS": "1003520",
    "ENABLE_AUDIO_OUTPUT": "0",
}
_LEADING_TAGS = re.compile(r"^(?:<video>|<audio>|<image>)*")


def media_tags(has_video: bool, has_audio: bool) -> str:
    """The tags that open a row's user message: ``<video>`` then ``<audio>``, for what it has."""
    return ("<video>" if has_video else "") + ("<audio>" if has_audio else "")


def row_audio(video: str | None, audio: str | None, video_has_audio: bool | None) -> str | None:
    """What a row names in ``audios`` under the convention: the separate audio file when there is
    one, else the clip itself when it has an audio track, else nothing (``video_has_audio``
    False, or None: not known)."""
    if audio:
        return audio
    return video if video and video_has_audio else None


def convention_problems(row: SwiftRow) -> list[str]:
    """Where ``row`` departs from the media convention (module docstring); [] when it follows it."""
    problems: list[str] = []
    if len(row.videos) > 1 or len(row.audios) > 1:
        problems.append(
            f"one clip per row: got {len(row.videos)} video(s) and {len(row.audios)} audio(s)"
        )
    users = [m for m in row.messages if m.role == "user"]
    if not users:
        return [*problems, "no user message"]
    expected = media_tags(bool(row.videos), bool(row.audios))
    first = users[0].content
    leading = _LEADING_TAGS.match(first)
    if leading is None or leading.group(0) != expected:
        problems.append(
            f"the user message should start with {expected or 'no media tag'!r}, "
            f"got {(leading.group(0) if leading else '') or 'none'!r}"
        )
    for tag in ("<video>", "<audio>"):
        count = sum(m.content.count(tag) for m in row.messages)
        if count != expected.count(tag):
            problems.append(f"{tag} appears {count} time(s); expected {expected.count(tag)}")
    return problems


def saber_to_swift(
    record: SaberRecord,
    *,
    video: str | None = None,
    audio: str | None = None,
    lang: Language = "en",
    rejected: SaberRecord | str | None = None,
    system: str | None = None,
) -> SwiftRow:
    """Build a SFT row (or a DPO row when ``rejected`` is given) from one record."""
    messages: list[SwiftMessage] = []
    if system:
        messages.append(SwiftMessage(role="system", content=system))
    prompt = media_tags(video is not None, audio is not None) + sed_prompt(lang)
    messages.append(SwiftMessage(role="user", content=prompt))
    messages.append(SwiftMessage(role="assistant", content=saber_to_text(record)))
    rejected_text = saber_to_text(rejected) if isinstance(rejected, SaberRecord) else rejected
    return SwiftRow(
        messages=messages,
        videos=[video] if video else [],
        audios=[audio] if audio else [],
        rejected_response=rejected_text,
    )


def parse_swift_row(
    value: Any, *, path: str | Path | None = None, line: int | None = None
) -> SwiftRow:
    """Validate one JSON value as an ms-swift row (one-line error naming file/line/field)."""
    return validate_value(value, SwiftRow, path=path, line=line)


def swift_to_saber(
    row: SwiftRow, *, path: str | Path | None = None, line: int | None = None
) -> SaberRecord:
    """The SABER record in a row's last assistant message (must be the SABER JSON object)."""
    answers = [m for m in row.messages if m.role == "assistant"]
    if not answers:
        raise InputError("row has no assistant message", path=path, line=line, field="messages")
    text = answers[-1].content
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        raise InputError(
            f"assistant content is not SABER JSON ({reason})",
            path=path,
            line=line,
            field="messages[-1].content",
        ) from None
    if not isinstance(value, dict):
        raise InputError(
            "assistant content must be a JSON object", path=path, line=line, field="messages"
        )
    try:
        return SaberRecord.model_validate(value)
    except ValidationError as exc:
        err = validation_error_to_input_error(exc, path=path, line=line)
        raise InputError(
            err.message, path=path, line=line, field=f"messages[-1].content.{err.field}"
        ) from None
