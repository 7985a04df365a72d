"""EmoCue-360 (XEmoGPT): cue-level soft matching of predicted vs reference emotion cues.

Each sample is a dict of cue lists per category (``visual``, ``auditory``, ``emotional``). For a
category, with unit-normalised embeddings e(·) and cosine ``s(a, b) = e(a)·e(b)``::

    R_i = mean_{r ∈ Ref_i} max_{p ∈ Pred_i} s(r, p)      P_i = mean_{p ∈ Pred_i} max_{r ∈ Ref_i} s(r, p)
    F_i = 2 P_i R_i / (P_i + R_i)   (0 when P_i + R_i <= 0)

and the category score is the mean of P_i, R_i, F_i over the scored samples. Two variants:

``variant="official"`` (the default) reproduces ``EmoCue-360/compute_prf.py`` of the XEmoGPT
repository (github.com/W11H08Z/XEmoGPT, ``EmoCue360.compute_{visual,auditory,emotional}_prf``
and ``compute_recall_precision``), quirks included:

- samples are those *present in the predictions*: the script loops over the prediction dict, so
  a sample without a prediction (``None`` here, or an id absent from a prediction mapping) is
  not scored at all (its extraction failed upstream, ``extract_clue.py`` leaves it out);
- cosines are used as they are, **not clipped at 0**, so P, R and F can be negative; F is 0
  whenever P + R <= 0 (the script's ``if recall + precision > 0`` guard);
- auditory cues containing the substring ``"text"`` (case-sensitive: ``"context"`` and
  ``"Subtitle text: ..."`` are dropped, ``"Text"`` is kept) are dropped from both sides, then a
  sample whose filtered reference is empty is skipped; this is the script's subtitle rule;
- visual / auditory / emotional: a sample whose reference list is empty is skipped; an empty
  prediction list scores P = R = F = 0 (``compute_recall_precision`` returns 0, 0);
- emotional only: a prediction *without an ``emotional`` key* scores P = R = F = 0 even when
  the reference list is empty (the key test comes before the empty-reference test);
- cue strings are embedded exactly as given: no stripping, blank strings are embedded too;
- the category mean is ``sum / len``. Where the script stops with an error we answer instead
  (documented, never a different number where the script gives one): no scored sample -> NaN
  (script: ZeroDivisionError); a missing ``visual`` / ``auditory`` key -> an empty list (script:
  KeyError); a prediction id absent from the references -> ValueError (script: KeyError).

The embedder of the published script is all-MiniLM-L6-v2 through sentence-transformers
(``model.similarity`` = cosine); our default embedder is the same model (see
:mod:`emoreason.evaluation.embedders`), so the default numbers equal the script's up to float32
rounding (< 1e-6).

``variant="robust"`` (ours, opt-in) keeps what we think is a better measurement:

- cosines clipped at 0, so every score stays in [0, 1];
- auditory cues that only restate the subtitle are dropped from both sides
  (:func:`restates_subtitle`: markers, quoted speech, token overlap with the subtitle), instead
  of the substring rule;
- cue strings are stripped and blank ones removed; a missing key is an empty list for every
  category (no special case for ``emotional``);
- a sample without a prediction scores 0 on every category whose reference is non-empty.

All unique cue strings of a call are embedded once, in one batch. ``embedder`` is any callable
``list[str] -> (n, d)`` array; the default is all-MiniLM-L6-v2 (shipped in a package), loaded
offline, with a per-process cache of embeddings already computed. Faster opt-in embedders (a
static table distilled from the same MiniLM, any model2vec folder) and an on-disk cache are in
:mod:`emoreason.evaluation.embedders`; both variants work with any of them.
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
#: "official": the published script's rules; "robust": ours (module doc).
VARIANTS: tuple[str, ...] = ("official", "robust")
DEFAULT_VARIANT = "official"

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


def _robust_cues(sample: Mapping[str, Any], category: str) -> list[str]:
    value = sample.get(category) or []
    if isinstance(value, str):
        value = [value]
    return [str(c).strip() for c in value if str(c).strip()]


def _official_cues(sample: Mapping[str, Any], category: str) -> list[str]:
    """The list as given (a bare string counts as one cue; a missing key or None: empty)."""
    value = sample.get(category)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [c if isinstance(c, str) else str(c) for c in value]


def official_subtitle_cue(cue: str) -> bool:
    """The published script's subtitle rule: the cue contains ``"text"`` (case-sensitive)."""
    return "text" in cue


#: a sample scored 0 without embedding anything (empty prediction, missing ``emotional`` key)
_ZERO = "zero"
Pair = tuple[list[str], list[str]] | str | None


def _official_pair(ref: Mapping[str, Any], pred: Mapping[str, Any] | None, category: str) -> Pair:
    if pred is None:
        return None  # the script only loops over the samples it has predictions for
    if category == "emotional" and "emotional" not in pred:
        return _ZERO
    ref_cues, pred_cues = _official_cues(ref, category), _official_cues(pred, category)
    if category == "auditory":
        ref_cues = [c for c in ref_cues if not official_subtitle_cue(c)]
        pred_cues = [c for c in pred_cues if not official_subtitle_cue(c)]
    if not ref_cues:
        return None
    if not pred_cues:
        return _ZERO
    return ref_cues, pred_cues


def _robust_pair(
    ref: Mapping[str, Any],
    pred: Mapping[str, Any] | None,
    category: str,
    subtitle: str | None,
    threshold: float,
) -> Pair:
    ref_cues = _robust_cues(ref, category)
    pred_cues = _robust_cues(pred, category) if pred is not None else []
    if category == "auditory":
        ref_cues = [c for c in ref_cues if not restates_subtitle(c, subtitle, threshold)]
        pred_cues = [c for c in pred_cues if not restates_subtitle(c, subtitle, threshold)]
    if not ref_cues:
        return None
    if not pred_cues:
        return _ZERO
    return ref_cues, pred_cues


def check_variant(variant: str) -> str:
    if variant not in VARIANTS:
        raise ValueError(f"EmoCue-360 variant must be one of {list(VARIANTS)}, got {variant!r}")
    return variant


def _embed_unique(texts: list[str], embedder: Embedder | None) -> np.ndarray:
    """(n, d) unit rows for ``texts`` (zero rows stay zero), one embedder call."""
    if not texts:
        return np.zeros((0, 1))
    if embedder is None:
        embedder = default_embedder()
    vectors = np.asarray(embedder(texts), dtype=np.float64)  # (n_unique, d)
    if vectors.ndim != 2 or vectors.shape[0] != len(texts):
        raise ValueError(f"embedder returned shape {vectors.shape}; expected ({len(texts)}, d)")
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)  # (n_unique, 1)
    return vectors / np.where(norms > 0, norms, 1.0)


def emocue360_per_sample(
    references: Sequence[Mapping[str, Any]],
    predictions: Sequence[Mapping[str, Any] | None],
    embedder: Embedder | None = None,
    *,
    variant: str = DEFAULT_VARIANT,
    subtitles: Sequence[str | None] | None = None,
    restate_threshold: float = RESTATE_THRESHOLD,
) -> dict[str, list[tuple[float, float, float] | None]]:
    """Per category, per sample ``(precision, recall, f1)`` or None when not scored.

    ``predictions[i]`` is None when sample i has no prediction. ``subtitles[i]`` (or a
    ``subtitle`` key in ``references[i]``) feeds the robust restating rule; the official
    variant ignores subtitles (its rule is the ``"text"`` substring).
    """
    check_variant(variant)
    if len(references) != len(predictions):
        raise ValueError(f"{len(references)} references but {len(predictions)} predictions")
    if subtitles is not None and len(subtitles) != len(references):
        raise ValueError(f"{len(subtitles)} subtitles but {len(references)} references")
    pairs: dict[str, list[Pair]] = {c: [] for c in CATEGORIES}
    for i, (ref, pred) in enumerate(zip(references, predictions, strict=True)):
        subtitle = subtitles[i] if subtitles is not None else ref.get("subtitle")
        for category in CATEGORIES:
            if variant == "official":
                pairs[category].append(_official_pair(ref, pred, category))
            else:
                pairs[category].append(
                    _robust_pair(ref, pred, category, subtitle, restate_threshold)
                )

    unique = list(
        dict.fromkeys(
            c
            for items in pairs.values()
            for pair in items
            if isinstance(pair, tuple)
            for c in (*pair[0], *pair[1])
        )
    )
    index = {text: i for i, text in enumerate(unique)}
    vectors = _embed_unique(unique, embedder)

    out: dict[str, list[tuple[float, float, float] | None]] = {c: [] for c in CATEGORIES}
    for category, items in pairs.items():
        for pair in items:
            if pair is None:
                out[category].append(None)
                continue
            if pair == _ZERO:
                out[category].append((0.0, 0.0, 0.0))
                continue
            ref_cues, pred_cues = pair  # type: ignore[misc]
            ref_vec = vectors[[index[c] for c in ref_cues]]  # (n_ref, d)
            pred_vec = vectors[[index[c] for c in pred_cues]]  # (n_pred, d)
            sim = ref_vec @ pred_vec.T  # (n_ref, n_pred)
            if variant == "robust":
                sim = np.clip(sim, 0.0, None)
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


def _align(
    references: Mapping[str, Mapping[str, Any]], predictions: Mapping[str, Mapping[str, Any]]
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any] | None]]:
    """id-keyed dicts (the script's ``gt_dict`` / ``rf_dict``) as aligned lists."""
    unknown = [k for k in predictions if k not in references]
    if unknown:
        raise ValueError(f"prediction id {unknown[0]!r} is not in the references")
    ids = list(references)
    return [references[k] for k in ids], [predictions.get(k) for k in ids]


def emocue360(
    references: Sequence[Mapping[str, Any]] | Mapping[str, Mapping[str, Any]],
    predictions: Sequence[Mapping[str, Any] | None] | Mapping[str, Mapping[str, Any]],
    embedder: Embedder | None = None,
    *,
    variant: str = DEFAULT_VARIANT,
    subtitles: Sequence[str | None] | None = None,
    restate_threshold: float = RESTATE_THRESHOLD,
) -> dict[str, dict[str, float]]:
    """EmoCue-360 scores ``{category: {"precision", "recall", "f1"}}`` (see the module doc).

    ``references`` / ``predictions``: aligned lists (a None prediction = no prediction), or
    dicts keyed by sample id like the published script's JSON files.
    """
    if isinstance(references, Mapping) != isinstance(predictions, Mapping):
        raise ValueError("give references and predictions both as lists or both as id dicts")
    if isinstance(references, Mapping) and isinstance(predictions, Mapping):
        if subtitles is not None:
            raise ValueError("subtitles are given per sample only with aligned lists")
        refs, preds = _align(references, predictions)
    else:
        refs, preds = list(references), list(predictions)  # type: ignore[arg-type]
    per_sample = emocue360_per_sample(
        refs,
        preds,
        embedder,
        variant=variant,
        subtitles=subtitles,
        restate_threshold=restate_threshold,
    )
    return {category: average_prf(scores) for category, scores in per_sample.items()}


def default_embedder() -> Embedder:
    """The process-wide all-MiniLM-L6-v2 embedder (see :mod:`emoreason.evaluation.embedders`)."""
    from emoreason.evaluation.embedders import default_embedder as minilm

    return minilm()
