"""Read and write SABER data in its three shapes, detecting each row's kind.

- a folder of per-clip JSON files ``<id>.json``, each one SABER record (published layout);
- SABER JSONL: one :class:`~emoreason.schema.saber.SaberItem` per line (``id``, ``video``,
  ``audio``, ``label``, ``saber``); bare SABER records per line are accepted too;
- ms-swift JSONL rows (``messages``/``videos``/``audios``), whose assistant message is the record;
  analysis-result rows written by ``emoreason analyze`` are read as items too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from emoreason.errors import InputError
from emoreason.formats.atomic import write_text_atomic
from emoreason.formats.jsonl import iter_jsonl, parse_json_text, validate_value
from emoreason.formats.swift import parse_swift_row, swift_to_saber
from emoreason.schema.result import AnalysisResult, ErrorRow
from emoreason.schema.saber import SaberItem, SaberRecord

RowKind = Literal["saber", "item", "swift", "result", "error"]
MEDIA_SUFFIXES = (".mp4", ".avi", ".mkv", ".mov", ".webm")


@dataclass(frozen=True)
class ItemOutcome:
    """A parsed item, or the error that stopped this row; ``kind`` says what the row was."""

    source: str
    line: int | None
    item: SaberItem | None = None
    error: InputError | None = None
    kind: RowKind | None = None
    result: AnalysisResult | None = None  # the whole row, when it was an analysis result


def detect_kind(value: Any) -> RowKind:
    """What a JSON object is, by its keys."""
    if isinstance(value, dict):
        if "messages" in value:
            return "swift"
        if value.get("status") == "error":
            return "error"
        if "status" in value and "saber" in value:
            return "result"
        if "saber" in value:
            return "item"
    return "saber"


def value_to_item(
    value: Any, *, path: str | Path, line: int | None, default_id: str
) -> tuple[RowKind, SaberItem | BaseModel]:
    """Validate one JSON value as whatever it is; return its kind and an item (or the row:
    an :class:`AnalysisResult` or an :class:`ErrorRow`)."""
    kind = detect_kind(value)
    if kind == "swift":
        row = parse_swift_row(value, path=path, line=line)
        record = swift_to_saber(row, path=path, line=line)
        video = row.videos[0] if row.videos else None
        extra = row.model_extra or {}
        item_id = str(extra.get("id") or (Path(video).stem if video else default_id))
        audio = row.audios[0] if row.audios else None
        return kind, SaberItem(id=item_id, video=video, audio=audio, saber=record)
    if kind == "error":
        return kind, validate_value(value, ErrorRow, path=path, line=line)
    if kind == "result":
        return kind, validate_value(value, AnalysisResult, path=path, line=line)
    if kind == "item":
        return kind, validate_value(value, SaberItem, path=path, line=line)
    record = validate_value(value, SaberRecord, path=path, line=line)
    return kind, SaberItem(id=default_id, saber=record)


def _outcome(
    source: str, line: int | None, kind: RowKind, value: BaseModel, media_dir: str | Path | None
) -> ItemOutcome:
    if isinstance(value, AnalysisResult):
        item = SaberItem(id=value.id, video=value.source, label=value.emotion, saber=value.saber)
        return ItemOutcome(
            source, line, item=_attach_media(item, media_dir), kind=kind, result=value
        )
    if isinstance(value, SaberItem):
        return ItemOutcome(source, line, item=_attach_media(value, media_dir), kind=kind)
    return ItemOutcome(source, line, kind=kind)


def read_json_file(path: Path) -> Any:
    """Parse a whole JSON file with one-line errors for empty, non-UTF-8 or invalid content."""
    data = path.read_bytes()
    if not data.strip():
        raise InputError("empty file (expected a JSON object)", path=path)
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})", path=path
        ) from None
    return parse_json_text(text, path=path, line=None)


def iter_items(path: str | Path, *, media_dir: str | Path | None = None) -> Iterator[ItemOutcome]:
    """Every item in a folder of per-clip JSON, a JSON file or a JSONL file; errors as outcomes."""
    path = Path(path)
    if not path.exists():
        raise InputError("not found", path=path)
    if path.is_dir():
        yield from _iter_folder(path, media_dir)
    elif path.suffix == ".json":
        yield from _iter_json_file(path, media_dir)
    else:
        yield from _iter_jsonl_file(path)


def _attach_media(item: SaberItem, media_dir: str | Path | None) -> SaberItem:
    if item.video is not None or media_dir is None:
        return item
    for suffix in MEDIA_SUFFIXES:
        candidate = Path(media_dir) / f"{item.id}{suffix}"
        if candidate.exists():
            return item.model_copy(update={"video": str(candidate)})
    return item


def _iter_folder(folder: Path, media_dir: str | Path | None) -> Iterator[ItemOutcome]:
    files = sorted(folder.glob("*.json"))
    if not files:
        raise InputError(
            "folder has no *.json files (expected one SABER record per clip)", path=folder
        )
    for file in files:
        yield from _iter_json_file(file, media_dir)


def _iter_json_file(file: Path, media_dir: str | Path | None) -> Iterator[ItemOutcome]:
    try:
        value = read_json_file(file)
    except InputError as err:
        yield ItemOutcome(str(file), None, error=err)
        return
    values = value if isinstance(value, list) else [value]
    for index, entry in enumerate(values):
        default_id = file.stem if len(values) == 1 else f"{file.stem}-{index}"
        try:
            kind, item = value_to_item(entry, path=file, line=None, default_id=default_id)
        except InputError as err:
            yield ItemOutcome(str(file), None, error=err)
            continue
        yield _outcome(str(file), None, kind, item, media_dir)


def _iter_jsonl_file(file: Path) -> Iterator[ItemOutcome]:
    for line in iter_jsonl(file, on_error="collect"):
        if line.error is not None:
            yield ItemOutcome(str(file), line.line, error=line.error)
            continue
        try:
            kind, item = value_to_item(
                line.value, path=file, line=line.line, default_id=f"{file.stem}-{line.line}"
            )
        except InputError as err:
            yield ItemOutcome(str(file), line.line, error=err)
            continue
        yield _outcome(str(file), line.line, kind, item, None)


def write_saber_folder(folder: str | Path, items: list[SaberItem]) -> int:
    """Write ``<id>.json`` per item (each atomically); refuses ids that are not file-safe."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for item in items:
        if not item.id or "/" in item.id or item.id in {".", ".."}:
            raise InputError(f"id {item.id!r} cannot be a file name", field="id")
        text = json.dumps(item.saber.model_dump(), ensure_ascii=False, indent=2) + "\n"
        write_text_atomic(folder / f"{item.id}.json", text)
    return len(items)
