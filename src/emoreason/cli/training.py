"""CLI command(s) for this stage: filled in by the subsystem that owns it."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to app."""
