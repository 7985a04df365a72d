"""Training: SED instruction data, consistency-aware preference pairs, SFT and CA-DPO.

``ca_dpo_loss`` is a pure tensor function. Data builders live in ``sft_data`` and ``pairs``,
the TRL-based trainers in ``trainer`` (imported lazily: they pull in transformers and TRL).
"""

from emoreason.training.config import CADPOTrainConfig, SFTTrainConfig
from emoreason.training.loss import REWARD_METRICS, ca_dpo_loss

__all__ = ["REWARD_METRICS", "CADPOTrainConfig", "SFTTrainConfig", "ca_dpo_loss"]
