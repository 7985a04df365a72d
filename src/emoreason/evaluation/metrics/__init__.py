"""Evaluation metrics: pure functions over labels, label sets and cue lists."""

from emoreason.evaluation.metrics.camer import (
    SUBSETS,
    modality_bias_gap,
    normalize_subset,
    per_subset_accuracy,
)
from emoreason.evaluation.metrics.classification import (
    accuracy,
    classification_scores,
    confusion_matrix,
    per_class_scores,
    unweighted_average_recall,
    weighted_average_recall,
    weighted_precision_recall_f1,
)
from emoreason.evaluation.metrics.emocue360 import (
    CATEGORIES,
    emocue360,
    emocue360_per_sample,
    restates_subtitle,
)
from emoreason.evaluation.metrics.open_vocab import open_vocab_per_sample, open_vocab_scores

__all__ = [
    "CATEGORIES",
    "SUBSETS",
    "accuracy",
    "classification_scores",
    "confusion_matrix",
    "emocue360",
    "emocue360_per_sample",
    "modality_bias_gap",
    "normalize_subset",
    "open_vocab_per_sample",
    "open_vocab_scores",
    "per_class_scores",
    "per_subset_accuracy",
    "restates_subtitle",
    "unweighted_average_recall",
    "weighted_average_recall",
    "weighted_precision_recall_f1",
]
