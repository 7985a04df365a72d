"""A report people would rather look at than read: HTML (embedded PNG timeline) or a PNG.

Per clip: the per-modality emotion scores over time (one panel per modality that has a
timeline), the strongest face / voice moments marked, the cue spans the reasoning cites, the
consistency verdict, a per-modality label table and the six SABER dimensions.
"""

from __future__ import annotations

import base64
import html
import io
import json
import textwrap
from collections.abc import Sequence
from pathlib import Path

from emoreason.errors import InputError
from emoreason.formats.atomic import write_bytes_atomic, write_text_atomic
from emoreason.schema.labels import EMOTION_ZH, EMOTIONS
from emoreason.schema.result import AnalysisResult, ErrorRow
from emoreason.schema.saber import SABER_DIMENSIONS

COLORS = {
    "neutral": "#9e9e9e",
    "happy": "#f4b400",
    "sad": "#4285f4",
    "angry": "#db4437",
    "fearful": "#8e24aa",
    "surprised": "#00acc1",
    "disgusted": "#2e7d32",
}
PANEL_ORDER = ("face", "body", "scene", "acoustic", "speech", "verbal")
DIMENSION_TITLES = {
    "en": {
        "video_desc": "Scene",
        "audio_desc.speech_content": "Speech content",
        "audio_desc.acoustic_feat": "Acoustic features",
        "facial_exp_desc": "Facial expression",
        "body_lang_desc": "Body language",
        "sentiment_analysis": "Reasoning",
    },
    "zh": {
        "video_desc": "场景",
        "audio_desc.speech_content": "语音内容",
        "audio_desc.acoustic_feat": "声学特征",
        "facial_exp_desc": "面部表情",
        "body_lang_desc": "肢体语言",
        "sentiment_analysis": "情感推理",
    },
}


def timeline_png(result: AnalysisResult, dpi: int = 96, with_text: bool = False) -> bytes:
    """The clip's timeline figure as PNG bytes (matplotlib, Agg backend, no display).

    ``with_text`` adds a panel with the verdict and the six dimensions (English results only:
    no CJK font is assumed to be installed, so Chinese text is left to the HTML report).
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    evidence = result.evidence
    modalities = evidence.modalities if evidence else {}
    panels = [m for m in PANEL_ORDER if m in modalities and modalities[m].timeline]
    duration = evidence.clip.duration if evidence else 0.0
    rows = len(panels) + 1
    text_height = 3.2 if with_text else 0.0
    fig = Figure(figsize=(10, 1.9 * rows + 0.6 + text_height), dpi=dpi)
    heights = [1.0] * rows + ([text_height / 1.9] if with_text else [])
    grid = fig.add_gridspec(len(heights), 1, height_ratios=heights)
    axes = [fig.add_subplot(grid[i, 0]) for i in range(rows)]
    for ax in axes[1:]:
        ax.sharex(axes[0])
    if with_text:
        _text_panel(fig.add_subplot(grid[rows, 0]), result)
    for ax, name in zip(axes, panels, strict=False):
        timeline = modalities[name].timeline
        times = [p.time for p in timeline]
        for label in EMOTIONS:
            values = [p.scores.get(label, 0.0) for p in timeline]
            if max(values, default=0.0) <= 0.02:
                continue
            ax.plot(times, values, color=COLORS[label], label=label, lw=1.6)
        peak = _peak(timeline)
        if peak is not None:
            t, label, score = peak
            ax.plot([t], [score], marker="v", color=COLORS[label], ms=9, mec="black")
            right = duration > 0 and t > 0.75 * duration
            ax.annotate(f"peak {label} {score:.2f} @ {t:.1f}s", (t, score),
                        xytext=(-8 if right else 6, -14), textcoords="offset points",
                        ha="right" if right else "left", fontsize=8)  # fmt: skip
        ax.set_ylabel(name)
        ax.set_ylim(0, 1.05)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper right", fontsize=7, ncol=4, frameon=False)
    _cue_panel(axes[-1], result)
    axes[-1].set_xlabel("time (s)")
    if duration > 0:
        axes[-1].set_xlim(0, duration)
    verdict = result.consistency.verdict.value
    fig.suptitle(f"{result.id}: {result.emotion} ({verdict})", fontsize=12)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _peak(timeline) -> tuple[float, str, float] | None:
    best = None
    for p in timeline:
        for label, score in p.scores.items():
            if label != "neutral" and label in EMOTIONS and (best is None or score > best[2]):
                best = (p.time, label, score)
    return best


def _cue_panel(ax, result: AnalysisResult) -> None:
    """Horizontal bars: the time span of every timed cue, one row per modality."""
    evidence = result.evidence
    names = [m for m in PANEL_ORDER if evidence and m in evidence.modalities]
    for row, name in enumerate(names):
        for cue in evidence.modalities[name].cues if evidence else []:
            if cue.start is None:
                continue
            end = cue.end if cue.end is not None and cue.end > cue.start else cue.start + 0.1
            ax.broken_barh([(cue.start, end - cue.start)], (row - 0.35, 0.7),
                           alpha=0.25 + 0.6 * cue.confidence, color="#455a64")  # fmt: skip
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(max(len(names), 1) - 0.4, -0.6)
    ax.set_title("cue spans (darker = more confident)", fontsize=9, loc="left")
    ax.grid(alpha=0.3, axis="x")


def _text_panel(ax, result: AnalysisResult) -> None:
    ax.axis("off")
    c = result.consistency
    labels = ", ".join(f"{m}: {v or 'n/a'}" for m, v in c.modalities.items())
    lines = [f"{result.emotion.upper()} - {c.verdict.value} ({labels})"]
    if result.language == "en":
        for dim in SABER_DIMENSIONS:
            text = f"{DIMENSION_TITLES['en'][dim]}: {result.saber.dimension(dim) or '(missing)'}"
            lines.extend(textwrap.wrap(text, 125, max_lines=4, placeholder=" ..."))
    else:
        lines.append("SABER text is in Chinese: see the HTML report or the JSON output.")
    ax.text(0, 1, "\n".join(lines), va="top", ha="left", fontsize=7.5, family="monospace",
            transform=ax.transAxes)  # fmt: skip


def _esc(text: object) -> str:
    return html.escape(str(text))


def _clip_section(result: AnalysisResult) -> str:
    lang = result.language
    png = base64.b64encode(timeline_png(result)).decode("ascii")
    c = result.consistency
    label = result.emotion + (f" / {EMOTION_ZH.get(result.emotion, '')}" if lang == "zh" else "")
    rows = []
    for modality, hyp in result.hypotheses.items():
        if not hyp.available:
            rows.append(f"<tr><td>{_esc(modality)}</td><td colspan=2>unavailable</td></tr>")
            continue
        bar = "".join(
            f'<span title="{e} {p:.2f}" style="display:inline-block;height:10px;'
            f'width:{p * 160:.0f}px;background:{COLORS[e]}"></span>'
            for e, p in sorted(hyp.distribution.items(), key=lambda kv: -kv[1])
        )
        rows.append(
            f"<tr><td>{_esc(modality)}</td><td><b>{_esc(hyp.label)}</b> "
            f"({hyp.confidence:.2f})</td><td>{bar}</td></tr>"
        )
    dims = "".join(
        f"<dt>{_esc(DIMENSION_TITLES[lang][d])}</dt><dd>{_esc(result.saber.dimension(d)) or '<i>missing</i>'}</dd>"
        for d in SABER_DIMENSIONS
    )
    badge = "#2e7d32" if c.consistent else "#c62828"
    conflicts = ", ".join(f"{a} vs {b}" for a, b in c.conflicts) or "none"
    timings = ", ".join(
        f"{k} {result.timings[k]:.2f}s"
        for k in ("perception", "reasoning", "total")
        if k in result.timings
    )
    return f"""
<section>
  <h2>{_esc(result.id)} <span class="emotion" style="background:{COLORS.get(result.emotion, "#333")}">{_esc(label)}</span>
  <span class="badge" style="background:{badge}">{_esc(c.verdict.value)}</span></h2>
  <p class="src">{_esc(result.source)} · backend {_esc(result.backend)} · {_esc(timings)}</p>
  <p><b>Consistency</b> ({_esc(c.pattern or "no pattern")}; conflicts: {_esc(conflicts)}): {_esc(c.explanation)}</p>
  <img alt="timeline" src="data:image/png;base64,{png}">
  <table><tr><th>modality</th><th>label (confidence)</th><th>distribution</th></tr>{"".join(rows)}</table>
  <dl>{dims}</dl>
</section>"""


_STYLE = """
body{font-family:system-ui,sans-serif;max-width:1060px;margin:2em auto;color:#222}
h1{font-size:1.6em} section{border-top:2px solid #eee;padding:1em 0}
.emotion,.badge{color:#fff;border-radius:4px;padding:2px 8px;font-size:.8em}
.src{color:#666;font-size:.85em} img{max-width:100%} table{border-collapse:collapse;margin:1em 0}
td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}
dt{font-weight:600;margin-top:.6em} dd{margin-left:1em} .err{color:#c62828}
"""


def report_html(results: Sequence[AnalysisResult], errors: Sequence[ErrorRow] = ()) -> str:
    sections = "".join(_clip_section(r) for r in results)
    failed = "".join(f"<li class=err><b>{_esc(e.id)}</b>: {_esc(e.error)}</li>" for e in errors)
    failed_block = f"<h2>Failed clips</h2><ul>{failed}</ul>" if errors else ""
    lang = results[0].language if results else "en"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>emoreason report</title><style>{_STYLE}</style></head><body>"
        f"<h1>emoreason analysis ({len(results)} clip{'s' if len(results) != 1 else ''})</h1>"
        f"{sections}{failed_block}{_provenance_block(results)}</body></html>"
    )


def _provenance_block(results: Sequence[AnalysisResult]) -> str:
    """What produced the results: version, model digests (short), settings (as JSON)."""
    recorded = next((r.provenance for r in results if r.provenance is not None), None)
    if recorded is None:
        return ""
    models = ", ".join(f"{_esc(name)} {digest[:12]}" for name, digest in recorded.models.items())
    settings = _esc(json.dumps({"perception": recorded.perception,
                                "consistency": recorded.consistency}, sort_keys=True))  # fmt: skip
    return (
        f"<h2>Provenance</h2><p class=src>emoreason {_esc(recorded.emoreason_version)}; "
        f"models (SHA-256): {models}</p><details><summary>settings</summary>"
        f"<pre>{settings}</pre></details>"
    )


def write_report(
    path: str | Path, results: Sequence[AnalysisResult], errors: Sequence[ErrorRow] = ()
) -> list[Path]:
    """Write ``path`` (.html: all clips; .png: the timeline, one file per clip when several).

    Returns the files written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        write_text_atomic(path, report_html(results, errors))
        return [path]
    if suffix == ".png":
        if not results:
            raise InputError("no successful analysis to draw", path=path)
        if len(results) == 1:
            write_bytes_atomic(path, timeline_png(results[0], with_text=True))
            return [path]
        written = []
        for result in results:
            target = path.with_name(f"{path.stem}_{result.id}.png")
            write_bytes_atomic(target, timeline_png(result, with_text=True))
            written.append(target)
        return written
    raise InputError("report must end in .html or .png", path=path)
