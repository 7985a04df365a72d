"""Batches: inputs (files, folders, manifest JSONL incl. ms-swift rows) -> one JSONL row per clip.

Rows are appended as each clip finishes (:class:`~emoreason.formats.jsonl.JsonlAppender`, one
flushed line per clip), so a killed batch keeps everything already done; ``resume=True`` skips
the ids already in the output (a line cut short by the kill is repaired on reopen). A clip that
fails becomes an :class:`~emoreason.schema.result.ErrorRow` and the batch goes on.

Manifest rows (``.jsonl``): ``{"id": ..., "path"|"video"|"audio": ...}`` or an ms-swift row
``{"messages": [...], "videos": [...], "audios": [...]}`` (the first video, else the first
audio). Relative paths resolve against the manifest's folder.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emoreason.errors import EmoreasonError, InputError
from emoreason.formats.atomic import atomic_write
from emoreason.formats.jsonl import JsonlAppender, iter_jsonl
from emoreason.schema.result import AnalysisResult, ErrorRow

MEDIA_SUFFIXES = frozenset(
    {".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v", ".mpg", ".mpeg", ".wav", ".mp3", ".flac",
     ".m4a", ".ogg"}
)  # fmt: skip
MANIFEST_SUFFIXES = frozenset({".jsonl"})
_PATH_KEYS = ("path", "video", "audio", "media", "file")


@dataclass
class ClipJob:
    """One clip to analyse; ``error`` is set when the input itself was bad (manifest line)."""

    id: str
    path: str
    error: InputError | None = None


@dataclass
class BatchSummary:
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    results: list[AnalysisResult] = field(default_factory=list)
    errors: list[ErrorRow] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.ok + self.failed + self.skipped


def _manifest_jobs(path: Path) -> Iterator[ClipJob]:
    for item in iter_jsonl(path, on_error="collect"):
        where = f"{path.stem}:{item.line}"
        if not item.ok:
            yield ClipJob(id=where, path=str(path), error=item.error)
            continue
        row = item.value
        if not isinstance(row, dict):
            err = InputError("expected a JSON object", path=path, line=item.line)
            yield ClipJob(id=where, path=str(path), error=err)
            continue
        media = next((row[k] for k in _PATH_KEYS if isinstance(row.get(k), str)), None)
        for key in ("videos", "audios"):
            if media is None and isinstance(row.get(key), list) and row[key]:
                media = row[key][0]
        if not isinstance(media, str) or not media:
            err = InputError(
                "no media path: expected 'path', 'video', 'audio' or ms-swift 'videos'/'audios'",
                path=path,
                line=item.line,
                field="videos",
            )
            yield ClipJob(id=where, path=str(path), error=err)
            continue
        media_path = Path(media)
        if not media_path.is_absolute() and not media_path.exists():
            media_path = path.parent / media_path
        clip_id = str(row["id"]) if row.get("id") not in (None, "") else media_path.stem
        yield ClipJob(id=clip_id, path=str(media_path))


def _scan_folder(folder: Path, skipped: list[tuple[str, str]] | None) -> list[Path]:
    """Media files under ``folder`` (sorted, recursive); what is passed over goes to ``skipped``
    as ``(path, reason)``: dangling links, files that are not media by their suffix."""
    files = []
    for p in sorted(folder.rglob("*")):
        if p.is_symlink() and not p.exists():
            reason = "dangling symbolic link"
        elif p.is_dir():
            continue
        elif not p.is_file():
            reason = "not a regular file"
        elif p.suffix.lower() not in MEDIA_SUFFIXES:
            reason = f"not a media file ({p.suffix or 'no suffix'})"
        else:
            files.append(p)
            continue
        if skipped is not None:
            skipped.append((str(p), reason))
    return files


def collect_jobs(
    inputs: Iterable[str | Path], skipped: list[tuple[str, str]] | None = None
) -> list[ClipJob]:
    """Expand files, folders (media files inside, sorted, recursive) and manifests into jobs.

    Ids are the file stems (or a manifest's ``id``); repeated ids get ``-2``, ``-3``...
    A path that does not exist stays a job (its analysis fails with a clear error row).
    Files a folder scan passes over are appended to ``skipped`` as ``(path, reason)``.
    """
    jobs: list[ClipJob] = []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            files = _scan_folder(path, skipped)
            if not files:
                raise InputError(
                    f"no media files ({', '.join(sorted(MEDIA_SUFFIXES))}) in folder", path=path
                )
            jobs.extend(ClipJob(id=p.stem, path=str(p)) for p in files)
        elif path.suffix.lower() in MANIFEST_SUFFIXES and path.is_file():
            jobs.extend(_manifest_jobs(path))
        else:
            jobs.append(ClipJob(id=path.stem or str(path), path=str(path)))
    seen: dict[str, int] = {}
    for job in jobs:
        count = seen.get(job.id, 0) + 1
        seen[job.id] = count
        if count > 1:
            job.id = f"{job.id}-{count}"
    return jobs


def done_ids(output: str | Path, *, include_errors: bool = True) -> set[str]:
    """Ids already written to ``output`` (ok rows, and error rows unless ``include_errors`` is
    False); unreadable lines are ignored."""
    path = Path(output)
    if not path.exists():
        return set()
    ids = set()
    for item in iter_jsonl(path, on_error="collect"):
        value = item.value
        if not (item.ok and isinstance(value, dict) and isinstance(value.get("id"), str)):
            continue
        if include_errors or value.get("status") != "error":
            ids.add(value["id"])
    return ids


def drop_error_rows(output: str | Path) -> int:
    """Rewrite ``output`` atomically without its error rows (so they can be retried without
    duplicates); returns how many were dropped. Unparseable lines are kept as they were."""
    path = Path(output)
    if not path.exists():
        return 0
    kept: list[bytes] = []
    dropped = 0
    for raw in path.read_bytes().splitlines():  # bytes: a damaged line is kept byte for byte
        try:
            value = json.loads(raw) if raw.strip() else None
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            value = None
        if isinstance(value, dict) and value.get("status") == "error":
            dropped += 1
        elif raw.strip():
            kept.append(raw)
    if dropped:
        with atomic_write(path, "wb", encoding=None) as handle:
            handle.write(b"".join(line + b"\n" for line in kept))
    return dropped


def error_row(job: ClipJob, exc: BaseException) -> ErrorRow:
    message = " ".join(str(exc).split()) or type(exc).__name__
    if not isinstance(exc, EmoreasonError):
        message = f"{type(exc).__name__}: {message}"
    return ErrorRow(id=job.id, source=job.path, error=message, error_type=type(exc).__name__)


def run_batch(
    jobs: list[ClipJob],
    analyze_clip: Callable[[str, str], AnalysisResult],
    *,
    output: str | Path | None = None,
    resume: bool = False,
    retry_errors: bool = False,
    overwrite: bool = False,
    keep_results: bool = True,
    on_done: Callable[[ClipJob, AnalysisResult | ErrorRow | None], None] | None = None,
) -> BatchSummary:
    """Analyse every job with ``analyze_clip(path, id)``, appending a row per clip to ``output``.

    An existing, non-empty ``output`` is continued with ``resume`` (finished ids are skipped;
    with ``retry_errors`` too, its error rows are dropped and those clips run again), replaced
    with ``overwrite``, and otherwise refused: results already written are never lost by accident.
    ``on_done(job, row)`` is called after each clip (``row`` is None for a skipped one), e.g. to
    advance a progress bar.
    """
    summary = BatchSummary()
    start = time.perf_counter()
    skip: set[str] = set()
    if output is not None and Path(output).exists() and Path(output).stat().st_size > 0:
        if resume:
            if retry_errors:
                drop_error_rows(output)
            skip = done_ids(output)
        elif overwrite:
            Path(output).unlink()
        else:
            raise InputError(
                "output already holds results: use --resume to continue it or --overwrite to "
                "replace it",
                path=output,
            )
    appender = JsonlAppender(output) if output is not None else None
    try:
        for job in jobs:
            if job.id in skip:
                summary.skipped += 1
                if on_done:
                    on_done(job, None)
                continue
            row: Any
            try:
                if job.error is not None:
                    raise job.error
                row = analyze_clip(job.path, job.id)
                summary.ok += 1
                if keep_results:
                    summary.results.append(row)
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # one clip's failure never stops the batch
                row = error_row(job, exc)
                summary.failed += 1
                summary.errors.append(row)
            if appender is not None:
                appender.append(row)
            if on_done:
                on_done(job, row)
    finally:
        if appender is not None:
            appender.close()
        summary.seconds = time.perf_counter() - start
    return summary
