"""The voice model's inputs: level-free, sentence-light features derived from acoustic evidence.

The acoustic extractor (:mod:`emoreason.perception.acoustic`) already measures Praat prosody and
the 88 eGeMAPSv02 functionals; this module only re-expresses them (no second pass over audio).
Choices, made so that the model transfers to other microphones, levels and languages (ours):

- **No absolute level.** Recordings are gain-normalised in unknown ways (EmoDB's copy is
  peak-normalised), so loudness means, percentiles, dBFS and the equivalent sound level are left
  out; loudness enters as ratios to the clip's own median (``loud.p80_rel`` = p80 / p50, ...),
  coefficients of variation and dB spreads (level-free by construction).
- **Level-dependent spectral flux** enters only as its coefficient of variation.
- **No vowel identity.** Formant centre frequencies (F1-F3 means) mostly say which vowels were
  spoken (the sentence) and the speaker's vocal-tract length; they are left out. Formant
  dynamics (coefficients of variation), bandwidths and relative amplitudes stay.
- **Pitch shape, not pitch level**: spread, range, slopes and rises in semitones. The mean
  pitch mostly encodes the speaker (sex, age); leaving it out cost nothing in speaker-grouped
  cross-validation on the dev speakers (balanced accuracy 0.668 without vs 0.659 with, C = 1).
- **Heavy-tailed positive measures** (jitter, shimmer, segment lengths, ...) are log-compressed.
- MFCC coefficients of variation are left out (their means can be near 0, so the ratio explodes).

Missing measures are NaN here; the model replaces them by its training mean (z = 0).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

Features = Mapping[str, float | None]

EG = "egemaps."
F0 = "F0semitoneFrom27.5Hz_sma3nz_"
LOUD = "loudness_sma3_"


def _get(f: Features, name: str) -> float:
    value = f.get(name)
    if value is None:
        return math.nan
    value = float(value)
    return value if math.isfinite(value) else math.nan


def _raw(name: str) -> Callable[[Features], float]:
    return lambda f: _get(f, name)


def _log(name: str, floor: float = 1e-3) -> Callable[[Features], float]:
    def value(f: Features) -> float:
        x = _get(f, name)
        return math.log(max(x, floor)) if math.isfinite(x) else math.nan

    return value


def _ratio(num: str, den: str, floor: float = 1e-3) -> Callable[[Features], float]:
    """``log(num / den)``: a level-free contrast of two measures of the same clip."""

    def value(f: Features) -> float:
        a, b = _get(f, num), _get(f, den)
        if not (math.isfinite(a) and math.isfinite(b)):
            return math.nan
        return math.log(max(a, floor) / max(b, floor))

    return value


def _difference(a: str, b: str) -> Callable[[Features], float]:
    return lambda f: _get(f, a) - _get(f, b)


def _loudness_ratio(name: str) -> Callable[[Features], float]:
    return _ratio(EG + LOUD + name, EG + LOUD + "percentile50.0")


#: Derived feature name -> how it is computed from the acoustic evidence features.
VOICE_FEATURES: dict[str, Callable[[Features], float]] = {
    # pitch: shape only (the level says more about the speaker than the emotion)
    "f0.cv": _raw(EG + F0 + "stddevNorm"),
    "f0.range_st": _raw(EG + F0 + "pctlrange0-2"),
    "f0.p80_minus_p50_st": _difference(EG + F0 + "percentile80.0", EG + F0 + "percentile50.0"),
    "f0.p50_minus_p20_st": _difference(EG + F0 + "percentile50.0", EG + F0 + "percentile20.0"),
    "f0.rising_slope": _log(EG + F0 + "meanRisingSlope", 1.0),
    "f0.falling_slope": _log(EG + F0 + "meanFallingSlope", 1.0),
    "pitch.std_st": _raw("pitch_std_st"),
    "pitch.range_st": _raw("pitch_range_st"),
    "pitch.slope_st_per_s": _raw("pitch_slope_st_per_s"),
    "pitch.max_rise_st": _raw("pitch_max_rise_st"),
    # loudness: relative to the clip's own median only
    "loud.cv": _raw(EG + LOUD + "stddevNorm"),
    "loud.p80_rel": _loudness_ratio("percentile80.0"),
    "loud.p20_rel": _loudness_ratio("percentile20.0"),
    "loud.range_rel": _loudness_ratio("pctlrange0-2"),
    "loud.rising_slope_rel": _loudness_ratio("meanRisingSlope"),
    "loud.falling_slope_rel": _loudness_ratio("meanFallingSlope"),
    "loud.rising_slope_sd_rel": _loudness_ratio("stddevRisingSlope"),
    "loud.peaks_per_s": _raw(EG + "loudnessPeaksPerSec"),
    "level.std_db": _raw("loudness_std_db"),
    "level.crest_db": _difference("loudness_max_dbfs", "loudness_mean_dbfs"),
    "flux.cv": _raw(EG + "spectralFlux_sma3_stddevNorm"),
    "flux_voiced.cv": _raw(EG + "spectralFluxV_sma3nz_stddevNorm"),
    # spectral balance (ratios of bands within a frame: level-free)
    "alpha_ratio.voiced": _raw(EG + "alphaRatioV_sma3nz_amean"),
    "alpha_ratio.unvoiced": _raw(EG + "alphaRatioUV_sma3nz_amean"),
    "hammarberg.voiced": _raw(EG + "hammarbergIndexV_sma3nz_amean"),
    "hammarberg.unvoiced": _raw(EG + "hammarbergIndexUV_sma3nz_amean"),
    "slope0_500.voiced": _raw(EG + "slopeV0-500_sma3nz_amean"),
    "slope500_1500.voiced": _raw(EG + "slopeV500-1500_sma3nz_amean"),
    "slope0_500.unvoiced": _raw(EG + "slopeUV0-500_sma3nz_amean"),
    "slope500_1500.unvoiced": _raw(EG + "slopeUV500-1500_sma3nz_amean"),
    "mfcc1.mean": _raw(EG + "mfcc1_sma3_amean"),
    "mfcc2.mean": _raw(EG + "mfcc2_sma3_amean"),
    "mfcc3.mean": _raw(EG + "mfcc3_sma3_amean"),
    "mfcc4.mean": _raw(EG + "mfcc4_sma3_amean"),
    "mfcc1_voiced.mean": _raw(EG + "mfcc1V_sma3nz_amean"),
    "mfcc2_voiced.mean": _raw(EG + "mfcc2V_sma3nz_amean"),
    # voice quality
    "jitter": _log("jitter_local_pct", 0.01),
    "shimmer": _log("shimmer_local_pct", 0.1),
    "hnr_db": _raw("hnr_db"),
    "hnr_acf_db": _raw(EG + "HNRdBACF_sma3nz_amean"),
    "h1_h2_db": _raw(EG + "logRelF0-H1-H2_sma3nz_amean"),
    "h1_a3_db": _raw(EG + "logRelF0-H1-A3_sma3nz_amean"),
    "f1.bandwidth": _log(EG + "F1bandwidth_sma3nz_amean", 1.0),
    "f2.bandwidth": _log(EG + "F2bandwidth_sma3nz_amean", 1.0),
    "f1.rel_amplitude_db": _raw(EG + "F1amplitudeLogRelF0_sma3nz_amean"),
    "f2.rel_amplitude_db": _raw(EG + "F2amplitudeLogRelF0_sma3nz_amean"),
    "f3.rel_amplitude_db": _raw(EG + "F3amplitudeLogRelF0_sma3nz_amean"),
    "f1.cv": _raw(EG + "F1frequency_sma3nz_stddevNorm"),
    "f2.cv": _raw(EG + "F2frequency_sma3nz_stddevNorm"),
    # timing
    "rate.syllables_per_s": _raw("speaking_rate_syll_per_s"),
    "voiced_fraction": _raw("voiced_fraction"),
    "voiced_segments_per_s": _raw(EG + "VoicedSegmentsPerSec"),
    "voiced_segment.mean_s": _log(EG + "MeanVoicedSegmentLengthSec", 0.01),
    "voiced_segment.sd_s": _log(EG + "StddevVoicedSegmentLengthSec", 0.01),
    "unvoiced_segment.mean_s": _log(EG + "MeanUnvoicedSegmentLength", 0.01),
    "pause_fraction": _raw("pause_fraction"),
}


def voice_feature_names() -> tuple[str, ...]:
    return tuple(VOICE_FEATURES)


def voice_feature_vector(
    features: Features, names: tuple[str, ...] | list[str] | None = None
) -> np.ndarray:
    """(d,) float64 of the named derived features (NaN where a measure is missing)."""
    chosen = voice_feature_names() if names is None else tuple(names)
    unknown = [n for n in chosen if n not in VOICE_FEATURES]
    if unknown:
        raise KeyError(f"unknown voice feature(s) {unknown}; known: {sorted(VOICE_FEATURES)}")
    return np.array([VOICE_FEATURES[n](features) for n in chosen], dtype=np.float64)


def voice_feature_matrix(
    rows: list[Features], names: tuple[str, ...] | list[str] | None = None
) -> np.ndarray:
    """(n, d) stack of :func:`voice_feature_vector`."""
    d = len(voice_feature_names() if names is None else names)
    if not rows:
        return np.zeros((0, d))
    return np.stack([voice_feature_vector(r, names) for r in rows])  # (n, d)
