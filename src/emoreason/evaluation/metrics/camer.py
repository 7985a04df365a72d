"""CA-MER scores: accuracy per subset and the video-aligned vs audio-aligned gap.

CA-MER (MoSEAR, ACM MM 2025) splits test clips by which side carries the true emotion when
the modalities conflict: ``video-aligned``, ``audio-aligned`` and ``consistent``. We found no
public evaluation script from the MoSEAR / CA-MER authors, so there is no "official" variant to
reproduce: accuracy per subset is the plain definition, and the bias number is (ours, as a
signed difference)::

    gap = accuracy(video-aligned) - accuracy(audio-aligned)

Positive: the model follows the face more than the voice and words; negative: the reverse;
near 0: balanced. Its absolute value is what a debiasing method should shrink.
"""

from __future__ import annotations

from collections.abc import Sequence

from emoreason.evaluation.metrics.classification import accuracy

SUBSETS: tuple[str, ...] = ("video-aligned", "audio-aligned", "consistent")


def normalize_subset(name: str) -> str:
    """``video_aligned`` / ``Video-Aligned`` / ``video aligned`` -> ``video-aligned``."""
    return "-".join(name.strip().lower().replace("_", " ").replace("-", " ").split())


def per_subset_accuracy(
    subsets: Sequence[str], y_true: Sequence[str], y_pred: Sequence[str]
) -> dict[str, float]:
    """``{subset: accuracy}`` for every subset present (names normalised)."""
    if not len(subsets) == len(y_true) == len(y_pred):
        raise ValueError("subsets, y_true and y_pred must have the same length")
    groups: dict[str, tuple[list[str], list[str]]] = {}
    for s, t, p in zip(subsets, y_true, y_pred, strict=True):
        trues, preds = groups.setdefault(normalize_subset(s), ([], []))
        trues.append(t)
        preds.append(p)
    return {name: accuracy(t, p) for name, (t, p) in sorted(groups.items())}


def modality_bias_gap(
    subsets: Sequence[str], y_true: Sequence[str], y_pred: Sequence[str]
) -> float:
    """accuracy(video-aligned) − accuracy(audio-aligned); NaN if either subset is absent."""
    scores = per_subset_accuracy(subsets, y_true, y_pred)
    if "video-aligned" not in scores or "audio-aligned" not in scores:
        return float("nan")
    return scores["video-aligned"] - scores["audio-aligned"]
