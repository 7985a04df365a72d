"""Conversion between SABER records and ms-swift JSONL rows.

ms-swift rows: ``{"messages": [{"role": "user", "content": "<video><audio>PROMPT"},
{"role": "assistant", "content": "<SABER JSON>"}], "videos": [...], "audios": [...]}``;
preference (DPO) rows add ``"rejected_response": "..."``. The ``<video>``/``<audio>`` tags mark
where ms-swift inserts the media.
"""

from __future__ import annotations

import json
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


def media_tags(has_video: bool, has_audio: bool) -> str:
    return ("<video>" if has_video else "") + ("<audio>" if has_audio else "")


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
