"""``build-conflicts``, ``fit-consistency`` and ``predict-verdicts``: a conflict benchmark from
labelled clips, and the consistency verdict measured and fitted on it."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer

from emoreason.cli.output import console, err_console, handle_errors, progress_bar


class GroundTruthRule(StrEnum):
    patterns = "patterns"
    strict = "strict"


def _scores_line(name: str, s) -> str:
    per = ", ".join(f"{k} {v:.2f}" for k, v in s.per_verdict.items())
    return (
        f"{name:8s} n={s.n:3d}  verdict {s.verdict_accuracy:.3f}  balanced "
        f"{s.balanced_verdict_accuracy:.3f}  emotion {s.emotion_accuracy:.3f}  "
        f"verdict+emotion {s.joint_accuracy:.3f}  ({per})"
    )


@handle_errors
def build_conflicts_command(
    manifest: Path = typer.Argument(
        None, help="JSONL of labelled sources (id, path, emotion | video_emotion/audio_emotion)."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for clips/, labels.jsonl, build.json."),
    emodb: Path = typer.Option(None, "--emodb", help="Add EmoDB wavs (root or wav folder) as sound sources."),
    speakers: str = typer.Option(None, "--speakers", help="EmoDB speakers to use, e.g. 03,08,09,10."),
    duration: float = typer.Option(None, "--duration", help="Seconds per clip (default: the whole video part)."),
    per_cell: int = typer.Option(None, "--per-cell", help="At most N recombined pairs per (verdict, video, audio emotion)."),
    rule: GroundTruthRule = typer.Option(GroundTruthRule.patterns, "--rule", help="Ground truth for two different emotions: patterns (sarcasm, masking) or strict (left out)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the pair sampling and segment starts."),
) -> None:  # fmt: skip
    """Build a CA-MER-style conflict set: the sound of one labelled clip under the picture of
    another, with matched pairs kept as consistent controls."""
    from emoreason.evaluation.conflicts import build_conflicts, emodb_sources, read_manifest

    if manifest is None and emodb is None:
        raise typer.BadParameter("give a MANIFEST, --emodb, or both")
    sources = read_manifest(manifest) if manifest is not None else []
    if emodb is not None:
        wanted = [s.strip() for s in speakers.split(",") if s.strip()] if speakers else None
        sources += emodb_sources(emodb, wanted)
    with progress_bar(transient=True) as bar:
        job = bar.add_task("building clips", total=None)
        report = build_conflicts(
            sources, out, duration=duration, per_cell=per_cell, rule=rule.value, seed=seed,
            on_progress=lambda done, total: bar.update(job, completed=done, total=total),
        )  # fmt: skip
    counts = report.counts
    console.print(
        f"{len(report.rows)} clips in {out} (consistent {counts['consistent']}, video-aligned "
        f"{counts['video-aligned']}, audio-aligned {counts['audio-aligned']}); written "
        f"{counts['written']}, kept {counts['kept']}, pairs without ground truth "
        f"{counts['excluded']}, not sampled {counts['not_sampled']}",
        markup=False,
    )


def _load(data: list[Path], refresh: bool):
    from emoreason.cli.output import native_stderr_silenced
    from emoreason.evaluation.consistency_fit import load_set

    clips = []
    for folder in data:
        with native_stderr_silenced(), progress_bar(transient=True) as bar:
            job = bar.add_task(f"perceiving {folder.name} (cached)", total=None)
            clips += load_set(
                folder,
                refresh=refresh,
                on_progress=lambda done, total, job=job, bar=bar: bar.update(
                    job, completed=done, total=total
                ),
            )
    return clips


@handle_errors
def fit_consistency_command(
    data: list[Path] = typer.Option(..., "--data", "-d", help="Built conflict set (repeatable): the DEVELOPMENT data."),
    out: Path = typer.Option(..., "--out", "-o", help="YAML file for the fitted ConsistencyConfig."),
    start: Path = typer.Option(None, "--start", help="ConsistencyConfig YAML to start from (default: the shipped one)."),
    refresh: bool = typer.Option(False, "--refresh", help="Perceive every clip again (new perception models)."),
    cv: bool = typer.Option(True, "--cv/--no-cv", help="Also report leave-one-speaker-out scores."),
) -> None:  # fmt: skip
    """Fit the consistency thresholds on development conflict sets; write the config YAML."""
    from emoreason.evaluation.consistency_fit import cross_validate, fit, write_config
    from emoreason.reasoning.consistency_config import ConsistencyConfig

    base = ConsistencyConfig.from_yaml(start) if start else ConsistencyConfig()
    clips = _load(data, refresh)
    result = fit(clips, base)
    sets = ", ".join(str(d) for d in data)
    header = (
        f"ConsistencyConfig fitted by `emoreason fit-consistency` on {sets} ({len(clips)} clips)\n"
        f"balanced verdict accuracy {result.before.balanced_verdict_accuracy:.3f} -> "
        f"{result.after.balanced_verdict_accuracy:.3f} (development data, not a test number)"
    )
    write_config(result.config, out, header)
    console.print(_scores_line("before", result.before), markup=False)
    console.print(_scores_line("after", result.after), markup=False)
    for name, (old, new) in result.changed.items():
        console.print(f"  {name}: {old} -> {new}", markup=False)
    summary = {
        "data": [str(d) for d in data],
        "n": len(clips),
        "before": result.before.__dict__,
        "after": result.after.__dict__,
        "changed": result.changed,
        "config": result.config.to_dict(),
    }
    if cv:
        folds = cross_validate(clips, base)
        if folds is None:
            err_console.print("cross-validation skipped: fewer than two speaker groups")
        else:
            pooled, _ = folds
            console.print(_scores_line("cv", pooled), markup=False)
            summary["cv_leave_one_speaker_out"] = pooled.__dict__
    report = out.with_suffix(".fit.json")
    report.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    console.print(f"config: {out}  report: {report}", markup=False)


@handle_errors
def predict_verdicts_command(
    data: Path = typer.Option(..., "--data", "-d", help="Built conflict set."),
    out: Path = typer.Option(..., "--out", "-o", help="Predictions JSONL (id, verdict, emotion) for `evaluate --predictions`."),
    config: Path = typer.Option(None, "--config", help="ConsistencyConfig YAML (default: the shipped one)."),
    refresh: bool = typer.Option(False, "--refresh", help="Perceive every clip again."),
) -> None:  # fmt: skip
    """Verdicts for a built set from cached perception (perceiving clips not cached yet)."""
    from emoreason.evaluation.consistency_fit import predict, score
    from emoreason.formats.atomic import write_text_atomic
    from emoreason.reasoning.consistency_config import ConsistencyConfig

    cfg = ConsistencyConfig.from_yaml(config) if config else ConsistencyConfig()
    clips = _load([data], refresh)
    rows = predict(clips, cfg)
    write_text_atomic(out, "".join(json.dumps(r) + "\n" for r in rows))
    console.print(_scores_line("scores", score(clips, cfg)), markup=False)
    console.print(f"predictions: {out}", markup=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to app."""
    app.command("build-conflicts")(build_conflicts_command)
    app.command("fit-consistency")(fit_consistency_command)
    app.command("predict-verdicts")(predict_verdicts_command)
