"""Kept for imports written before the move: the encoder lives in :mod:`emoreason.sentence_encoder`
(below assets, perception and evaluation, which all use it)."""

from emoreason.sentence_encoder import SentenceEncoder, mean_pool

__all__ = ["SentenceEncoder", "mean_pool"]
