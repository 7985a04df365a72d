"""Adapters for training: plain PEFT LoRA or MoSE experts, and the adapter-disabled reference.

The reference policy of CA-DPO is the same model with its adapter switched off, so no second
copy of the weights is held: ``PeftModel.disable_adapter()`` for LoRA, ``mose_disabled(model)``
for MoSE. MoSE layers also need per-token modality ids around every forward (see
:func:`modality_context`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from peft import LoraConfig, PeftModel
from torch import nn
from transformers import PreTrainedTokenizerBase

from emoreason.errors import ConfigError
from emoreason.training.config import SFTTrainConfig


def _mose() -> Any:
    try:
        from emoreason.adapters import mose
    except ImportError as exc:  # pragma: no cover - depends on the build
        raise ConfigError(f"adapter: 'mose' needs emoreason.adapters.mose ({exc})") from None
    return mose


def is_mose_model(model: nn.Module) -> bool:
    if isinstance(model, PeftModel) or getattr(model, "mose_config", None) is None:
        return False
    return bool(_mose().mose_layers(model))


def apply_adapter(model: nn.Module, config: SFTTrainConfig) -> tuple[nn.Module, LoraConfig | None]:
    """LoRA: the PEFT config for TRL to wrap the model with. MoSE: the model with experts on it."""
    towers = encoder_towers(model)
    if config.adapter == "lora":
        lora = LoraConfig(
            r=config.lora_r,
            lora_alpha=config.lora_alpha,
            lora_dropout=config.lora_dropout,
            target_modules=list(config.target_modules),
            # a regex on full module names: nothing inside an audio/vision encoder
            exclude_modules=rf"(.*\.)?({'|'.join(towers)})\..*" if towers else None,
            layers_to_transform=list(config.layers) if config.layers is not None else None,
            task_type="CAUSAL_LM",
        )
        return model, lora
    mose = _mose()
    values = {
        "r": config.lora_r,
        "alpha": config.lora_alpha,
        "dropout": config.lora_dropout,
        "target_modules": list(config.target_modules),
        "exclude_modules": towers,
        "seed": config.seed,
        **config.mose,
    }
    model = mose.apply_mose(model, mose.MoSEConfig.from_dict(values))
    return model, None


def encoder_towers(model: nn.Module) -> list[str]:
    """The media encoders of a multimodal model that adapters leave alone (ours).

    For a Qwen2.5-Omni thinker these are ``audio_tower`` and ``visual``
    (:data:`~emoreason.adapters.mose.OMNI_THINKER_EXCLUDE`): the adapters go on the language
    model only, as SABER-LLM and MoSEAR train it. A text-only model has none.
    """
    names = {part for name, _ in model.named_modules() for part in name.split(".")}
    return [tower for tower in _mose().OMNI_THINKER_EXCLUDE if tower in names]


def reference_context(model: nn.Module) -> contextlib.AbstractContextManager[Any]:
    """Run ``model`` as the reference policy: its adapter disabled (no second copy)."""
    if isinstance(model, PeftModel):
        return model.disable_adapter()
    if is_mose_model(model):
        return _mose().mose_disabled(model)
    raise ConfigError(
        "CA-DPO needs an adapter (lora or mose) so the reference is the adapter-disabled model"
    )


@contextlib.contextmanager
def modality_context(
    model: nn.Module, input_ids: torch.Tensor, tokenizer: PreTrainedTokenizerBase | None = None
) -> Iterator[None]:
    """Per-token modality ids for MoSE layers during one forward; nothing for other models.

    A multimodal model (its config names media placeholder ids, e.g. a Qwen2.5-Omni thinker)
    takes them from the placeholder positions of ``input_ids``, which hold the encoders'
    embeddings; a text-only model from the ``<video>``/``<audio>`` tags
    (:func:`media_tag_modalities`). Inside an open context on the same model (a training
    step's, see :mod:`emoreason.training.trainer`) it adds nothing.
    """
    if not is_mose_model(model) or getattr(model, _ROUTING_OPEN, False):
        yield  # no MoSE, or an enclosing context (a whole training step) already routes
        return
    mose = _mose()
    visual, audio = mose.placeholder_token_ids(model.config)
    if visual or audio:
        ids = mose.modality_ids_from_tokens(
            input_ids, visual_token_ids=visual, audio_token_ids=audio
        )
    elif tokenizer is None:
        raise ConfigError("MoSE training needs the tokenizer to find the media placeholder tokens")
    else:
        ids = media_tag_modalities(input_ids, tokenizer, _tag_cache)
    setattr(model, _ROUTING_OPEN, True)
    try:
        with mose.modality_ids(model, ids):
            yield
    finally:
        setattr(model, _ROUTING_OPEN, False)


#: Set on a MoSE model while a :func:`modality_context` routes it; nested contexts then reuse
#: the open one (the training step's, which must outlive backward: see the trainers).
_ROUTING_OPEN = "_emoreason_routing_open"


#: MoSE modality ids (emoreason.adapters.mose: 0 text, 1 audio, 2 visual) of the media tags.
TAG_MODALITY: dict[str, int] = {"<video>": 2, "<audio>": 1}
_tag_cache: dict[tuple[int, ...], list[int]] = {}


def media_tag_modalities(
    input_ids: torch.Tensor,
    tokenizer: PreTrainedTokenizerBase,
    cache: dict[tuple[int, ...], list[int]] | None = None,
) -> torch.Tensor:
    """``[B, T]`` modality ids for a text-only LLM (ours).

    A text-only model receives no video or audio embeddings, only the ms-swift placeholders
    ``<video>``/``<audio>`` in the prompt: the tokens spelling ``<video>`` are visual (2), those
    spelling ``<audio>`` audio (1), all others text (0). Tokens are located by decoding each row
    piece by piece, so tags split over several tokens (or merged with neighbours) are found.
    """
    rows = []
    for row in input_ids.tolist():
        key = tuple(row)
        if cache is not None and key in cache:
            rows.append(cache[key])
            continue
        pieces = [tokenizer.decode([t]) for t in row]
        starts, text = [], ""
        for piece in pieces:
            starts.append(len(text))
            text += piece
        ids = [0] * len(row)
        for tag, modality in TAG_MODALITY.items():
            at = text.find(tag)
            while at >= 0:
                end = at + len(tag)
                for i, start in enumerate(starts):
                    if start < end and start + len(pieces[i]) > at:
                        ids[i] = modality
                at = text.find(tag, end)
        if cache is not None:
            if len(cache) > 4096:
                cache.clear()
            cache[key] = ids
        rows.append(ids)
    return torch.tensor(rows, dtype=torch.long, device=input_ids.device)  # [B, T]


def save_adapter(model: nn.Module, directory: str | Path) -> None:
    """Save only the adapter weights (PEFT format for LoRA, MoSE safetensors for MoSE)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if isinstance(model, PeftModel):
        model.save_pretrained(directory)
    elif is_mose_model(model):
        _mose().save_mose(model, directory)
    else:  # pragma: no cover - apply_adapter always adds one
        raise ConfigError("no adapter to save")


def load_adapter_weights(model: nn.Module, directory: str | Path) -> None:
    """Load MoSE adapter weights saved by :func:`save_adapter` into a MoSE model."""
    _mose().load_mose(model, directory)
