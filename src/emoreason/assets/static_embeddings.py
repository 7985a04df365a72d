"""A static (model2vec-format) token-embedding table distilled from the shipped all-MiniLM-L6-v2.

Ours, after the model2vec idea (Tulkens & van Dongen, MinishLab), written for this project:
the ``model2vec[distill]`` extra pins ``transformers<5.4`` and would downgrade our stack, so the
distillation is done here and only model2vec's runtime (``StaticModel``) is used to load and
encode. Steps:

1. every WordPiece token ``t`` of the MiniLM vocabulary (special and ``[unused*]`` tokens
   excepted: they get a zero vector) is embedded *as a one-token sentence* by MiniLM itself:
   ``[CLS] t [SEP]`` -> mean pooling over the three positions (the model's own pooling);
2. the mean of those vectors is subtracted from each: one-token MiniLM vectors share a large
   common direction, which would make every two sentences look alike (cosines near 1); the
   centred table is projected on its first ``pca_dims`` principal axes (384 -> 256);
3. each vector is scaled by a smooth-inverse-frequency weight ``a / (a + p(t))`` with
   ``p`` from Zipf's law over the vocabulary order (BERT's WordPiece list is roughly sorted by
   frequency after its single characters), ``a = sif_coefficient``: frequent tokens ("the",
   "is") count less in a sentence mean.

A sentence vector is then the mean of its tokens' vectors, L2-normalised: no transformer at
all, ~10^4 short strings/s, at the price of word order and context. Measured against MiniLM on
EmoCue-360 (``benchmarks/bench_emocue.py``): per-sample F1 correlates at r ≈ 0.65-0.75, and
the scores run ~0.2-0.25 higher, so numbers from the two embedders are not comparable. Of the
variants tried (mean vs token-position pooling, with/without centring, SIF 1e-3/1e-4/none,
PCA none/256/128), this one had the best agreement.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

#: Tokens that never occur in text and stay zero.
_SPECIAL = re.compile(r"^\[(?:PAD|UNK|CLS|SEP|MASK|unused\d+)\]$")
DEFAULT_SIF_COEFFICIENT = 1e-4
DEFAULT_PCA_DIMS = 256
_BATCH = 2048


def zipf_sif_weights(n_tokens: int, sif_coefficient: float) -> np.ndarray:
    """``a / (a + p_r)`` for ranks ``r = 1..n`` with Zipf probabilities ``p_r ∝ 1 / (r + 1)``."""
    if not 0 < sif_coefficient < 1:
        raise ValueError(f"sif_coefficient: expected a value in (0, 1), got {sif_coefficient}")
    inverse_rank = 1.0 / np.arange(2, n_tokens + 2, dtype=np.float64)  # (n,)
    probability = inverse_rank / inverse_rank.sum()
    return sif_coefficient / (sif_coefficient + probability)


def token_vectors(model_dir: str | Path) -> tuple[np.ndarray, list[str]]:
    """MiniLM's own sentence vector of every vocabulary token: ``(V, D)`` float32, the tokens."""
    import torch

    from emoreason.sentence_encoder import SentenceEncoder, mean_pool

    encoder = SentenceEncoder(model_dir)
    tokenizer = encoder.tokenizer
    vocab = sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])
    tokens = [token for token, _ in vocab]
    if [index for _, index in vocab] != list(range(len(vocab))):
        raise ValueError(f"{model_dir}: tokenizer ids are not 0..V-1")
    vectors = np.zeros((len(tokens), encoder.model.config.hidden_size), dtype=np.float32)
    wanted = np.array([i for i, t in enumerate(tokens) if not _SPECIAL.match(t)])
    cls_id, sep_id = tokenizer.cls_token_id, tokenizer.sep_token_id
    with torch.inference_mode():
        for start in range(0, len(wanted), _BATCH):
            ids = torch.as_tensor(wanted[start : start + _BATCH])  # (b,)
            input_ids = torch.stack(
                [torch.full_like(ids, cls_id), ids, torch.full_like(ids, sep_id)], dim=1
            )  # (b, 3)
            mask = torch.ones_like(input_ids)
            hidden = encoder.model(input_ids=input_ids, attention_mask=mask).last_hidden_state
            vectors[wanted[start : start + _BATCH]] = mean_pool(hidden, mask).numpy()  # (b, D)
    return vectors, tokens


def distill_static_model(
    model_dir: str | Path,
    output_dir: str | Path,
    sif_coefficient: float = DEFAULT_SIF_COEFFICIENT,
    pca_dims: int = DEFAULT_PCA_DIMS,
) -> dict:
    """Write a model2vec ``StaticModel`` folder distilled from ``model_dir``; returns its facts."""
    from model2vec import StaticModel
    from tokenizers import Tokenizer

    vectors, tokens = token_vectors(model_dir)
    real = vectors.any(axis=1)  # (V,) special tokens stay zero
    centred = vectors[real] - vectors[real].mean(axis=0)  # (R, D) without the shared direction
    _, _, axes = np.linalg.svd(centred, full_matrices=False)  # (min(R, D), D) principal axes
    dims = min(pca_dims, axes.shape[0])
    table = np.zeros((len(tokens), dims), dtype=np.float32)
    table[real] = centred @ axes[:dims].T  # (R, dims)
    weighted = table * zipf_sif_weights(len(tokens), sif_coefficient)[:, None].astype(np.float32)
    tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
    model = StaticModel(
        vectors=weighted,
        tokenizer=tokenizer,
        config={
            "distilled_from": "all-MiniLM-L6-v2",
            "sif_coefficient": sif_coefficient,
            "pca_dims": dims,
        },
        normalize=True,
        base_model_name="all-MiniLM-L6-v2",
        language=["en"],
    )
    model.save_pretrained(output_dir)
    return {
        "tokens": len(tokens),
        "dim": dims,
        "sif_coefficient": sif_coefficient,
        "pca_dims": pca_dims,
    }
