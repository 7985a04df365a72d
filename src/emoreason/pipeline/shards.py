"""Sharded, crash-safe row output: ``rows/part-NNNNN.jsonl``, one fsynced line per clip.

A run appends to fresh shards (a new one every ``shard_size`` rows); resuming first repairs a
line a kill cut short in any shard (:class:`~emoreason.formats.jsonl.JsonlAppender` does this on
open), then skips every id already written. Since a row is on disk before the next one is
written, a killed run loses at most the clips in flight and never writes one twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from emoreason.formats.jsonl import JsonlAppender, iter_jsonl

_PART = re.compile(r"^part-(\d{5,})\.jsonl$")


def shard_paths(folder: str | Path) -> list[Path]:
    """The shards in ``folder``, in write order."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := _PART.match(p.name))]
    return [p for _, p in sorted(found)]


def repair_shards(folder: str | Path) -> int:
    """Cut a partial last line off every shard; returns the bytes removed."""
    removed = 0
    for path in shard_paths(folder):
        appender = JsonlAppender(path)
        removed += appender.repaired_bytes
        appender.close()
    return removed


def iter_rows(folder: str | Path) -> Iterator[dict[str, Any]]:
    """Every readable row of every shard (unparseable lines are skipped)."""
    for path in shard_paths(folder):
        for item in iter_jsonl(path, on_error="collect"):
            if item.ok and isinstance(item.value, dict) and isinstance(item.value.get("id"), str):
                yield item.value


def written_ids(folder: str | Path) -> set[str]:
    return {row["id"] for row in iter_rows(folder)}


class ShardWriter:
    """Append rows to ``folder/part-NNNNN.jsonl``, starting a new shard every ``shard_size``."""

    def __init__(self, folder: str | Path, shard_size: int) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.shard_size = shard_size
        existing = shard_paths(self.folder)
        self._next = int(_PART.match(existing[-1].name).group(1)) + 1 if existing else 0  # type: ignore[union-attr]
        self._appender: JsonlAppender | None = None
        self._count = 0
        self.written = 0
        self.shards: list[str] = []

    def write(self, row: dict[str, Any]) -> None:
        if self._appender is None or self._count >= self.shard_size:
            self._rotate()
        assert self._appender is not None
        self._appender.append(row)
        self._count += 1
        self.written += 1

    def _rotate(self) -> None:
        if self._appender is not None:
            self._appender.close()
        path = self.folder / f"part-{self._next:05d}.jsonl"
        self._next += 1
        self._appender = JsonlAppender(path)
        self._count = 0
        self.shards.append(path.name)

    def close(self) -> None:
        if self._appender is not None:
            self._appender.close()
            self._appender = None

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
