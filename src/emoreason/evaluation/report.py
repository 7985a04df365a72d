"""Write an evaluation report: JSON (the full record), Markdown and HTML tables, a bar chart PNG.

Files (``<out>/<task>.json``, ``.md``, ``.html``, ``.png``) are written atomically. The chart
shows every headline score with its 95% bootstrap interval as an error bar (matplotlib, Agg).
Scorers that measure calibration put reliability curves in ``details["reliability"]``; each
becomes ``<out>/<task>_reliability_<name>.png``.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

from emoreason.formats.atomic import atomic_write, write_text_atomic


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def score_rows(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(name, value, ci_low, ci_high) formatted, headline scores first."""
    scores = report.get("scores", {})
    order = list(report.get("headline") or []) + [
        n for n in scores if n not in (report.get("headline") or [])
    ]
    return [
        (
            name,
            _fmt(scores[name]["value"]),
            _fmt(scores[name]["ci_low"]),
            _fmt(scores[name]["ci_high"]),
        )
        for name in order
    ]


def _title(report: dict[str, Any]) -> str:
    task = report["task"]
    return f"{task['name']} (v{task['version']})"


def to_markdown(report: dict[str, Any]) -> str:
    boot = report.get("bootstrap", {})
    lines = [
        f"# Evaluation: {_title(report)}",
        "",
        f"{report['task'].get('description', '')}",
        "",
        f"- data: `{report['data']}`; samples: {report['n_samples']}",
        f"- metric variant: {report.get('metric_variant', 'official')}",
        f"- predictions: {json.dumps(report['source'], ensure_ascii=False)}",
        f"- 95% CI: {boot.get('method', 'percentile')} bootstrap, "
        f"{boot.get('n_resamples')} resamples, seed {boot.get('seed')}",
        "",
        "| score | value | 95% CI low | 95% CI high |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [f"| {n} | {v} | {lo} | {hi} |" for n, v, lo, hi in score_rows(report)]
    lines += ["", "| count | n |", "| --- | ---: |"]
    lines += [f"| {k} | {v} |" for k, v in report.get("counts", {}).items()]
    judge = report.get("details", {}).get("judge")
    if judge:
        lines += ["", f"LLM judge: model `{judge['model']}`, prompt `{judge['prompt_version']}`"]
    if report.get("problems"):
        lines += ["", "First problems:", ""] + [f"- {p}" for p in report["problems"]]
    return "\n".join(lines) + "\n"


def to_html(report: dict[str, Any], chart_name: str | None = None) -> str:
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(n)}</td><td>{v}</td><td>{lo}</td><td>{hi}</td></tr>"
        for n, v, lo, hi in score_rows(report)
    )
    counts = "".join(
        f"<tr><td>{esc(str(k))}</td><td>{v}</td></tr>" for k, v in report.get("counts", {}).items()
    )
    chart = f'<img src="{esc(chart_name)}" alt="scores with 95% CI">' if chart_name else ""
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{esc(_title(report))}</title>"
        "<style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:right}"
        "td:first-child{text-align:left}</style></head><body>"
        f"<h1>Evaluation: {esc(_title(report))}</h1>"
        f"<p>{esc(report['task'].get('description', ''))}</p>"
        f"<p>data: {esc(report['data'])}; samples: {report['n_samples']}; "
        f"metric variant: {esc(str(report.get('metric_variant', 'official')))}</p>"
        "<table><tr><th>score</th><th>value</th><th>95% CI low</th><th>95% CI high</th></tr>"
        f"{rows}</table><h2>Counts</h2><table>{counts}</table>{chart}</body></html>\n"
    )


def bar_chart(report: dict[str, Any], path: str | Path) -> None:
    """Headline scores as bars with 95% CI error bars (PNG, matplotlib Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scores = report.get("scores", {})
    names = [n for n in (report.get("headline") or scores) if n in scores]
    names = [n for n in names if not math.isnan(scores[n]["value"])]
    values = [scores[n]["value"] for n in names]
    # a biased statistic (e.g. ECE) can sit outside its percentile interval: no negative bars
    lows = [
        max(0.0, v - (scores[n]["ci_low"] if not math.isnan(scores[n]["ci_low"]) else v))
        for n, v in zip(names, values, strict=True)
    ]
    highs = [
        max(0.0, (scores[n]["ci_high"] if not math.isnan(scores[n]["ci_high"]) else v) - v)
        for n, v in zip(names, values, strict=True)
    ]
    fig, ax = plt.subplots(figsize=(max(4.0, 0.7 * len(names) + 2), 3.5))
    ax.bar(range(len(names)), values, yerr=[lows, highs], capsize=3, color="#4c72b0")
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=45, ha="right", fontsize=8)
    ax.set_title(_title(report))
    ax.set_ylabel("score (95% CI)")
    fig.tight_layout()
    with atomic_write(path, "wb", encoding=None) as handle:
        fig.savefig(handle, format="png", dpi=100)
    plt.close(fig)


def reliability_diagrams(report: dict[str, Any], out: Path) -> dict[str, Path]:
    """One reliability diagram PNG per curve in ``details["reliability"]`` (name -> bins)."""
    from emoreason.evaluation.metrics.calibration import ReliabilityBin, save_reliability_diagram

    stem = report["task"]["name"]
    curves = (report.get("details") or {}).get("reliability") or {}
    return {
        f"reliability_{name}": save_reliability_diagram(
            [ReliabilityBin(**b) for b in bins],
            out / f"{stem}_reliability_{name}.png",
            title=f"{stem} [{name}]",
        )
        for name, bins in curves.items()
    }


def write_report(report: dict[str, Any], out_dir: str | Path) -> dict[str, Path]:
    """Write ``<task>.json``, ``.md``, ``.html`` and ``.png`` under ``out_dir``; return the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = report["task"]["name"]
    paths = {
        "json": out / f"{stem}.json",
        "markdown": out / f"{stem}.md",
        "html": out / f"{stem}.html",
        "chart": out / f"{stem}.png",
    }
    write_text_atomic(paths["json"], json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    write_text_atomic(paths["markdown"], to_markdown(report))
    bar_chart(report, paths["chart"])
    paths |= reliability_diagrams(report, out)
    write_text_atomic(paths["html"], to_html(report, paths["chart"].name))
    return paths
