"""Uploads to temporary files: size-limited, with a safe display name."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from emoreason.serve.examples import MEDIA_SUFFIXES

_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


class UploadTooLarge(Exception):
    """An upload went past the configured byte limit (nothing of it is kept)."""


def safe_name(filename: str | None) -> str:
    """The last part of a client-given file name, without control characters."""
    name = _UNSAFE.sub("", (filename or "").replace("\\", "/")).rsplit("/", 1)[-1].strip()
    return name if name not in ("", ".", "..") else "upload.mp4"


def save_upload(upload: Any, limit: int) -> tuple[str, str]:
    """Copy ``upload.file`` to a temporary file -> (path, display name).

    Raises :class:`UploadTooLarge` (and removes the partial copy) past ``limit`` bytes.
    """
    name = safe_name(upload.filename)
    suffix = Path(name).suffix.lower()
    fd, path = tempfile.mkstemp(
        prefix="emoreason-", suffix=suffix if suffix in MEDIA_SUFFIXES else ".mp4"
    )
    try:
        size = 0
        with os.fdopen(fd, "wb") as out:
            while chunk := upload.file.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise UploadTooLarge(f"{name}: upload larger than {limit} bytes")
                out.write(chunk)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        raise
    return path, name
