"""Training configurations: one dataclass per stage, loaded from YAML with the same fields.

``SFTTrainConfig`` (stage 1, SED supervised fine-tuning) and ``CADPOTrainConfig`` (stage 2,
consistency-aware DPO) share the model, data, adapter, optimisation and checkpoint fields.
Every field has a help text; values are checked in ``__post_init__`` and an unknown YAML key
raises :class:`~emoreason.errors.ConfigError` naming it and listing the valid ones.

Groups:
    model     - model_path, dtype, adapter, lora_*, target_modules, mose
    data      - train_file, eval_file, max_length, overlength, missing_media, max_train_samples
    media     - video_fps, video_min_frames, video_max_frames, video_min_pixels,
                video_max_pixels (multimodal models; analyze's and SABER-LLM's layout)
    optimiser - learning_rate, num_train_epochs, max_steps, per_device_train_batch_size,
                gradient_accumulation_steps, warmup_steps, lr_scheduler_type, seed
    output    - output_dir, logging_steps, save_steps, save_total_limit, resume_from_checkpoint
    CA-DPO    - beta, eta, gamma, precompute_ref_logps, divergence_context
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from emoreason.config import ConfigLoading
from emoreason.errors import ConfigError

if TYPE_CHECKING:
    from emoreason.reasoning.omni_media import MediaLayout

C = TypeVar("C", bound="SFTTrainConfig")

ADAPTERS = ("lora", "mose")
DTYPES = ("float32", "bfloat16")
OVERLENGTH_POLICIES = ("truncate", "skip")
MISSING_MEDIA_POLICIES = ("error", "skip")
TRUNCATION_MODES = ("keep_start", "keep_end")
#: CA-DPO only: a window around the first token where chosen and rejected differ.
PREFERENCE_TRUNCATION_MODES = (*TRUNCATION_MODES, "keep_divergence")
SCHEDULERS = ("linear", "constant", "cosine", "constant_with_warmup")


def _help(text: str) -> dict[str, str]:
    return {"help": text}


@dataclass
class SFTTrainConfig(ConfigLoading):
    """Stage 1: SED supervised fine-tuning of an adapter on ms-swift rows (``build-sft`` output)."""

    model_path: str = field(
        metadata=_help(
            "local folder of a Hugging Face causal LM, or 'smollm2' for the package-shipped "
            "SmolLM2-135M-Instruct; nothing is ever downloaded"
        )
    )
    train_file: str = field(
        metadata=_help("ms-swift JSONL to train on (build-sft/build-pairs output)")
    )
    output_dir: str = field(metadata=_help("folder for checkpoints, the final adapter and the log"))
    eval_file: str | None = field(default=None, metadata=_help("optional held-out JSONL"))
    adapter: str = field(default="lora", metadata=_help(f"adapter kind, one of {ADAPTERS}"))
    dtype: str = field(
        default="float32",
        metadata=_help(
            f"dtype of the model's weights, one of {list(DTYPES)}: bfloat16 halves the memory of "
            "a large model on a GPU (the adapters themselves train in float32)"
        ),
    )
    lora_r: int = field(default=8, metadata=_help("adapter rank r"))
    lora_alpha: float = field(
        default=16.0, metadata=_help("adapter scale alpha (update * alpha/r)")
    )
    lora_dropout: float = field(default=0.0, metadata=_help("dropout on the adapter input (LoRA)"))
    target_modules: list[str] = field(
        default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"],
        metadata=_help("names of the linear layers that get an adapter"),
    )
    layers: list[int] | None = field(
        default=None,
        metadata=_help(
            "LoRA only: indices of the decoder layers that get adapters (None = all); adapting "
            "only top layers also stops the backward pass there"
        ),
    )
    mose: dict[str, Any] = field(
        default_factory=dict,
        metadata=_help("extra MoSEConfig fields when adapter is 'mose' (e.g. epsilon)"),
    )
    max_length: int = field(default=1024, metadata=_help("max tokens of prompt + response"))
    truncation_mode: str = field(
        default="keep_start",
        metadata=_help(
            f"which part of an over-length sequence to keep: one of {TRUNCATION_MODES} "
            "(keep_end keeps the response's closing reasoning and drops the prompt start); "
            "CA-DPO also takes keep_divergence: a max_length window around the first token "
            "where chosen and rejected differ (see divergence_context)"
        ),
    )
    overlength: str = field(
        default="truncate",
        metadata=_help(f"longer sequences: one of {OVERLENGTH_POLICIES} (both are counted)"),
    )
    missing_media: str = field(
        default="error",
        metadata=_help(f"rows whose video/audio file is missing: one of {MISSING_MEDIA_POLICIES}"),
    )
    max_train_samples: int | None = field(
        default=None, metadata=_help("use only the first N training rows (None = all)")
    )
    video_fps: float = field(
        default=2.0,
        metadata=_help("multimodal models: frames sampled per second of each row's video"),
    )
    video_min_frames: int = field(
        default=4, metadata=_help("multimodal models: fewest frames per video")
    )
    video_max_frames: int = field(
        default=40,
        metadata=_help("multimodal models: most frames per video (SABER-LLM: FPS_MAX_FRAMES=40)"),
    )
    video_min_pixels: int = field(
        default=128 * 28 * 28,
        metadata=_help("multimodal models: smallest frame area in pixels after resizing"),
    )
    video_max_pixels: int = field(
        default=50176,
        metadata=_help(
            "multimodal models: largest frame area in pixels (SABER-LLM: VIDEO_MAX_PIXELS=50176; "
            "never below 1.05 x video_min_pixels)"
        ),
    )
    learning_rate: float = field(default=1e-4, metadata=_help("peak learning rate"))
    num_train_epochs: float = field(default=1.0, metadata=_help("passes over the data"))
    max_steps: int = field(default=-1, metadata=_help("optimizer steps; overrides epochs when > 0"))
    per_device_train_batch_size: int = field(default=2, metadata=_help("rows (or pairs) per step"))
    gradient_accumulation_steps: int = field(default=1, metadata=_help("micro-batches per step"))
    warmup_steps: int = field(default=0, metadata=_help("linear warm-up steps"))
    lr_scheduler_type: str = field(default="linear", metadata=_help(f"one of {SCHEDULERS}"))
    seed: int = field(default=42, metadata=_help("random seed (adapter init, shuffling)"))
    logging_steps: int = field(default=1, metadata=_help("log metrics every N steps"))
    save_steps: int = field(default=50, metadata=_help("save a resumable checkpoint every N steps"))
    save_total_limit: int | None = field(default=2, metadata=_help("checkpoints to keep"))
    eval_before_training: bool = field(
        default=False, metadata=_help("also evaluate eval_file before the first step")
    )
    resume_from_checkpoint: str | None = field(
        default=None,
        metadata=_help("a checkpoint folder, or 'latest' for the newest one in output_dir"),
    )

    @classmethod
    def _truncation_modes(cls) -> tuple[str, ...]:
        return TRUNCATION_MODES

    def media_layout(self) -> MediaLayout:
        """How a multimodal model's clips are sampled: the same layout analyze uses."""
        from emoreason.reasoning.omni_media import MediaLayout

        return MediaLayout.from_video_fields(self)

    def __post_init__(self) -> None:
        _choice("adapter", self.adapter, ADAPTERS)
        _choice("dtype", self.dtype, DTYPES)
        _choice("overlength", self.overlength, OVERLENGTH_POLICIES)
        _choice("truncation_mode", self.truncation_mode, self._truncation_modes())
        _choice("missing_media", self.missing_media, MISSING_MEDIA_POLICIES)
        _choice("lr_scheduler_type", self.lr_scheduler_type, SCHEDULERS)
        for name in ("lora_r", "max_length", "per_device_train_batch_size"):
            _positive(name, getattr(self, name))
        _positive("gradient_accumulation_steps", self.gradient_accumulation_steps)
        _positive("logging_steps", self.logging_steps)
        _positive("save_steps", self.save_steps)
        if not self.learning_rate > 0:
            raise ConfigError(f"learning_rate: must be > 0, got {self.learning_rate}")
        if not 0 <= self.lora_dropout < 1:
            raise ConfigError(f"lora_dropout: must be in [0, 1), got {self.lora_dropout}")
        if self.max_steps <= 0 and not self.num_train_epochs > 0:
            raise ConfigError("num_train_epochs: must be > 0 when max_steps is not set")
        if not self.target_modules or not all(isinstance(m, str) for m in self.target_modules):
            raise ConfigError("target_modules: expected a non-empty list of layer names")
        if self.layers is not None:
            if not self.layers or not all(isinstance(i, int) and i >= 0 for i in self.layers):
                raise ConfigError(
                    f"layers: expected a list of layer indices >= 0, got {self.layers!r}"
                )
            if self.adapter != "lora":
                raise ConfigError(
                    "layers: only for adapter 'lora' (MoSE: use mose.exclude_modules)"
                )
        if not isinstance(self.mose, dict):
            raise ConfigError(f"mose: expected a mapping, got {type(self.mose).__name__}")
        if self.max_train_samples is not None:
            _positive("max_train_samples", self.max_train_samples)
        self.media_layout()  # the video_* fields, checked as inference checks them


@dataclass
class CADPOTrainConfig(SFTTrainConfig):
    """Stage 2: consistency-aware DPO on preference rows (``build-pairs`` output)."""

    beta: float = field(
        default=0.1, metadata=_help("β: inverse temperature of the implicit reward")
    )
    eta: float = field(
        default=0.0,
        metadata=_help("η: conflict up-weighting, w_i = 1 + η·conflict_i (0 = plain DPO)"),
    )
    gamma: float = field(
        default=0.0, metadata=_help("γ: weight of the NLL term on chosen responses (0 = off)")
    )
    precompute_ref_logps: bool = field(
        default=False,
        metadata=_help(
            "compute reference log-probs once before training (adapter disabled) instead of "
            "one extra no-grad forward per step"
        ),
    )
    divergence_context: int = field(
        default=32,
        metadata=_help(
            "keep_divergence only: at least this many tokens before the first differing token "
            "stay in the window (more when the differing tails are short)"
        ),
    )

    @classmethod
    def _truncation_modes(cls) -> tuple[str, ...]:
        return PREFERENCE_TRUNCATION_MODES

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.divergence_context, int) or self.divergence_context < 0:
            raise ConfigError(
                f"divergence_context: expected an integer >= 0, got {self.divergence_context!r}"
            )
        if self.truncation_mode == "keep_divergence" and self.divergence_context >= self.max_length:
            raise ConfigError(
                f"divergence_context: {self.divergence_context} leaves no room for the differing "
                f"tokens within max_length {self.max_length}"
            )
        if not self.beta > 0:
            raise ConfigError(f"beta: must be > 0, got {self.beta}")
        if self.eta < 0:
            raise ConfigError(f"eta: must be >= 0, got {self.eta}")
        if self.gamma < 0:
            raise ConfigError(f"gamma: must be >= 0, got {self.gamma}")


def _choice(name: str, value: object, valid: tuple[str, ...]) -> None:
    if value not in valid:
        raise ConfigError(f"{name}: {value!r} is not valid; expected one of {list(valid)}")


def _positive(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"{name}: expected a positive integer, got {value!r}")
