"""Open-vocabulary emotion scores (EMER / OV-MER style): Accuracy_s and Recall_s, our wheel.

This is the ``robust`` (ours) EMER score. The ``official`` one is AffectGPT's emotion-wheel
metric over the authors' five wheels and synonym tables
(:mod:`emoreason.evaluation.metrics.affectgpt_wheel`); it needs their ``emotion_wheel``
folder, which we do not ship, and without it the EMER tasks fall back to this module (the
report says so). The per-sample rule is the same as the authors'; the mapping tables differ.

Both sets are first mapped through our emotion wheel
(:func:`emoreason.evaluation.emotion_wheel.map_to_bases`: synonyms and word forms -> base),
then per sample (OV-MER's set-level precision and recall)::

    Accuracy_s(i) = |B(P_i) ∩ B(T_i)| / |B(P_i)|        Recall_s(i) = |B(P_i) ∩ B(T_i)| / |B(T_i)|

averaged over samples. Edge cases (ours): a sample with an empty true set is skipped; an
empty prediction scores 0 on both.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from emoreason.evaluation.emotion_wheel import map_to_bases


def open_vocab_per_sample(
    references: Sequence[Sequence[str]], predictions: Sequence[Sequence[str]]
) -> list[tuple[float, float] | None]:
    """Per sample ``(accuracy_s, recall_s)``, or None for a skipped sample (empty truth)."""
    if len(references) != len(predictions):
        raise ValueError(f"{len(references)} reference sets but {len(predictions)} prediction sets")
    out: list[tuple[float, float] | None] = []
    for ref, pred in zip(references, predictions, strict=True):
        truth = map_to_bases(ref)
        if not truth:
            out.append(None)
            continue
        guess = map_to_bases(pred)
        if not guess:
            out.append((0.0, 0.0))
            continue
        hit = len(truth & guess)
        out.append((hit / len(guess), hit / len(truth)))
    return out


def open_vocab_scores(
    references: Sequence[Sequence[str]], predictions: Sequence[Sequence[str]]
) -> dict[str, float]:
    """``{"accuracy_s", "recall_s", "n"}`` averaged over the scored samples."""
    scored = [s for s in open_vocab_per_sample(references, predictions) if s is not None]
    if not scored:
        return {"accuracy_s": math.nan, "recall_s": math.nan, "n": 0}
    return {
        "accuracy_s": sum(a for a, _ in scored) / len(scored),
        "recall_s": sum(r for _, r in scored) / len(scored),
        "n": len(scored),
    }
