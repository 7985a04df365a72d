"""Layer × head heatmaps of audio UAP before and after AR (matplotlib, Agg canvas, PNG bytes)."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from emoreason.formats.atomic import write_bytes_atomic
from emoreason.steering.uap import UAPTable


def render_uap_heatmap(before: UAPTable, after: UAPTable, title: str = "audio UAP") -> bytes:
    """PNG with three panels: audio UAP before, after, and after − before (layers × heads)."""
    grid_before = np.array(before.audio, dtype=float)  # (layers, heads)
    grid_after = np.array(after.audio, dtype=float)  # (layers, heads)
    layers, heads = grid_before.shape
    figure = Figure(figsize=(4 + 1.2 * heads, 1.5 + 0.25 * layers), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, 3, sharey=True)
    delta = grid_after - grid_before
    limit = np.nanmax(np.abs(delta)) if np.isfinite(delta).any() else 1.0
    limit = limit if limit > 0 and math.isfinite(limit) else 1.0
    panels = (
        ("before AR", grid_before, "viridis", 0.0, 1.0),
        ("after AR", grid_after, "viridis", 0.0, 1.0),
        ("after − before", delta, "coolwarm", -limit, limit),
    )
    for axis, (name, grid, cmap, low, high) in zip(axes, panels, strict=True):
        image = axis.imshow(grid, aspect="auto", cmap=cmap, vmin=low, vmax=high)
        axis.set_title(name)
        axis.set_xlabel("head")
        axis.set_xticks(range(heads))
        label = "audio UAP" if cmap == "viridis" else "Δ audio UAP"
        figure.colorbar(image, ax=axis, shrink=0.8, label=label)
    axes[0].set_ylabel("layer")
    figure.suptitle(title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def save_uap_heatmap(
    path: str | Path, before: UAPTable, after: UAPTable, title: str = "audio UAP"
) -> Path:
    """Write :func:`render_uap_heatmap` to ``path`` atomically."""
    write_bytes_atomic(path, render_uap_heatmap(before, after, title))
    return Path(path)
