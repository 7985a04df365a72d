"""Prosody helpers against naive reference implementations written here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from emoreason.perception.prosody import (
    frame_dbfs,
    internal_pauses,
    semitones,
    sharpest_rise,
    syllable_nuclei,
)


def naive_dbfs(x: np.ndarray, sr: int) -> list[float]:
    frame, hop = int(0.05 * sr), int(0.01 * sr)
    out = []
    i = 0
    while i + frame <= len(x):
        rms = math.sqrt(sum(float(v) ** 2 for v in x[i : i + frame]) / frame)
        out.append(20 * math.log10(max(rms, 1e-6)))
        i += hop
    return out


def test_frame_dbfs_matches_a_loop_and_knows_full_scale() -> None:
    sr = 8000
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(sr // 4) * 0.1).astype(np.float32)
    db, hop = frame_dbfs(x, sr)
    assert hop == pytest.approx(0.01)
    np.testing.assert_allclose(db, naive_dbfs(x, sr), atol=1e-4)
    square = np.ones(sr, dtype=np.float32)
    assert frame_dbfs(square, sr)[0].max() == pytest.approx(0.0, abs=1e-6)
    assert frame_dbfs(np.zeros(sr, np.float32), sr)[0].max() == pytest.approx(-120.0)


def test_semitones_octave_is_twelve() -> None:
    np.testing.assert_allclose(semitones(np.array([100.0, 200.0, 50.0])), [0.0, 12.0, -12.0])


@pytest.mark.parametrize("seed", range(5))
def test_sharpest_rise_equals_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    times = np.cumsum(rng.uniform(0.005, 0.05, size=120))
    st = np.cumsum(rng.standard_normal(120))
    best, _best_t = 0.0, None
    for i in range(len(times)):
        for j in range(i + 1, len(times)):
            if times[j] - times[i] <= 0.3 and st[j] - st[i] > best:
                best, _best_t = st[j] - st[i], times[i]
    got, got_t = sharpest_rise(times, st, span=0.3)
    assert got == pytest.approx(best)
    if best > 0:
        # the start time belongs to a pair achieving the maximum
        i = int(np.flatnonzero(times == got_t)[0])
        window = (times > times[i]) & (times - times[i] <= 0.3)
        assert st[window].max() - st[i] == pytest.approx(best)


def test_internal_pauses_ignore_edges_and_short_gaps() -> None:
    hop = 0.01
    db = np.full(300, -20.0)
    db[:40] = -80  # leading silence: not a pause
    db[100:130] = -80  # 0.30 s pause
    db[200:215] = -80  # 0.15 s: too short
    db[280:] = -80  # trailing silence
    assert internal_pauses(db, hop, min_pause=0.25) == [(pytest.approx(1.0), pytest.approx(1.3))]


def test_syllable_nuclei_counts_separated_voiced_bumps() -> None:
    hop = 0.01
    t = np.arange(200) * hop
    db = np.full(200, -60.0)
    centres = [0.3, 0.7, 1.1, 1.5]
    for c in centres:
        db = np.maximum(db, -20 - 200 * (t - c) ** 2)  # parabolic bumps, 40 dB deep dips
    voiced = t[(db > -40)]
    peaks = syllable_nuclei(db, hop, voiced)
    assert peaks == pytest.approx(centres, abs=0.011)
    # unvoiced bumps are not syllables
    assert syllable_nuclei(db, hop, np.array([])) == []
