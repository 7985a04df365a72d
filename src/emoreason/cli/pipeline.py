"""``emoreason pipeline run``: the SABER data pipeline over a folder, a manifest or a corpus.

clean -> annotate -> quality control -> instruction data, on a local process pool or on Ray,
with sharded resumable output (see ``emoreason.pipeline.run``). Flags override the same fields
of ``--config pipeline.yaml`` (a PipelineConfig). Exit code 1 when any clip ended in an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from emoreason.cli.choices import Backend, Dataset, Engine, Lang, values
from emoreason.cli.output import (
    err_console,
    handle_errors,
    native_stderr_silenced,
    print_table,
    progress_bar,
)

pipeline_app = typer.Typer(
    name="pipeline",
    help="The SABER data pipeline: clean, annotate, check and build instruction data at scale.",
    no_args_is_help=True,
)


@pipeline_app.command("run")
@handle_errors
def run_command(
    input_path: Path = typer.Option(
        ...,
        "--input",
        help="A folder of clips, a JSONL manifest, a MELD *_sent_emo.csv, or a RAVDESS/CREMA-D folder.",
    ),
    output: Path = typer.Option(
        ..., "--output", help="Output folder (rows, records, QC, instructions)."
    ),
    config_path: Path | None = typer.Option(
        None, "--config", help="pipeline.yaml (PipelineConfig keys); flags override it."
    ),
    engine: Engine | None = typer.Option(None, "--engine", help="Where to run (default local)."),
    workers: int | None = typer.Option(
        None, "--workers", help="Worker processes / Ray actors (default: the CPU cores)."
    ),
    ray_address: str | None = typer.Option(
        None, "--ray-address", help="Join an existing Ray cluster (e.g. auto, ray://host:10001)."
    ),
    dataset: Dataset | None = typer.Option(
        None, "--dataset", help="How --input is read (default auto: by its shape)."
    ),
    lang: list[Lang] | None = typer.Option(
        None, "--lang", help="Record language(s), repeatable (default: the config's)."
    ),
    backend: Backend | None = typer.Option(
        None, "--backend", help="Reasoning backend (default: the config's)."
    ),
    resume: bool = typer.Option(False, "--resume", help="Continue the output: skip finished ids."),
    retry_errors: bool = typer.Option(
        False, "--retry-errors", help="With --resume: run the clips that failed before again."
    ),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Replace an existing output instead of continuing it."
    ),
) -> None:
    """Run clean -> annotate -> QC -> instructions over every input, one row per input."""
    from emoreason.pipeline.config import PipelineConfig
    from emoreason.pipeline.run import run_pipeline

    if resume and overwrite:
        raise typer.BadParameter("choose --resume or --overwrite", param_hint="--overwrite")
    base = PipelineConfig.from_yaml(config_path) if config_path else PipelineConfig()
    config = base.with_overrides(
        engine=engine.value if engine else None,
        workers=workers,
        ray_address=ray_address,
        dataset=dataset.value if dataset else None,
        languages=tuple(values(lang)) if lang else None,
        backend=backend.value if backend else None,
    )
    with native_stderr_silenced(), progress_bar(rate=True) as progress:
        task = progress.add_task("pipeline", total=None, rate="")

        def on_progress(event: Any) -> None:
            progress.update(
                task,
                total=event.total,
                completed=event.done,
                rate=f"{event.rate:.2f} clips/s" if event.done else "",
                description=f"{config.engine} x{config.worker_count}",
            )
            if event.row_status == "error":
                progress.console.print(f"[red]fail[/red] {escape(event.row_id or '')}")

        summary = run_pipeline(
            input_path,
            output,
            config,
            resume=resume,
            overwrite=overwrite,
            retry_errors=retry_errors,
            on_progress=on_progress,
        )
    _print_summary(summary)
    if summary.status.get("error"):
        raise typer.Exit(1)


def _print_summary(summary: Any) -> None:
    table = Table(title=f"pipeline -> {summary.output}", title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("inputs", str(summary.inputs))
    table.add_row("processed now", str(summary.processed))
    table.add_row("already done (resume)", str(summary.resumed))
    for status in ("ok", "filtered", "error"):
        table.add_row(f"rows {status}", str(summary.status.get(status, 0)))
    counts = summary.counts
    if "records" in counts:
        table.add_row("records (clip x language)", str(counts["records"]))
    split = counts.get("consistency_split")
    if split:
        table.add_row(
            "consistent / inconsistent", f"{split['consistent']} / {split['inconsistent']}"
        )
    instructions = counts.get("instructions")
    if instructions:
        table.add_row("SFT rows", str(instructions["sft"]))
        table.add_row("CA-DPO pairs", str(instructions["pairs"]))
    print_table(table)
    err_console.print(
        f"{summary.processed} clips in {summary.seconds:.1f}s "
        f"({summary.throughput:.2f} clips/s, engine {summary.engine.get('engine')}, "
        f"workers {summary.engine.get('workers', '-')}); QC report: "
        f"{escape(str(summary.output / 'qc' / 'report.md'))}"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(pipeline_app, name="pipeline")
