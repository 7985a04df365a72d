"""``emoreason serve``: the page and the API over HTTP (FastAPI + uvicorn, loopback by default)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import typer

from emoreason.cli.choices import Backend, Lang
from emoreason.cli.output import err_console, handle_errors


def configure_logging(level: int = logging.INFO) -> None:
    """Send the service's log lines (one per request) to stderr; the library only logs."""
    logger = logging.getLogger("emoreason")
    if any(getattr(h, "_emoreason_cli", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    handler._emoreason_cli = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)


@handle_errors
def serve_command(
    ctx: typer.Context,
    config_path: Path | None = typer.Option(
        None, "--config", help="serve.yaml (ServeConfig keys); flags given override it."
    ),
    host: str = typer.Option("127.0.0.1", help="Bind address (loopback by default)."),
    port: int = typer.Option(8000, help="TCP port."),
    backend: Backend = typer.Option(Backend("rules"), help="Reasoning backend."),
    lang: Lang = typer.Option(Lang("en"), help="Default language of the text."),
    model: str | None = typer.Option(None, help="Local model folder for --backend transformers."),
    base_url: str | None = typer.Option(None, help="Endpoint for --backend openai."),
    max_upload_mb: float = typer.Option(200.0, help="Largest accepted upload, in MB."),
    max_clip_seconds: float = typer.Option(300.0, help="Longest accepted clip, in seconds."),
    queue_size: int = typer.Option(8, help="Analyses that may wait; beyond that: 503."),
    examples: str | None = typer.Option(
        None, help="Folder of example clips offered on the page (default: examples/clips)."
    ),
    warm: bool = typer.Option(True, help="Load the models at start-up (one analysis)."),
) -> None:
    """Serve the page at / and the API: POST /jobs, GET /jobs/ID, POST /analyze, /health, /docs."""
    try:
        import uvicorn
    except ImportError:  # pragma: no cover - the serve extra is missing
        raise typer.BadParameter(
            "install the serve extra: pip install 'emoreason[serve]'"
        ) from None
    from emoreason.serve import create_app, exposure_warning

    flags = {
        "host": host,
        "port": port,
        "backend": backend.value,
        "lang": lang.value,
        "model": model,
        "base_url": base_url,
        "max_upload_bytes": max(1, int(max_upload_mb * 1024 * 1024)),
        "max_clip_seconds": max_clip_seconds,
        "queue_size": queue_size,
        "examples_dir": examples,
        "warm": warm,
    }
    config = serve_config(config_path, flags, given=_given_flags(ctx, flags))
    host, port, backend_name = config.host, config.port, config.backend
    configure_logging()
    warning = exposure_warning(host)
    if warning:
        err_console.print(f"[bold yellow]{warning}[/bold yellow]")
        logging.getLogger("emoreason.serve").warning(warning)
    shown = f"[{host}]" if ":" in host else host
    err_console.print(
        f"emoreason: open http://{shown}:{port}/ (backend {backend_name}; Ctrl+C stops)"
    )
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning", access_log=False)


#: ServeConfig key -> the flag (parameter) that sets it, where the two names differ.
_FLAG_OF = {"max_upload_bytes": "max_upload_mb", "examples_dir": "examples"}


def _given_flags(ctx: typer.Context, keys: Iterable[str]) -> set[str]:
    """Those of the ServeConfig ``keys`` whose flag was given, not left at its default."""
    sources = {k: ctx.get_parameter_source(_FLAG_OF.get(k, k)) for k in keys}
    # compared by name: typer 0.29 carries its own copy of click, whose enum this is
    return {k for k, source in sources.items() if source is not None and source.name != "DEFAULT"}


def serve_config(config_path: Path | None, flags: dict[str, Any], given: set[str]) -> Any:
    """The ServeConfig of ``--config FILE`` (errors name the file, the key's line and the key)
    with the flags given on top; the flags' defaults fill the keys the file leaves out."""
    from emoreason.config import read_yaml_mapping
    from emoreason.serve import ServeConfig

    if config_path is None:
        return ServeConfig.from_dict(flags)
    from_file = ServeConfig.from_yaml(config_path)
    in_file = set(read_yaml_mapping(config_path))
    overrides = {k: v for k, v in flags.items() if k in given or k not in in_file}
    return dataclasses.replace(from_file, **overrides)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
