"""``emoreason serve``: the main job over HTTP (FastAPI + uvicorn, loopback by default)."""

from __future__ import annotations

import typer

from emoreason.cli.output import err_console, handle_errors


@handle_errors
def serve_command(
    host: str = typer.Option("127.0.0.1", help="Bind address (loopback by default)."),
    port: int = typer.Option(8000, help="TCP port."),
    backend: str = typer.Option("rules", help="Reasoning backend: rules|transformers|openai."),
    lang: str = typer.Option("en", help="Default language of the text: en|zh."),
    model: str | None = typer.Option(None, help="Local model folder for --backend transformers."),
    base_url: str | None = typer.Option(None, help="Endpoint for --backend openai."),
) -> None:
    """Serve POST /analyze (multipart clip upload), GET /health and GET /schema."""
    try:
        import uvicorn
    except ImportError:  # pragma: no cover - the serve extra is missing
        raise typer.BadParameter(
            "install the serve extra: pip install 'emoreason[serve]'"
        ) from None
    from emoreason.serve import ServeConfig, create_app

    config = ServeConfig(
        host=host, port=port, backend=backend, lang=lang, model=model, base_url=base_url
    )
    err_console.print(f"emoreason serving on http://{host}:{port} (backend {backend})")
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
