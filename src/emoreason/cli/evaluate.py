"""``emoreason evaluate``: score a model on a benchmark task, with bootstrap 95% CIs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import typer

from emoreason.cli.choices import CueExtractor, EvalBackend, Lang, MetricVariant, Split
from emoreason.cli.output import console, err_console, handle_errors, progress_bar


@handle_errors
def evaluate_command(
    task: str = typer.Option(None, "--task", "-t", help="Task name (see --list)."),
    data: Path = typer.Option(
        None, "--data", "-d", help="Benchmark folder in its published layout."
    ),
    predictions: Path = typer.Option(
        None, "--predictions", "-p", help="Predictions file (JSONL, JSON list or CSV) with ids."
    ),
    backend: EvalBackend | None = typer.Option(
        None,
        "--backend",
        "-b",
        help="Predict with emoreason.analyze: rules, transformers or openai; voice or verbal: "
        "that model alone (the default of voice tasks such as emodb, of the verbal tasks).",
    ),
    lang: Lang = typer.Option(Lang("en"), "--lang", help="Language for --backend."),
    model: str = typer.Option(
        None, "--model", help="--backend transformers: local model folder; openai: model name."
    ),
    base_url: str = typer.Option(None, "--base-url", help="--backend openai: server base URL."),
    out: Path = typer.Option(Path("eval-reports"), "--out", "-o", help="Folder for the reports."),
    list_: bool = typer.Option(False, "--list", help="List the known tasks and exit."),
    include_path: list[Path] = typer.Option(
        None, "--include-path", help="Extra task YAML file or folder (repeatable)."
    ),
    n_resamples: int = typer.Option(1000, "--n-resamples", help="Bootstrap resamples for 95% CIs."),
    seed: int = typer.Option(0, "--seed", help="Bootstrap seed."),
    limit: int = typer.Option(None, "--limit", help="Evaluate only the first N samples."),
    split: Split | None = typer.Option(
        None, "--split", help="Tasks with fixed splits: emodb test, dev or all; verbal also calib."
    ),
    judge_url: str = typer.Option(
        None, "--judge-url", help="OpenAI-compatible base URL for the LLM judge (EMER scores)."
    ),
    judge_model: str = typer.Option(None, "--judge-model", help="Judge model name."),
    cue_extractor: CueExtractor = typer.Option(
        CueExtractor("local"),
        "--cue-extractor",
        help="EmoCue-360 cue extraction: ours (local) or an LLM (llm, uses --judge-url).",
    ),
    cue_embedder: str = typer.Option(
        "minilm",
        "--cue-embedder",
        help="EmoCue-360 cue embeddings: minilm (the metric's default), static (distilled from "
        "MiniLM, ~100x faster, approximate) or a local model2vec / sentence-transformers folder.",
    ),
    embedding_cache: Path = typer.Option(
        None,
        "--embedding-cache",
        help="Folder keeping transformer cue embeddings between runs (exact; default: "
        "<emoreason cache>/embeddings).",
    ),
    no_embedding_cache: bool = typer.Option(
        False, "--no-embedding-cache", help="Embed every cue again; keep nothing on disk."
    ),
    metric_variant: MetricVariant = typer.Option(
        MetricVariant("official"),
        "--metric-variant",
        help="official: the benchmark authors' scoring script, quirks included (default); "
        "robust: our variants (clipped cosines, subtitle rule, synonym-aware answer parsing).",
    ),
    emotion_wheel_dir: Path = typer.Option(
        None,
        "--emotion-wheel-dir",
        help="AffectGPT's emotion_wheel folder (wheel*.xlsx, synonym.xlsx, format.csv): the "
        "official EMER Accuracy_s / Recall_s / F_s; without it EMER uses our wheel.",
    ),
) -> None:
    """Evaluate predictions or a backend on a benchmark; write JSON, Markdown, HTML and a chart."""
    from emoreason.evaluation import TaskRegistry, evaluate, write_report

    registry = TaskRegistry(include_path or [])
    if list_:
        for spec in registry.tasks.values():
            console.print(f"{spec.name:12s} v{spec.version:4s} {spec.description}", markup=False)
        return
    if not task:
        raise typer.BadParameter("--task is required (or use --list)")
    spec = registry.get(task)
    if split is not None:
        if "split" not in spec.loader_options:
            raise typer.BadParameter(f"task {spec.name!r} has no fixed splits")
        spec = dataclasses.replace(
            spec, loader_options={**spec.loader_options, "split": split.value}
        )
    if data is None:
        from emoreason.evaluation.loaders import DEFAULT_DATA

        if spec.loader not in DEFAULT_DATA:
            raise typer.BadParameter("--data is required")
        data = DEFAULT_DATA[spec.loader]()  # data shipped with emoreason (verbal_en / verbal_zh)
    backend_name = backend.value if backend is not None else None
    if predictions is None and backend_name is None:
        backend_name = spec.backend  # e.g. emodb: the voice model
    if (predictions is None) == (backend_name is None):
        raise typer.BadParameter("give exactly one of --predictions FILE or --backend NAME")
    judge = extractor = None
    if judge_url:
        from emoreason.evaluation.judge import ChatClient, LLMJudge

        client = ChatClient(judge_url, judge_model or "")
        judge = LLMJudge(client)
        if cue_extractor == "llm":
            from emoreason.evaluation.cues import LLMCueExtractor

            extractor = LLMCueExtractor(client)
    elif cue_extractor == "llm":
        raise typer.BadParameter("--cue-extractor llm needs --judge-url and --judge-model")

    store = None
    if not no_embedding_cache and spec.scorer == "emocue360":
        from emoreason.evaluation.embedders import default_store_dir

        store = embedding_cache or default_store_dir()
    with progress_bar(transient=True) as bar:
        job = bar.add_task(f"{spec.name}: predicting", total=None)
        report = evaluate(
            spec,
            data,
            predictions=predictions,
            backend=backend_name,
            lang=lang.value,
            n_resamples=n_resamples,
            seed=seed,
            limit=limit,
            judge=judge,
            cue_extractor=extractor,
            embedder=cue_embedder,
            embedding_store=None if no_embedding_cache else store,
            analyze_options={k: v for k, v in (("model", model), ("base_url", base_url)) if v},
            metric_variant=metric_variant.value,
            emotion_wheel_dir=emotion_wheel_dir,
            on_progress=lambda done, total: bar.update(job, completed=done, total=total),
        )
    paths = write_report(report, out)
    console.print(f"metric variant: {report['metric_variant']}", markup=False)
    if report["details"].get("note"):
        err_console.print(f"note: {report['details']['note']}", markup=False)
    for name, value in report["scores"].items():
        console.print(
            f"{name:32s} {value['value']:.4f}  [{value['ci_low']:.4f}, {value['ci_high']:.4f}]",
            markup=False,
        )
    bad = {k: v for k, v in report["counts"].items() if k not in ("rows", "loaded") and v}
    if bad:
        err_console.print("counts: " + ", ".join(f"{k}={v}" for k, v in bad.items()), markup=False)
    console.print(
        f"report: {paths['json']} ({paths['markdown'].name}, {paths['html'].name}, "
        f"{paths['chart'].name})",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to app."""
    app.command("evaluate")(evaluate_command)
