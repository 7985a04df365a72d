"""The bundled example clips, served by name only.

A name is looked up in a fresh listing of the folder: plain files with a media suffix whose real
path stays inside the folder. Anything else (``..``, an absolute path, a symlink that leaves
the folder, a subfolder, a file not listed) is simply not there.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from emoreason.serve.views import ExampleView

if TYPE_CHECKING:
    from emoreason.serve.jobs import Job

MEDIA_SUFFIXES = (".mp4", ".mov", ".mkv", ".avi", ".webm", ".wav", ".mp3", ".flac", ".m4a")
#: The example the warm-up analyses when it is there (short, every modality present).
WARMUP_EXAMPLE = "happy_consistent.mp4"
_TABLE_ROW = re.compile(r"^\|\s*`?([^|`]+?)`?\s*\|(.*)\|\s*$")


class ExampleShelf:
    """Example clips in ``folder`` (None: there are none)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder.resolve() if folder is not None else None
        self._notes: dict[str, str] | None = None

    def listing(self) -> dict[str, Path]:
        """Name -> path of every servable example, sorted by name."""
        if self.folder is None or not self.folder.is_dir():
            return {}
        found = {}
        for entry in sorted(self.folder.iterdir()):
            if entry.suffix.lower() not in MEDIA_SUFFIXES or entry.is_symlink():
                continue
            real = entry.resolve()
            if real.parent == self.folder and real.is_file():
                found[entry.name] = real
        return found

    def path(self, name: str) -> Path | None:
        """The example called exactly ``name``; None for anything not listed."""
        return self.listing().get(name)

    def url(self, job: Job) -> str | None:
        """Where the page can play a job's clip from (examples only; uploads stay in the page)."""
        return f"/examples/{quote(job.name)}" if job.example else None

    def warmup_clip(self) -> Path | None:
        return self.path(WARMUP_EXAMPLE)

    def notes(self) -> dict[str, str]:
        """File name -> what a good analysis says, from the folder's README table (if any)."""
        if self._notes is None:
            self._notes = {}
            readme = self.folder / "README.md" if self.folder else None
            if readme is not None and readme.is_file():
                for line in readme.read_text(encoding="utf-8", errors="replace").splitlines():
                    match = _TABLE_ROW.match(line.strip())
                    if match and match.group(1).lower().endswith(MEDIA_SUFFIXES):
                        cells = [c.strip() for c in match.group(2).split("|")]
                        self._notes[match.group(1).strip()] = cells[-1] if cells else ""
        return self._notes

    def views(self) -> list[ExampleView]:
        notes = self.notes()
        return [
            ExampleView(
                name=name,
                bytes=path.stat().st_size,
                url=f"/examples/{quote(name)}",
                note=notes.get(name, ""),
            )
            for name, path in self.listing().items()
        ]

    @staticmethod
    def media_type(path: Path) -> str:
        guessed, _ = mimetypes.guess_type(path.name)
        return guessed or "application/octet-stream"
