"""``emoreason perceive CLIP``: run perception and print the Evidence (table, or JSON with --json)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from emoreason.cli.output import (
    console,
    err_console,
    handle_errors,
    native_stderr_silenced,
    print_json,
    print_table,
)


def register(app: typer.Typer) -> None:
    """Add ``perceive`` to the app."""
    app.command("perceive")(perceive_command)


@handle_errors
def perceive_command(
    clip: Path = typer.Argument(..., help="Video file to perceive (mp4, mkv, webm, ...)."),
    as_json: bool = typer.Option(False, "--json", help="Print the Evidence as JSON."),
    fps: float | None = typer.Option(None, "--fps", help="Frames sampled per second (default 3)."),
    language: str | None = typer.Option(
        None, "--language", help="Force the speech language (e.g. en, zh); default: detect."
    ),
    stages: str | None = typer.Option(
        None,
        "--stages",
        help="Comma-separated extractors to run (face,body,scene,acoustic,speech,verbal).",
    ),
    config: Path | None = typer.Option(None, "--config", help="PerceptionConfig YAML file."),
) -> None:
    """Perceive one clip: per-modality evidence, transcript and emotion hypotheses."""
    from emoreason.perception import PerceptionConfig, perceive

    base = PerceptionConfig.from_yaml(config) if config else PerceptionConfig()
    overrides: dict[str, object] = {}
    if fps is not None:
        overrides["fps"] = fps
    if language is not None:
        overrides["language"] = language
    if stages is not None:
        overrides["stages"] = tuple(s.strip() for s in stages.split(",") if s.strip())
    cfg = PerceptionConfig.from_dict({**base.__dict__, **overrides}) if overrides else base
    with native_stderr_silenced(), err_console.status(f"perceiving {clip.name} ..."):
        evidence = perceive(clip, cfg)
    if as_json:
        print_json(evidence)
        return
    _print_summary(evidence)


def _print_summary(ev) -> None:
    c = ev.clip
    size = f"{c.width}x{c.height}" if c.width else "no video"
    console.print(
        f"[bold]{escape(c.path)}[/bold]  {c.duration:.1f} s, {size}, "
        f"{'audio' if c.has_audio else 'no audio'}, {c.frames_sampled} frames sampled"
        + (", variable frame rate" if c.variable_frame_rate else "")
    )
    table = Table(title="evidence", show_lines=False)
    for col in ("modality", "available", "status", "key cues", "s"):
        table.add_column(col)
    for name, m in ev.modalities.items():
        cues = "; ".join(cue.description for cue in m.cues[:3])
        table.add_row(
            name, "yes" if m.available else "[red]no[/red]", escape(m.status), escape(cues),
            f"{m.seconds:.2f}",
        )  # fmt: skip
    print_table(table)
    hyp = Table(title="emotion hypotheses")
    for col in ("modality", "label", "confidence", "distribution"):
        hyp.add_column(col)
    for name, h in ev.hypotheses.items():
        dist = ", ".join(
            f"{e} {p:.2f}" for e, p in sorted(h.distribution.items(), key=lambda kv: -kv[1])[:3]
        )
        hyp.add_row(
            name, h.label if h.available else "[dim]unavailable[/dim]", f"{h.confidence:.2f}", dist
        )
    console.print(hyp)
    if ev.transcript is not None:
        t = ev.transcript
        text = t.text or "(empty: no speech)"
        tag = escape(f"[{t.language or '-'}]")
        console.print(f"transcript {tag}: {escape(text)}")
    timing = ", ".join(f"{k} {v:.2f}" for k, v in ev.timings.items())
    console.print(f"[dim]timings (s): {timing}[/dim]")
