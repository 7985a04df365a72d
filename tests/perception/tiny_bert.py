"""A tiny random BERT sentence-encoder folder (WordPiece vocab + weights), written by tests."""

from __future__ import annotations

from pathlib import Path

import torch
import transformers


def build_tiny_bert(folder: Path, words: list[str], hidden_size: int = 16) -> Path:
    """Save a 2-layer BERT over ``words`` (a WordPiece vocab, specials first) to ``folder``."""
    (folder / "vocab.txt").write_text("\n".join(words) + "\n")
    transformers.BertTokenizerFast(vocab=str(folder / "vocab.txt")).save_pretrained(folder)
    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=len(words), hidden_size=hidden_size, num_hidden_layers=2,
        num_attention_heads=2, intermediate_size=2 * hidden_size, max_position_embeddings=32,
    )  # fmt: skip
    transformers.BertModel(config).save_pretrained(folder)
    return folder
