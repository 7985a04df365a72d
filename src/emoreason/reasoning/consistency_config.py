"""Every threshold of the consistency verdict, as one config dataclass (rule: ``consistency_rules``).

The shipped defaults are the values fitted by ``emoreason fit-consistency`` on the development
conflict set (see :data:`FIT_PROVENANCE`); a YAML written by that command loads with
``ConsistencyConfig.from_yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from emoreason.config import ConfigLoading
from emoreason.errors import ConfigError

#: Where the shipped defaults come from (updated when they are refitted).
FIT_PROVENANCE = (
    "fitted by emoreason fit-consistency (start: examples/conflicts/consistency_handset.yaml) "
    "on the DEV conflict set (EmoDB speakers 11-16 under the example faces, 72 clips) + the "
    "example-clip set (12 clips), perception at commit 4f2b672; numbers in the README section "
    "'The consistency verdict on a built conflict set' (hand-set -> fitted: min_label_margin "
    "0.05 -> 0.01, reliable_verbal 0.3 -> 0.35, neutral_conflict_min_confidence 0.5 -> 0.55, "
    "hostile_min_confidence 0.45 -> 0.4, resolution_margin 0.1 -> 0.05)"
)


def _unit(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"ConsistencyConfig.{name} must be in [0, 1], got {value}")


@dataclass
class ConsistencyConfig(ConfigLoading):
    """Thresholds of the verdict rule (ours, see :mod:`emoreason.reasoning.consistency_rules`).

    Evidence: ``min_confidence``, ``min_label_margin`` (below either: no evidence).
    Reliability: ``reliable_visual``, ``reliable_acoustic``, ``reliable_verbal`` (below: a weak
    modality that may support a side but never creates a conflict), and
    ``neutral_conflict_min_confidence`` (the same for a 'neutral' reading).
    Fusion weights: ``w_visual``, ``w_acoustic``, ``w_verbal``.
    Patterns: ``sarcasm_positive_words``, ``hostile_mass``, ``hostile_min_confidence``.
    Generic resolution: ``resolution_margin``.
    """

    min_confidence: float = field(
        default=0.15, metadata={"help": "hypotheses below this confidence give no evidence"}
    )
    min_label_margin: float = field(
        default=0.01,
        metadata={
            "help": "a top label must beat the runner-up by this much (else: flat, no evidence)"
        },
    )
    reliable_visual: float = field(
        default=0.3,
        metadata={"help": "confidence from which the face may create a conflict on its own"},
    )
    reliable_acoustic: float = field(
        default=0.3,
        metadata={"help": "confidence from which the voice may create a conflict on its own"},
    )
    reliable_verbal: float = field(
        default=0.35,
        metadata={"help": "confidence from which the words may create a conflict on its own"},
    )
    neutral_conflict_min_confidence: float = field(
        default=0.55,
        metadata={"help": "a 'neutral' reading may create a conflict only at or above this"},
    )
    w_visual: float = field(default=1.0, metadata={"help": "fusion weight of the visual vote"})
    w_acoustic: float = field(
        default=0.7, metadata={"help": "fusion weight of the acoustic (voice) vote"}
    )
    w_verbal: float = field(default=1.0, metadata={"help": "fusion weight of the verbal vote"})
    sarcasm_positive_words: float = field(
        default=0.25, metadata={"help": "P_verbal(happy) at which words count as partly positive"}
    )
    hostile_mass: float = field(
        default=0.3,
        metadata={"help": "angry+disgusted mass (voice or words) that counts as hostile"},
    )
    hostile_min_confidence: float = field(
        default=0.4,
        metadata={"help": "hostile voice/words need this confidence to override a smile"},
    )
    resolution_margin: float = field(
        default=0.05, metadata={"help": "vote margin one side needs to win a generic conflict"}
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ConfigError(f"ConsistencyConfig.{f.name} must be a number, got {value!r}")
            if f.name.startswith("w_"):
                if value < 0:
                    raise ConfigError(f"ConsistencyConfig.{f.name} must be >= 0, got {value}")
            else:
                _unit(f.name, float(value))
        if self.min_label_margin <= 0:
            raise ConfigError(
                "ConsistencyConfig.min_label_margin must be > 0 (a flat distribution must never "
                f"count as a reading), got {self.min_label_margin}"
            )

    def weight(self, modality: str) -> float:
        """The fusion weight ``w_<modality>`` (1.0 for a modality without one)."""
        return float(getattr(self, f"w_{modality}", 1.0))

    def reliability(self, modality: str, label: str) -> float:
        """Confidence a reading of ``label`` by ``modality`` needs to create a conflict."""
        own = float(getattr(self, f"reliable_{modality}", 0.0))
        return max(own, self.neutral_conflict_min_confidence) if label == "neutral" else own
