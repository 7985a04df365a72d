"""``emoreason validate FILE...``: schema check of SABER JSON / JSONL / ms-swift / result files.

Records are streamed (one at a time, constant memory whatever the file's length). Each record
is checked for its shape (the pydantic models) and for meaningful values
(:mod:`emoreason.schema.checks`: label set, modality names, finite numbers, ranges, non-empty
text); every violation is one ``file:line: field: message`` line.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer
from rich.markup import escape

from emoreason.cli.output import console, err_console, handle_errors


@handle_errors
def validate_command(
    files: list[Path] = typer.Argument(..., help="SABER .json files, folders of them, or .jsonl"),
    max_errors: int = typer.Option(20, help="Print at most this many error lines per file."),
) -> None:
    """Check every record against the SABER schema: per-line errors, a summary, exit 1 if any."""
    total_ok = total_bad = 0
    for file in files:
        ok, bad, kinds = _validate_file(file, max_errors)
        kind_text = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "no records"
        mark = "[green]ok[/green]" if bad == 0 else "[red]FAIL[/red]"
        console.print(f"{mark} {escape(str(file))}: {ok} valid ({kind_text}), {bad} invalid")
        total_ok += ok
        total_bad += bad
    console.print(f"summary: {total_ok} valid, {total_bad} invalid in {len(files)} input(s)")
    if total_bad:
        raise typer.Exit(1)


def _validate_file(file: Path, max_errors: int) -> tuple[int, int, Counter[str]]:
    """(valid records, invalid records, kinds of the valid ones); prints the first errors."""
    from emoreason.errors import InputError
    from emoreason.formats.saber_io import iter_items
    from emoreason.schema.checks import record_problems

    kinds: Counter[str] = Counter()
    ok = bad = printed = 0

    def report(message: str) -> None:
        nonlocal printed
        printed += 1
        if printed <= max_errors:
            err_console.print(f"[red]invalid[/red] {escape(message)}")

    try:
        for outcome in iter_items(file):
            if outcome.error is not None:
                bad += 1
                report(str(outcome.error))
                continue
            row = outcome.result if outcome.result is not None else outcome.item
            problems = record_problems(row) if row is not None else []
            if problems:
                bad += 1
                for field, message in problems:
                    where = InputError(message, path=outcome.source, line=outcome.line, field=field)
                    report(str(where))
                continue
            ok += 1
            kinds[outcome.kind or "?"] += 1
    except InputError as err:
        bad += 1
        report(str(err))
    if printed > max_errors:
        err_console.print(f"... {printed - max_errors} more error(s) in {escape(str(file))}")
    return ok, bad, kinds


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_command)
