"""AR as a pure function on attention probabilities (ours where MoSEAR / CA-MER is silent).

For probabilities ``P[b, h, q, k]`` with audio keys ``A`` and visual keys ``V`` (docs/methods/ar-uap.md):

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

from typing import NamedTuple

import torch

from emoreason.steering.config import ARConfig

#: Modality id of each token (per-token ids travel as a LongTensor (batch, seq)).
TEXT, AUDIO, VISUAL = 0, 1, 2


def key_masks_from_modality_ids(modality_ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Boolean (batch, keys) audio and visual key masks from ids (0 text, 1 audio, 2 visual)."""
    return modality_ids == AUDIO, modality_ids == VISUAL


class KeyTypes(NamedTuple):
    """Audio / visual key layout of one attention call, computed once per key length.

    Attributes:
        matrix: (batch, 1, keys, 2) float; column 0 marks audio keys, column 1 visual keys.
        matrix_t: (batch, 2, keys), the same transposed (contiguous).
        per_key: (batch, 1, 2) float: 1 / number of audio and visual keys (1 where none).
        present: per batch item, whether it has both audio and visual keys.
        any_present: whether any batch item has both (AR is a no-op otherwise).
    """

    matrix: torch.Tensor
    matrix_t: torch.Tensor
    per_key: torch.Tensor
    present: list[bool]
    any_present: bool


def key_types(
    audio_mask: torch.Tensor, visual_mask: torch.Tensor, batch: int, keys: int, dtype: torch.dtype
) -> KeyTypes:
    """Check and stack the key masks ((keys,) or (batch, keys) booleans) for ``batch`` rows."""
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
    stacked = torch.stack([audio_mask, visual_mask], dim=-1).to(dtype)  # (b|1, keys, 2)
    matrix = stacked.expand(batch, keys, 2)[:, None]  # (batch, 1, keys, 2)
    counts = matrix.sum(dim=2)  # (batch, 1, 2)
    present = (counts > 0).all(dim=-1)[:, 0].tolist()  # [batch]
    matrix_t = matrix[:, 0].transpose(1, 2).contiguous()  # (batch, 2, keys)
    return KeyTypes(matrix, matrix_t, 1.0 / counts.clamp_min(1), present, any(present))


def modality_masses(probs: torch.Tensor, types: KeyTypes) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-row audio and visual attention mass, each (batch, heads, queries)."""
    masses = _row_masses(probs, types)  # (b, h, q, 2)
    return masses[..., 0], masses[..., 1]


def _row_masses(probs: torch.Tensor, types: KeyTypes) -> torch.Tensor:
    """(b, h, q, k) probabilities -> (b, h, q, 2) audio and visual mass per row."""
    b, h, q, k = probs.shape
    flat = probs.reshape(b, h * q, k)  # (b, h*q, k)
    return torch.bmm(flat, types.matrix[:, 0]).view(b, h, q, 2)  # (b,h*q,k)@(b,k,2)


def detect_biased_heads(
    audio_rows: torch.Tensor,
    visual_rows: torch.Tensor,
    n_audio: torch.Tensor,
    n_visual: torch.Tensor,
    config: ARConfig,
) -> torch.Tensor:
    """Biased heads (batch, heads) from per-row masses (batch, heads, queries) (docs/methods/ar-uap.md).

    ``n_audio`` / ``n_visual`` are the key counts per batch item (batch,); a batch item with no
    audio or no visual key has no biased head.
    """
    masses = torch.stack([audio_rows, visual_rows], dim=-1)  # (b, h, q, 2)
    counts = torch.stack([n_audio, n_visual], dim=-1)[:, None].to(masses.dtype)  # (b, 1, 2)
    present = (counts > 0).all(dim=-1)[:, 0].tolist()  # [b]
    biased = _detect(masses, 1.0 / counts.clamp_min(1), present, config)
    return torch.tensor(biased, dtype=torch.bool, device=masses.device).reshape(masses.shape[:2])


def _detect(
    masses: torch.Tensor, per_key: torch.Tensor, present: list[bool], config: ARConfig
) -> list[list[bool]]:
    """Biased heads [b][h] from masses (b, h, q, 2), per_key (b, 1, 2), present [b].

    The decision is over b x h numbers: it runs on Python floats (one device transfer) rather
    than as a dozen tiny tensor kernels per layer and decoding step.
    """
    per_head = masses.mean(dim=2)  # (b, h, 2): a_h, v_h (mean over query rows)
    if config.normalize_by_count:
        per_head = per_head * per_key  # mass per audio / visual key
    biased = []
    for heads, has_both in zip(per_head.tolist(), present, strict=True):
        ratios = [a / max(v, config.eps) for a, v in heads]  # r_h
        layer_ratio = sum(a for a, _ in heads) / max(sum(v for _, v in heads), config.eps)  # R
        if not has_both or not layer_ratio > config.tau:
            biased.append([False] * len(heads))
            continue
        threshold = config.kappa * sum(ratios) / len(ratios)
        biased.append([r > threshold for r in ratios])
    return biased


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
    types = key_types(audio_mask, visual_mask, batch, keys, probs.dtype)
    return reallocate_with_key_types(probs, types, config)


def reallocate_with_key_types(
    probs: torch.Tensor, types: KeyTypes, config: ARConfig
) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`reallocate_attention` with the key layout already built by :func:`key_types`."""
    new_probs, flags = reallocate_flags(probs, types, config)
    biased = torch.tensor(flags, dtype=torch.bool, device=probs.device)
    return new_probs, biased.reshape(probs.shape[:2])  # (b, h)


def reallocate_flags(
    probs: torch.Tensor, types: KeyTypes, config: ARConfig
) -> tuple[torch.Tensor, list[list[bool]]]:
    """As :func:`reallocate_with_key_types`, with the biased heads as Python flags [b][h]."""
    if not types.any_present:
        return probs, [[False] * probs.shape[1] for _ in range(probs.shape[0])]
    masses = _row_masses(probs, types)  # (b, h, q, 2)
    flags = _detect(masses, types.per_key, types.present, config)  # [b][h]
    if config.alpha == 0 or not any(map(any, flags)):
        return probs, flags
    biased = torch.tensor(flags, dtype=torch.bool, device=probs.device)  # (b, h)
    return apply_reallocation(probs, types, masses, biased, config.alpha), flags


def apply_reallocation(
    probs: torch.Tensor,
    types: KeyTypes,
    masses: torch.Tensor,
    biased: torch.Tensor,
    alpha: float,
) -> torch.Tensor:
    """Rescale audio keys by ``1 - alpha`` and visual keys by ``(v + alpha a) / v`` (docs/methods/ar-uap.md).

    Only rows of biased heads with visual mass change; ``masses`` is (b, h, q, 2) of a and v.
    """
    audio_rows, visual_rows = masses.unbind(dim=-1)  # (b, h, q) each
    active = ((visual_rows > 0) & biased[..., None]).to(probs.dtype)  # (b, h, q): 1 or 0
    tiny = torch.finfo(visual_rows.dtype).tiny  # inactive rows: finite gain, zeroed below
    gain = (audio_rows * alpha).div_(visual_rows.clamp_min(tiny))  # (v + alpha a) / v - 1
    # factor - 1 per key kind: audio -alpha, visual gain; inactive rows 0
    deltas = torch.stack([active * -alpha, gain.mul_(active)], dim=-1)  # (b, h, q, 2)
    b, h, q, k = probs.shape
    per_key = torch.bmm(deltas.view(b, h * q, 2), types.matrix_t).view(b, h, q, k)  # @(b,2,k)
    return torch.addcmul(probs, probs, per_key)  # P (1 + delta); text keys: delta == 0
