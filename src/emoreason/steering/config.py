"""Configuration of AR (attention reallocation), validated on construction.

Groups:

* **strength**: ``alpha`` (fraction of a biased head's audio mass moved to visual keys).
* **detection**: ``tau`` (layer audio/visual ratio threshold), ``kappa`` (head ratio threshold
  relative to the layer's mean head ratio), ``normalize_by_count`` (ratios per key).
* **scope**: ``layers`` (decoder layer indices; ``None`` = every layer).

The formulation is ours where the MoSEAR / CA-MER paper is silent (see
``docs/methods/ar-uap.md``); every constant is a field here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from emoreason.config import ConfigLoading
from emoreason.errors import ConfigError


@dataclass(frozen=True)
class ARConfig(ConfigLoading):
    """Attention reallocation settings (ours; docs/methods/ar-uap.md)."""

    alpha: float = field(
        default=0.5,
        metadata={
            "help": "Fraction of a biased head's audio attention moved to visual keys, in [0, 1]. "
            "0 disables the move (eager attention, detection still recorded)."
        },
    )
    tau: float = field(
        default=1.0,
        metadata={
            "help": "Layer threshold: a layer is audio-dominated when sum_h a_h / sum_h v_h > tau "
            "(>= 0)."
        },
    )
    kappa: float = field(
        default=1.0,
        metadata={
            "help": "Head threshold: a head is biased when its ratio a_h / v_h > kappa times the "
            "mean head ratio of its layer (>= 0)."
        },
    )
    normalize_by_count: bool = field(
        default=False,
        metadata={
            "help": "Compare attention per key (mass divided by the number of audio / visual keys) "
            "instead of total mass when detecting biased heads."
        },
    )
    layers: tuple[int, ...] | None = field(
        default=None,
        metadata={"help": "Decoder layer indices to reallocate (>= 0); null = every layer."},
    )
    eps: float = field(
        default=1e-12,
        metadata={"help": "Floor on denominators of the head and layer ratios (> 0)."},
    )

    def __post_init__(self) -> None:
        _check_number("alpha", self.alpha, low=0.0, high=1.0, valid="a number in [0, 1]")
        _check_number("tau", self.tau, low=0.0, valid="a finite number >= 0")
        _check_number("kappa", self.kappa, low=0.0, valid="a finite number >= 0")
        if not isinstance(self.normalize_by_count, bool):
            raise ConfigError(
                f"ARConfig.normalize_by_count: got {self.normalize_by_count!r}; "
                "valid: true or false"
            )
        if self.eps is None or isinstance(self.eps, bool) or not _is_number(self.eps):
            raise ConfigError(f"ARConfig.eps: got {self.eps!r}; valid: a number > 0")
        if not self.eps > 0 or not math.isfinite(self.eps):
            raise ConfigError(f"ARConfig.eps: got {self.eps!r}; valid: a finite number > 0")
        if self.layers is not None:
            layers = self.layers
            if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
                raise ConfigError(
                    f"ARConfig.layers: got {layers!r}; valid: null or a list of layer indices >= 0"
                )
            layers = tuple(layers)
            bad = [x for x in layers if isinstance(x, bool) or not isinstance(x, int) or x < 0]
            if bad or not layers:
                raise ConfigError(
                    f"ARConfig.layers: got {list(layers)!r}; valid: null or a non-empty list of "
                    "integer layer indices >= 0"
                )
            object.__setattr__(self, "layers", tuple(sorted(set(layers))))

    def applies_to(self, layer_idx: int) -> bool:
        """Whether AR moves attention in decoder layer ``layer_idx``."""
        return self.layers is None or layer_idx in self.layers


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_number(
    name: str, value: Any, *, low: float, high: float | None = None, valid: str
) -> None:
    if not _is_number(value) or not math.isfinite(value):
        raise ConfigError(f"ARConfig.{name}: got {value!r}; valid: {valid}")
    if value < low or (high is not None and value > high):
        raise ConfigError(f"ARConfig.{name}: got {value!r}; valid: {valid}")
