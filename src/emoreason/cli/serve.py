"""``emoreason serve``: the page and the API over HTTP (FastAPI + uvicorn, loopback by default)."""

from __future__ import annotations

import logging

import typer

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
    host: str = typer.Option("127.0.0.1", help="Bind address (loopback by default)."),
    port: int = typer.Option(8000, help="TCP port."),
    backend: str = typer.Option("rules", help="Reasoning backend: rules|transformers|openai."),
    lang: str = typer.Option("en", help="Default language of the text: en|zh."),
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
    from emoreason.serve import ServeConfig, create_app, exposure_warning

    config = ServeConfig(
        host=host,
        port=port,
        backend=backend,
        lang=lang,
        model=model,
        base_url=base_url,
        max_upload_bytes=max(1, int(max_upload_mb * 1024 * 1024)),
        max_clip_seconds=max_clip_seconds,
        queue_size=queue_size,
        examples_dir=examples,
        warm=warm,
    )
    configure_logging()
    warning = exposure_warning(host)
    if warning:
        err_console.print(f"[bold yellow]{warning}[/bold yellow]")
        logging.getLogger("emoreason.serve").warning(warning)
    shown = f"[{host}]" if ":" in host else host
    err_console.print(f"emoreason: open http://{shown}:{port}/ (backend {backend}; Ctrl+C stops)")
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning", access_log=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
