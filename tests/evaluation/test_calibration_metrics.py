"""ECE and reliability curve against an independent loop written here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from emoreason.evaluation.metrics.calibration import (
    expected_calibration_error,
    reliability_curve,
    save_reliability_diagram,
)


def reference_ece(conf: list[float], correct: list[bool], n_bins: int) -> float:
    """Plain loop: bin b is (b/n, (b+1)/n], with 0 falling into bin 0."""
    total = 0.0
    for b in range(n_bins):
        lo, hi = b / n_bins, (b + 1) / n_bins
        members = [i for i, c in enumerate(conf) if (lo < c <= hi) or (b == 0 and c == 0.0)]
        if not members:
            continue
        acc = sum(correct[i] for i in members) / len(members)
        mean_conf = sum(conf[i] for i in members) / len(members)
        total += len(members) / len(conf) * abs(acc - mean_conf)
    return total


@pytest.mark.parametrize("n_bins", [1, 5, 10, 15])
def test_ece_matches_reference_loop(n_bins: int) -> None:
    rng = np.random.default_rng(3)
    conf = [*rng.uniform(0, 1, 300).tolist(), 0.0, 1.0, 0.5, 0.3]
    correct = (rng.uniform(0, 1, len(conf)) < 0.6).tolist()
    assert expected_calibration_error(conf, correct, n_bins) == pytest.approx(
        reference_ece(conf, correct, n_bins), abs=1e-12
    )


def test_perfectly_calibrated_large_sample_has_small_ece() -> None:
    rng = np.random.default_rng(0)
    conf = rng.uniform(0.2, 1.0, 20000)
    correct = rng.uniform(0, 1, conf.size) < conf
    assert expected_calibration_error(conf, correct) < 0.02


def test_overconfident_model_has_ece_of_the_gap() -> None:
    conf = np.full(1000, 0.9)
    correct = np.arange(1000) < 600  # 60 % right at 90 % confidence
    assert expected_calibration_error(conf, correct) == pytest.approx(0.3, abs=1e-9)


def test_curve_bins_and_counts() -> None:
    curve = reliability_curve([0.05, 0.15, 0.15, 0.95], [1, 0, 1, 1], n_bins=10)
    assert [b.count for b in curve] == [1, 2, 0, 0, 0, 0, 0, 0, 0, 1]
    assert curve[1].accuracy == pytest.approx(0.5)
    assert curve[1].mean_confidence == pytest.approx(0.15)
    assert math.isnan(curve[2].accuracy)
    assert curve[0].lower == 0.0 and curve[-1].upper == pytest.approx(1.0)


def test_bad_inputs_are_errors() -> None:
    with pytest.raises(ValueError, match="items"):
        expected_calibration_error([0.5, 0.5], [1])
    with pytest.raises(ValueError, match="within"):
        expected_calibration_error([1.5], [1])
    assert math.isnan(expected_calibration_error([], []))


def test_diagram_is_a_png(tmp_path) -> None:
    rng = np.random.default_rng(1)
    conf = rng.uniform(0, 1, 50)
    path = save_reliability_diagram(
        reliability_curve(conf, conf > 0.5), tmp_path / "sub" / "r.png", title="t"
    )
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
