"""Console output and error handling shared by every CLI command.

The library never prints; commands print through :data:`console` (stdout: results) and
:data:`err_console` (stderr: progress, warnings, errors). :func:`handle_errors` turns any
exception into one clear line on stderr and exit code 2, unless ``--debug`` was given.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from emoreason.errors import EmoreasonError

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def print_table(table: Table) -> None:
    """Print a table on stdout; piped into a file or another program, it is printed at its
    natural width so no cell is cut to "…" (a terminal keeps its own width)."""
    if console.is_terminal:
        console.print(table, soft_wrap=False)
        return
    natural = console.measure(table, options=console.options.update(max_width=100_000)).maximum
    width = max(console.width, natural)
    Console(highlight=False, width=width, file=console.file).print(table, soft_wrap=False)


P = ParamSpec("P")
R = TypeVar("R")


class _State:
    debug: bool = False


state = _State()


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator for command functions: one-line errors, exit code 2, traceback with --debug."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            err_console.print("[red]interrupted[/red]")
            raise typer.Exit(130) from None
        except Exception as exc:
            if state.debug:
                raise
            fail(exc)

    return wrapper


def fail(exc: BaseException | str, code: int = 2) -> None:
    """Print ``error: ...`` on one line and exit with ``code``."""
    text = str(exc) if isinstance(exc, (EmoreasonError, str)) else f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split())  # one line, always
    err_console.print(f"[bold red]error:[/bold red] {escape(text)}")
    raise typer.Exit(code)


def print_json(value: Any) -> None:
    """Print JSON to stdout without rich markup processing (machine readable)."""
    if hasattr(value, "model_dump_json"):
        text = value.model_dump_json(indent=2)
    else:
        text = json.dumps(value, ensure_ascii=False, indent=2)
    console.print(text, markup=False, highlight=False)


def progress_bar(transient: bool = False, rate: bool = False) -> Progress:
    """A rich progress bar with count, elapsed time and ETA, drawn on stderr; ``rate`` adds a
    column showing each task's ``rate`` field (e.g. throughput)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        *([TextColumn("{task.fields[rate]}")] if rate else []),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=err_console,
        transient=transient,
    )


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Send what C++ libraries (MediaPipe, TFLite) write to file descriptor 2 to /dev/null,
    while Python's ``sys.stderr`` (rich progress, our error lines) keeps the real stderr.

    A no-op with ``--debug`` or when stderr is not a real file descriptor (tests)."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        fd = -1
    if state.debug or fd != 2:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    python_stderr = sys.stderr
    sys.stderr = os.fdopen(os.dup(saved), "w", buffering=1, encoding="utf-8", errors="replace")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr.close()
        os.dup2(saved, 2)
        os.close(saved)
        sys.stderr = python_stderr
