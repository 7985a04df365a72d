"""Configuration of MoSE (mixture of modality-specific LoRA experts, MoSEAR arXiv 2508.01181).

Fields, grouped:

* **low rank**: ``r`` (rank of the shared down-projection A and of every expert B), ``alpha``
  (the update is scaled by ``alpha / r``), ``dropout`` (on the input of A only).
* **gate**: ``epsilon`` (λ stays in ``[0.5 - ε, 0.5 + ε]``), ``gate_hidden`` (hidden size of the
  gate MLP g; 0 = a single linear map), ``init_gate`` (``zero``: λ = 0.5 at start).
* **targets**: ``target_modules`` (names of the ``nn.Linear`` layers to adapt: a last name component
  such as ``q_proj`` or a dotted suffix such as ``self_attn.q_proj``), ``exclude_modules`` (dotted
  paths to skip anywhere in the name, e.g. the audio and vision towers of a multimodal model:
  :data:`OMNI_THINKER_EXCLUDE`).
* **init**: ``init_lora_a`` (``kaiming`` uniform as in LoRA, or ``gaussian``), ``init_lora_b``
  (``zero``: the adapted model starts equal to the base model; ``gaussian``: small random experts,
  for tests and ablations only).

The same dataclass loads from a dict or a YAML file (:meth:`MoSEConfig.from_dict`,
:meth:`MoSEConfig.from_yaml`); unknown keys raise :class:`~emoreason.errors.ConfigError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emoreason.config import ConfigLoading
from emoreason.errors import ConfigError

LLAMA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
OMNI_THINKER_EXCLUDE = ["audio_tower", "visual"]  # Qwen2.5-Omni thinker: adapt the LM only
INIT_LORA_A = ("kaiming", "gaussian")
INIT_LORA_B = ("zero", "gaussian")
INIT_GATE = ("zero", "random")


@dataclass
class MoSEConfig(ConfigLoading):
    """MoSE adapter settings; every constant of the formulation in docs/methods/mose.md is a field here."""

    r: int = field(default=8, metadata={"help": "Rank of the shared A and of the experts."})
    alpha: float = field(default=16.0, metadata={"help": "Scale of the update: alpha / r."})
    dropout: float = field(
        default=0.0, metadata={"help": "Dropout on the input of A (not on the gate), in [0, 1)."}
    )
    epsilon: float = field(
        default=0.1,
        metadata={"help": "Gate bound (ours): lambda = 0.5 + epsilon * tanh(g(.)), in (0, 0.5]."},
    )
    gate_hidden: int = field(
        default=0,
        metadata={
            "help": "Hidden size of the gate MLP g (ours); 0 = one linear layer (default: an MLP "
            "costs 2*d_in*h per layer, as much as the shared A saves when h = r)."
        },
    )
    target_modules: list[str] = field(
        default_factory=lambda: list(LLAMA_TARGETS),
        metadata={"help": "nn.Linear names to adapt: last component ('q_proj') or dotted suffix."},
    )
    exclude_modules: list[str] = field(
        default_factory=list,
        metadata={
            "help": "Dotted module paths never adapted, matched on dot boundaries anywhere in "
            "the name (e.g. 'audio_tower', 'visual' for the Qwen2.5-Omni thinker)."
        },
    )
    init_lora_a: str = field(
        default="kaiming", metadata={"help": f"Init of A, one of {list(INIT_LORA_A)}."}
    )
    init_lora_b: str = field(
        default="zero",
        metadata={"help": f"Init of the experts B, one of {list(INIT_LORA_B)} (zero = base)."},
    )
    init_gate: str = field(
        default="zero",
        metadata={"help": f"Init of the gate output layer, one of {list(INIT_GATE)}."},
    )
    seed: int | None = field(
        default=None, metadata={"help": "Seed for the adapter init (None = current torch RNG)."}
    )

    def __post_init__(self) -> None:
        if isinstance(self.r, bool) or not isinstance(self.r, int) or self.r < 1:
            raise ConfigError(f"mose.r: expected an integer >= 1 (the LoRA rank), got {self.r!r}")
        if not _is_number(self.alpha) or not math.isfinite(self.alpha) or self.alpha <= 0:
            raise ConfigError(f"mose.alpha: expected a finite number > 0, got {self.alpha!r}")
        if not _is_number(self.dropout) or not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"mose.dropout: expected a number in [0, 1), got {self.dropout!r}")
        if not _is_number(self.epsilon) or not 0.0 < self.epsilon <= 0.5:
            raise ConfigError(
                f"mose.epsilon: expected a number in (0, 0.5] so that lambda stays in "
                f"[0.5 - epsilon, 0.5 + epsilon] within [0, 1], got {self.epsilon!r}"
            )
        if isinstance(self.gate_hidden, bool) or not isinstance(self.gate_hidden, int):
            raise ConfigError(
                f"mose.gate_hidden: expected an integer >= 0, got {self.gate_hidden!r}"
            )
        if self.gate_hidden < 0:
            raise ConfigError(f"mose.gate_hidden: expected an integer >= 0, got {self.gate_hidden}")
        self.target_modules = _name_list("target_modules", self.target_modules)
        if not self.target_modules:
            raise ConfigError("mose.target_modules: expected at least one module name, got []")
        self.exclude_modules = _name_list("exclude_modules", self.exclude_modules)
        for name, valid in (
            ("init_lora_a", INIT_LORA_A),
            ("init_lora_b", INIT_LORA_B),
            ("init_gate", INIT_GATE),
        ):
            if getattr(self, name) not in valid:
                raise ConfigError(
                    f"mose.{name}: expected one of {list(valid)}, got {getattr(self, name)!r}"
                )
        if self.seed is not None and (
            isinstance(self.seed, bool) or not isinstance(self.seed, int)
        ):
            raise ConfigError(f"mose.seed: expected an integer or null, got {self.seed!r}")

    @property
    def scaling(self) -> float:
        """The factor alpha / r applied to the low-rank update."""
        return self.alpha / self.r

    @classmethod
    def from_yaml(cls, path: str | Path, *, section: str | None = "mose") -> MoSEConfig:
        """Load from a YAML file holding the fields at top level (or under a ``mose:`` key)."""
        return super().from_yaml(path, section=section)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _name_list(field_name: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"mose.{field_name}: expected a list of non-empty strings, got {value!r}")
    return list(value)
