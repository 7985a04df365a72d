"""What every benchmark loader returns: samples plus counts of what was missing or bad.

Loaders never crash on a bad row: they count it under a named reason, keep the first few
messages (``file:line: field: what was wrong``), and go on. A missing *file* the format
requires is a :class:`~emoreason.errors.InputError` (nothing can be evaluated without it).

Count names: ``rows`` (rows read), ``loaded`` (samples returned), ``missing_id``,
``duplicate_id``, ``missing_label``, ``unknown_label``, ``missing_media``, ``bad_row``.
``missing_media`` samples are kept (predictions-file mode does not need media; backend mode
counts them again as prediction errors); rows with a missing id, or with a missing or unknown
label where the task needs labels, are dropped.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emoreason.errors import InputError
from emoreason.formats.jsonl import parse_json_text

MEDIA_EXTENSIONS: tuple[str, ...] = (
    ".mp4",
    ".avi",
    ".mkv",
    ".webm",
    ".mov",
    ".wav",
    ".mp3",
    ".flac",
)
MEDIA_FOLDERS: tuple[str, ...] = ("", "video", "videos", "clips", "media", "audio", "audios")
MAX_PROBLEMS = 20


@dataclass
class Sample:
    """One benchmark item, whatever the source format."""

    id: str
    media: str | None = None
    label: str | None = None
    subset: str | None = None
    labels: tuple[str, ...] | None = None  # per-sample label set (EmoBench-M datasets)
    reference_text: str | None = None
    reference_emotions: list[str] = field(default_factory=list)
    subtitle: str | None = None
    prompt: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class LoadReport:
    """Samples plus counts and the first problems, for the evaluation report."""

    samples: list[Sample] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def problem(self, reason: str, message: str) -> None:
        self.counts[reason] += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{reason}: {message}")

    def add(self, sample: Sample) -> None:
        self.samples.append(sample)
        self.counts["loaded"] += 1


def sample_id(value: Any) -> str | None:
    """An id as compared across files: file name without folders and media extension."""
    if value is None:
        return None
    text = str(value).strip().replace("\\", "/")
    if not text or text.lower() == "nan":
        return None
    name = text.rsplit("/", 1)[-1]
    for ext in MEDIA_EXTENSIONS:
        if name.lower().endswith(ext):
            return name[: -len(ext)]
    return name


def path_key(value: Any) -> str | None:
    """Like :func:`sample_id` but keeping folders: ``./MELD/a.mp4`` -> ``MELD/a``."""
    stem = sample_id(value)
    if stem is None:
        return None
    text = str(value).strip().replace("\\", "/").lstrip("./")
    folder = text.rsplit("/", 1)[0] if "/" in text else ""
    return f"{folder}/{stem}" if folder else stem


def find_media(
    root: Path, raw: str | None, ident: str, folders: Sequence[str] = MEDIA_FOLDERS
) -> str | None:
    """The media file of a sample: ``raw`` as a path (absolute or under root), else ``ident``
    with a known extension in one of ``folders`` under root. None when not found."""
    if raw:
        path = Path(raw)
        for candidate in (path, root / path):
            if candidate.is_file():
                return str(candidate)
    for folder in folders:
        base = root / folder if folder else root
        for ext in MEDIA_EXTENSIONS:
            candidate = base / f"{ident}{ext}"
            if candidate.is_file():
                return str(candidate)
    return None


def first_key(row: Mapping[str, Any], keys: Sequence[str]) -> Any:
    """The first present, non-empty value among ``keys``."""
    for key in keys:
        value = row.get(key)
        if value is not None and str(value).strip() != "" and str(value).lower() != "nan":
            return value
    return None


def read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", path=path) from exc
    return parse_json_text(text, path=path, line=None)


def iter_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for every CSV row; header names stripped; BOM tolerated."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(f"cannot read: {exc}", path=path) from exc
    with handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None:
            return
        reader.fieldnames = [name.strip() for name in reader.fieldnames]
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None}


def iter_json_objects(path: Path, report: LoadReport) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, row)`` for each JSON object line of a JSONL file (``where`` = ``name:line``);
    blank lines are passed over, and a line that is not a JSON object is counted as a row and
    recorded as a ``bad_row`` problem naming its line, never raised."""
    import json

    from emoreason.formats.jsonl import json_error_reason

    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                row = json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                report.counts["rows"] += 1
                report.problem("bad_row", f"{where}: not valid JSON ({json_error_reason(exc)})")
                continue
            if not isinstance(row, dict):
                report.counts["rows"] += 1
                report.problem("bad_row", f"{where}: expected an object")
                continue
            yield where, row


def require_file(path: Path, what: str) -> Path:
    if not path.is_file():
        raise InputError(f"{what} not found (expected this file)", path=path)
    return path


def resolve_label(
    raw: Any, labels: Sequence[str] | None, label_map: Mapping[str, str] | None
) -> tuple[str | None, str | None]:
    """(label, problem reason): the raw label mapped by ``label_map`` and checked against
    ``labels`` (case-insensitive). Reasons: ``missing_label`` / ``unknown_label``."""
    if raw is None or str(raw).strip() == "" or str(raw).lower() == "nan":
        return None, "missing_label"
    text = str(raw).strip()
    if label_map:
        lowered_map = {str(k).lower(): v for k, v in label_map.items()}
        text = lowered_map.get(text.lower(), text)
    if labels is None:
        return text, None
    by_lower = {label.lower(): label for label in labels}
    if text.lower() in by_lower:
        return by_lower[text.lower()], None
    return None, "unknown_label"
