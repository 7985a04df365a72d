"""MoSE: modality-specific LoRA experts with a regularized gate (MoSEAR, arXiv 2508.01181).

One shared down-projection A, a visual expert B_v (visual tokens), a non-visual expert B_n (text and
audio tokens) and a global expert B_g (all tokens), mixed by λ ∈ [0.5 − ε, 0.5 + ε]; see
docs/methods/mose.md and :mod:`emoreason.adapters.mose.layer` for the exact formulation.
"""

from emoreason.adapters.mose.config import OMNI_THINKER_EXCLUDE, MoSEConfig
from emoreason.adapters.mose.layer import MoSELinear
from emoreason.adapters.mose.model import (
    apply_mose,
    find_target_linears,
    gate_lambdas,
    load_mose,
    merge_mose,
    modality_ids,
    mose_disabled,
    mose_layers,
    mose_state_dict,
    save_mose,
    trainable_parameter_report,
    unmerge_mose,
)
from emoreason.adapters.mose.router import (
    AUDIO,
    TEXT,
    VISUAL,
    RegularizedGate,
    TokenRouting,
    modality_ids_from_inputs,
    modality_ids_from_tokens,
    placeholder_token_ids,
)

__all__ = [
    "AUDIO",
    "OMNI_THINKER_EXCLUDE",
    "TEXT",
    "VISUAL",
    "MoSEConfig",
    "MoSELinear",
    "RegularizedGate",
    "TokenRouting",
    "apply_mose",
    "find_target_linears",
    "gate_lambdas",
    "load_mose",
    "merge_mose",
    "modality_ids",
    "modality_ids_from_inputs",
    "modality_ids_from_tokens",
    "mose_disabled",
    "mose_layers",
    "mose_state_dict",
    "placeholder_token_ids",
    "save_mose",
    "trainable_parameter_report",
    "unmerge_mose",
]
