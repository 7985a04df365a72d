"""SED supervised fine-tuning and CA-DPO on top of TRL (subclasses, not a fork).

- :class:`CADPOTrainer` subclasses TRL's ``DPOTrainer`` and replaces only its loss step: one
  forward of the policy over the concatenated ``[chosen; rejected]`` batch, the reference from the
  *same* model with its adapter disabled (``PeftModel.disable_adapter()`` for LoRA,
  ``mose_disabled`` for MoSE; no second model copy), then :func:`~emoreason.training.ca_dpo_loss`.
  TRL's metric names are kept (rewards/chosen, rewards/rejected, rewards/margins,
  rewards/accuracies).
- :class:`SEDSFTTrainer` subclasses TRL's ``SFTTrainer`` (completion-only loss on the SABER JSON).

Both route per-token modality ids to MoSE adapters around every forward. The library never
prints: progress and logs reach the caller through ``transformers.TrainerCallback``s. Building
and running them: :mod:`emoreason.training.run`; batches: :mod:`emoreason.training.collators`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import torch
from torch import nn
from transformers.trainer import TRAINING_ARGS_NAME
from trl import DPOConfig, DPOTrainer, SFTTrainer
from trl.trainer import dpo_trainer as trl_dpo_module

from emoreason.errors import InputError
from emoreason.training.logprobs import concatenated_logps
from emoreason.training.loss import ca_dpo_loss
from emoreason.training.media import MEDIA_COLUMNS, media_inputs
from emoreason.training.mose_support import (
    is_mose_model,
    load_adapter_weights,
    modality_context,
    reference_context,
    save_adapter,
)

#: Per-pair columns CA-DPO keeps beside TRL's (conflict weighting, per-kind reports).
PAIR_COLUMNS = ("conflict", "kind")


class _AdapterCheckpoints:
    """Checkpoints of MoSE models hold only the adapter (PEFT LoRA is handled by transformers)."""

    def _save(self, output_dir: str | None = None, state_dict: dict | None = None) -> None:
        model = self.accelerator.unwrap_model(self.model)  # type: ignore[attr-defined]
        if not is_mose_model(model):
            super()._save(output_dir, state_dict)  # type: ignore[misc]
            return
        output_dir = output_dir or self.args.output_dir  # type: ignore[attr-defined]
        save_adapter(model, output_dir)
        if self.processing_class is not None:  # type: ignore[attr-defined]
            self.processing_class.save_pretrained(output_dir)  # type: ignore[attr-defined]
        torch.save(self.args, Path(output_dir) / TRAINING_ARGS_NAME)  # type: ignore[attr-defined]

    def _load_from_checkpoint(
        self, resume_from_checkpoint: str, model: nn.Module | None = None
    ) -> None:
        unwrapped = self.accelerator.unwrap_model(self.model)  # type: ignore[attr-defined]
        if is_mose_model(unwrapped):
            load_adapter_weights(unwrapped, resume_from_checkpoint)
            return
        super()._load_from_checkpoint(resume_from_checkpoint, model)  # type: ignore[misc]


class _RoutedTrainingStep:
    """MoSE modality ids held over the whole training step, backward included.

    TRL trains with activation checkpointing on by default: backward runs each decoder layer's
    forward again, and MoSE layers need the step's routing there too (without it every token
    would count as text and the visual expert would get no gradient). The forwards inside the
    step reuse this context (:func:`~emoreason.training.mose_support.modality_context`).
    """

    def training_step(self, model: nn.Module, inputs: dict[str, Any], *args: Any, **kwargs: Any):
        unwrapped = self.accelerator.unwrap_model(model)  # type: ignore[attr-defined]
        with modality_context(unwrapped, inputs["input_ids"], self._tokenizer):  # type: ignore[attr-defined]
            return super().training_step(model, inputs, *args, **kwargs)  # type: ignore[misc]


class CADPOTrainer(_RoutedTrainingStep, _AdapterCheckpoints, DPOTrainer):
    """TRL's DPOTrainer with the CA-DPO loss and an adapter-disabled reference."""

    def __init__(
        self,
        *args: Any,
        beta: float,
        eta: float = 0.0,
        gamma: float = 0.0,
        precompute_ref: bool = False,
        **kwargs: Any,
    ) -> None:
        self.ca_eta, self.ca_gamma = eta, gamma
        self._precompute_requested = precompute_ref
        dpo_args: DPOConfig = kwargs["args"]
        dpo_args.beta = beta
        # TRL loads a second reference model for non-PEFT models unless reference log-probs are
        # "precomputed"; we always take that branch and answer it ourselves (see below).
        dpo_args.precompute_ref_log_probs = True
        super().__init__(*args, **kwargs)
        self.precompute_ref_logps = precompute_ref
        if self.ref_model is not None:  # pragma: no cover - guarded by the branch above
            raise RuntimeError("CA-DPO must not hold a second reference model")

    def _precompute_ref_logps(self, dataset: Any, name: str, batch_size: int) -> Any:
        if not self._precompute_requested:
            return dataset  # reference computed on the fly, adapter disabled
        # TRL draws a tqdm bar here; the library never prints, so its progress goes to the
        # callbacks instead (``on_reference_progress(name, done, total)`` where defined)
        original = trl_dpo_module.tqdm
        trl_dpo_module.tqdm = functools.partial(self._reference_progress, name)
        try:
            return super()._precompute_ref_logps(dataset, name, batch_size)
        finally:
            trl_dpo_module.tqdm = original

    def _reference_progress(self, name: str, iterable: Any, **_tqdm_options: Any) -> Iterator[Any]:
        total = len(iterable) if hasattr(iterable, "__len__") else None
        listeners = [
            getattr(callback, "on_reference_progress", None)
            for callback in self.callback_handler.callbacks
        ]
        for done, item in enumerate(iterable, start=1):
            yield item
            for listener in listeners:
                if listener is not None:
                    listener(name, done, total)

    def _prepare_dataset(self, dataset: Any, processing_class: Any, args: Any, name: str) -> Any:
        # media rows arrive tokenized (placeholders expanded per clip by the processor,
        # emoreason.training.media): TRL's text tokenization would undo that
        if "prompt_ids" in (dataset.column_names or ()):
            return dataset
        return super()._prepare_dataset(dataset, processing_class, args, name)

    def _set_signature_columns_if_needed(self) -> None:
        super()._set_signature_columns_if_needed()
        extra = [c for c in (*PAIR_COLUMNS, *MEDIA_COLUMNS) if c not in self._signature_columns]
        self._signature_columns = [*self._signature_columns, *extra]

    def _policy_logps(self, model: nn.Module, inputs: dict[str, torch.Tensor]) -> Any:
        unwrapped = self.accelerator.unwrap_model(model)
        with modality_context(unwrapped, inputs["input_ids"], self._tokenizer):
            return concatenated_logps(
                model,
                inputs["input_ids"],
                inputs["attention_mask"],
                inputs["completion_mask"],
                media_inputs(inputs),
            )

    def compute_ref_log_probs(self, model: nn.Module, inputs: dict[str, torch.Tensor]) -> Any:
        """Reference log-probs: the same weights with the adapter disabled, no gradient."""
        unwrapped = self.accelerator.unwrap_model(self.model)
        with torch.no_grad(), reference_context(unwrapped):
            ref = self._policy_logps(self.model, inputs)
        return ref.chosen, ref.rejected

    def _compute_loss(self, model: nn.Module, inputs: dict[str, Any], return_outputs: bool) -> Any:
        mode = "train" if self.model.training else "eval"
        if (inputs["completion_mask"].sum(dim=1) == 0).any():
            raise InputError(
                "a sequence has no response token left after truncation; raise max_length or "
                "use truncation_mode: keep_end"
            )
        policy = self._policy_logps(model, inputs)  # one forward over [chosen; rejected]
        if self.precompute_ref_logps and "ref_chosen_logps" in inputs:
            ref_chosen, ref_rejected = inputs["ref_chosen_logps"], inputs["ref_rejected_logps"]
        else:
            ref_chosen, ref_rejected = self.compute_ref_log_probs(model, inputs)
        loss, metrics = ca_dpo_loss(
            policy.chosen,
            policy.rejected,
            ref_chosen.to(policy.chosen.device),
            ref_rejected.to(policy.chosen.device),
            beta=self.beta,
            conflict=inputs.get("conflict"),
            eta=self.ca_eta,
            gamma=self.ca_gamma,
            chosen_nll=policy.chosen_nll,
        )
        metrics["logps/chosen"] = policy.chosen.detach().mean().item()
        metrics["logps/rejected"] = policy.rejected.detach().mean().item()
        metrics["logps/prefers_chosen"] = (policy.chosen > policy.rejected).float().mean().item()
        for key, value in metrics.items():
            self._metrics[mode][key].append(value)
        if return_outputs:  # "logits" for Trainer.prediction_step: [B, 2] policy log-probs
            pair_logps = torch.stack([policy.chosen, policy.rejected], dim=1).detach()
            return loss, SimpleNamespace(logits=pair_logps)
        return loss


class SEDSFTTrainer(_RoutedTrainingStep, _AdapterCheckpoints, SFTTrainer):
    """TRL's SFTTrainer with MoSE modality ids routed around every forward.

    Media rows come tokenized (``input_ids``, ``completion_mask``, ``videos``, ``audios``) with
    :class:`~emoreason.training.collators.MediaSFTCollator`, which adds the clip's features.
    """

    def _set_signature_columns_if_needed(self) -> None:
        super()._set_signature_columns_if_needed()
        extra = [c for c in ("completion_mask", *MEDIA_COLUMNS) if c not in self._signature_columns]
        self._signature_columns = [*self._signature_columns, *extra]

    def compute_loss(
        self, model: nn.Module, inputs: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        unwrapped = self.accelerator.unwrap_model(model)
        with modality_context(unwrapped, inputs["input_ids"], self._tokenizer):
            return super().compute_loss(model, inputs, *args, **kwargs)
