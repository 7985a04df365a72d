"""Token routing for MoSE: the regularized gate and per-call modality ids.

Modality ids follow the project-wide convention 0 = text, 1 = audio, 2 = visual. MoSE only needs
the visual / non-visual split: visual tokens (id 2) go to the visual expert B_v, every other token
(text, audio) to the non-visual expert B_n; the global expert B_g sees all tokens.

The gate (docs/methods/mose.md, ours where MoSEAR is silent)::

    λ = 0.5 + ε · tanh(g([mean_{t∈V} x_t ; mean_{t∉V} x_t]))        λ ∈ [0.5 − ε, 0.5 + ε]

is computed per sequence of the batch from the layer's own input. Choices marked (ours):

* an empty set (a batch row with no visual token, or no non-visual one) pools to the zero vector;
* padding (``attention_mask == 0`` when a 2-D mask is given) is left out of both means;
* non-finite gate logits are mapped to finite ones before tanh, so λ stays in its bound even for
  overflowing inputs (the adapter output itself is then whatever the base layer gives).

How ids follow a sequence that grows under ``generate`` (ours): the ids given to
:func:`~emoreason.adapters.mose.modality_ids` cover absolute positions ``0 .. len(ids) - 1`` of
the input as passed to ``forward``/``generate`` (prompt positions). Each forward call takes the
slice ``[offset, offset + L)`` where ``offset`` is the number of tokens already in the KV cache
(``past_key_values.get_seq_length()``), and positions past the end of the ids are text (generated
tokens are text). On a cached call (offset > 0) every layer reuses the λ it computed on the last
call that started at position 0 (the prompt), so decoded tokens mix the experts exactly as the
prompt did; without such a prompt call λ is computed from the current tokens.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from emoreason.errors import ConfigError, InputError

TEXT, AUDIO, VISUAL = 0, 1, 2
MODALITY_IDS = {TEXT: "text", AUDIO: "audio", VISUAL: "visual"}
_LOGIT_LIMIT = 1.0e4  # tanh(1e4) == 1 in every float dtype: enough to saturate, never inf


class RegularizedGate(nn.Module):
    """λ = 0.5 + ε·tanh(g([x̄_V ; x̄_N])) per batch row (docs/methods/mose.md, ours); g is a small MLP."""

    def __init__(
        self,
        in_features: int,
        hidden: int,
        epsilon: float,
        init: str = "zero",
        *,
        dtype: torch.dtype | None = None,
        device: torch.device | None = None,
    ) -> None:
        super().__init__()
        self.epsilon = float(epsilon)
        kw: dict[str, Any] = {"dtype": dtype, "device": device}
        if hidden == 0:
            self.net: nn.Module = nn.Linear(2 * in_features, 1, **kw)
            last = self.net
        else:
            last = nn.Linear(hidden, 1, **kw)
            self.net = nn.Sequential(nn.Linear(2 * in_features, hidden, **kw), nn.SiLU(), last)
        if init == "zero":  # λ = 0.5 exactly until training moves it
            nn.init.zeros_(last.weight)
            nn.init.zeros_(last.bias)

    def forward(self, pooled: torch.Tensor) -> torch.Tensor:
        """pooled (batch, 2·d_in) -> λ (batch,), always inside [0.5 − ε, 0.5 + ε]."""
        logit = self.net(pooled).squeeze(-1)  # (batch, 1) -> (batch,)
        logit = torch.nan_to_num(logit, nan=0.0, posinf=_LOGIT_LIMIT, neginf=-_LOGIT_LIMIT)
        lam = 0.5 + self.epsilon * torch.tanh(logit)
        return lam.clamp(0.5 - self.epsilon, 0.5 + self.epsilon)


def pool_modalities(
    x: torch.Tensor, visual: torch.Tensor, valid: torch.Tensor | None
) -> torch.Tensor:
    """[mean_{t∈V} x_t ; mean_{t∉V} x_t] per row: x (batch, L, d), masks (batch, L) -> (batch, 2d).

    Padding (valid == False) is excluded from both means; an empty set gives zeros (ours).
    """
    vis = visual if valid is None else visual & valid
    non = ~visual if valid is None else ~visual & valid
    weights = torch.stack([vis, non], dim=1).to(x.dtype)  # (batch, 2, L)
    sums = torch.bmm(weights, x)  # (batch, 2, L) @ (batch, L, d) -> (batch, 2, d)
    counts = weights.sum(dim=-1, keepdim=True).clamp_min(1.0)  # (batch, 2, 1)
    return (sums / counts).flatten(1)  # (batch, 2, d) -> (batch, 2d)


@dataclass
class TokenRouting:
    """What every adapted layer needs for one forward call.

    ``visual`` (batch, L) bool marks visual tokens; ``valid`` (batch, L) bool marks non-padding
    tokens (None = all); ``lambdas`` maps layer name -> λ of the prompt call; ``reuse_lambdas`` is
    True on cached decoding calls, where layers take their λ from ``lambdas``.
    """

    visual: torch.Tensor
    valid: torch.Tensor | None
    lambdas: dict[str, torch.Tensor] = field(default_factory=dict)
    reuse_lambdas: bool = False


class ModalityRouter:
    """State of one ``modality_ids`` context: full ids in, per-call :class:`TokenRouting` out."""

    def __init__(self, ids: torch.Tensor) -> None:
        self.ids = check_modality_ids(ids)
        self.current: TokenRouting | None = None

    def begin_call(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Build the routing of the forward call about to run (model-level forward pre-hook)."""
        tokens = kwargs.get("input_ids")
        if tokens is None:
            tokens = kwargs.get("inputs_embeds")
        if tokens is None and args and isinstance(args[0], torch.Tensor):
            tokens = args[0]
        if tokens is None:
            raise InputError("MoSE modality_ids: the forward call has no input_ids/inputs_embeds")
        batch, length = int(tokens.shape[0]), int(tokens.shape[1])
        past = kwargs.get("past_key_values")
        offset = _cached_length(past, kwargs.get("cache_position"))
        ids = self._expand_batch(batch)
        # without a cache the ids must match the input; a first cached call (prefill, possibly
        # chunked) must at least be covered by them
        if (past is None and offset == 0 and ids.shape[1] != length) or (
            offset == 0 and ids.shape[1] < length
        ):
            raise InputError(
                f"modality ids cover {ids.shape[1]} positions but the input has {length} tokens",
                field="modality_ids",
            )
        # positions [offset, offset + length); those past the end of ids are text (ours)
        window = ids[:, offset : offset + length]  # (batch, <= length)
        if window.shape[1] < length:
            pad = window.new_full((batch, length - window.shape[1]), TEXT)
            window = torch.cat([window, pad], dim=1)  # (batch, length)
        valid = _valid_tokens(kwargs.get("attention_mask"), length)
        lambdas: dict[str, torch.Tensor] = {}
        reuse = False
        if offset > 0 and self.current is not None and self.current.lambdas:
            first = next(iter(self.current.lambdas.values()))
            if first.shape[0] == batch:
                lambdas, reuse = self.current.lambdas, True
        self.current = TokenRouting(
            visual=(window == VISUAL).to(tokens.device),
            valid=None if valid is None else valid.to(tokens.device),
            lambdas=lambdas,
            reuse_lambdas=reuse,
        )

    def _expand_batch(self, batch: int) -> torch.Tensor:
        n = self.ids.shape[0]
        if batch == n:
            return self.ids
        if batch % n == 0:  # generate() repeats rows for beams / num_return_sequences
            return self.ids.repeat_interleave(batch // n, dim=0)  # (n, S) -> (batch, S)
        raise InputError(
            f"modality ids have batch size {n} but the input has batch size {batch}",
            field="modality_ids",
        )


def check_modality_ids(ids: Any) -> torch.Tensor:
    """Validate ids: an integer tensor (batch, seq) with values in {0, 1, 2}."""
    if not isinstance(ids, torch.Tensor):
        raise InputError(
            f"expected a LongTensor (batch, seq), got {type(ids).__name__}", field="modality_ids"
        )
    if ids.dim() != 2:
        raise InputError(
            f"expected shape (batch, seq), got {tuple(ids.shape)}", field="modality_ids"
        )
    if ids.dtype.is_floating_point or ids.dtype == torch.bool or ids.dtype.is_complex:
        raise InputError(f"expected an integer tensor, got {ids.dtype}", field="modality_ids")
    bad = ids[(ids < TEXT) | (ids > VISUAL)]
    if bad.numel():
        raise InputError(
            f"unknown modality id {int(bad[0])}; valid: 0 = text, 1 = audio, 2 = visual",
            field="modality_ids",
        )
    return ids.long()


def modality_ids_from_tokens(
    input_ids: torch.Tensor,
    *,
    visual_token_ids: tuple[int, ...] | list[int] = (),
    audio_token_ids: tuple[int, ...] | list[int] = (),
) -> torch.Tensor:
    """Modality ids (batch, seq) from placeholder tokens: visual ids -> 2, audio ids -> 1, else 0.

    For a Qwen2.5-Omni thinker: ``visual_token_ids=(cfg.image_token_id, cfg.video_token_id)``,
    ``audio_token_ids=(cfg.audio_token_id,)``; :func:`modality_ids_from_inputs` reads them from
    the config and checks them against a processor output.
    """
    ids = torch.full_like(input_ids, TEXT, dtype=torch.long)
    for token in audio_token_ids:
        ids[input_ids == token] = AUDIO
    for token in visual_token_ids:
        ids[input_ids == token] = VISUAL
    return ids


#: Processor outputs that carry media features, and the modality their placeholders must have.
MEDIA_FEATURE_KEYS: dict[str, int] = {
    "input_features": AUDIO,
    "pixel_values_videos": VISUAL,
    "pixel_values": VISUAL,
}


def placeholder_token_ids(config: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``(visual ids, audio ids)``: the media placeholder token ids a multimodal config names.

    Reads ``image_token_id``/``video_token_id`` (visual) and ``audio_token_id`` (audio), or their
    ``*_token_index`` spellings, from the config itself or from its ``thinker_config`` (a full
    Qwen2.5-Omni config). A text-only config gives ``((), ())``.
    """
    source = getattr(config, "thinker_config", None) or config

    def named(*kinds: str) -> tuple[int, ...]:
        found: list[int] = []
        for kind in kinds:
            for attr in (f"{kind}_token_id", f"{kind}_token_index"):
                value = getattr(source, attr, None)
                if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                    found.append(value)
                    break
        return tuple(dict.fromkeys(found))

    return named("image", "video"), named("audio")


def modality_ids_from_inputs(inputs: Mapping[str, Any], config: Any) -> torch.Tensor:
    """Modality ids (batch, seq) of a processor output for a multimodal model.

    ``inputs`` is what the model's processor returns (``input_ids`` with every media placeholder
    expanded to one token per encoder output, plus ``input_features``, ``pixel_values_videos``
    ...); ``config`` is the model's config (e.g. ``thinker.config``). Audio placeholder positions
    get 1, image/video positions 2, everything else 0. Raises InputError when the output carries
    features of a modality whose placeholder never occurs in ``input_ids`` (a tokenizer and config
    that disagree on the placeholder ids), and ConfigError for a config naming no placeholder.
    """
    input_ids = inputs.get("input_ids") if hasattr(inputs, "get") else None
    if not isinstance(input_ids, torch.Tensor) or input_ids.dim() != 2:
        raise InputError(
            "expected a processor output with input_ids (batch, seq)", field="input_ids"
        )
    visual, audio = placeholder_token_ids(config)
    if not visual and not audio:
        raise ConfigError(
            f"{type(config).__name__} names no image/video/audio placeholder token id; "
            "valid: the config of a multimodal model (e.g. a Qwen2.5-Omni thinker)"
        )
    ids = modality_ids_from_tokens(input_ids, visual_token_ids=visual, audio_token_ids=audio)
    for key, modality in MEDIA_FEATURE_KEYS.items():
        if inputs.get(key) is not None and not bool((ids == modality).any()):
            expected = audio if modality == AUDIO else visual
            raise InputError(
                f"the inputs carry {key} but input_ids hold none of the model's "
                f"{MODALITY_IDS[modality]} placeholder ids {list(expected)}; the processor and "
                "the model config disagree",
                field="input_ids",
            )
    return ids


def _cached_length(past: Any, cache_position: Any) -> int:
    if isinstance(cache_position, torch.Tensor) and cache_position.numel():
        return int(cache_position.reshape(-1)[0])
    if past is not None and hasattr(past, "get_seq_length"):
        return int(past.get_seq_length())
    return 0


def _valid_tokens(attention_mask: Any, length: int) -> torch.Tensor | None:
    if isinstance(attention_mask, torch.Tensor) and attention_mask.dim() == 2:
        return attention_mask[:, -length:].bool()  # (batch, past + L) -> (batch, L)
    return None  # no mask, or a 4-D mask: every token counts
