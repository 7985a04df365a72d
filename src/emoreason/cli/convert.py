"""``emoreason convert SRC DST --to jsonl|folder|swift``: SABER folder <-> JSONL <-> ms-swift.

ms-swift rows follow the one media convention of :mod:`emoreason.formats.swift` (the clip in
``videos``, its audio track in ``audios`` as a separate stream, none for a clip without one).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.markup import escape

from emoreason.cli.choices import Lang
from emoreason.cli.output import console, err_console, handle_errors
from emoreason.formats.saber_io import ItemOutcome
from emoreason.schema.evidence import ClipInfo
from emoreason.schema.saber import SaberItem, SaberRecord


class Target(StrEnum):
    jsonl = "jsonl"
    folder = "folder"
    swift = "swift"


@handle_errors
def convert_command(
    source: Path = typer.Argument(..., help="per-clip JSON folder, SABER JSONL or ms-swift JSONL"),
    destination: Path = typer.Argument(..., help="output file (jsonl/swift) or folder"),
    to: Target = typer.Option(..., "--to", help="output format"),
    lang: Lang = typer.Option(
        Lang("en"),
        help="language of ms-swift rows: prompt and answer (answers in another language are "
        "rewritten from the evidence of analysis results, or refused)",
    ),
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
    clips: dict[str, ClipInfo] = {}  # what analysis results know about their clip's streams
    skipped = 0
    regenerated = 0
    for outcome in iter_items(source, media_dir=media_dir):
        try:
            if outcome.error is not None:
                raise outcome.error
            if outcome.item is None:
                continue
            item = outcome.item
            if to is Target.swift and record_language(item.saber) != lang.value:
                item = item.model_copy(update={"saber": answer_in(outcome, lang.value)})
                regenerated += 1
            items.append(item)
            if outcome.result is not None and outcome.result.evidence is not None:
                clips[item.id] = outcome.result.evidence.clip
        except InputError as error:
            if not keep_going:
                raise
            skipped += 1
            err_console.print(f"[yellow]skipped[/yellow] {escape(str(error))}")
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
            video, audio = swift_media(item, clips.get(item.id))
            row = saber_to_swift(item.saber, video=video, audio=audio, lang=lang.value)
            rows.append({**row.to_json(), "id": item.id})
        count = write_jsonl(destination, rows)
    console.print(
        f"wrote {count} record(s) to {escape(str(destination))} ({to.value})"
        + (
            f", {regenerated} answer(s) rewritten in {lang.value} from their evidence"
            if regenerated
            else ""
        )
        + (f", skipped {skipped} bad" if skipped else "")
    )


def swift_media(item: SaberItem, clip: ClipInfo | None) -> tuple[str | None, str | None]:
    """The (video, audio) an ms-swift row names for ``item``, in the one media convention
    (:mod:`emoreason.formats.swift`): the clip's own audio track as a separate stream, none for a
    clip without one. ``clip``: the stream facts of an analysis result; without them the video
    file's container is read."""
    from emoreason.training.swift_media import row_media

    if clip is None:
        return row_media(item.video, item.audio)
    if not clip.has_video:
        return row_media(None, item.audio or item.video)
    return row_media(item.video, item.audio, video_has_audio=clip.has_audio)


def record_language(record: SaberRecord) -> str:
    """'zh' when most letters of the record's text are Chinese characters, else 'en'."""
    text = record.model_dump_json()
    letters = [c for c in text if c.isalpha()]
    chinese = sum("\u4e00" <= c <= "\u9fff" for c in letters)
    return "zh" if letters and chinese / len(letters) > 0.3 else "en"


def answer_in(outcome: ItemOutcome, lang: str) -> SaberRecord:
    """The record in ``lang``: regenerated by the rules reasoner from the row's evidence, or a
    one-line error when the row keeps none (a row's answer must be in its prompt's language)."""
    from emoreason.errors import InputError

    result = outcome.result
    if result is None or result.evidence is None:
        raise InputError(
            f"record {outcome.item.id!r} is written in {record_language(outcome.item.saber)}, "
            f"not {lang}: a {lang} ms-swift row needs a {lang} answer; convert analysis results "
            f"that keep their evidence (emoreason analyze -o, without --no-evidence) or run "
            f"`emoreason analyze --lang {lang}`",
            path=outcome.source,
            line=outcome.line,
        )
    from emoreason.reasoning.rules import RulesReasoner

    return RulesReasoner().reason(result.evidence, lang).saber


def register(app: typer.Typer) -> None:
    app.command("convert")(convert_command)
