"""One training run, end to end: load the model, prepare the data, build the TRL trainer with
its adapter, train (resumable), evaluate, save the adapter and ``training_summary.json``.

:func:`train_sft` (stage 1) and :func:`train_ca_dpo` (stage 2) are what the CLI calls;
``build_*_trainer`` return the configured trainer without training it (tests, notebooks).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from datasets.utils import logging as datasets_logging
from torch import nn
from transformers import (
    AutoConfig,
    AutoModelForCausalLM,
    AutoModelForImageTextToText,
    AutoTokenizer,
    PreTrainedTokenizerBase,
    TrainerCallback,
)
from transformers.models.auto.modeling_auto import (
    MODEL_FOR_CAUSAL_LM_MAPPING,
    MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING,
)
from transformers.trainer_callback import PrinterCallback, ProgressCallback
from transformers.trainer_utils import get_last_checkpoint
from trl import DPOConfig, SFTConfig

from emoreason.assets.hf_quiet import hf_progress_bars_off
from emoreason.errors import ConfigError, ModelNotFoundError
from emoreason.formats.atomic import write_text_atomic
from emoreason.reasoning.omni_loading import OMNI_MODEL_TYPES, is_omni_folder, load_omni_thinker
from emoreason.training.collators import ConflictPreferenceCollator, MediaSFTCollator
from emoreason.training.config import CADPOTrainConfig, SFTTrainConfig
from emoreason.training.media import MediaEncoder
from emoreason.training.mose_support import apply_adapter, save_adapter
from emoreason.training.preference_report import preference_report
from emoreason.training.sources import BuildReport
from emoreason.training.train_data import prepare_dataset
from emoreason.training.trainer import CADPOTrainer, SEDSFTTrainer


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


def load_model_and_tokenizer(
    model_path: str, dtype: str = "float32"
) -> tuple[nn.Module, PreTrainedTokenizerBase]:
    """The model (a causal LM, or a multimodal thinker such as Qwen2.5-Omni's) and tokenizer."""
    path = resolve_model_path(model_path)
    with hf_progress_bars_off():  # no "Loading weights" bar: the library never prints
        model = _load_model(path, getattr(torch, dtype))
        tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


def _load_model(path: Path, dtype: torch.dtype) -> nn.Module:
    config = AutoConfig.from_pretrained(path)
    if type(config) in MODEL_FOR_CAUSAL_LM_MAPPING:
        return AutoModelForCausalLM.from_pretrained(path, dtype=dtype)
    if config.model_type in OMNI_MODEL_TYPES:  # full (SABER-LLM) or not: train the thinker
        return load_omni_thinker(path, dtype)
    if type(config) in MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING:
        return AutoModelForImageTextToText.from_pretrained(path, dtype=dtype)
    raise ModelNotFoundError(
        f"model_path {path}: a {config.model_type!r} model is neither a causal LM nor a "
        "multimodal text generator (e.g. a Qwen2.5-Omni thinker)"
    )


def media_encoder_for(
    model: nn.Module, model_path: str, config: SFTTrainConfig
) -> MediaEncoder | None:
    """The media encoder of a multimodal model (its processor), or None for a text-only model.

    A model whose config names media placeholder ids (a Qwen2.5-Omni thinker) trains on the
    rows' clips: its folder must hold the processor files. Raises ConfigError naming the cause
    when they cannot be loaded.
    """
    from emoreason.adapters.mose import placeholder_token_ids
    from emoreason.reasoning.omni_video import VideoPatching

    visual, audio = placeholder_token_ids(model.config)
    if not visual and not audio:
        return None
    path = resolve_model_path(model_path)
    processor = load_media_processor(path)
    thinker = getattr(model.config, "thinker_config", None) or model.config
    return MediaEncoder(
        processor,
        config.media_layout(),
        VideoPatching.from_folder(path),
        video_token_id=getattr(thinker, "video_token_id", None),
        audio_token_id=getattr(thinker, "audio_token_id", None),
    )


def load_media_processor(path: Path) -> Any:
    """The model folder's multimodal processor (local files only).

    A Qwen2.5-Omni folder gets transformers' processor where torchvision works, else emoreason's
    frame processor (:mod:`emoreason.reasoning.omni_processor`), which makes the same inputs.
    """
    from transformers import AutoProcessor

    from emoreason.reasoning.omni_processor import load_omni_processor

    try:
        with hf_progress_bars_off():
            if is_omni_folder(path):
                return load_omni_processor(path)[0]
            return AutoProcessor.from_pretrained(path, local_files_only=True)
    except Exception as exc:  # transformers raises many kinds here
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            f"{path}: the multimodal processor cannot be loaded ({reason}); media rows need it"
        ) from None


@dataclass
class TrainingSummary:
    """What a run produced: where, how far, the data counts and the logged metrics."""

    output_dir: str
    adapter_dir: str
    global_step: int
    data: dict[str, Any]
    eval_metrics_before: dict[str, float] = field(default_factory=dict)
    eval_metrics: dict[str, float] = field(default_factory=dict)
    #: CA-DPO with an eval_file: :func:`preference_report` before and after training
    eval_pairs_before: dict[str, Any] = field(default_factory=dict)
    eval_pairs: dict[str, Any] = field(default_factory=dict)
    log_history: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


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
    """Train (resuming when asked), evaluate, save the adapter and ``training_summary.json``."""
    scores_pairs = isinstance(trainer, CADPOTrainer) and trainer.eval_dataset is not None
    before: dict[str, float] = {}
    pairs_before: dict[str, Any] = {}
    if trainer.eval_dataset is not None and config.eval_before_training:
        before = trainer.evaluate()
        pairs_before = preference_report(trainer) if scores_pairs else {}
    trainer.train(resume_from_checkpoint=_resume_path(config))
    adapter_dir = Path(config.output_dir) / "adapter"
    save_adapter(trainer.accelerator.unwrap_model(trainer.model), adapter_dir)
    summary = TrainingSummary(
        output_dir=config.output_dir,
        adapter_dir=str(adapter_dir),
        global_step=trainer.state.global_step,
        data=report.to_dict(),
        eval_metrics_before=before,
        eval_metrics=trainer.evaluate() if trainer.eval_dataset is not None else {},
        eval_pairs_before=pairs_before,
        eval_pairs=preference_report(trainer) if scores_pairs else {},
        log_history=list(trainer.state.log_history),
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
    media: MediaEncoder | None = None,
) -> tuple[nn.Module, PreTrainedTokenizerBase, Any, Any, Any, BuildReport, MediaEncoder | None]:
    """Model + tokenizer (loaded unless given), datasets with their report, adapter applied,
    and the media encoder of a multimodal model (found from the model unless given)."""
    if model is None or tokenizer is None:
        model, tokenizer = load_model_and_tokenizer(config.model_path, config.dtype)
    if media is None:
        media = media_encoder_for(model, config.model_path, config)
    report = BuildReport()
    train = prepare_dataset(
        config.train_file,
        tokenizer,
        config,
        preference=preference,
        report=report,
        limit=config.max_train_samples,
        media=media,
    )
    evaluation = None
    if config.eval_file:
        evaluation = prepare_dataset(
            config.eval_file,
            tokenizer,
            config,
            preference=preference,
            report=BuildReport(),
            media=media,
        )
    model, peft_config = apply_adapter(model, config)
    return model, tokenizer, peft_config, train, evaluation, report, media


def _trainer_inputs(
    config: SFTTrainConfig,
    model: nn.Module | None,
    tokenizer: PreTrainedTokenizerBase | None,
    callbacks: Sequence[TrainerCallback],
    *,
    preference: bool,
    media: MediaEncoder | None = None,
) -> tuple[dict[str, Any], PreTrainedTokenizerBase, BuildReport, MediaEncoder | None]:
    """The keyword arguments both TRL trainers take, the tokenizer, the data report and the
    media encoder (None for a text-only model)."""
    model, tokenizer, peft_config, train, evaluation, report, media = _prepare(
        config, model, tokenizer, preference=preference, media=media
    )
    kwargs = {
        "model": model,
        "train_dataset": train,
        "eval_dataset": evaluation,
        "processing_class": tokenizer,
        "peft_config": peft_config,
        "callbacks": list(callbacks),
    }
    return kwargs, tokenizer, report, media


def build_ca_dpo_trainer(
    config: CADPOTrainConfig,
    callbacks: Sequence[TrainerCallback] = (),
    model: nn.Module | None = None,
    tokenizer: PreTrainedTokenizerBase | None = None,
    media: MediaEncoder | None = None,
) -> tuple[CADPOTrainer, BuildReport]:
    """The configured CA-DPO trainer (not yet trained) and the data report.

    ``media``: the media encoder of a multimodal ``model`` passed in (by default built from the
    processor in ``config.model_path``).
    """
    kwargs, tokenizer, report, media = _trainer_inputs(
        config, model, tokenizer, callbacks, preference=True, media=media
    )
    # Our collator does all the truncation (config.max_length, config.truncation_mode): TRL's own
    # would drop pairs whose prompt fills max_length (keep_divergence handles them; keep_start
    # ones are counted in enforce_length) and deprecates keep_end in DPOConfig.
    common = {**_common_args(config), "max_length": None, "truncation_mode": "keep_start"}
    collator = ConflictPreferenceCollator(
        pad_token_id=tokenizer.pad_token_id,
        max_length=config.max_length,
        truncation_mode=config.truncation_mode,
        divergence_context=config.divergence_context,
        media=media,
    )
    with _quiet_datasets():
        trainer = CADPOTrainer(
            **kwargs,
            args=DPOConfig(**common, loss_type=["sigmoid"], dataset_num_proc=None),
            data_collator=collator,
            beta=config.beta,
            eta=config.eta,
            gamma=config.gamma,
            precompute_ref=config.precompute_ref_logps,
        )
    _silence(trainer)
    return trainer, report


def build_sft_trainer(
    config: SFTTrainConfig,
    callbacks: Sequence[TrainerCallback] = (),
    model: nn.Module | None = None,
    tokenizer: PreTrainedTokenizerBase | None = None,
    media: MediaEncoder | None = None,
) -> tuple[SEDSFTTrainer, BuildReport]:
    """The configured SFT trainer (not yet trained) and the data report (``media`` as in
    :func:`build_ca_dpo_trainer`)."""
    kwargs, tokenizer, report, media = _trainer_inputs(
        config, model, tokenizer, callbacks, preference=False, media=media
    )
    extra: dict[str, Any] = {}
    if media is not None:  # rows come tokenized with their clips' placeholders expanded
        kwargs["data_collator"] = MediaSFTCollator(pad_token_id=tokenizer.pad_token_id, media=media)
        extra["dataset_kwargs"] = {"skip_prepare_dataset": True}
    args = SFTConfig(
        **_common_args(config), completion_only_loss=True, dataset_num_proc=None, **extra
    )
    with _quiet_datasets():
        trainer = SEDSFTTrainer(**kwargs, args=args)
    _silence(trainer)
    return trainer, report


def _train(
    build: Callable[..., tuple[Any, BuildReport]],
    config: SFTTrainConfig,
    callbacks: Sequence[TrainerCallback],
    threads: int | None,
) -> TrainingSummary:
    with _torch_threads(threads), _renamed_argument_warnings_off():
        trainer, report = build(config, callbacks)
        return _run(trainer, config, report)


@contextlib.contextmanager
def _renamed_argument_warnings_off() -> Iterator[None]:
    """TRL 1.16 reads transformers 5's renamed ``gradient_checkpointing`` arguments, which warns
    twice per run (FutureWarning, "... deprecated and will be removed in v6. Use
    `activation_checkpointing` ..."). Nothing a user can act on: hidden for our run only
    (``warnings.catch_warnings`` restores the caller's filters)."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r".*gradient_checkpointing.* is deprecated", category=FutureWarning
        )
        yield


def train_sft(
    config: SFTTrainConfig, callbacks: Sequence[TrainerCallback] = (), threads: int | None = None
) -> TrainingSummary:
    """Run stage 1 (SED SFT) as configured; checkpoints are resumable."""
    return _train(build_sft_trainer, config, callbacks, threads)


def train_ca_dpo(
    config: CADPOTrainConfig, callbacks: Sequence[TrainerCallback] = (), threads: int | None = None
) -> TrainingSummary:
    """Run stage 2 (CA-DPO) as configured; checkpoints are resumable."""
    return _train(build_ca_dpo_trainer, config, callbacks, threads)
