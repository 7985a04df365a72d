"""AR as a pure function on attention probabilities (ours where MoSEAR / CA-MER is silent).

For probabilities ``P[b, h, q, k]`` with audio keys ``A`` and visual keys ``V`` (DESIGN.md, AR):

* per row masses ``a = sum_{k in A} P``, ``v = sum_{k in V} P``;
* per head (mean over query rows) ``a_h``, ``v_h``; head ratio ``r_h = a_h / v_h``; layer ratio
  ``R = sum_h a_h / sum_h v_h`` (optionally per key: ``a_h / |A|`` and ``v_h / |V|``);
* a head is *biased* when ``R > tau`` and ``r_h > kappa * mean_h r_h``;
* for a biased head, every row with ``v > 0`` becomes
  ``P'[A] = (1 - alpha) P[A]``, ``P'[V] = P[V] (v + alpha a) / v``, text keys untouched.

Rows with no visual mass (``v = 0``, e.g. a causal row before the visual span) are left as they
are (ours): their audio mass has no visual keys to go to without changing the visual structure.
"""

from __future__ import annotations

import torch

from emoreason.steering.config import ARConfig

#: Modality id of each token (per-token ids travel as a LongTensor (batch, seq)).
TEXT, AUDIO, VISUAL = 0, 1, 2


def key_masks_from_modality_ids(modality_ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Boolean (batch, keys) audio and visual key masks from ids (0 text, 1 audio, 2 visual)."""
    return modality_ids == AUDIO, modality_ids == VISUAL


def key_types(
    audio_mask: torch.Tensor, visual_mask: torch.Tensor, batch: int, keys: int, dtype: torch.dtype
) -> torch.Tensor:
    """Stack the two key masks as a (batch, 1, keys, 2) float matrix: column 0 audio, 1 visual."""
    if audio_mask.shape != visual_mask.shape:
        raise ValueError(
            f"audio_mask {tuple(audio_mask.shape)} and visual_mask {tuple(visual_mask.shape)} "
            "must have the same shape"
        )
    if audio_mask.dim() == 1:
        audio_mask, visual_mask = audio_mask[None], visual_mask[None]  # (1, keys)
    bad_batch = audio_mask.dim() != 2 or audio_mask.shape[0] not in (1, batch)
    if bad_batch or audio_mask.shape[-1] != keys:
        raise ValueError(
            f"key masks must have shape (keys,) or (batch, keys) = ({batch}, {keys}); "
            f"got {tuple(audio_mask.shape)}"
        )
    if (audio_mask.bool() & visual_mask.bool()).any():
        raise ValueError("a key cannot be both audio and visual")
    types = torch.stack([audio_mask, visual_mask], dim=-1).to(dtype)  # (b|1, keys, 2)
    return types.expand(batch, keys, 2)[:, None]  # (batch, 1, keys, 2)


def modality_masses(probs: torch.Tensor, types: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-row audio and visual attention mass, each (batch, heads, queries)."""
    masses = torch.matmul(probs, types)  # (b, h, q, k) @ (b, 1, k, 2) -> (b, h, q, 2)
    return masses[..., 0], masses[..., 1]


def detect_biased_heads(
    audio_rows: torch.Tensor,
    visual_rows: torch.Tensor,
    n_audio: torch.Tensor,
    n_visual: torch.Tensor,
    config: ARConfig,
) -> torch.Tensor:
    """Biased heads (batch, heads) from per-row masses (batch, heads, queries) (DESIGN.md, AR).

    ``n_audio`` / ``n_visual`` are the key counts per batch item (batch,); a batch item with no
    audio or no visual key has no biased head.
    """
    a_h = audio_rows.mean(dim=-1)  # (b, h): mean over query rows
    v_h = visual_rows.mean(dim=-1)  # (b, h)
    if config.normalize_by_count:
        a_h = a_h / n_audio.clamp_min(1)[:, None]
        v_h = v_h / n_visual.clamp_min(1)[:, None]
    head_ratio = a_h / v_h.clamp_min(config.eps)  # r_h, (b, h)
    layer_ratio = a_h.sum(-1) / v_h.sum(-1).clamp_min(config.eps)  # R, (b,)
    present = (n_audio > 0) & (n_visual > 0)  # (b,)
    above_mean = head_ratio > config.kappa * head_ratio.mean(dim=-1, keepdim=True)
    return (present & (layer_ratio > config.tau))[:, None] & above_mean  # (b, h)


def reallocate_attention(
    probs: torch.Tensor,
    audio_mask: torch.Tensor,
    visual_mask: torch.Tensor,
    config: ARConfig,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Move a fraction ``alpha`` of biased heads' audio attention to visual keys.

    Args:
        probs: attention probabilities (batch, heads, queries, keys); rows sum to 1.
        audio_mask: boolean audio keys, (keys,) or (batch, keys).
        visual_mask: boolean visual keys, same shape as ``audio_mask``.
        config: thresholds and strength.

    Returns:
        ``(new_probs, biased_heads)``: probabilities of the same shape and dtype (the input tensor
        itself when nothing moves) and a boolean (batch, heads) tensor of the biased heads.
        Rows still sum to 1, audio + visual mass per row is conserved, text keys and the
        proportions inside each modality are unchanged.
    """
    if probs.dim() != 4:
        raise ValueError(f"probs must be (batch, heads, queries, keys); got {tuple(probs.shape)}")
    batch, _, _, keys = probs.shape
    types = key_types(audio_mask, visual_mask, batch, keys, probs.dtype)  # (b, 1, k, 2)
    return reallocate_with_key_types(probs, types, config)


def reallocate_with_key_types(
    probs: torch.Tensor, types: torch.Tensor, config: ARConfig
) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`reallocate_attention` with the key masks already stacked by :func:`key_types`."""
    counts = types[:, 0].sum(dim=1)  # (b, 2): number of audio / visual keys
    audio_rows, visual_rows = modality_masses(probs, types)  # (b, h, q) each
    biased = detect_biased_heads(audio_rows, visual_rows, counts[:, 0], counts[:, 1], config)
    if config.alpha == 0 or not bool(biased.any()):
        return probs, biased
    return apply_reallocation(probs, types, audio_rows, visual_rows, biased, config.alpha), biased


def apply_reallocation(
    probs: torch.Tensor,
    types: torch.Tensor,
    audio_rows: torch.Tensor,
    visual_rows: torch.Tensor,
    biased: torch.Tensor,
    alpha: float,
) -> torch.Tensor:
    """Rescale audio keys by ``1 - alpha`` and visual keys by ``(v + alpha a) / v`` (DESIGN.md, AR).

    Only rows of biased heads with visual mass change; ``types`` is (batch, 1, keys, 2).
    """
    active = biased[..., None] & (visual_rows > 0)  # (b, h, q)
    safe_visual = torch.where(active, visual_rows, torch.ones_like(visual_rows))
    audio_delta = torch.where(active, torch.full_like(audio_rows, -alpha), 0.0)  # factor - 1
    visual_delta = torch.where(active, alpha * audio_rows / safe_visual, 0.0)  # factor - 1
    deltas = torch.stack([audio_delta, visual_delta], dim=-1)  # (b, h, q, 2)
    per_key = torch.matmul(deltas, types.transpose(-1, -2))  # (b,h,q,2) @ (b,1,2,k) -> (b,h,q,k)
    return probs + probs * per_key  # text keys: per_key == 0, unchanged
