"""``emoreason convert SRC DST --to jsonl|folder|swift``: SABER folder <-> JSONL <-> ms-swift."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.markup import escape

from emoreason.cli.output import console, err_console, handle_errors


class Target(StrEnum):
    jsonl = "jsonl"
    folder = "folder"
    swift = "swift"


class Lang(StrEnum):
    en = "en"
    zh = "zh"


@handle_errors
def convert_command(
    source: Path = typer.Argument(..., help="per-clip JSON folder, SABER JSONL or ms-swift JSONL"),
    destination: Path = typer.Argument(..., help="output file (jsonl/swift) or folder"),
    to: Target = typer.Option(..., "--to", help="output format"),
    lang: Lang = typer.Option(Lang.en, help="SED prompt language for ms-swift rows"),
    media_dir: Path | None = typer.Option(
        None, help="folder holding <id>.mp4 for records that name no video"
    ),
    keep_going: bool = typer.Option(
        False, "--keep-going", help="skip bad records (reported) instead of stopping"
    ),
) -> None:
    """Convert SABER data between its shapes; nothing is written when a record is bad."""
    from emoreason.errors import InputError
    from emoreason.formats.jsonl import write_jsonl
    from emoreason.formats.saber_io import iter_items, write_saber_folder
    from emoreason.formats.swift import saber_to_swift

    items = []
    skipped = 0
    for outcome in iter_items(source, media_dir=media_dir):
        if outcome.error is not None:
            if not keep_going:
                raise outcome.error
            skipped += 1
            err_console.print(f"[yellow]skipped[/yellow] {escape(str(outcome.error))}")
        elif outcome.item is not None:
            items.append(outcome.item)
    if not items:
        raise InputError("no valid SABER records to convert", path=source)
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise InputError(f"duplicate ids {dup}: ids must be unique", path=source, field="id")
    if to is Target.folder:
        count = write_saber_folder(destination, items)
    elif to is Target.jsonl:
        count = write_jsonl(destination, items)
    else:
        rows = []
        for item in items:
            row = saber_to_swift(item.saber, video=item.video, audio=item.audio, lang=lang.value)
            rows.append({**row.to_json(), "id": item.id})
        count = write_jsonl(destination, rows)
    console.print(
        f"wrote {count} record(s) to {escape(str(destination))} ({to.value})"
        + (f", skipped {skipped} bad" if skipped else "")
    )


def register(app: typer.Typer) -> None:
    app.command("convert")(convert_command)
