"""Entry point: ``emoreason [--version] [--debug] COMMAND ...``."""

from __future__ import annotations

import importlib

import typer

from emoreason import __version__
from emoreason.cli.output import console, state

app = typer.Typer(
    name="emoreason",
    help="Evidence-grounded multimodal emotion reasoning: perceive, then reason.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

#: Command modules, in help order. Each defines ``register(app)``.
COMMAND_MODULES: tuple[str, ...] = (
    "validate",
    "convert",
    "assets",
    "perceive",
    "analyze",
    "pipeline",
    "diagnose",
    "training",
    "evaluate",
    "conflicts",
    "serve",
)


def _version(value: bool) -> None:
    if value:
        console.print(f"emoreason {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
) -> None:
    """emoreason: what the person feels, why, and whether face, voice and words agree."""
    state.debug = debug


for _name in COMMAND_MODULES:
    importlib.import_module(f"emoreason.cli.{_name}").register(app)


def _plain_flags(typer_app: typer.Typer) -> None:
    """Show on/off flags without a type in --help (typer 0.29 prints ``<bool>`` beside every
    flag, as if it took a value): an empty metavar on each bool option, in every sub-app."""
    import inspect

    from typer.models import OptionInfo

    callbacks = [c.callback for c in typer_app.registered_commands]
    if typer_app.registered_callback is not None:
        callbacks.append(typer_app.registered_callback.callback)
    for callback in callbacks:
        if callback is None:
            continue
        for param in inspect.signature(callback).parameters.values():
            info = param.default
            flag = isinstance(info, OptionInfo) and param.annotation in (bool, "bool")
            if flag and info.metavar is None:
                info.metavar = ""
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _plain_flags(group.typer_instance)


_plain_flags(app)


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
