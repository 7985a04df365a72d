"""Fit and measure the facial-action reader on synthetic faces (moved-landmark meshes).

    python benchmarks/calibrate_face.py [--per-class 150] [--diagram reliability_face.png]

Three synthetic sets of other people, poses and intensities: FIT (seed 0) fits the prototype
reader's sharpness and neutral threshold; DEV (seed 2) gives the per-class precision behind
``face_fusion.ACTION_RELIABILITY`` (x SYNTHETIC_TO_REAL); TEST (seed 3, never used to choose
anything) gives the accuracy, per-class precision/recall and expected calibration error reported.
No labelled real faces were available: these are synthetic numbers, an upper bound for real
faces.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer

from emoreason.evaluation.metrics.calibration import save_reliability_diagram
from emoreason.fitting.face import fit_reader, measure_reader, synthetic_set
from emoreason.perception import face_actions, face_fusion
from emoreason.schema import EMOTIONS

NEUTRAL = Path(__file__).resolve().parents[1] / "tests" / "perception" / "neutral_face_478.npy"


def main(per_class: int = 150, diagram: Path | None = None) -> None:
    neutral = np.load(NEUTRAL).astype(np.float64)
    fit_set = synthetic_set(neutral, per_class, seed=0)
    sharpness, threshold = fit_reader(fit_set)
    print(
        f"FIT (seed 0, {len(fit_set.labels)} faces): sharpness {sharpness}, "
        f"neutral threshold {threshold}"
    )
    print(
        f"shipped: sharpness {face_actions.SHARPNESS}, threshold {face_actions.NEUTRAL_THRESHOLD}"
    )
    dev = measure_reader(synthetic_set(neutral, per_class, seed=2), sharpness, threshold)
    rel = {e: round(face_fusion.SYNTHETIC_TO_REAL * dev.precision[e], 2) for e in EMOTIONS}
    print(
        f"DEV (seed 2) action reliabilities (precision x {face_fusion.SYNTHETIC_TO_REAL}; "
        f"neutral is fixed at {face_fusion.ACTION_RELIABILITY['neutral']} when shipped): {rel}"
    )
    test_set = synthetic_set(neutral, per_class, seed=3)
    shipped = measure_reader(test_set, face_actions.SHARPNESS, face_actions.NEUTRAL_THRESHOLD)
    print(
        f"TEST (seed 3, {shipped.n} faces), shipped reader: accuracy {shipped.accuracy:.3f}, "
        f"ECE {shipped.ece:.3f}"
    )
    print(f"{'class':10s} {'precision':>9s} {'recall':>7s} {'ECE':>6s}")
    for e in EMOTIONS:
        print(
            f"{e:10s} {shipped.precision[e]:9.3f} {shipped.recall[e]:7.3f} "
            f"{shipped.ece_per_class[e]:6.3f}"
        )
    print(
        "reliability curve (shipped): "
        + ", ".join(
            f"{b.lower:.1f}-{b.upper:.1f}: {b.accuracy:.2f} of {b.count}"
            for b in shipped.curve
            if b.count
        )
    )
    if diagram is not None:
        save_reliability_diagram(shipped.curve, diagram, title="facial-action reader (synthetic)")
        print(f"diagram: {diagram}")


if __name__ == "__main__":
    typer.run(main)
