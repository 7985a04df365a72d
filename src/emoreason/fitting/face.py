"""Fitting and measuring the facial-action reader on synthetic faces (ours; no labelled real face
data could be had here). ``benchmarks/calibrate_face.py`` is the command.

- **Data**: :func:`face_synth.random_face` faces, a fixed number per expression; the fit set and
  the test set use different random seeds (different people, poses and intensities).
- **Fit**: the reader's sharpness β and neutral threshold τ by grid search, minimising the
  negative log-likelihood of the true label on the fit set.
- **Measure** (test set): accuracy, per-class precision and recall, expected calibration error
  of the top-class probability, overall and per predicted class, and the reliability curve.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from emoreason.evaluation.metrics.calibration import (
    ReliabilityBin,
    expected_calibration_error,
    reliability_curve,
)
from emoreason.perception.face_actions import action_intensities, action_scores
from emoreason.perception.face_geometry import head_frame, raw_measures
from emoreason.perception.face_synth import EXPRESSIONS, random_face
from emoreason.schema import EMOTIONS

SHARPNESS_GRID = tuple(float(b) for b in np.arange(3.0, 16.5, 1.0))
THRESHOLD_GRID = tuple(round(float(t), 2) for t in np.arange(0.15, 0.56, 0.05))


@dataclass
class SyntheticSet:
    labels: list[str]
    actions: list[dict[str, float]]  # action intensities per face


@dataclass
class ReaderReport:
    sharpness: float
    threshold: float
    accuracy: float
    ece: float
    precision: dict[str, float]
    recall: dict[str, float]
    ece_per_class: dict[str, float]
    curve: list[ReliabilityBin] = field(default_factory=list)
    n: int = 0


def synthetic_set(neutral: np.ndarray, per_class: int, seed: int) -> SyntheticSet:
    """``per_class`` faces of each expression of :data:`face_synth.EXPRESSIONS`."""
    rng = np.random.default_rng(seed)
    labels, actions = [], []
    for expression in EXPRESSIONS:
        for _ in range(per_class):
            points, _ = random_face(neutral, expression, rng)
            labels.append(expression)
            actions.append(action_intensities(raw_measures(points)))
    return SyntheticSet(labels, actions)


def _nll(data: SyntheticSet, sharpness: float, threshold: float) -> float:
    total = 0.0
    for label, aus in zip(data.labels, data.actions, strict=True):
        total -= math.log(max(1e-12, action_scores(aus, sharpness, threshold)[label]))
    return total / len(data.labels)


def fit_reader(data: SyntheticSet) -> tuple[float, float]:
    """(sharpness, threshold) minimising the fit set's negative log-likelihood on the grids."""
    return min(
        ((b, t) for b in SHARPNESS_GRID for t in THRESHOLD_GRID),
        key=lambda bt: _nll(data, *bt),
    )


def measure_reader(data: SyntheticSet, sharpness: float, threshold: float) -> ReaderReport:
    """Accuracy, per-class precision/recall and calibration of the reader on ``data``."""
    preds, confs = [], []
    for aus in data.actions:
        dist = action_scores(aus, sharpness, threshold)
        top = max(dist, key=lambda e: dist[e])
        preds.append(top)
        confs.append(dist[top])
    truth = np.array(data.labels)
    pred, conf = np.array(preds), np.array(confs)
    hit = pred == truth
    precision, recall, per_class = {}, {}, {}
    for e in EMOTIONS:
        said, true = pred == e, truth == e
        precision[e] = float(hit[said].mean()) if said.any() else math.nan
        recall[e] = float(hit[true].mean()) if true.any() else math.nan
        per_class[e] = expected_calibration_error(conf[said], hit[said]) if said.any() else math.nan
    return ReaderReport(
        sharpness=sharpness, threshold=threshold, accuracy=float(hit.mean()),
        ece=expected_calibration_error(conf, hit), precision=precision, recall=recall,
        ece_per_class=per_class, curve=reliability_curve(conf, hit), n=len(truth),
    )  # fmt: skip


def mesh_gains(
    image: np.ndarray,
    landmarks: Callable[[np.ndarray], np.ndarray],
    levels: tuple[float, ...] = (0.5, 1.0),
) -> dict[str, float]:
    """How much of each action's geometric movement the face mesh reports on a real ``image``:
    the face is warped along the action (:mod:`face_warp`) at each level, ``landmarks`` (the
    mesh: image -> (478, 3) points) is run on the warped picture, and the change of the
    action's measure is divided by the intended change (mean over levels)."""
    from emoreason.perception.face_actions import ACTIONS
    from emoreason.perception.face_synth import move
    from emoreason.perception.face_warp import to_pixels, warp_image

    points = landmarks(image)
    local = head_frame(points)[0]
    reference = raw_measures(landmarks(warp_image(image, points[:, :2], to_pixels(local, points))))
    gains: dict[str, float] = {}
    for code, action in ACTIONS.items():
        ratios = []
        for level in levels:
            moved = move(local, {code: level})
            intended = raw_measures(moved)[action.measure] - raw_measures(local)[action.measure]
            warped = warp_image(image, points[:, :2], to_pixels(moved, points))
            got = raw_measures(landmarks(warped))[action.measure] - reference[action.measure]
            if abs(intended) > 1e-6:
                ratios.append(got / intended)
        gains[code] = float(np.mean(ratios)) if ratios else math.nan
    return gains
