"""``emoreason validate FILE...``: schema check of SABER JSON / JSONL / ms-swift / result files."""

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
    from emoreason.errors import InputError
    from emoreason.formats.saber_io import iter_items

    total_ok = total_bad = 0
    for file in files:
        kinds: Counter[str] = Counter()
        ok = bad = 0
        try:
            outcomes = list(iter_items(file))
        except InputError as err:
            outcomes = []
            bad += 1
            err_console.print(f"[red]invalid[/red] {escape(str(err))}")
        for outcome in outcomes:
            if outcome.error is None:
                ok += 1
                kinds[outcome.kind or "?"] += 1
                continue
            bad += 1
            if bad <= max_errors:
                err_console.print(f"[red]invalid[/red] {escape(str(outcome.error))}")
        if bad > max_errors:
            err_console.print(f"... {bad - max_errors} more error(s) in {escape(str(file))}")
        kind_text = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "no records"
        mark = "[green]ok[/green]" if bad == 0 else "[red]FAIL[/red]"
        console.print(f"{mark} {escape(str(file))}: {ok} valid ({kind_text}), {bad} invalid")
        total_ok += ok
        total_bad += bad
    console.print(f"summary: {total_ok} valid, {total_bad} invalid in {len(files)} input(s)")
    if total_bad:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_command)
