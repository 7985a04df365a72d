"""UAP (unimodal attention proportion) diagnostics (MoSEAR / CA-MER; averaging is ours).

``UAP_m(l, h)`` = attention mass on modality ``m`` over the mass on all multimodal (audio +
visual) keys, averaged over the query rows that produce generated tokens (docs/methods/ar-uap.md). Rows
with no multimodal mass have no UAP and are skipped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


def unimodal_attention_proportion(
    audio_rows: torch.Tensor, visual_rows: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Audio share ``a / (a + v)`` per row and the rows where it is defined (``a + v > 0``).

    Args:
        audio_rows, visual_rows: per-row attention mass on audio / visual keys, any equal shape.

    Returns:
        ``(audio_share, valid)``; the visual share is ``1 - audio_share`` on valid rows.
    """
    total = audio_rows + visual_rows
    valid = total > 0
    share = audio_rows / torch.where(valid, total, torch.ones_like(total))
    return torch.where(valid, share, torch.zeros_like(share)), valid


@dataclass
class UAPTable:
    """Audio UAP per (layer, head) with the number of rows averaged; NaN where no row counted."""

    audio: list[list[float]]
    rows: list[list[int]]

    @property
    def visual(self) -> list[list[float]]:
        return [[1.0 - x if not math.isnan(x) else math.nan for x in layer] for layer in self.audio]

    def layer_means(self) -> list[float]:
        """Audio UAP per layer, mean over heads with rows."""
        out = []
        for layer in self.audio:
            vals = [x for x in layer if not math.isnan(x)]
            out.append(sum(vals) / len(vals) if vals else math.nan)
        return out

    def mean(self) -> float:
        """Audio UAP over every (layer, head) with rows."""
        vals = [x for layer in self.audio for x in layer if not math.isnan(x)]
        return sum(vals) / len(vals) if vals else math.nan


class UAPAccumulator:
    """Running sums of the audio share per (layer, head) over recorded query rows."""

    def __init__(self, num_layers: int, num_heads: int) -> None:
        self.share_sum = torch.zeros(num_layers, num_heads, dtype=torch.float64)
        self.row_count = torch.zeros(num_layers, num_heads, dtype=torch.long)

    def add(self, layer_idx: int, audio_rows: torch.Tensor, visual_rows: torch.Tensor) -> None:
        """Add rows (batch, heads, queries) of audio / visual mass for one layer."""
        share, valid = unimodal_attention_proportion(audio_rows, visual_rows)
        self.share_sum[layer_idx] += share.double().sum(dim=(0, 2)).cpu()  # (h,)
        self.row_count[layer_idx] += valid.sum(dim=(0, 2)).cpu()  # (h,)

    def table(self) -> UAPTable:
        mean = self.share_sum / self.row_count.clamp_min(1)  # (layers, heads)
        mean = torch.where(self.row_count > 0, mean, torch.full_like(mean, math.nan))
        return UAPTable(audio=mean.tolist(), rows=self.row_count.tolist())
