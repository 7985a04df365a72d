"""The SABER six-dimensional annotation record, with exactly the published keys.

```json
{"video_desc": "...",
 "audio_desc": {"speech_content": "...", "acoustic_feat": "..."},
 "facial_exp_desc": "...",
 "body_lang_desc": "...",
 "sentiment_analysis": "..."}
```
Unknown keys are rejected (a renamed key is a bug, not a variant).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, StrictStr

#: The SED order: scene -> audio (speech content, acoustic features) -> face -> body -> reasoning.
SABER_DIMENSIONS: tuple[str, ...] = (
    "video_desc",
    "audio_desc.speech_content",
    "audio_desc.acoustic_feat",
    "facial_exp_desc",
    "body_lang_desc",
    "sentiment_analysis",
)


class AudioDesc(BaseModel):
    """What is said and how it sounds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    speech_content: StrictStr
    acoustic_feat: StrictStr


class SaberRecord(BaseModel):
    """One clip's SABER description (six dimensions in five published top-level keys)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    video_desc: StrictStr
    audio_desc: AudioDesc
    facial_exp_desc: StrictStr
    body_lang_desc: StrictStr
    sentiment_analysis: StrictStr

    @classmethod
    def empty(cls) -> SaberRecord:
        """A valid record with every dimension empty (nothing perceived yet)."""
        return cls(
            video_desc="",
            audio_desc=AudioDesc(speech_content="", acoustic_feat=""),
            facial_exp_desc="",
            body_lang_desc="",
            sentiment_analysis="",
        )

    def dimension(self, name: str) -> str:
        """Text of one dimension by dotted name (see :data:`SABER_DIMENSIONS`)."""
        if name not in SABER_DIMENSIONS:
            raise KeyError(f"unknown SABER dimension {name!r}; expected one of {SABER_DIMENSIONS}")
        if name.startswith("audio_desc."):
            return getattr(self.audio_desc, name.split(".", 1)[1])
        return getattr(self, name)

    def replace_dimension(self, name: str, text: str) -> SaberRecord:
        """A copy with one dimension's text replaced."""
        if name not in SABER_DIMENSIONS:
            raise KeyError(f"unknown SABER dimension {name!r}; expected one of {SABER_DIMENSIONS}")
        if name.startswith("audio_desc."):
            audio = self.audio_desc.model_copy(update={name.split(".", 1)[1]: text})
            return self.model_copy(update={"audio_desc": audio})
        return self.model_copy(update={name: text})

    def missing_dimensions(self) -> list[str]:
        """Dimensions whose text is empty or whitespace."""
        return [d for d in SABER_DIMENSIONS if not self.dimension(d).strip()]


class SaberItem(BaseModel):
    """One row of a SABER JSONL file: a clip id, its media and its record."""

    model_config = ConfigDict(extra="forbid")

    id: StrictStr
    video: StrictStr | None = None
    audio: StrictStr | None = None
    label: StrictStr | None = None
    saber: SaberRecord
