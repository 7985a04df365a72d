"""EmoCue-360 (XEmoGPT): cue-level soft matching of predicted vs reference emotion cues.

Each sample is a dict of cue lists per category (``visual``, ``auditory``, ``emotional``). For a
category, with unit-normalised embeddings e(·) and cosine ``s(a, b) = max(0, e(a)·e(b))`` (ours:
clipped at 0 so every score stays in [0, 1])::

    R_i = mean_{r ∈ Ref_i} max_{p ∈ Pred_i} s(r, p)      P_i = mean_{p ∈ Pred_i} max_{r ∈ Ref_i} s(r, p)
    F_i = 2 P_i R_i / (P_i + R_i)   (0 when P_i + R_i = 0)

and the category score is the mean of P_i, R_i, F_i over samples. Edge cases (DESIGN.md):

- a sample whose reference list for the category is empty is skipped for that category;
- an empty prediction list scores P = R = F = 0;
- auditory cues that only restate the subtitle are dropped from both sides first
  (:func:`restates_subtitle`), since the subtitle is given to the model as input.

All unique cue strings of a call are embedded once, in one batch. ``embedder`` is any callable
``list[str] -> (n, d)`` array; the default is all-MiniLM-L6-v2 (shipped in a package), loaded
offline, with a per-process cache of embeddings already computed. Faster opt-in embedders (a
static table distilled from the same MiniLM, any model2vec folder) and an on-disk cache are in
:mod:`emoreason.evaluation.embedders`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

CATEGORIES: tuple[str, ...] = ("visual", "auditory", "emotional")
#: A cue whose content tokens are at least this fraction in the subtitle restates it.
RESTATE_THRESHOLD = 0.6

Embedder = Callable[[list[str]], Any]

_MARKER = re.compile(
    r"^\s*(?:the\s+)?(?:subtitles?|transcripts?|captions?|spoken\s+text|speech\s+text)\b"
    r"|^\s*(?:字幕|台词|原话)",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“「『']([^\"”」』']+)[\"”」』']")
_EN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "to",
        "of",
        "and",
        "or",
        "in",
        "on",
        "at",
        "it",
        "its",
        "this",
        "that",
        "with",
        "for",
        "as",
        "by",
        "he",
        "she",
        "they",
        "i",
        "you",
        "we",
        "his",
        "her",
        "their",
        "my",
        "your",
        "our",
        "me",
        "him",
        "them",
        "says",
        "said",
        "say",
        "saying",
        "speaker",
        "person",
        "character",
    ]
) | frozenset("的了是在和也就都而及与着")


def content_tokens(text: str) -> list[str]:
    """Lower-cased EN words and single CJK characters, without stop words."""
    lowered = text.lower()
    words = [w for w in _EN_WORD.findall(lowered) if w not in _STOPWORDS]
    chars = [c for c in _CJK_CHAR.findall(lowered) if c not in _STOPWORDS]
    return words + chars


def restates_subtitle(
    cue: str, subtitle: str | None = None, threshold: float = RESTATE_THRESHOLD
) -> bool:
    """Whether an auditory cue only restates what is said (ours, precise rule).

    True when any of:

    1. it starts with a subtitle marker ("Subtitle ...", "The transcript ...", "字幕", "台词");
    2. it quotes a span of at least 3 content tokens (verbatim speech, not how it sounds);
    3. a subtitle is known and at least ``threshold`` of the cue's content tokens occur in it
       (token overlap = |tokens(cue) ∩ tokens(subtitle)| / |tokens(cue)|, tokens from
       :func:`content_tokens`).
    """
    if _MARKER.search(cue):
        return True
    if any(len(content_tokens(q)) >= 3 for q in _QUOTED.findall(cue)):
        return True
    if subtitle:
        cue_tokens = content_tokens(cue)
        if cue_tokens:
            said = set(content_tokens(subtitle))
            overlap = sum(t in said for t in cue_tokens) / len(cue_tokens)
            return overlap >= threshold
    return False


def _cues(sample: Mapping[str, Any], category: str) -> list[str]:
    value = sample.get(category) or []
    if isinstance(value, str):
        value = [value]
    return [str(c).strip() for c in value if str(c).strip()]


def emocue360_per_sample(
    references: Sequence[Mapping[str, Any]],
    predictions: Sequence[Mapping[str, Any]],
    embedder: Embedder | None = None,
    *,
    subtitles: Sequence[str | None] | None = None,
    restate_threshold: float = RESTATE_THRESHOLD,
) -> dict[str, list[tuple[float, float, float] | None]]:
    """Per category, per sample ``(precision, recall, f1)`` or None when skipped.

    ``subtitles[i]`` (or a ``subtitle`` key in ``references[i]``) feeds the restating rule.
    """
    if len(references) != len(predictions):
        raise ValueError(f"{len(references)} references but {len(predictions)} predictions")
    if subtitles is not None and len(subtitles) != len(references):
        raise ValueError(f"{len(subtitles)} subtitles but {len(references)} references")
    pairs: dict[str, list[tuple[list[str], list[str]]]] = {c: [] for c in CATEGORIES}
    for i, (ref, pred) in enumerate(zip(references, predictions, strict=True)):
        subtitle = subtitles[i] if subtitles is not None else ref.get("subtitle")
        for category in CATEGORIES:
            ref_cues, pred_cues = _cues(ref, category), _cues(pred, category)
            if category == "auditory":
                ref_cues = [
                    c for c in ref_cues if not restates_subtitle(c, subtitle, restate_threshold)
                ]
                pred_cues = [
                    c for c in pred_cues if not restates_subtitle(c, subtitle, restate_threshold)
                ]
            pairs[category].append((ref_cues, pred_cues))

    unique = list(dict.fromkeys(c for cat in pairs.values() for r, p in cat for c in (*r, *p)))
    index = {text: i for i, text in enumerate(unique)}
    if unique:
        if embedder is None:
            embedder = default_embedder()
        vectors = np.asarray(embedder(unique), dtype=np.float64)  # (n_unique, d)
        if vectors.ndim != 2 or vectors.shape[0] != len(unique):
            raise ValueError(
                f"embedder returned shape {vectors.shape}; expected ({len(unique)}, d)"
            )
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)  # (n_unique, 1)
        vectors = vectors / np.where(norms > 0, norms, 1.0)
    else:
        vectors = np.zeros((0, 1))

    out: dict[str, list[tuple[float, float, float] | None]] = {c: [] for c in CATEGORIES}
    for category, items in pairs.items():
        for ref_cues, pred_cues in items:
            if not ref_cues:
                out[category].append(None)
                continue
            if not pred_cues:
                out[category].append((0.0, 0.0, 0.0))
                continue
            ref_vec = vectors[[index[c] for c in ref_cues]]  # (n_ref, d)
            pred_vec = vectors[[index[c] for c in pred_cues]]  # (n_pred, d)
            sim = np.clip(ref_vec @ pred_vec.T, 0.0, None)  # (n_ref, n_pred)
            recall = float(sim.max(axis=1).mean())
            precision = float(sim.max(axis=0).mean())
            f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
            out[category].append((precision, recall, f1))
    return out


def average_prf(scores: Sequence[tuple[float, float, float] | None]) -> dict[str, float]:
    """Mean precision / recall / F1 over the non-skipped samples (NaN when none)."""
    kept = [s for s in scores if s is not None]
    if not kept:
        return {"precision": math.nan, "recall": math.nan, "f1": math.nan}
    return {
        "precision": sum(s[0] for s in kept) / len(kept),
        "recall": sum(s[1] for s in kept) / len(kept),
        "f1": sum(s[2] for s in kept) / len(kept),
    }


def emocue360(
    references: Sequence[Mapping[str, Any]],
    predictions: Sequence[Mapping[str, Any]],
    embedder: Embedder | None = None,
    *,
    subtitles: Sequence[str | None] | None = None,
    restate_threshold: float = RESTATE_THRESHOLD,
) -> dict[str, dict[str, float]]:
    """EmoCue-360 scores ``{category: {"precision", "recall", "f1"}}`` (see the module doc)."""
    per_sample = emocue360_per_sample(
        references,
        predictions,
        embedder,
        subtitles=subtitles,
        restate_threshold=restate_threshold,
    )
    return {category: average_prf(scores) for category, scores in per_sample.items()}


def default_embedder() -> Embedder:
    """The process-wide all-MiniLM-L6-v2 embedder (see :mod:`emoreason.evaluation.embedders`)."""
    from emoreason.evaluation.embedders import default_embedder as minilm

    return minilm()
