"""Fitting and measuring the action reader on synthetic faces (tiny sets: the full run is
benchmarks/calibrate_face.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emoreason.fitting import face as fc
from emoreason.perception import face_synth as fs
from emoreason.perception.face_actions import action_scores

NEUTRAL = Path(__file__).resolve().parents[1] / "perception" / "neutral_face_478.npy"


@pytest.fixture(scope="module")
def neutral() -> np.ndarray:
    return np.load(NEUTRAL).astype(np.float64)


def test_synthetic_sets_are_reproducible_and_differ_by_seed(neutral: np.ndarray) -> None:
    a, b = fc.synthetic_set(neutral, 2, seed=5), fc.synthetic_set(neutral, 2, seed=5)
    c = fc.synthetic_set(neutral, 2, seed=6)
    assert a.labels == b.labels == c.labels and len(a.labels) == 2 * len(fs.EXPRESSIONS)
    assert a.actions == b.actions and a.actions != c.actions


def test_random_face_pose_stays_in_its_ranges(neutral: np.ndarray) -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        points, pose = fs.random_face(neutral, "angry", rng)
        assert points.shape == (478, 3)
        assert abs(pose["yaw_deg"]) <= 40 and abs(pose["pitch_deg"]) <= 20


def test_measure_reader_against_a_reference_written_here() -> None:
    actions = [{"AU12": 1.0, "AU6": 1.0}, {"AU4": 1.0, "AU7": 1.0, "AU23/24": 1.0}, {"AU12": 0.9},
               {}, {"AU9": 1.0}]  # fmt: skip
    labels = ["happy", "angry", "sad", "neutral", "angry"]
    report = fc.measure_reader(fc.SyntheticSet(labels, actions), 9.0, 0.25)
    preds = []
    for aus in actions:
        dist = action_scores(aus, 9.0, 0.25)
        preds.append(max(dist, key=dist.get))
    hits = [p == t for p, t in zip(preds, labels, strict=True)]
    assert report.accuracy == pytest.approx(sum(hits) / len(hits))
    said_happy = [h for p, h in zip(preds, hits, strict=True) if p == "happy"]
    assert report.precision["happy"] == pytest.approx(sum(said_happy) / len(said_happy))
    true_angry = [h for t, h in zip(labels, hits, strict=True) if t == "angry"]
    assert report.recall["angry"] == pytest.approx(sum(true_angry) / len(true_angry))
    assert sum(b.count for b in report.curve) == len(labels)


def test_fit_picks_the_grid_point_of_least_loss(neutral: np.ndarray) -> None:
    data = fc.synthetic_set(neutral, 3, seed=11)
    sharpness, threshold = fc.fit_reader(data)
    assert sharpness in fc.SHARPNESS_GRID and threshold in fc.THRESHOLD_GRID
    best = fc._nll(data, sharpness, threshold)
    for b, t in ((fc.SHARPNESS_GRID[0], fc.THRESHOLD_GRID[0]), (9.0, 0.25), (15.0, 0.55)):
        assert best <= fc._nll(data, b, t) + 1e-12
