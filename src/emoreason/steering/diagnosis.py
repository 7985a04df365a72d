"""Before/after AR: generate twice and measure UAP per layer and head over generated tokens."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from emoreason.errors import InputError
from emoreason.steering.attention import attention_reallocation, check_modality_ids
from emoreason.steering.config import ARConfig
from emoreason.steering.reallocation import AUDIO, TEXT, VISUAL
from emoreason.steering.uap import UAPTable


@dataclass
class GenerationDiagnosis:
    """UAP and biased heads for one greedy generation."""

    uap: UAPTable
    biased_heads: dict[int, list[int]]
    generated_ids: list[list[int]]


@dataclass
class ModalityBiasReport:
    """Baseline (eager, ``alpha = 0``: detection only) versus AR with ``config``."""

    config: ARConfig
    prompt_tokens: int
    modality_counts: dict[str, int]
    before: GenerationDiagnosis
    after: GenerationDiagnosis

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (NaN, where a head had no multimodal rows, becomes null)."""

        def side(diag: GenerationDiagnosis) -> dict[str, Any]:
            return {
                "audio_uap": _nan_to_none(diag.uap.audio),
                "visual_uap": _nan_to_none(diag.uap.visual),
                "rows": diag.uap.rows,
                "audio_uap_layer_mean": _nan_to_none(diag.uap.layer_means()),
                "audio_uap_mean": _nan_to_none(diag.uap.mean()),
                "biased_heads": {str(k): v for k, v in diag.biased_heads.items()},
                "generated_ids": diag.generated_ids,
            }

        return {
            "ar_config": dataclasses.asdict(self.config),
            "prompt_tokens": self.prompt_tokens,
            "modality_counts": self.modality_counts,
            "before": side(self.before),
            "after": side(self.after),
        }


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, list):
        return [_nan_to_none(x) for x in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@torch.no_grad()
def generate_with_diagnosis(
    model: nn.Module,
    input_ids: torch.Tensor,
    modality_ids: torch.Tensor,
    config: ARConfig,
    max_new_tokens: int = 16,
    model_inputs: Mapping[str, Any] | None = None,
) -> GenerationDiagnosis:
    """Greedy generation under :func:`attention_reallocation`, recording UAP.

    ``model_inputs`` are further keyword arguments of ``model.generate``: for a multimodal model
    the rest of its processor output (``attention_mask``, ``input_features``,
    ``feature_attention_mask``, ``pixel_values_videos``, ``video_grid_thw`` ...), so the audio
    and visual keys hold the encoders' embeddings rather than bare placeholder tokens.
    """
    extra = {k: v for k, v in (model_inputs or {}).items() if k != "input_ids"}
    extra.setdefault("attention_mask", torch.ones_like(input_ids))
    with attention_reallocation(model, config, modality_ids, record_uap=True) as state:
        output = model.generate(
            input_ids=input_ids,
            **extra,
            max_new_tokens=max_new_tokens,
            min_new_tokens=max_new_tokens,
            do_sample=False,
            pad_token_id=_pad_token_id(model),
        )
    assert state.uap is not None
    return GenerationDiagnosis(
        uap=state.uap.table(),
        biased_heads=state.biased_heads,
        generated_ids=output[:, input_ids.shape[1] :].tolist(),
    )


def diagnose_modality_bias(
    model: nn.Module,
    input_ids: torch.Tensor,
    modality_ids: torch.Tensor,
    config: ARConfig,
    max_new_tokens: int = 16,
    model_inputs: Mapping[str, Any] | None = None,
) -> ModalityBiasReport:
    """UAP per layer and head without AR (``alpha = 0``) and with AR (``config``).

    ``model_inputs``: the rest of a multimodal processor output (see
    :func:`generate_with_diagnosis`); ``modality_ids`` then come from its placeholder positions
    (``emoreason.adapters.mose.modality_ids_from_inputs``).
    """
    modality_ids = check_modality_ids(modality_ids)
    rows, length = modality_ids.shape
    if length != input_ids.shape[-1] or rows not in (1, input_ids.shape[0]):
        raise InputError(
            f"modality ids {tuple(modality_ids.shape)} do not match input_ids "
            f"{tuple(input_ids.shape)}",
            field="modality_ids",
        )
    baseline = dataclasses.replace(config, alpha=0.0)
    before = generate_with_diagnosis(
        model, input_ids, modality_ids, baseline, max_new_tokens, model_inputs
    )
    after = generate_with_diagnosis(
        model, input_ids, modality_ids, config, max_new_tokens, model_inputs
    )
    counts = {
        name: int((modality_ids[0] == value).sum())
        for name, value in (("text", TEXT), ("audio", AUDIO), ("visual", VISUAL))
    }
    return ModalityBiasReport(config, int(input_ids.shape[1]), counts, before, after)


def _pad_token_id(model: nn.Module) -> int | None:
    generation = getattr(model, "generation_config", None)
    for name in ("pad_token_id", "eos_token_id"):
        value = getattr(generation, name, None)
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None:
            return int(value)
    return None
