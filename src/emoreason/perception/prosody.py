"""Small numeric prosody functions (pure numpy, each tested against a naive loop in the tests).

- :func:`frame_dbfs` - short-time level in dBFS (50 ms Hann-free rectangular frames, 10 ms hop).
- :func:`semitones` - Hz to semitones re 100 Hz: ``12 * log2(f / 100)``.
- :func:`sharpest_rise` - the largest pitch increase within ``span`` seconds, and when it starts.
- :func:`internal_pauses` - low-level stretches between the first and last sound.
- :func:`syllable_nuclei` - voiced level peaks with a 2 dB dip between them (after de Jong &
  Wempe 2009, "Praat script to detect syllable nuclei", simplified: ours).
"""

from __future__ import annotations

import numpy as np

FRAME_S, HOP_S = 0.05, 0.01


def frame_dbfs(x: np.ndarray, sr: int) -> tuple[np.ndarray, float]:
    """Level of each 50 ms frame every 10 ms in dBFS (``20 log10 rms``, -120 for digital silence).

    Returns ``(levels, hop_seconds)``; ``levels[i]`` describes ``x[i*hop : i*hop + frame]``.
    """
    frame, hop = int(FRAME_S * sr), int(HOP_S * sr)
    if len(x) < frame:
        x = np.pad(x, (0, frame - len(x)))
    n = 1 + (len(x) - frame) // hop
    # strided view (n, frame) over x without copying
    frames = np.lib.stride_tricks.as_strided(
        x, shape=(n, frame), strides=(x.strides[0] * hop, x.strides[0])
    )
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))  # (n, frame) -> (n,)
    return 20 * np.log10(np.maximum(rms, 1e-6)), hop / sr


def semitones(hz: np.ndarray) -> np.ndarray:
    return 12.0 * np.log2(np.asarray(hz, dtype=np.float64) / 100.0)


def sharpest_rise(
    times: np.ndarray, st: np.ndarray, span: float = 0.3
) -> tuple[float, float | None]:
    """Max over pairs ``i < j`` with ``t_j - t_i <= span`` of ``st_j - st_i`` (>= 0) and ``t_i``.

    Two-pointer sweep with a monotone deque of minima: O(n).
    """
    from collections import deque

    best, best_t = 0.0, None
    window: deque[int] = deque()  # indices of increasing st values, times within span
    for j in range(len(times)):
        while window and times[j] - times[window[0]] > span:
            window.popleft()
        if window and st[j] - st[window[0]] > best:
            best, best_t = float(st[j] - st[window[0]]), float(times[window[0]])
        while window and st[window[-1]] >= st[j]:
            window.pop()
        window.append(j)
    return best, best_t


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index runs where ``mask`` is True."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def internal_pauses(
    db: np.ndarray, hop: float, min_pause: float = 0.25, floor_db: float = 25.0
) -> list[tuple[float, float]]:
    """Stretches quieter than ``max - floor_db`` lasting ``>= min_pause`` s, between sounds.

    Leading and trailing quiet is not a pause. Times are frame starts in seconds.
    """
    if len(db) == 0:
        return []
    quiet = db < db.max() - floor_db
    loud = np.flatnonzero(~quiet)
    first, last = loud[0], loud[-1]
    pauses = []
    for start, end in _runs(quiet):
        if start > first and end <= last and (end - start) * hop >= min_pause:
            pauses.append((float(start * hop), float(end * hop)))
    return pauses


def syllable_nuclei(
    db: np.ndarray,
    hop: float,
    voiced_times: np.ndarray,
    dip_db: float = 2.0,
    floor_db: float = 25.0,
) -> list[float]:
    """Times of level peaks that are voiced, above ``max - floor_db``, separated by >= ``dip_db``.

    A peak counts when the level fell by at least ``dip_db`` since the previous counted peak
    (and rose by ``dip_db`` from that dip). ``voiced_times`` are pitch-frame times with F0 > 0.
    """
    if len(db) < 3:
        return []
    threshold = db.max() - floor_db
    voiced = np.zeros(len(db), dtype=bool)
    idx = np.clip(np.round(np.asarray(voiced_times) / hop).astype(int), 0, len(db) - 1)
    voiced[idx] = True
    peaks: list[float] = []
    dip = np.inf  # lowest level since the last counted peak
    last_peak = -np.inf
    for i in range(1, len(db) - 1):
        dip = min(dip, db[i])
        is_peak = db[i] >= db[i - 1] and db[i] > db[i + 1]
        if not (is_peak and db[i] > threshold and voiced[i]):
            continue
        if db[i] - dip >= dip_db and (last_peak == -np.inf or last_peak - dip >= dip_db):
            peaks.append(i * hop)
            last_peak, dip = db[i], db[i]
        elif db[i] > last_peak:
            last_peak = db[i]  # a higher top of the same syllable
    return peaks
