"""``emoreason build-sft``, ``emoreason build-pairs`` and ``emoreason train sft|ca-dpo``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from emoreason.cli.choices import Lang, MissingMedia, PairKind, values
from emoreason.cli.output import console, err_console, handle_errors, print_table, progress_bar

REWARD_KEYS = ("rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies")

train_app = typer.Typer(
    name="train",
    help="Train an adapter: SED supervised fine-tuning (sft) or consistency-aware DPO (ca-dpo).",
    no_args_is_help=True,
)


def _print_report(title: str, report: dict[str, Any]) -> None:
    err_console.print(f"[bold]{title}[/bold]: read {report['read']}, wrote {report['written']}")
    for label, counts in (("by kind", report["by_kind"]), ("skipped", report["skipped"])):
        if counts:
            text = ", ".join(f"{k} {v}" for k, v in counts.items())
            err_console.print(f"  {label}: {text}", markup=False)


@handle_errors
def build_sft(
    input_path: Path = typer.Argument(
        ..., metavar="INPUT", help="Analyses, SABER or ms-swift JSONL."
    ),
    output: Path = typer.Option(..., "--output", "-o", help="ms-swift JSONL to write."),
    lang: list[Lang] = typer.Option(
        [Lang("en")], "--lang", help="Prompt/target language(s), repeatable."
    ),
    media_root: Path | None = typer.Option(None, help="Folder relative media paths are under."),
    missing_media: MissingMedia = typer.Option(
        MissingMedia("error"), help="Missing video/audio: stop (error) or leave the row out."
    ),
) -> None:
    """SED instruction rows: prompt (EN/ZH) -> SABER JSON, scene -> audio -> face -> body -> reasoning."""
    from emoreason.formats.jsonl import write_jsonl
    from emoreason.training.sft_data import build_sft_file

    rows, report = build_sft_file(
        input_path,
        languages=values(lang),
        media_root=media_root,
        missing_media=missing_media.value,
    )
    write_jsonl(output, rows)
    _print_report(f"build-sft -> {output}", report.to_dict())


@handle_errors
def build_pairs(
    input_path: Path = typer.Argument(
        ..., metavar="INPUT", help="Analyses, SABER or ms-swift JSONL."
    ),
    output: Path = typer.Option(..., "--output", "-o", help="ms-swift DPO JSONL to write."),
    lang: list[Lang] = typer.Option([Lang("en")], "--lang", help="Language(s), repeatable."),
    kind: list[PairKind] = typer.Option(
        list(PairKind), "--kind", help="Rejected kinds to build, repeatable."
    ),
    max_hallucinations: int = typer.Option(
        4, help="Hallucinated rejections per clip and language."
    ),
    max_flips: int = typer.Option(1, help="Label flips per clip and language."),
    media_root: Path | None = typer.Option(None, help="Folder relative media paths are under."),
    missing_media: MissingMedia = typer.Option(
        MissingMedia("error"), help="Missing video/audio: stop (error) or leave the row out."
    ),
) -> None:
    """Preference pairs: grounded SED response vs unimodal / hallucinated / flipped ones."""
    from emoreason.formats.jsonl import write_jsonl
    from emoreason.training.pairs import build_pairs_file

    rows, report = build_pairs_file(
        input_path,
        kinds=values(kind),
        languages=values(lang),
        media_root=media_root,
        missing_media=missing_media.value,
        max_hallucinations=max_hallucinations,
        max_flips=max_flips,
    )
    write_jsonl(output, rows)
    _print_report(f"build-pairs -> {output}", report.to_dict())


def _progress_callback() -> Any:
    """A TrainerCallback drawing a rich progress bar and printing the reward metrics."""
    from transformers import TrainerCallback

    class RichProgress(TrainerCallback):
        def __init__(self) -> None:
            self.progress = progress_bar()
            self.task: Any = None
            self.reference_task: Any = None

        def on_reference_progress(self, name: str, done: int, total: int | None) -> None:
            self.progress.start()
            if self.reference_task is None or done == 1:
                self.reference_task = self.progress.add_task(
                    f"reference log-probs ({name})", total=total
                )
            self.progress.update(self.reference_task, completed=done)

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.progress.start()
            self.task = self.progress.add_task(
                "training", total=state.max_steps, completed=state.global_step
            )

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.progress.update(self.task, completed=state.global_step)

        def on_log(
            self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any
        ) -> None:
            logs = logs or {}
            shown = {k: v for k, v in logs.items() if k in ("loss", "eval_loss") or "rewards/" in k}
            if shown:
                text = "  ".join(f"{k} {v:.4f}" for k, v in shown.items() if isinstance(v, float))
                self.progress.console.print(f"step {state.global_step}: {text}", markup=False)

        def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.progress.stop()

    return RichProgress()


def _print_summary(summary: Any) -> None:
    _print_report("data", summary.data)
    console.print(f"steps: {summary.global_step}  adapter: {summary.adapter_dir}", markup=False)
    if summary.eval_metrics_before:
        _print_eval("held-out before training", summary.eval_metrics_before)
    if summary.eval_metrics:
        _print_eval("held-out after training", summary.eval_metrics)
    if summary.eval_pairs:
        _print_pairs(summary.eval_pairs_before, summary.eval_pairs)


def _print_pairs(before: dict[str, Any], after: dict[str, Any]) -> None:
    """Held-out pairs, one row per kind: reward accuracy, margin, policy preference."""
    from rich.table import Table

    table = Table(title="held-out pairs (per pair; before -> after training)")
    for column in ("kind", "pairs", "reward acc.", "mean margin", "prefers grounded"):
        table.add_column(column, justify="left" if column == "kind" else "right")

    def cell(kind: str, key: str, fmt: str) -> str:
        old = before.get(kind, {}).get(key)
        new = format(after[kind][key], fmt)
        return new if old is None else f"{format(old, fmt)} -> {new}"

    for kind in sorted(after, key=lambda k: (k != "all", k)):
        table.add_row(
            kind,
            str(after[kind]["pairs"]),
            cell(kind, "reward_accuracy", ".2f"),
            cell(kind, "mean_margin", "+.3f"),
            cell(kind, "prefers_chosen", ".2f"),
        )
    print_table(table)


def _print_eval(title: str, metrics: dict[str, float]) -> None:
    shown = {
        k: v for k, v in metrics.items() if "rewards/" in k or "prefers" in k or k == "eval_loss"
    }
    text = "  ".join(f"{k.removeprefix('eval_')} {v:.4f}" for k, v in shown.items())
    console.print(f"{title}: {text}", markup=False)


@train_app.command("sft")
@handle_errors
def train_sft_command(
    config: Path = typer.Option(..., "--config", help="SFT YAML config (see examples/training/)."),
    resume: str | None = typer.Option(
        None, help="Checkpoint folder or 'latest' (overrides config)."
    ),
    threads: int | None = typer.Option(None, help="CPU threads for torch."),
) -> None:
    """Stage 1: SED supervised fine-tuning of a LoRA or MoSE adapter."""
    from emoreason.training.config import SFTTrainConfig
    from emoreason.training.run import train_sft

    cfg = SFTTrainConfig.from_yaml(config)
    if resume is not None:
        cfg.resume_from_checkpoint = resume
    _print_summary(train_sft(cfg, callbacks=[_progress_callback()], threads=threads))


@train_app.command("ca-dpo")
@handle_errors
def train_ca_dpo_command(
    config: Path = typer.Option(
        ..., "--config", help="CA-DPO YAML config (see examples/training/)."
    ),
    resume: str | None = typer.Option(
        None, help="Checkpoint folder or 'latest' (overrides config)."
    ),
    threads: int | None = typer.Option(None, help="CPU threads for torch."),
) -> None:
    """Stage 2: consistency-aware DPO; the reference is the adapter-disabled model."""
    from emoreason.training.config import CADPOTrainConfig
    from emoreason.training.run import train_ca_dpo

    cfg = CADPOTrainConfig.from_yaml(config)
    if resume is not None:
        cfg.resume_from_checkpoint = resume
    _print_summary(train_ca_dpo(cfg, callbacks=[_progress_callback()], threads=threads))


def register(app: typer.Typer) -> None:
    """Add build-sft, build-pairs and the train group to ``app``."""
    app.command("build-sft")(build_sft)
    app.command("build-pairs")(build_pairs)
    app.add_typer(train_app, name="train")
