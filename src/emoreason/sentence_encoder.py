"""all-MiniLM-L6-v2 sentence embeddings with plain ``transformers`` (no sentence-transformers import).

The model folder's own pipeline (``modules.json``) is Transformer -> mean pooling over real tokens
-> L2 normalisation; this module does exactly that. Importing sentence-transformers costs
~25 s of CPU on these machines (it pulls in its training stack); ``transformers`` alone ~4 s.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def mean_pool(hidden, mask):
    """Mean of token vectors where ``mask`` is 1: (B, T, D), (B, T) -> (B, D)."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)  # (B, T) -> (B, T, 1)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)


class SentenceEncoder:
    """Unit-length sentence vectors from a local BERT-style sentence-transformers folder."""

    def __init__(self, folder: str | Path, max_length: int = 256) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar: the library never prints

        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        self.model = AutoModel.from_pretrained(str(folder), local_files_only=True).eval()
        self.max_length = max_length

    def encode(self, sentences: list[str]) -> np.ndarray:
        """(n,) sentences -> (n, D) float32, each row of unit length."""
        if not sentences:
            return np.zeros((0, self.model.config.hidden_size), dtype=np.float32)
        torch = self._torch
        batch = self.tokenizer(
            sentences, padding=True, truncation=True, max_length=self.max_length,
            return_tensors="pt",
        )  # fmt: skip
        with torch.inference_mode():
            hidden = self.model(**batch).last_hidden_state  # (n, T, D)
            pooled = mean_pool(hidden, batch["attention_mask"])  # (n, D)
            pooled = torch.nn.functional.normalize(pooled, dim=-1)
        return pooled.float().numpy()
