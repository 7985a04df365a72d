"""SED supervised fine-tuning and CA-DPO on top of TRL (subclasses, not a fork).

- :class:`CADPOTrainer` subclasses TRL's ``DPOTrainer`` and replaces only its loss step: one
  forward of the policy over the concatenated ``[chosen; rejected]`` batch, the reference from the
  *same* model with its adapter disabled (``PeftModel.disable_adapter()`` for LoRA,
  ``mose_disabled`` for MoSE; no second model copy), then :func:`~emoreason.training.ca_dpo_loss`.
  TRL's metric names are kept (rewards/chosen, rewards/rejected, rewards/margins,
  rewards/accuracies).
- :class:`SEDSFTTrainer` subclasses TRL's ``SFTTrainer`` (completion-only loss on the SABER JSON).

Both route per-token modality ids to MoSE adapters around every forward. The library never
prints: progress and logs reach the caller through ``transformers.TrainerCallback``s.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import torch
from datasets.utils import logging as datasets_logging
from torch import nn
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    PreTrainedTokenizerBase,
    TrainerCallback,
)
from transformers.trainer import TRAINING_ARGS_NAME
from transformers.trainer_callback import PrinterCallback, ProgressCallback
from transformers.trainer_utils import get_last_checkpoint
from transformers.utils import logging as hf_logging
from trl import DPOConfig, DPOTrainer, SFTConfig, SFTTrainer
from trl.trainer import dpo_trainer as trl_dpo_module
from trl.trainer.dpo_trainer import DataCollatorForPreference

from emoreason.errors import ConfigError, InputError, ModelNotFoundError
from emoreason.formats.atomic import write_text_atomic
from emoreason.training.config import CADPOTrainConfig, SFTTrainConfig
from emoreason.training.logprobs import concatenated_logps
from emoreason.training.loss import ca_dpo_loss
from emoreason.training.mose_support import (
    apply_adapter,
    is_mose_model,
    load_adapter_weights,
    modality_context,
    reference_context,
    save_adapter,
)
from emoreason.training.sources import BuildReport
from emoreason.training.train_data import prepare_dataset


def resolve_model_path(model_path: str) -> Path:
    """``'smollm2'`` -> the package-shipped SmolLM2 folder; otherwise a local folder."""
    if model_path == "smollm2":
        from emoreason.assets import smollm2_dir

        return Path(smollm2_dir())
    path = Path(model_path)
    if not (path / "config.json").is_file():
        raise ModelNotFoundError(
            f"model_path {model_path!r}: no Hugging Face model folder there (config.json missing); "
            "give a local folder or 'smollm2' (nothing is downloaded)"
        )
    return path


def load_model_and_tokenizer(model_path: str) -> tuple[nn.Module, PreTrainedTokenizerBase]:
    path = resolve_model_path(model_path)
    hf_logging.disable_progress_bar()  # no "Loading weights" bar: the library never prints
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


@dataclass
class ConflictPreferenceCollator(DataCollatorForPreference):
    """TRL's ``[chosen; rejected]`` preference collator, plus a ``conflict`` tensor ``[B]``.

    ``truncation_mode="keep_divergence"`` (ours) cuts every pair with :func:`divergence_window`
    before TRL's collation, instead of TRL's ``keep_start`` / ``keep_end``.
    """

    divergence_context: int = 32

    def torch_call(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
        if self.truncation_mode == "keep_divergence" and self.max_length is not None:
            examples = [
                {
                    **example,
                    **divergence_window(
                        example["prompt_ids"],
                        example["chosen_ids"],
                        example["rejected_ids"],
                        self.max_length,
                        self.divergence_context,
                    ),
                }
                for example in examples
            ]
            return self._collate(examples, truncation_mode="keep_start")
        return self._collate(examples, truncation_mode=self.truncation_mode)

    def _collate(self, examples: list[dict[str, Any]], truncation_mode: str) -> dict[str, Any]:
        mode, self.truncation_mode = self.truncation_mode, truncation_mode
        try:
            batch = super().torch_call(examples)
        finally:
            self.truncation_mode = mode
        batch["conflict"] = torch.tensor([float(e.get("conflict", 0.0)) for e in examples])
        batch["kind"] = [str(e.get("kind") or "") for e in examples]  # for per-kind reports
        return batch


def divergence_window(
    prompt_ids: Sequence[int],
    chosen_ids: Sequence[int],
    rejected_ids: Sequence[int],
    max_length: int,
    context: int,
) -> dict[str, list[int]]:
    """A ``max_length`` window of a preference pair that holds where chosen and rejected differ.

    Ours, for long SED responses on small budgets. ``d`` is the first position where
    ``prompt+chosen`` and ``prompt+rejected`` differ. Tokens before ``d`` are shared: they have
    the same context in both sequences, so their log-probs cancel exactly in the DPO margin
    ``(log π(c) − log π_ref(c)) − (log π(r) − log π_ref(r))``. The window starts at
    ``max(0, min(d − context, longest − max_length))`` (at least ``context`` shared tokens, more
    when the differing tails are short, e.g. a flipped label at the very end) and the shared part
    becomes the new prompt (no loss); the differing tails are the completions, cut at
    ``max_length`` by the caller (``keep_start``). Each side keeps at least one completion token:
    when one completion is a prefix of the other, the last shared token moves into both tails.
    """
    full_chosen = [*prompt_ids, *chosen_ids]
    full_rejected = [*prompt_ids, *rejected_ids]
    shortest = min(len(full_chosen), len(full_rejected))
    d = next(
        (i for i in range(shortest) if full_chosen[i] != full_rejected[i]),
        shortest,
    )
    d = max(len(prompt_ids), min(d, shortest - 1))  # every side keeps >= 1 completion token
    longest = max(len(full_chosen), len(full_rejected))
    start = max(0, min(d - context, longest - max_length))
    return {
        "prompt_ids": full_chosen[start:d],
        "chosen_ids": full_chosen[d:],
        "rejected_ids": full_rejected[d:],
    }


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


class CADPOTrainer(_AdapterCheckpoints, DPOTrainer):
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

    def _set_signature_columns_if_needed(self) -> None:
        super()._set_signature_columns_if_needed()
        extra = [c for c in ("conflict", "kind") if c not in self._signature_columns]
        self._signature_columns = [*self._signature_columns, *extra]

    def _policy_logps(self, model: nn.Module, inputs: dict[str, torch.Tensor]) -> Any:
        unwrapped = self.accelerator.unwrap_model(model)
        with modality_context(unwrapped, inputs["input_ids"], self._tokenizer):
            return concatenated_logps(
                model, inputs["input_ids"], inputs["attention_mask"], inputs["completion_mask"]
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


def preference_report(trainer: CADPOTrainer) -> dict[str, Any]:
    """Every held-out pair scored once: the implicit-reward margin and the policy's preference.

    Per pair ``margin = β[(log π(c) − log π_ref(c)) − (log π(r) − log π_ref(r))]`` (> 0: the
    training moved the policy towards the grounded response) and ``prefers_chosen =
    log π(c) > log π(r)`` (the policy itself ranks the grounded response first). Summed per
    pair, not averaged per batch; grouped by pair kind and over ``all``.
    """
    model = trainer.model
    was_training = model.training
    model.eval()
    rows: list[tuple[str, float, bool]] = []
    try:
        with torch.no_grad():
            for batch in trainer.get_eval_dataloader():
                batch = {
                    k: v.to(trainer.args.device) if isinstance(v, torch.Tensor) else v
                    for k, v in batch.items()
                }
                policy = trainer._policy_logps(model, batch)
                if "ref_chosen_logps" in batch:
                    ref_chosen, ref_rejected = (
                        batch["ref_chosen_logps"],
                        batch["ref_rejected_logps"],
                    )
                else:
                    ref_chosen, ref_rejected = trainer.compute_ref_log_probs(model, batch)
                margins = trainer.beta * (
                    (policy.chosen - ref_chosen) - (policy.rejected - ref_rejected)
                )
                prefers = policy.chosen > policy.rejected
                kinds = batch.get("kind") or [""] * len(margins)
                rows.extend(
                    (kind or "unknown", float(m), bool(p))
                    for kind, m, p in zip(kinds, margins.tolist(), prefers.tolist(), strict=True)
                )
    finally:
        model.train(was_training)
    groups: dict[str, list[tuple[str, float, bool]]] = {"all": rows}
    for row in rows:
        groups.setdefault(row[0], []).append(row)
    return {
        name: {
            "pairs": len(items),
            "reward_accuracy": sum(m > 0 for _, m, _ in items) / len(items),
            "mean_margin": sum(m for _, m, _ in items) / len(items),
            "prefers_chosen": sum(p for _, _, p in items) / len(items),
        }
        for name, items in groups.items()
        if items
    }


class SEDSFTTrainer(_AdapterCheckpoints, SFTTrainer):
    """TRL's SFTTrainer with MoSE modality ids routed around every forward."""

    def compute_loss(
        self, model: nn.Module, inputs: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        unwrapped = self.accelerator.unwrap_model(model)
        with modality_context(unwrapped, inputs["input_ids"], self._tokenizer):
            return super().compute_loss(model, inputs, *args, **kwargs)


@dataclass
class TrainingSummary:
    """What a run produced: where, how far, the data counts and the logged metrics."""

    output_dir: str
    adapter_dir: str
    global_step: int
    data: dict[str, Any]
    log_history: list[dict[str, Any]] = field(default_factory=list)
    eval_metrics: dict[str, float] = field(default_factory=dict)
    eval_metrics_before: dict[str, float] = field(default_factory=dict)
    #: CA-DPO with an eval_file: :func:`preference_report` before and after training
    eval_pairs_before: dict[str, Any] = field(default_factory=dict)
    eval_pairs: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "output_dir": self.output_dir,
            "adapter_dir": self.adapter_dir,
            "global_step": self.global_step,
            "data": self.data,
            "eval_metrics_before": self.eval_metrics_before,
            "eval_metrics": self.eval_metrics,
            "eval_pairs_before": self.eval_pairs_before,
            "eval_pairs": self.eval_pairs,
            "log_history": self.log_history,
        }


def _common_args(config: SFTTrainConfig) -> dict[str, Any]:
    return {
        "output_dir": config.output_dir,
        "learning_rate": config.learning_rate,
        "num_train_epochs": config.num_train_epochs,
        "max_steps": config.max_steps,
        "per_device_train_batch_size": config.per_device_train_batch_size,
        "per_device_eval_batch_size": config.per_device_train_batch_size,
        "gradient_accumulation_steps": config.gradient_accumulation_steps,
        "warmup_steps": config.warmup_steps,
        "lr_scheduler_type": config.lr_scheduler_type,
        "seed": config.seed,
        "logging_steps": config.logging_steps,
        "save_steps": config.save_steps,
        "save_total_limit": config.save_total_limit,
        "max_length": config.max_length,
        "truncation_mode": config.truncation_mode,
        "report_to": [],
        "disable_tqdm": True,
        "bf16": False,
        "fp16": False,
        "use_cpu": not torch.cuda.is_available(),
        "dataloader_num_workers": 0,
    }


def _resume_path(config: SFTTrainConfig) -> str | None:
    if config.resume_from_checkpoint is None:
        return None
    if config.resume_from_checkpoint == "latest":
        last = get_last_checkpoint(config.output_dir) if Path(config.output_dir).is_dir() else None
        if last is None:
            raise ConfigError(
                f"resume_from_checkpoint: no checkpoint-* folder in {config.output_dir}"
            )
        return last
    if not Path(config.resume_from_checkpoint).is_dir():
        raise ConfigError(
            f"resume_from_checkpoint: {config.resume_from_checkpoint} is not a folder"
        )
    return config.resume_from_checkpoint


def _run(trainer: Any, config: SFTTrainConfig, report: BuildReport) -> TrainingSummary:
    """Train (resuming when asked), evaluate, save the adapter and the summary."""
    pairs = isinstance(trainer, CADPOTrainer) and trainer.eval_dataset is not None
    before: dict[str, float] = {}
    pairs_before: dict[str, Any] = {}
    if trainer.eval_dataset is not None and config.eval_before_training:
        before = trainer.evaluate()
        pairs_before = preference_report(trainer) if pairs else {}
    trainer.train(resume_from_checkpoint=_resume_path(config))
    after = trainer.evaluate() if trainer.eval_dataset is not None else {}
    pairs_after = preference_report(trainer) if pairs else {}
    return _finish(
        trainer,
        config,
        report,
        after,
        extra={
            "eval_metrics_before": before,
            "eval_pairs_before": pairs_before,
            "eval_pairs": pairs_after,
        },
    )


def _finish(
    trainer: Any,
    config: SFTTrainConfig,
    report: BuildReport,
    eval_metrics: dict[str, float],
    extra: dict[str, Any] | None = None,
) -> TrainingSummary:
    adapter_dir = Path(config.output_dir) / "adapter"
    save_adapter(trainer.accelerator.unwrap_model(trainer.model), adapter_dir)
    summary = TrainingSummary(
        output_dir=config.output_dir,
        adapter_dir=str(adapter_dir),
        global_step=trainer.state.global_step,
        data=report.to_dict(),
        log_history=list(trainer.state.log_history),
        eval_metrics=eval_metrics,
        **(extra or {}),
    )
    write_text_atomic(
        Path(config.output_dir) / "training_summary.json",
        json.dumps({"config": config.to_dict(), **summary.to_dict()}, indent=2, ensure_ascii=False),
    )
    return summary


@contextlib.contextmanager
def _quiet_datasets() -> Iterator[None]:
    """No ``datasets`` progress bars while TRL prepares data (the library never prints)."""
    enabled = datasets_logging.is_progress_bar_enabled()
    datasets_logging.disable_progress_bar()
    try:
        yield
    finally:
        if enabled:
            datasets_logging.enable_progress_bar()


def _silence(trainer: Any) -> None:
    """Remove transformers' printing callbacks; callers pass their own (e.g. a rich bar)."""
    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(ProgressCallback)


@contextlib.contextmanager
def _torch_threads(n: int | None) -> Iterator[None]:
    previous = torch.get_num_threads()
    if n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _prepare(
    config: SFTTrainConfig,
    model: nn.Module | None,
    tokenizer: PreTrainedTokenizerBase | None,
    *,
    preference: bool,
) -> tuple[nn.Module, PreTrainedTokenizerBase, Any, Any, Any, BuildReport]:
    """Model + tokenizer (loaded unless given), datasets with their report, adapter applied."""
    if model is None or tokenizer is None:
        model, tokenizer = load_model_and_tokenizer(config.model_path)
    report = BuildReport()
    train = prepare_dataset(
        config.train_file,
        tokenizer,
        config,
        preference=preference,
        report=report,
        limit=config.max_train_samples,
    )
    evaluation = None
    if config.eval_file:
        evaluation = prepare_dataset(
            config.eval_file, tokenizer, config, preference=preference, report=BuildReport()
        )
    model, peft_config = apply_adapter(model, config)
    return model, tokenizer, peft_config, train, evaluation, report


def build_ca_dpo_trainer(
    config: CADPOTrainConfig,
    callbacks: Sequence[TrainerCallback] = (),
    model: nn.Module | None = None,
    tokenizer: PreTrainedTokenizerBase | None = None,
) -> tuple[CADPOTrainer, BuildReport]:
    """The configured trainer (not yet trained) and the data report."""
    model, tokenizer, peft_config, train, evaluation, report = _prepare(
        config, model, tokenizer, preference=True
    )
    # Our collator does all the truncation (config.max_length, config.truncation_mode): TRL's own
    # would drop pairs whose prompt fills max_length (keep_divergence handles them; keep_start
    # ones are counted in enforce_length) and deprecates keep_end in DPOConfig.
    common = {**_common_args(config), "max_length": None, "truncation_mode": "keep_start"}
    args = DPOConfig(**common, loss_type=["sigmoid"], dataset_num_proc=None)
    collator = ConflictPreferenceCollator(
        pad_token_id=tokenizer.pad_token_id,
        max_length=config.max_length,
        truncation_mode=config.truncation_mode,
        divergence_context=config.divergence_context,
    )
    with _quiet_datasets():
        trainer = CADPOTrainer(
            model=model,
            args=args,
            train_dataset=train,
            eval_dataset=evaluation,
            processing_class=tokenizer,
            peft_config=peft_config,
            data_collator=collator,
            callbacks=list(callbacks),
            beta=config.beta,
            eta=config.eta,
            gamma=config.gamma,
            precompute_ref=config.precompute_ref_logps,
        )
    _silence(trainer)
    return trainer, report


def train_ca_dpo(
    config: CADPOTrainConfig, callbacks: Sequence[TrainerCallback] = (), threads: int | None = None
) -> TrainingSummary:
    """Run stage 2 (CA-DPO) as configured; checkpoints are resumable."""
    with _torch_threads(threads):
        trainer, report = build_ca_dpo_trainer(config, callbacks)
        return _run(trainer, config, report)


def build_sft_trainer(
    config: SFTTrainConfig,
    callbacks: Sequence[TrainerCallback] = (),
    model: nn.Module | None = None,
    tokenizer: PreTrainedTokenizerBase | None = None,
) -> tuple[SEDSFTTrainer, BuildReport]:
    """The configured SFT trainer (not yet trained) and the data report."""
    model, tokenizer, peft_config, train, evaluation, report = _prepare(
        config, model, tokenizer, preference=False
    )
    args = SFTConfig(**_common_args(config), completion_only_loss=True, dataset_num_proc=None)
    with _quiet_datasets():
        trainer = SEDSFTTrainer(
            model=model,
            args=args,
            train_dataset=train,
            eval_dataset=evaluation,
            processing_class=tokenizer,
            peft_config=peft_config,
            callbacks=list(callbacks),
        )
    _silence(trainer)
    return trainer, report


def train_sft(
    config: SFTTrainConfig, callbacks: Sequence[TrainerCallback] = (), threads: int | None = None
) -> TrainingSummary:
    """Run stage 1 (SED SFT) as configured; checkpoints are resumable."""
    with _torch_threads(threads):
        trainer, report = build_sft_trainer(config, callbacks)
        return _run(trainer, config, report)
