"""EmoBench-M scores as its authors' public scripts compute them (github.com/Emo-gml/EmoBench-M).

Classification (``evaluate_classification`` in ``eval.py`` / ``EmoBench-M-eval.py``):

- each gold label and each predicted label is normalised with ``str.strip().lower()``;
- a pair is dropped when either side is empty (a missing prediction is an empty one: the
  script only sees the rows of its result files); nothing else is mapped: no synonyms, an
  answer that is not exactly a label after normalisation is simply wrong;
- an older revision of ``EmoBench-M-eval.py`` (and ``emo_eval.py``) takes ``--categories`` and
  drops every pair whose gold or predicted label is not one of them: pass ``categories``;
- on the kept pairs, pooled over all the files given: ``accuracy_score`` and sklearn's
  ``average='weighted'`` precision, recall and F1 with ``zero_division=0`` (classes are those
  of gold and predictions; each class is weighted by its gold count, so a class that is only
  ever predicted weighs 0).

Joint emotion + intent, MC-EIU (``evaluate_joint`` in ``eval.py``, ``MC-EIU.py``):

- ``MC-EIU.py`` reads the emotion and the intent out of a free answer (and out of the gold
  answer) as the *first category of its list* that occurs as a substring of the lower-cased
  text (:func:`first_listed_match`, list order, not text order); a sample where any of the four
  cannot be read is left out;
- ``evaluate_joint`` keeps the rows whose four normalised values are all non-empty and scores
  the joint label ``"<emotion>_<intent>"`` with accuracy and weighted P/R/F1 (as above);
  ``MC-EIU.py`` also reports emotion and intent alone with the same four scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from emoreason.evaluation.metrics.classification import weighted_precision_recall_f1

#: MC-EIU label lists in the order of the authors' config (the order matters, see above).
MC_EIU_EMOTIONS: tuple[str, ...] = (
    "happy",
    "surprise",
    "sad",
    "disgust",
    "anger",
    "fear",
    "neutral",
)
MC_EIU_INTENTS: tuple[str, ...] = (
    "questioning",
    "agreeing",
    "acknowledging",
    "encouraging",
    "consoling",
    "suggesting",
    "wishing",
    "neutral",
)


def normalise(value: Any) -> str:
    """The scripts' normalisation: ``strip().lower()`` (None: empty)."""
    return "" if value is None else str(value).strip().lower()


def first_listed_match(text: str | None, categories: Sequence[str]) -> str | None:
    """The first category (in list order) that is a substring of the lower-cased text."""
    lowered = (text or "").lower()
    for category in categories:
        if category in lowered:
            return category
    return None


def kept_pairs(
    expected: Sequence[Any], predicted: Sequence[Any], categories: Sequence[str] | None = None
) -> list[tuple[str, str]]:
    """The (gold, predicted) pairs the official script scores, normalised."""
    if len(expected) != len(predicted):
        raise ValueError(f"{len(expected)} gold labels but {len(predicted)} predictions")
    pairs = [(normalise(e), normalise(p)) for e, p in zip(expected, predicted, strict=True)]
    if categories is None:
        return [(e, p) for e, p in pairs if e and p]
    allowed = set(categories)
    return [(e, p) for e, p in pairs if e in allowed and p in allowed]


def weighted_scores(y_true: Sequence[str], y_pred: Sequence[str]) -> dict[str, float]:
    """accuracy + sklearn ``average='weighted'`` P/R/F1 (zero_division=0); NaN when empty."""
    if not y_true:
        nan = float("nan")
        return {"accuracy": nan, "precision": nan, "recall": nan, "f1_score": nan}
    weighted = weighted_precision_recall_f1(y_true, y_pred)
    return {
        "accuracy": sum(t == p for t, p in zip(y_true, y_pred, strict=True)) / len(y_true),
        "precision": weighted["precision"],
        "recall": weighted["recall"],
        "f1_score": weighted["f1"],
    }


def emobench_m_classification(
    expected: Sequence[Any], predicted: Sequence[Any], categories: Sequence[str] | None = None
) -> dict[str, float]:
    """``evaluate_classification``: accuracy, weighted precision / recall / F1 + counts."""
    pairs = kept_pairs(expected, predicted, categories)
    scores = weighted_scores([e for e, _ in pairs], [p for _, p in pairs])
    return {**scores, "n_scored": len(pairs), "n_dropped": len(expected) - len(pairs)}


def mc_eiu_joint(
    true_emotions: Sequence[Any],
    pred_emotions: Sequence[Any],
    true_intents: Sequence[Any],
    pred_intents: Sequence[Any],
) -> dict[str, float]:
    """``evaluate_joint`` (joint_*) plus ``MC-EIU.py``'s emotion_* and intent_* scores."""
    columns = (true_emotions, pred_emotions, true_intents, pred_intents)
    if len({len(c) for c in columns}) != 1:
        raise ValueError("the four MC-EIU columns must have the same length")
    rows = [tuple(normalise(v) for v in row) for row in zip(*columns, strict=True)]
    rows = [r for r in rows if all(r)]
    te, pe, ti, pi = ([r[k] for r in rows] for k in range(4))
    out: dict[str, float] = {}
    for prefix, y_true, y_pred in (
        ("emotion", te, pe),
        ("intent", ti, pi),
        (
            "joint",
            [f"{e}_{i}" for e, i in zip(te, ti, strict=True)],
            [f"{e}_{i}" for e, i in zip(pe, pi, strict=True)],
        ),
    ):
        scores = weighted_scores(y_true, y_pred)
        out[f"{prefix}_accuracy"] = scores["accuracy"]
        out[f"{prefix}_precision"] = scores["precision"]
        out[f"{prefix}_recall"] = scores["recall"]
        out[f"{prefix}_f1"] = scores["f1_score"]
    out["total"] = len(rows)
    return out
