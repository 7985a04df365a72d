"""Summed sequence log-probs from one forward over the concatenated ``[chosen; rejected]`` batch.

The batch convention is TRL's: rows ``0..B-1`` are prompt+chosen, rows ``B..2B-1`` are
prompt+rejected (right-padded), and ``completion_mask`` marks the response tokens. One forward
over all ``2B`` rows gives both halves (instead of two forwards of ``B`` rows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn


@dataclass
class PairLogps:
    """Per-pair summed log-probs of one model over a concatenated batch."""

    chosen: torch.Tensor  # [B] sum_t log p(c_t | c_<t, prompt)
    rejected: torch.Tensor  # [B]
    chosen_nll: torch.Tensor  # [B] token-mean negative log-likelihood of the chosen response


def token_logps(logits: torch.Tensor, input_ids: torch.Tensor) -> torch.Tensor:
    """Log-prob of each next token: ``[N, T, V]`` logits, ``[N, T]`` ids -> ``[N, T-1]``.

    Position t scores token t+1; computed as ``logit[target] - logsumexp(logits)`` so no
    ``[N, T, V]`` log-softmax copy is kept.
    """
    shift_logits = logits[:, :-1, :].float()  # [N, T-1, V]
    targets = input_ids[:, 1:].unsqueeze(-1)  # [N, T-1, 1]
    picked = shift_logits.gather(-1, targets).squeeze(-1)  # [N, T-1]
    return picked - torch.logsumexp(shift_logits, dim=-1)  # [N, T-1]


def completion_logps(
    logits: torch.Tensor, input_ids: torch.Tensor, completion_mask: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Summed completion log-probs ``[N]`` and completion token counts ``[N]``."""
    mask = completion_mask[:, 1:].to(torch.bool)  # [N, T-1]: token t+1 is a completion token
    per_token = token_logps(logits, input_ids).masked_fill(~mask, 0.0)  # [N, T-1]
    return per_token.sum(dim=1), mask.sum(dim=1)


def split_pairs(sequence_logps: torch.Tensor, counts: torch.Tensor) -> PairLogps:
    """Split ``[2B]`` summed log-probs into chosen/rejected halves."""
    if sequence_logps.shape[0] % 2:
        raise ValueError(
            f"a concatenated batch has an even number of rows, got {sequence_logps.shape[0]}"
        )
    chosen, rejected = sequence_logps.chunk(2, dim=0)  # [B], [B]
    chosen_counts, _ = counts.chunk(2, dim=0)
    return PairLogps(
        chosen=chosen, rejected=rejected, chosen_nll=-chosen / chosen_counts.clamp(min=1)
    )


def concatenated_logps(
    model: nn.Module,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    completion_mask: torch.Tensor,
    media: Mapping[str, Any] | None = None,
) -> PairLogps:
    """One forward of ``model`` over the ``[2B, T]`` batch; summed log-probs per half.

    ``media``: the multimodal inputs of all ``2B`` rows in row order (``input_features``,
    ``feature_attention_mask``, ``pixel_values_videos``, ``video_grid_thw`` ...; see
    :mod:`emoreason.training.media`), passed to the model's forward as they are.
    """
    outputs = model(
        input_ids=input_ids, attention_mask=attention_mask, use_cache=False, **(media or {})
    )
    sequence_logps, counts = completion_logps(outputs.logits, input_ids, completion_mask)
    return split_pairs(sequence_logps, counts)
