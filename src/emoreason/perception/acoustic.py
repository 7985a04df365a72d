"""Acoustic (prosody and voice quality) evidence: Praat via parselmouth + openSMILE eGeMAPSv02.

Measures pitch (level, range, variability, contour slope, sharpest rise), loudness in dBFS,
jitter, shimmer, HNR, a syllable-nucleus speaking rate, pauses, and the 88 eGeMAPSv02
functionals (``egemaps.<name>``), plus the voice model's arousal and valence estimates
(``voice_arousal``, ``voice_valence`` in [-1, 1]; :mod:`~emoreason.perception.voice_model`).
The clip's Whisper-encoder speech embedding (:mod:`~emoreason.perception.voice_embedding`), one
of the voice model's inputs, is kept in ``extra["voice_embedding"]`` (512 numbers).
Every cue carries a plain-language sentence with times.
Long audio is summarised by openSMILE in ``window_seconds`` windows (functionals averaged).
"""

from __future__ import annotations

import math
import time

import numpy as np
import parselmouth
from parselmouth.praat import call

from emoreason.perception.base import ClipSignal, Extractor
from emoreason.perception.hypotheses import acoustic_scores
from emoreason.perception.prosody import (
    frame_dbfs,
    internal_pauses,
    semitones,
    sharpest_rise,
    syllable_nuclei,
)
from emoreason.perception.voice_embedding import embedding_extra
from emoreason.perception.voice_model import VOICE_DIMENSION_NAMES, voice_dimensions
from emoreason.schema import Cue, ModalityEvidence, TimelinePoint
from emoreason.schema.phrases import phrase

PITCH_FLOOR, PITCH_CEILING = 75.0, 500.0
#: Silences inside speech shorter than this are not counted as pauses (seconds).
MIN_PAUSE_SECONDS = 0.25
EGEMAPS_NAMES: tuple[str, ...] = (
    "F0semitoneFrom27.5Hz_sma3nz_amean", "F0semitoneFrom27.5Hz_sma3nz_stddevNorm",
    "F0semitoneFrom27.5Hz_sma3nz_percentile20.0", "F0semitoneFrom27.5Hz_sma3nz_percentile50.0",
    "F0semitoneFrom27.5Hz_sma3nz_percentile80.0", "F0semitoneFrom27.5Hz_sma3nz_pctlrange0-2",
    "F0semitoneFrom27.5Hz_sma3nz_meanRisingSlope", "F0semitoneFrom27.5Hz_sma3nz_stddevRisingSlope",
    "F0semitoneFrom27.5Hz_sma3nz_meanFallingSlope",
    "F0semitoneFrom27.5Hz_sma3nz_stddevFallingSlope", "loudness_sma3_amean",
    "loudness_sma3_stddevNorm", "loudness_sma3_percentile20.0", "loudness_sma3_percentile50.0",
    "loudness_sma3_percentile80.0", "loudness_sma3_pctlrange0-2", "loudness_sma3_meanRisingSlope",
    "loudness_sma3_stddevRisingSlope", "loudness_sma3_meanFallingSlope",
    "loudness_sma3_stddevFallingSlope", "spectralFlux_sma3_amean", "spectralFlux_sma3_stddevNorm",
    "mfcc1_sma3_amean", "mfcc1_sma3_stddevNorm", "mfcc2_sma3_amean", "mfcc2_sma3_stddevNorm",
    "mfcc3_sma3_amean", "mfcc3_sma3_stddevNorm", "mfcc4_sma3_amean", "mfcc4_sma3_stddevNorm",
    "jitterLocal_sma3nz_amean", "jitterLocal_sma3nz_stddevNorm", "shimmerLocaldB_sma3nz_amean",
    "shimmerLocaldB_sma3nz_stddevNorm", "HNRdBACF_sma3nz_amean", "HNRdBACF_sma3nz_stddevNorm",
    "logRelF0-H1-H2_sma3nz_amean", "logRelF0-H1-H2_sma3nz_stddevNorm",
    "logRelF0-H1-A3_sma3nz_amean", "logRelF0-H1-A3_sma3nz_stddevNorm",
    "F1frequency_sma3nz_amean", "F1frequency_sma3nz_stddevNorm", "F1bandwidth_sma3nz_amean",
    "F1bandwidth_sma3nz_stddevNorm", "F1amplitudeLogRelF0_sma3nz_amean",
    "F1amplitudeLogRelF0_sma3nz_stddevNorm", "F2frequency_sma3nz_amean",
    "F2frequency_sma3nz_stddevNorm", "F2bandwidth_sma3nz_amean", "F2bandwidth_sma3nz_stddevNorm",
    "F2amplitudeLogRelF0_sma3nz_amean", "F2amplitudeLogRelF0_sma3nz_stddevNorm",
    "F3frequency_sma3nz_amean", "F3frequency_sma3nz_stddevNorm", "F3bandwidth_sma3nz_amean",
    "F3bandwidth_sma3nz_stddevNorm", "F3amplitudeLogRelF0_sma3nz_amean",
    "F3amplitudeLogRelF0_sma3nz_stddevNorm", "alphaRatioV_sma3nz_amean",
    "alphaRatioV_sma3nz_stddevNorm", "hammarbergIndexV_sma3nz_amean",
    "hammarbergIndexV_sma3nz_stddevNorm", "slopeV0-500_sma3nz_amean",
    "slopeV0-500_sma3nz_stddevNorm", "slopeV500-1500_sma3nz_amean",
    "slopeV500-1500_sma3nz_stddevNorm", "spectralFluxV_sma3nz_amean",
    "spectralFluxV_sma3nz_stddevNorm", "mfcc1V_sma3nz_amean", "mfcc1V_sma3nz_stddevNorm",
    "mfcc2V_sma3nz_amean", "mfcc2V_sma3nz_stddevNorm", "mfcc3V_sma3nz_amean",
    "mfcc3V_sma3nz_stddevNorm", "mfcc4V_sma3nz_amean", "mfcc4V_sma3nz_stddevNorm",
    "alphaRatioUV_sma3nz_amean", "hammarbergIndexUV_sma3nz_amean", "slopeUV0-500_sma3nz_amean",
    "slopeUV500-1500_sma3nz_amean", "spectralFluxUV_sma3nz_amean", "loudnessPeaksPerSec",
    "VoicedSegmentsPerSec", "MeanVoicedSegmentLengthSec", "StddevVoicedSegmentLengthSec",
    "MeanUnvoicedSegmentLength", "StddevUnvoicedSegmentLength", "equivalentSoundLevel_dBp",
)  # fmt: skip
PROSODY_NAMES: tuple[str, ...] = (
    "duration_s", "voiced_fraction", "pitch_mean_hz", "pitch_median_hz", "pitch_min_hz",
    "pitch_max_hz", "pitch_range_st", "pitch_std_st", "pitch_slope_st_per_s",
    "pitch_max_rise_st", "loudness_mean_dbfs", "loudness_std_db", "loudness_max_dbfs",
    "jitter_local_pct", "shimmer_local_pct", "hnr_db", "speaking_rate_syll_per_s",
    "pause_count", "pause_total_s", "pause_fraction", "longest_pause_s",
)  # fmt: skip


class AcousticExtractor(Extractor):
    """Prosody + voice quality; see the module docstring for the feature list."""

    modality = "acoustic"
    feature_names = (
        PROSODY_NAMES + tuple(f"egemaps.{n}" for n in EGEMAPS_NAMES) + VOICE_DIMENSION_NAMES
    )

    def __init__(self, config=None) -> None:
        super().__init__(config)
        self._smile = None

    def _opensmile(self):
        if self._smile is None:
            import opensmile

            self._smile = opensmile.Smile(
                feature_set=opensmile.FeatureSet.eGeMAPSv02,
                feature_level=opensmile.FeatureLevel.Functionals,
            )
        return self._smile

    def egemaps(self, samples: np.ndarray, sample_rate: int) -> dict[str, float]:
        """eGeMAPSv02 functionals; long audio: mean over ``window_seconds`` windows."""
        window = int(self.config.window_seconds * sample_rate)
        rows = []
        for start in range(0, max(1, len(samples)), window):
            chunk = samples[start : start + window]
            if len(chunk) < sample_rate // 2 and rows:
                break
            frame = self._opensmile().process_signal(chunk, sample_rate)
            rows.append(frame.to_numpy(dtype=np.float64)[0])  # (1, 88) -> (88,)
        mean = np.nanmean(np.stack(rows), axis=0)  # (windows, 88) -> (88,)
        return {f"egemaps.{n}": float(v) for n, v in zip(EGEMAPS_NAMES, mean, strict=True)}

    def process_signal(self, signal: ClipSignal) -> ModalityEvidence:
        began = time.perf_counter()
        if signal.audio is None:
            return self.unavailable(phrase("acoustic.no_audio"))
        x, sr = signal.audio.samples, signal.audio.sample_rate
        if len(x) < sr // 4:
            return self.unavailable(phrase("acoustic.too_short", seconds=len(x) / sr))
        db, hop = frame_dbfs(x, sr)
        peak = float(db.max()) if len(db) else -math.inf
        if peak < self.config.silence_dbfs:
            threshold = self.config.silence_dbfs
            silent = (
                phrase("acoustic.silent", loudest=peak, threshold=threshold)
                if math.isfinite(peak)
                else phrase("acoustic.silent_no_signal", threshold=threshold)
            )
            return self.unavailable(silent, seconds=time.perf_counter() - began)
        values, cues, timeline = self._prosody(x, sr, db, hop)
        values.update(self.egemaps(x, sr))
        embedding = self.embedding(x, sr)
        values.update(voice_dimensions(values, embedding))
        features = self.declared(values)
        synthetic = _regular_voicing(features)
        if synthetic:
            cues.append(synthetic)
        return ModalityEvidence(
            modality=self.modality, available=True,
            status_phrases=[phrase("acoustic.analysed", voiced=features["voiced_fraction"] or 0,
                                   seconds=len(x) / sr)],
            features=features, cues=cues, timeline=timeline,
            seconds=time.perf_counter() - began, extra=embedding_extra(embedding),
        )  # fmt: skip

    def embedding(self, samples: np.ndarray, sample_rate: int) -> np.ndarray | None:
        """The clip's speech embedding (512,) from the Whisper-base encoder (None: too short)."""
        from emoreason.perception.voice_embedding import default_embedder

        return default_embedder(self.config.whisper_dir).embed(samples, sample_rate)

    def _prosody(self, x: np.ndarray, sr: int, db: np.ndarray, hop: float):
        snd = parselmouth.Sound(x.astype(np.float64), sampling_frequency=sr)
        pitch = snd.to_pitch(time_step=0.01, pitch_floor=PITCH_FLOOR, pitch_ceiling=PITCH_CEILING)
        f0 = pitch.selected_array["frequency"]  # (frames,) Hz, 0 = unvoiced
        f0_times = pitch.xs()
        voiced = f0 > 0
        v: dict[str, float | None] = {"duration_s": len(x) / sr}
        cues: list[Cue] = []
        v["voiced_fraction"] = float(voiced.mean()) if len(f0) else 0.0
        if voiced.sum() >= 5:
            st = semitones(f0[voiced])
            t_v = f0_times[voiced]
            slope = float(np.polyfit(t_v, st, 1)[0]) if np.ptp(t_v) > 0.2 else 0.0
            rise, rise_t = sharpest_rise(t_v, st, span=0.3)
            v |= {
                "pitch_mean_hz": float(f0[voiced].mean()), "pitch_median_hz": float(np.median(f0[voiced])),
                "pitch_min_hz": float(f0[voiced].min()), "pitch_max_hz": float(f0[voiced].max()),
                "pitch_range_st": float(np.percentile(st, 95) - np.percentile(st, 5)),
                "pitch_std_st": float(st.std()), "pitch_slope_st_per_s": slope,
                "pitch_max_rise_st": rise,
            }  # fmt: skip
            cues += _pitch_cues(v, rise_t, t_v)
            pp = call(snd, "To PointProcess (periodic, cc)", PITCH_FLOOR, PITCH_CEILING)
            v["jitter_local_pct"] = 100 * call(pp, "Get jitter (local)", 0, 0, 1e-4, 0.02, 1.3)
            v["shimmer_local_pct"] = 100 * call(
                [snd, pp], "Get shimmer (local)", 0, 0, 1e-4, 0.02, 1.3, 1.6
            )
            harmonicity = snd.to_harmonicity_cc(0.01, PITCH_FLOOR, 0.1, 1.0)
            v["hnr_db"] = call(harmonicity, "Get mean", 0, 0)
            cues += _quality_cues(v)
        else:
            cues.append(
                Cue(name="no_voicing", phrase=phrase("acoustic.no_voicing"), confidence=0.8)
            )
        loud = db[db > db.max() - 40]
        v["loudness_mean_dbfs"] = float(loud.mean())
        v["loudness_std_db"] = float(loud.std())
        v["loudness_max_dbfs"] = float(db.max())
        peak_t = float(np.argmax(db) * hop)
        cues.append(Cue(
            name="loudness_peak", value=round(float(db.max()), 1), unit="dBFS", start=peak_t,
            phrase=phrase("acoustic.loudness_peak", at=peak_t, peak=db.max(),
                          mean=v["loudness_mean_dbfs"]),
        ))  # fmt: skip
        pauses = internal_pauses(db, hop, min_pause=MIN_PAUSE_SECONDS, floor_db=25.0)
        nuclei = syllable_nuclei(db, hop, f0_times[voiced] if len(f0) else np.zeros(0))
        spoken = max(1e-3, len(x) / sr - sum(e - s for s, e in pauses))
        v["speaking_rate_syll_per_s"] = len(nuclei) / spoken
        v["pause_count"] = float(len(pauses))
        v["pause_total_s"] = float(sum(e - s for s, e in pauses))
        v["pause_fraction"] = v["pause_total_s"] / (len(x) / sr)
        v["longest_pause_s"] = float(max((e - s for s, e in pauses), default=0.0))
        cues += _rate_cues(v, pauses)
        timeline = self._timeline(db, hop, f0, f0_times, len(x) / sr)
        return v, cues, timeline

    def _timeline(self, db, hop, f0, f0_times, duration) -> list[TimelinePoint]:
        """Acoustic emotion scores per window (1 s, widened so that at most 200 points)."""
        step = max(1.0, duration / 200)
        points = []
        for start in np.arange(0.0, duration, step):
            sel_db = db[int(start / hop) : int((start + step) / hop)]
            sel = (f0_times >= start) & (f0_times < start + step) & (f0 > 0)
            if len(sel_db) == 0 or sel.sum() < 5:
                continue
            st = semitones(f0[sel])
            window = {
                "pitch_std_st": float(st.std()), "pitch_median_hz": float(np.median(f0[sel])),
                "loudness_mean_dbfs": float(sel_db.mean()), "voiced_fraction": float(sel.mean()),
            }  # fmt: skip
            points.append(
                TimelinePoint(time=float(start + step / 2), scores=acoustic_scores(window))
            )
        return points


def _pitch_cues(v: dict, rise_t: float | None, t_v: np.ndarray) -> list[Cue]:
    std, slope = v["pitch_std_st"], v["pitch_slope_st_per_s"]
    level = "monotone" if std < 1.5 else "lively" if std > 3.5 else "moderately varied"
    cues = [
        Cue(name="pitch_level", value=round(v["pitch_mean_hz"], 1), unit="Hz",
            phrase=phrase("acoustic.pitch_level", mean_hz=v["pitch_mean_hz"],
                          range_st=v["pitch_range_st"], level=level, std=std)),
        Cue(name="pitch_contour", value=round(slope, 2), unit="st/s",
            start=float(t_v[0]), end=float(t_v[-1]),
            phrase=phrase("acoustic.pitch_contour", direction="rises" if slope > 0 else "falls",
                          slope=slope) if abs(slope) >= 0.5 else phrase("acoustic.pitch_flat")),
    ]  # fmt: skip
    if rise_t is not None and v["pitch_max_rise_st"] >= 3.0:
        key = "acoustic.pitch_rise_sharp" if v["pitch_max_rise_st"] >= 5 else "acoustic.pitch_rise"
        cues.append(Cue(
            name="pitch_rise", value=round(v["pitch_max_rise_st"], 1), unit="st", start=rise_t,
            phrase=phrase(key, at=rise_t, rise=v["pitch_max_rise_st"]),
        ))  # fmt: skip
    return cues


def _quality_cues(v: dict) -> list[Cue]:
    hnr, jitter, shimmer = v["hnr_db"], v["jitter_local_pct"], v["shimmer_local_pct"]
    if not all(isinstance(a, float) and math.isfinite(a) for a in (hnr, jitter, shimmer)):
        return []
    kind = "breathy or rough" if hnr < 10 else "clear, harmonic" if hnr > 18 else "ordinary"
    return [Cue(
        name="voice_quality", value=round(hnr, 1), unit="dB",
        phrase=phrase("acoustic.voice_quality", kind=kind, hnr=hnr, jitter=jitter, shimmer=shimmer),
    )]  # fmt: skip


def _rate_cues(v: dict, pauses: list[tuple[float, float]]) -> list[Cue]:
    rate = v["speaking_rate_syll_per_s"]
    pace = "fast" if rate > 5.0 else "slow" if rate < 3.0 else "moderate"
    cues = [Cue(name="speech_rate", value=round(rate, 2), unit="syllables/s",
                phrase=phrase("acoustic.speech_rate", pace=pace, rate=rate))]  # fmt: skip
    if pauses:
        longest = max(pauses, key=lambda p: p[1] - p[0])
        cues.append(Cue(
            name="pauses", value=len(pauses), start=longest[0], end=longest[1],
            phrase=phrase("acoustic.pauses", count=len(pauses), total=v["pause_total_s"],
                          longest=longest[1] - longest[0], at=longest[0]),
        ))  # fmt: skip
    else:
        cues.append(Cue(name="pauses", value=0,
                        phrase=phrase("acoustic.no_pauses", min_pause=MIN_PAUSE_SECONDS)))  # fmt: skip
    return cues


def _regular_voicing(features: dict[str, float | None]) -> Cue | None:
    """Very low jitter and shimmer together: a synthetic or unusually controlled voice (ours).

    Human speech typically shows jitter > 0.5 % and shimmer > 3 %; espeak-style synthesis is far
    below both. Reasoning should treat prosodic emotion cues from such a voice as weak evidence.
    """
    jitter, shimmer = features.get("jitter_local_pct"), features.get("shimmer_local_pct")
    if jitter is None or shimmer is None or not (jitter < 0.3 and shimmer < 2.5):
        return None
    return Cue(
        name="regular_voicing", value=round(jitter, 3), unit="%", confidence=0.7,
        phrase=phrase("acoustic.regular_voicing", jitter=jitter, shimmer=shimmer),
    )  # fmt: skip
