"""``emoreason analyze INPUT...``: the main job - perceive, reason, explain.

One clip without ``-o`` prints a readable analysis (final emotion, consistency verdict,
per-modality table, the six SABER dimensions); ``--json`` prints the result JSON instead.
Several clips (or ``-o``) run as a batch with a progress bar, one JSONL row per clip appended
as it finishes, ``--resume`` to skip finished ids, error rows for failed clips. Exit code 1 when
any clip failed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from emoreason.cli.choices import Backend, Dtype, Lang
from emoreason.cli.output import (
    console,
    err_console,
    handle_errors,
    native_stderr_silenced,
    print_json,
    print_table,
    progress_bar,
)

_COLOR = {
    "neutral": "white",
    "happy": "yellow",
    "sad": "blue",
    "angry": "red",
    "fearful": "magenta",
    "surprised": "cyan",
    "disgusted": "green",
}
_TITLES = {
    "en": ("Scene", "Speech content", "Acoustic features", "Facial expression", "Body language",
           "Reasoning"),
    "zh": ("场景", "语音内容", "声学特征", "面部表情", "肢体语言", "情感推理"),
}  # fmt: skip


def _label(label: str | None) -> str:
    if label is None:
        return "[dim]unavailable[/dim]"
    return f"[bold {_COLOR.get(label, 'white')}]{escape(label)}[/bold {_COLOR.get(label, 'white')}]"


def show_result(result: Any) -> None:
    """The rich, readable single-clip view."""
    from emoreason.schema.labels import EMOTION_ZH
    from emoreason.schema.saber import SABER_DIMENSIONS

    c = result.consistency
    zh = f" ({EMOTION_ZH.get(result.emotion, '')})" if result.language == "zh" else ""
    verdict_style = "green" if c.consistent else "red"
    head = (
        f"Emotion: {_label(result.emotion)}{zh}"
        + (f"  [dim]traces: {escape(', '.join(result.emotions))}[/dim]" if result.emotions else "")
        + f"\nConsistency: [bold {verdict_style}]{c.verdict.value}[/bold {verdict_style}]"
        + (f"  pattern: [bold]{escape(c.pattern)}[/bold]" if c.pattern else "")
        + (
            f"  conflicts: {escape(', '.join(f'{a} vs {b}' for a, b in c.conflicts))}"
            if c.conflicts
            else ""
        )
        + f"\n{escape(c.explanation)}"
    )
    panel = Panel(head, title=f"[bold]{escape(result.id)}[/bold]", subtitle=escape(result.source))
    console.print(panel, soft_wrap=False)
    table = Table(title="Per-modality evidence", title_justify="left")
    table.add_column("modality")
    table.add_column("label")
    table.add_column("confidence", justify="right")
    table.add_column("top scores")
    for modality, hyp in result.hypotheses.items():
        if not hyp.available:
            table.add_row(modality, _label(None), "-", "")
            continue
        top = sorted(hyp.distribution.items(), key=lambda kv: -kv[1])[:3]
        table.add_row(
            modality,
            _label(hyp.label),
            f"{hyp.confidence:.2f}",
            ", ".join(f"{e} {p:.2f}" for e, p in top),
        )
    print_table(table)
    titles = _TITLES.get(result.language, _TITLES["en"])
    quality = result.quality
    filled = set(quality.filled_from_rules) if quality is not None else set()
    flagged = set(quality.dimensions_with_problems()) - filled if quality is not None else set()
    for title, dim in zip(titles, SABER_DIMENSIONS, strict=True):
        text = result.saber.dimension(dim)
        body = Text(text) if text else Text("(missing)", style="dim")
        mark = (
            "  [magenta](from the rules reasoner)[/magenta]"
            if dim in filled
            else "  [yellow](see the warning)[/yellow]"
            if dim in flagged and text
            else ""
        )
        console.print(f"[bold cyan]{title}[/bold cyan]  [dim]{dim}[/dim]{mark}")
        console.print(Padding(body, (0, 0, 0, 2)), soft_wrap=False)
    timings = ", ".join(
        f"{k} {result.timings[k]:.2f}s"
        for k in ("perception", "reasoning", "total")
        if k in result.timings
    )
    console.print(f"[dim]backend {escape(result.backend)} · {escape(timings)}[/dim]")
    if (line := model_input_line(result)) is not None:
        console.print(f"[dim]{escape(line)}[/dim]")


def quality_warning(result: Any) -> str | None:
    """A warning (rich markup) naming the problems of a model's answer; None when it has none
    or when no model answered (rules backend)."""
    from emoreason.reasoning.answer_quality import summary

    quality = getattr(result, "quality", None)
    if quality is None or quality.ok:
        return None
    head = (
        f"[bold yellow]warning:[/bold yellow] the model's answer is degenerate "
        f"(quality {quality.score:.2f}); do not read it as an analysis"
        if quality.degenerate
        else f"[yellow]warning:[/yellow] the model's answer has problems (quality "
        f"{quality.score:.2f})"
    )
    lines = [f"{head}: {escape(summary(quality))}"]
    if quality.filled_from_rules:
        lines.append(
            "  filled from the rules reasoner: " + escape(", ".join(quality.filled_from_rules))
        )
    elif any(p.dimension for p in quality.problems):
        lines.append(
            "  --fill-from-rules fills such dimensions from the rules reasoner (marked as such); "
            "a stronger model gives real reasoning (see the README: backends)"
        )
    return "\n".join(lines)


def model_options(
    backend: str,
    *,
    device: str | None,
    dtype: str | None,
    text_only: bool,
    max_new_tokens: int | None,
) -> dict[str, Any]:
    """The transformers backend's options from the CLI flags (a flag given to another backend is
    a usage error)."""
    given = {
        "--device": ("device", device),
        "--dtype": ("dtype", dtype),
        "--text-only": ("send_media", False if text_only else None),
        "--max-new-tokens": ("max_new_tokens", max_new_tokens),
    }
    options = {key: value for key, value in given.values() if value is not None}
    if options and backend != "transformers":
        flag = next(flag for flag, (_, value) in given.items() if value is not None)
        raise typer.BadParameter(f"{flag} goes with --backend transformers", param_hint=flag)
    return options


def model_input_line(result: Any) -> str | None:
    """What the model received, one line (None when no model backend recorded it)."""
    received = getattr(result, "model_input", None)
    if received is None:
        return None
    if received.media == "text":
        return f"model input: text only ({received.text_tokens} tokens; {received.text_reason})"
    parts = []
    if received.video_tokens:
        size = "x".join(str(v) for v in received.frame_size) if received.frame_size else "?"
        parts.append(
            f"video {received.video_frames} frames over {received.video_seconds:.1f} s "
            f"at {size} -> {received.video_tokens} tokens"
        )
    if received.audio_tokens:
        cut = " (cut to the encoder window)" if received.audio_truncated else ""
        parts.append(f"audio {received.audio_seconds:.1f} s{cut} -> {received.audio_tokens} tokens")
    parts.append(f"text {received.text_tokens} tokens")
    return "model input: " + " · ".join(parts)


@handle_errors
def analyze_command(
    inputs: list[str] = typer.Argument(
        ..., help="Clips, folders of clips, or manifest .jsonl (ms-swift rows accepted)."
    ),
    lang: Lang = typer.Option(Lang("en"), "--lang", help="Language of the analysis text."),
    backend: Backend = typer.Option(Backend("rules"), "--backend", help="Reasoning backend."),
    model: str | None = typer.Option(
        None, "--model", help="Local model folder (transformers) or served model name (openai)."
    ),
    base_url: str | None = typer.Option(
        None, "--base-url", help="OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print result JSON instead of the readable view."
    ),
    output: Path | None = typer.Option(
        None,
        "-o",
        "--output",
        help="Append one JSONL row per clip to this file (an existing one needs --resume or --overwrite).",
    ),
    resume: bool = typer.Option(
        False, "--resume", help="Continue the output: skip clips whose id is already in it."
    ),
    retry_errors: bool = typer.Option(
        False, "--retry-errors", help="With --resume: run the clips that failed before again."
    ),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Replace an existing output instead of continuing it."
    ),
    report: Path | None = typer.Option(
        None, "--report", help="Write a report: out.html or out.png."
    ),
    fps: float | None = typer.Option(
        None, "--fps", help="Frames sampled per second for face/body/scene."
    ),
    no_evidence: bool = typer.Option(
        False, "--no-evidence", help="Leave the raw evidence out of the output rows."
    ),
    fill_from_rules: bool = typer.Option(
        False,
        "--fill-from-rules",
        help="Replace a model answer's empty, looping or copied dimensions with the rules "
        "reasoner's text (listed in quality.filled_from_rules).",
    ),
    device: str | None = typer.Option(
        None, "--device", help="transformers: torch device, e.g. cpu (default), cuda, cuda:1."
    ),
    dtype: Dtype | None = typer.Option(
        None,
        "--dtype",
        help="transformers: torch dtype (auto: float32 on CPU, bfloat16 on GPU).",
    ),
    text_only: bool = typer.Option(
        False,
        "--text-only",
        help="transformers: give an Omni model the text evidence only, not the clip's frames and audio.",
    ),
    max_new_tokens: int | None = typer.Option(
        None, "--max-new-tokens", help="transformers: most tokens the model may write."
    ),
) -> None:
    """Analyse clips: what the person feels, why, and whether face, voice and words agree.

    Exit status: 0 when every clip was analysed, 1 when any clip failed (each failure is an error row in the output and the batch goes on), 2 for bad usage or input.
    """
    from emoreason.pipeline.analyze import Analyzer
    from emoreason.pipeline.batch import collect_jobs, run_batch
    from emoreason.pipeline.report import write_report

    if resume and output is None:
        raise typer.BadParameter("--resume needs -o/--output", param_hint="--resume")
    if retry_errors and not resume:
        raise typer.BadParameter("--retry-errors goes with --resume", param_hint="--retry-errors")
    if resume and overwrite:
        raise typer.BadParameter("choose --resume or --overwrite", param_hint="--overwrite")
    skipped: list[tuple[str, str]] = []
    jobs = collect_jobs(inputs, skipped)
    for path, reason in skipped[:10]:
        err_console.print(f"[yellow]not analysed[/yellow] {escape(path)}: {reason}")
    if len(skipped) > 10:
        err_console.print(f"[yellow]not analysed[/yellow] {len(skipped) - 10} more file(s)")
    if resume and output is not None and output.is_file():
        _say_unreadable_lines(output)
    analyzer = Analyzer(
        backend.value,
        lang.value,
        model=model,
        base_url=base_url,
        fps=fps,
        include_evidence=not no_evidence,
        fill_from_rules=fill_from_rules,
        backend_options=model_options(
            backend.value,
            device=device,
            dtype=dtype.value if dtype else None,
            text_only=text_only,
            max_new_tokens=max_new_tokens,
        ),
    )
    if len(jobs) == 1 and output is None:
        status = err_console.status(
            f"analysing {escape(jobs[0].path)} (perception, then reasoning)"
        )
        with native_stderr_silenced(), status:
            summary = run_batch(jobs, lambda path, cid: analyzer.analyze(path, cid))
        if summary.errors:
            err_console.print(f"[bold red]error:[/bold red] {escape(summary.errors[0].error)}")
            raise typer.Exit(1)
        result = summary.results[0]
        print_json(result) if as_json else show_result(result)
        warning = quality_warning(result)
        if warning:
            err_console.print(warning)
    else:
        with native_stderr_silenced():
            summary = _run_with_progress(
                jobs,
                analyzer,
                output,
                as_json,
                resume=resume,
                retry_errors=retry_errors,
                overwrite=overwrite,
            )
    if report is not None:
        results = summary.results
        if output is not None and resume:
            results = _results_from(output, results)
        for path in write_report(report, results, summary.errors):
            err_console.print(f"report: {escape(str(path))}")
    if summary.failed:
        raise typer.Exit(1)


def _run_with_progress(jobs, analyzer, output, as_json, **batch_options: bool) -> Any:
    from emoreason.pipeline.batch import run_batch

    flagged: list[str] = []
    with progress_bar() as progress:
        task = progress.add_task("analysing", total=len(jobs))

        def on_done(job, row) -> None:
            if row is None:
                progress.console.print(f"[dim]skip[/dim] {escape(job.id)} (already in output)")
            elif getattr(row, "status", "") == "error":
                progress.console.print(f"[red]fail[/red] {escape(job.id)}: {escape(row.error)}")
            else:
                c = row.consistency
                quality = row.quality
                note = ""
                if quality is not None and not quality.ok:
                    flagged.append(job.id)
                    word = "degenerate answer" if quality.degenerate else "answer problems"
                    note = f"  [yellow]{word} (quality {quality.score:.2f})[/yellow]"
                progress.console.print(
                    f"[green]ok[/green]   {escape(job.id)}: {_label(row.emotion)} "
                    f"({c.verdict.value}{', ' + c.pattern if c.pattern else ''}){note}"
                )
            if as_json and row is not None and output is None:
                console.print(row.model_dump_json(), markup=False, highlight=False)
            progress.advance(task)

        summary = run_batch(
            jobs,
            lambda p, cid: analyzer.analyze(p, cid),
            output=output,
            on_done=on_done,
            **batch_options,
        )
    where = f" -> {output}" if output else ""
    err_console.print(
        f"{summary.ok} ok, {summary.failed} failed, {summary.skipped} skipped "
        f"in {summary.seconds:.1f}s{escape(where)}"
    )
    if flagged:
        err_console.print(
            f"[yellow]warning:[/yellow] {len(flagged)} model answer(s) with quality problems "
            f"({escape(', '.join(flagged[:5]))}{', ...' if len(flagged) > 5 else ''}); "
            "each row's quality field names them"
        )
    return summary


def _say_unreadable_lines(output: Path, most: int = 5) -> None:
    """Name the lines of an output being resumed that cannot be read (they are kept as they are;
    their clips are not counted as done)."""
    from emoreason.formats.jsonl import iter_jsonl

    bad = [line.error for line in iter_jsonl(output, on_error="collect") if not line.ok]
    for error in bad[:most]:
        err_console.print(f"[yellow]unreadable, kept as is[/yellow] {escape(str(error))}")
    if len(bad) > most:
        err_console.print(f"[yellow]unreadable, kept as is[/yellow] {len(bad) - most} more line(s)")


def _results_from(output: Path, fresh: list) -> list:
    """All ok results in the output file (a resumed batch reports on every finished clip)."""
    from emoreason.formats.jsonl import iter_jsonl
    from emoreason.schema.result import AnalysisResult

    results = []
    for item in iter_jsonl(output, on_error="collect"):
        if item.ok and isinstance(item.value, dict) and item.value.get("status") == "ok":
            try:
                results.append(AnalysisResult.model_validate(item.value))
            except ValueError:
                continue
    return results or fresh


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze_command)
