"""Training-free steering: AR (attention reallocation) and UAP modality-bias diagnostics.

* :func:`reallocate_attention` — the pure AR function on attention probabilities.
* :func:`attention_reallocation` — context manager applying AR inside a transformers model
  through the ``AttentionInterface`` registry.
* :func:`diagnose_modality_bias` — UAP per layer and head over generated tokens, before and
  after AR; :func:`save_uap_heatmap` draws it.

Modality ids per token: 0 text, 1 audio, 2 visual (LongTensor (batch, seq)).
"""

from emoreason.steering.attention import (
    AR_ATTENTION,
    AttentionReallocation,
    attention_reallocation,
    check_modality_ids,
)
from emoreason.steering.config import ARConfig
from emoreason.steering.diagnosis import (
    GenerationDiagnosis,
    ModalityBiasReport,
    diagnose_modality_bias,
    generate_with_diagnosis,
)
from emoreason.steering.heatmap import render_uap_heatmap, save_uap_heatmap
from emoreason.steering.reallocation import (
    AUDIO,
    TEXT,
    VISUAL,
    detect_biased_heads,
    key_masks_from_modality_ids,
    reallocate_attention,
)
from emoreason.steering.synthetic import (
    ContextSegment,
    ContextSpec,
    build_context,
    default_context_spec,
    load_context_spec,
    parse_context_spec,
)
from emoreason.steering.uap import UAPAccumulator, UAPTable, unimodal_attention_proportion

__all__ = [
    "AR_ATTENTION",
    "AUDIO",
    "TEXT",
    "VISUAL",
    "ARConfig",
    "AttentionReallocation",
    "ContextSegment",
    "ContextSpec",
    "GenerationDiagnosis",
    "ModalityBiasReport",
    "UAPAccumulator",
    "UAPTable",
    "attention_reallocation",
    "build_context",
    "check_modality_ids",
    "default_context_spec",
    "detect_biased_heads",
    "diagnose_modality_bias",
    "generate_with_diagnosis",
    "key_masks_from_modality_ids",
    "load_context_spec",
    "parse_context_spec",
    "reallocate_attention",
    "render_uap_heatmap",
    "save_uap_heatmap",
    "unimodal_attention_proportion",
]
