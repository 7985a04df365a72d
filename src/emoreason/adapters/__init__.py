"""Parameter-efficient adapters for emotion MLLMs (MoSE: modality-specific LoRA experts)."""
