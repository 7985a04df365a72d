"""AR inside a transformers model, through the attention-function registry (no monkeypatching).

:func:`attention_reallocation` registers one attention function, ``"emoreason_ar"``, in
transformers' ``AttentionInterface`` (and the eager mask builder under the same name in
``AttentionMaskInterface``), switches the decoder's attention implementation to it, and adds a
forward pre-hook on each decoder attention module that passes the per-call
:class:`AttentionReallocation` state in the module's keyword arguments. The attention function
computes eager attention and, in the chosen layers, applies :func:`reallocate_attention` to the
probabilities before they weight the values: during prefill and at every decoding step (new
generated tokens are text keys). Hooks and the previous implementation are restored in
``finally``, also on exceptions.

Key positions are aligned with ``modality_ids`` from position 0, as in transformers' dynamic
(default) cache; keys past the end of ``modality_ids`` are text.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

import torch
from torch import nn
from transformers.masking_utils import (
    ALL_MASK_ATTENTION_FUNCTIONS,
    AttentionMaskInterface,
    eager_mask,
)
from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS, AttentionInterface

from emoreason.errors import ConfigError, InputError
from emoreason.steering.config import ARConfig
from emoreason.steering.reallocation import (
    AUDIO,
    VISUAL,
    KeyTypes,
    key_types,
    modality_masses,
    reallocate_flags,
)
from emoreason.steering.uap import UAPAccumulator

#: Name of our attention function in transformers' registries.
AR_ATTENTION = "emoreason_ar"
#: Keyword argument through which the pre-hook hands the state to the attention function.
STATE_KWARG = "emoreason_ar_state"


class AttentionReallocation:
    """Per-context AR state: modality ids, config, and what happened (yielded by the context).

    Attributes:
        biased_heads: layer index -> sorted heads that were biased (and reallocated when
            ``alpha > 0``) in at least one forward call and batch item.
        biased_counts: layer index -> per-head number of (forward call, batch item) pairs in
            which the head was biased.
        calls: layer index -> number of forward calls seen.
        uap: audio/visual shares over generated-token rows (after AR), when recording; rows
            are those at key positions >= prompt length - 1, summed over every forward
            call inside the context (one ``generate`` per context gives per-run UAP).
    """

    def __init__(
        self,
        config: ARConfig,
        modality_ids: torch.Tensor,
        num_layers: int,
        num_heads: int,
        record_uap: bool,
    ) -> None:
        self.config = config
        self.modality_ids = modality_ids  # (batch, prompt_len)
        self.prompt_length = modality_ids.shape[1]
        self.num_heads = num_heads
        self.biased_counts: dict[int, list[int]] = {}
        self.calls: dict[int, int] = {}
        self.uap = UAPAccumulator(num_layers, num_heads) if record_uap else None
        self._types_cache: tuple[tuple[Any, ...], KeyTypes] | None = None

    @property
    def biased_heads(self) -> dict[int, list[int]]:
        return {
            layer: [head for head, count in enumerate(counts) if count]
            for layer, counts in sorted(self.biased_counts.items())
            if any(counts)
        }

    def _key_types(self, batch: int, keys: int, dtype: torch.dtype, device: Any) -> KeyTypes:
        """Audio/visual key layout for this call, cached for the current key length."""
        cache_key = (batch, keys, dtype, device)
        if self._types_cache is not None and self._types_cache[0] == cache_key:
            return self._types_cache[1]
        ids = self.modality_ids.to(device)
        if ids.shape[0] not in (1, batch):
            raise InputError(
                f"batch of {ids.shape[0]} modality rows for a model batch of {batch}",
                field="modality_ids",
            )
        if keys <= ids.shape[1]:
            ids = ids[:, :keys]
        else:  # generated tokens are text keys
            ids = nn.functional.pad(ids, (0, keys - ids.shape[1]), value=0)  # (b, keys)
        types = key_types(ids == AUDIO, ids == VISUAL, batch, keys, dtype)
        self._types_cache = (cache_key, types)
        return types

    def process(self, layer_idx: int, probs: torch.Tensor) -> torch.Tensor:
        """Apply AR to one layer's probabilities (batch, heads, queries, keys) and record."""
        batch, heads, queries, keys = probs.shape
        types = self._key_types(batch, keys, probs.dtype, probs.device)
        self.calls[layer_idx] = self.calls.get(layer_idx, 0) + 1
        if self.config.applies_to(layer_idx):
            probs, flags = reallocate_flags(probs, types, self.config)
            counts = self.biased_counts.setdefault(layer_idx, [0] * heads)
            for item in flags:  # batch items
                for head, flag in enumerate(item):
                    counts[head] += flag
        if self.uap is not None:
            first_query = keys - queries  # key position of query row 0 (dynamic cache)
            start = max(self.prompt_length - 1 - first_query, 0)  # rows that predict new tokens
            if start < queries:
                rows = probs[:, :, start:]  # (b, h, q', k)
                audio_rows, visual_rows = modality_masses(rows, types)
                self.uap.add(layer_idx, audio_rows, visual_rows)
        return probs


def _repeat_kv(states: torch.Tensor, groups: int) -> torch.Tensor:
    """(b, kv_heads, k, d) -> (b, kv_heads * groups, k, d) for grouped-query attention."""
    if groups == 1:
        return states
    b, kv_heads, k, d = states.shape
    expanded = states[:, :, None].expand(b, kv_heads, groups, k, d)  # (b, kvh, g, k, d)
    return expanded.reshape(b, kv_heads * groups, k, d)


def ar_eager_attention(
    module: nn.Module,
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attention_mask: torch.Tensor | None,
    scaling: float,
    dropout: float = 0.0,
    **kwargs: Any,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Eager attention (as transformers' Llama/Qwen2 eager path) with AR on the probabilities."""
    state: AttentionReallocation | None = kwargs.pop(STATE_KWARG, None)
    groups = query.shape[1] // key.shape[1]
    key_states = _repeat_kv(key, groups)  # (b, h, k, d)
    value_states = _repeat_kv(value, groups)  # (b, h, k, d)
    scores = torch.matmul(query, key_states.transpose(2, 3)) * scaling  # (b, h, q, k)
    if attention_mask is not None:
        mask = attention_mask[:, :, :, : key_states.shape[-2]]
        if mask.dtype == torch.bool:
            mask = torch.zeros_like(mask, dtype=scores.dtype).masked_fill(
                ~mask, torch.finfo(scores.dtype).min
            )
        scores = scores + mask
    probs = nn.functional.softmax(scores, dim=-1, dtype=torch.float32)
    if state is not None:
        probs = state.process(module.layer_idx, probs)
    probs = probs.to(query.dtype)
    probs = nn.functional.dropout(probs, p=dropout, training=module.training)
    output = torch.matmul(probs, value_states)  # (b, h, q, d)
    return output.transpose(1, 2).contiguous(), probs  # (b, q, h, d)


def _ensure_registered() -> None:
    """Register our attention function and its (eager) mask builder once, process-wide."""
    if AR_ATTENTION not in ALL_ATTENTION_FUNCTIONS:
        AttentionInterface.register(AR_ATTENTION, ar_eager_attention)
    if AR_ATTENTION not in ALL_MASK_ATTENTION_FUNCTIONS:
        AttentionMaskInterface.register(AR_ATTENTION, eager_mask)


def decoder_attention_modules(model: nn.Module) -> dict[int, nn.Module]:
    """Decoder self-attention modules by ``layer_idx``: those using the model's text config."""
    config = getattr(model, "config", None)
    if config is None or not hasattr(config, "get_text_config"):
        raise ConfigError(
            f"{type(model).__name__} is not a transformers model; valid: a PreTrainedModel "
            "(Llama/Qwen2 family)"
        )
    text_config = config.get_text_config(decoder=True)
    modules = {}
    for module in model.modules():
        layer_idx = getattr(module, "layer_idx", None)
        if (
            isinstance(layer_idx, int)
            and getattr(module, "config", None) is text_config
            and hasattr(module, "num_key_value_groups")
        ):
            modules[layer_idx] = module
    if not modules:
        raise ConfigError(
            f"{type(model).__name__}: no decoder attention modules with layer_idx found; valid: "
            "models whose attention goes through transformers' AttentionInterface (Llama, Qwen2)"
        )
    return modules


def check_modality_ids(modality_ids: Any) -> torch.Tensor:
    """Validate per-token modality ids (0 text, 1 audio, 2 visual) as a (batch, seq) LongTensor."""
    if not isinstance(modality_ids, torch.Tensor):
        raise InputError(
            f"expected a LongTensor (batch, seq), got {type(modality_ids).__name__}",
            field="modality_ids",
        )
    if modality_ids.dim() == 1:
        modality_ids = modality_ids[None]  # (1, seq)
    not_integer = modality_ids.dtype.is_floating_point or modality_ids.dtype == torch.bool
    if modality_ids.dim() != 2 or not_integer:
        raise InputError(
            f"expected an integer tensor (batch, seq), got {tuple(modality_ids.shape)} "
            f"{modality_ids.dtype}",
            field="modality_ids",
        )
    if modality_ids.numel() and (modality_ids.min() < 0 or modality_ids.max() > VISUAL):
        raise InputError("values must be 0 (text), 1 (audio) or 2 (visual)", field="modality_ids")
    return modality_ids.long()


def _pass_state(
    state: AttentionReallocation, module: nn.Module, args: tuple, kwargs: dict
) -> tuple[tuple, dict]:
    return args, {**kwargs, STATE_KWARG: state}


@contextlib.contextmanager
def attention_reallocation(
    model: nn.Module,
    config: ARConfig,
    modality_ids: torch.Tensor,
    *,
    record_uap: bool = False,
) -> Iterator[AttentionReallocation]:
    """Apply AR to ``model`` inside the block; yields the state that records biased heads.

    Args:
        model: a transformers decoder (Llama / Qwen2 family, or a multimodal model whose text
            decoder is one).
        config: AR settings; ``config.layers`` must name existing decoder layers.
        modality_ids: (batch, seq) or (seq,) ids of the prompt tokens: 0 text, 1 audio, 2 visual.
        record_uap: also accumulate UAP per layer and head over generated-token rows.

    The decoder's ``config._attn_implementation`` is set to ``"emoreason_ar"`` for the block
    (layers outside ``config.layers`` compute plain eager attention) and restored afterwards.
    """
    if not isinstance(config, ARConfig):
        raise ConfigError(f"config: expected an ARConfig, got {type(config).__name__}")
    modules = decoder_attention_modules(model)
    layer_ids = sorted(modules)
    missing = [x for x in (config.layers or ()) if x not in modules]
    if missing:
        raise ConfigError(
            f"ARConfig.layers: no decoder layer {missing}; valid: indices {layer_ids[0]}.."
            f"{layer_ids[-1]}"
        )
    ids = check_modality_ids(modality_ids)
    num_heads = max(int(m.config.num_attention_heads) for m in modules.values())
    state = AttentionReallocation(config, ids, max(layer_ids) + 1, num_heads, record_uap)
    configs = {id(m.config): m.config for m in modules.values()}
    _ensure_registered()
    previous = {key: cfg._attn_implementation for key, cfg in configs.items()}
    handles = []
    try:
        hook = functools.partial(_pass_state, state)
        for module in modules.values():
            handles.append(module.register_forward_pre_hook(hook, with_kwargs=True))
        for cfg in configs.values():
            # The decoder's config only (not vision/audio encoder sub-configs), as
            # PreTrainedModel.set_attn_implementation does for one config.
            cfg._attn_implementation_internal = AR_ATTENTION
        yield state
    finally:
        for handle in handles:
            handle.remove()
        for key, cfg in configs.items():
            cfg._attn_implementation_internal = previous[key]
