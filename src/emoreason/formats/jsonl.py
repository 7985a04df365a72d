"""Streaming JSONL that survives bad lines.

Reading yields one :class:`JsonlLine` per non-blank line: either a parsed (and optionally
validated) value or an :class:`~emoreason.errors.InputError` naming file, line and field.
``on_error="raise"`` stops at the first bad line, ``"collect"`` yields it and goes on.

Writing is either atomic (:func:`write_jsonl`: the whole file or nothing) or append-and-resume
(:class:`JsonlAppender`: one flushed line per row; a line cut short by a kill is detected and
repaired on reopen, so nothing already written is lost).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from emoreason.errors import InputError
from emoreason.formats.atomic import atomic_write

T = TypeVar("T", bound=BaseModel)

#: Lines longer than this are rejected without being parsed (protects memory).
DEFAULT_MAX_LINE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class JsonlLine:
    """One line's outcome: ``value`` when it parsed, ``error`` when it did not."""

    path: str
    line: int
    value: Any = None
    error: InputError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def validation_error_to_input_error(
    exc: ValidationError, *, path: str | Path | None, line: int | None
) -> InputError:
    """The first pydantic error as one line: dotted field and what was expected."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first.get("loc", ())) or None
    kind = first.get("type", "")
    if kind == "missing":
        message = "required field is missing"
    elif kind == "extra_forbidden":
        message = "unknown field (not in the schema)"
    else:
        message = first.get("msg", "invalid value")
    extra = len(exc.errors()) - 1
    if extra > 0:
        message += f" (+{extra} more error{'s' if extra > 1 else ''})"
    return InputError(message, path=path, line=line, field=field)


#: What a value nested beyond the parser's recursion limit is reported as (one bad line).
TOO_DEEP = "JSON nested too deeply (more levels than the parser's recursion limit)"


def json_error_reason(exc: json.JSONDecodeError | RecursionError) -> str:
    """What went wrong in ``json.loads``: the decoder's message, or that nesting is too deep."""
    return exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"


def parse_json_text(text: str, *, path: str | Path | None, line: int | None) -> Any:
    """``json.loads`` with one-line errors: bad syntax names its line (``line``, or the line
    within ``text`` when it is a whole file) and column; a value nested beyond the recursion
    limit (a line of 100,000 ``[``) is one bad line like any other."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON at column {exc.colno}: {exc.msg}",
            path=path,
            line=line if line is not None else exc.lineno,
        ) from None
    except RecursionError:
        raise InputError(TOO_DEEP, path=path, line=line) from None


def validate_value(value: Any, model: type[T], *, path: str | Path | None, line: int | None) -> T:
    if not isinstance(value, dict):
        raise InputError(
            f"expected a JSON object, got {type(value).__name__}", path=path, line=line
        )
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise validation_error_to_input_error(exc, path=path, line=line) from None
    except RecursionError:
        raise InputError(TOO_DEEP, path=path, line=line) from None


def iter_jsonl(
    path: str | Path,
    model: type[BaseModel] | None = None,
    *,
    on_error: Literal["raise", "collect"] = "raise",
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> Iterator[JsonlLine]:
    """Yield each non-blank line of ``path`` parsed (and validated against ``model``)."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=path)
    if path.is_dir():
        raise InputError("expected a JSONL file, got a directory", path=path)
    with path.open("rb") as handle:
        for number, raw in enumerate(_bounded_lines(handle, max_line_bytes), start=1):
            outcome = _parse_line(raw, number, path, model, max_line_bytes)
            if outcome is None:
                continue
            if outcome.error is not None and on_error == "raise":
                raise outcome.error
            yield outcome


def _bounded_lines(handle: Any, max_line_bytes: int) -> Iterator[bytes | None]:
    """Yield raw lines; a line longer than the bound is skipped in chunks and yields None."""
    while True:
        raw = handle.readline(max_line_bytes + 1)
        if not raw:
            return
        if len(raw) > max_line_bytes and not raw.endswith(b"\n"):
            while True:  # drain the rest of the over-long line without keeping it
                rest = handle.readline(1024 * 1024)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield raw


def _parse_line(
    raw: bytes | None, number: int, path: Path, model: type[BaseModel] | None, max_bytes: int
) -> JsonlLine | None:
    if raw is None:
        err = InputError(f"line longer than {max_bytes} bytes", path=path, line=number)
        return JsonlLine(str(path), number, error=err)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        err = InputError(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            path=path,
            line=number,
        )
        return JsonlLine(str(path), number, error=err)
    if number == 1:
        text = text.removeprefix("\ufeff")
    if not text.strip():
        return None
    try:
        value = parse_json_text(text, path=path, line=number)
        if model is not None:
            value = validate_value(value, model, path=path, line=number)
    except InputError as err:
        return JsonlLine(str(path), number, error=err)
    return JsonlLine(str(path), number, value=value)


def read_jsonl(path: str | Path, model: type[BaseModel] | None = None) -> list[Any]:
    """All values of a JSONL file; raises on the first bad line."""
    return [item.value for item in iter_jsonl(path, model)]


def _dump(row: Any) -> str:
    if isinstance(row, BaseModel):
        return row.model_dump_json()
    return json.dumps(row, ensure_ascii=False)


def write_jsonl(path: str | Path, rows: Iterable[Any]) -> int:
    """Write all rows atomically (temporary file + rename); returns the row count."""
    count = 0
    with atomic_write(path) as handle:
        for row in rows:
            handle.write(_dump(row) + "\n")
            count += 1
    return count


class JsonlAppender:
    """Append rows one at a time, each flushed and fsynced, for resumable batches.

    On open, a last line without its newline (a writer killed mid-line) is cut off, so the file
    is always valid JSONL and a resumed batch redoes only the interrupted row.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.repaired_bytes = _truncate_partial_last_line(self.path)
        self._handle = self.path.open("a", encoding="utf-8", newline="\n")

    def append(self, row: Any) -> None:
        self._handle.write(_dump(row) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> JsonlAppender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _truncate_partial_last_line(path: Path) -> int:
    if not path.exists() or path.stat().st_size == 0:
        return 0
    with path.open("rb+") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return 0
        # walk back to the previous newline
        pos = size - 1
        chunk = 65536
        while pos > 0:
            start = max(0, pos - chunk)
            handle.seek(start)
            block = handle.read(pos - start)
            idx = block.rfind(b"\n")
            if idx >= 0:
                keep = start + idx + 1
                handle.truncate(keep)
                return size - keep
            pos = start
        handle.truncate(0)
        return size
