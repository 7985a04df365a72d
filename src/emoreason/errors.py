"""Exceptions with one-line messages that name the file, line and field at fault."""

from __future__ import annotations

from pathlib import Path


class EmoreasonError(Exception):
    """Base class: the CLI prints ``str(exc)`` as one line (no traceback unless ``--debug``)."""


class InputError(EmoreasonError):
    """Bad user input: a file, a line in it, or a field, and what was expected.

    >>> str(InputError("bad type", path="a.jsonl", line=3, field="audio_desc.speech_content"))
    'a.jsonl:3: audio_desc.speech_content: bad type'
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        super().__init__(self._format())

    def _format(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path + (f":{self.line}" if self.line is not None else "") + ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class MediaError(InputError):
    """A media file that cannot be decoded (missing, truncated, not a video)."""


class ConfigError(EmoreasonError):
    """An invalid configuration value; the message lists what is valid."""


class BackendError(EmoreasonError):
    """A model server answered with an error or could not be reached."""


class ModelNotFoundError(EmoreasonError):
    """A model that must be brought by the user (local path) or installed by a package is missing."""
