"""Seeded degradations of a mono waveform: other microphones, rooms, lines and codecs.

EmoDB is studio-clean; users record with laptop microphones, in rooms, over phone lines and
through codecs. These pure functions make degraded copies of a clip so that the voice model can
be trained on them (:mod:`emoreason.fitting.voice`, ``--augment``) and measured under them
(:mod:`emoreason.fitting.voice_robustness`). Every function takes a mono float waveform ``x``
(shape ``(n,)``, nominally in [-1, 1]) at sample rate ``sr`` and returns a new float32 array of
the same length; randomness comes only from the ``seed`` argument, so a call is reproducible.

Two layers:

- :data:`DEGRADATIONS`: the raw functions by name (``white_noise``, ``pink_noise``,
  ``speech_noise``, ``babble_noise``, ``telephone``, ``reverb``, ``gain``, ``clipping``,
  ``codec``), each with explicit parameters.
- :data:`CONDITIONS`: named recipes that turn a clip id into concrete parameters.
  ``TRAIN_CONDITIONS`` draw their parameters per clip from ranges (seeded by clip id and
  condition name); ``EVAL_CONDITIONS`` use fixed parameters, noise types or codecs that the
  training recipe does not use, and a different seed base, so the measurement is not scored on
  the training distortions.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import signal as sps

Degradation = Callable[..., np.ndarray]

#: Seed bases: a training copy and an evaluation copy of the same clip never share noise.
TRAIN_SEED_BASE = 1_000_003
EVAL_SEED_BASE = 7_000_001


def _as_float(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"expected a mono waveform of shape (n,), got {x.shape}")
    return x


def _power(x: np.ndarray) -> float:
    return float(np.mean(np.square(x))) if x.size else 0.0


def _shaped_noise(n: int, magnitude: Callable[[np.ndarray], np.ndarray], sr: int, seed: int):
    """Gaussian noise of length ``n`` whose amplitude spectrum is ``magnitude(freqs_hz)``."""
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(n))  # (n // 2 + 1,)
    freqs = np.fft.rfftfreq(n, 1.0 / sr)
    noise = np.fft.irfft(spectrum * magnitude(freqs), n)
    return noise / (np.std(noise) + 1e-12)


def _mix_at_snr(x: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``x + g·noise`` with ``g`` set so that power(x) / power(g·noise) = ``snr_db``."""
    p_signal, p_noise = _power(x), _power(noise)
    if p_signal == 0.0 or p_noise == 0.0:
        return x.astype(np.float32)
    gain = np.sqrt(p_signal / (p_noise * 10.0 ** (snr_db / 10.0)))
    return (x + gain * noise).astype(np.float32)


def white_noise(x: np.ndarray, sr: int, *, snr_db: float, seed: int) -> np.ndarray:
    """Add white Gaussian noise at ``snr_db`` (whole-clip power ratio, silences included)."""
    x = _as_float(x)
    noise = np.random.default_rng(seed).standard_normal(x.size)
    return _mix_at_snr(x, noise, snr_db)


def pink_noise(x: np.ndarray, sr: int, *, snr_db: float, seed: int) -> np.ndarray:
    """Add pink (1/f power) noise at ``snr_db`` (whole-clip power ratio); DC removed."""
    x = _as_float(x)

    def magnitude(f: np.ndarray) -> np.ndarray:
        out = np.zeros_like(f)
        out[1:] = 1.0 / np.sqrt(f[1:])
        return out

    return _mix_at_snr(x, _shaped_noise(x.size, magnitude, sr, seed), snr_db)


def speech_noise(x: np.ndarray, sr: int, *, snr_db: float, seed: int) -> np.ndarray:
    """Add speech-shaped noise at ``snr_db``: Gaussian noise with the clip's own long-term
    amplitude spectrum (Welch estimate), i.e. stationary noise that masks the same bands."""
    x = _as_float(x)
    nper = min(512, max(16, x.size))
    f_w, pxx = sps.welch(x, fs=sr, nperseg=nper)
    amplitude = np.sqrt(np.maximum(pxx, 1e-20))

    def magnitude(f: np.ndarray) -> np.ndarray:
        return np.interp(f, f_w, amplitude)

    return _mix_at_snr(x, _shaped_noise(x.size, magnitude, sr, seed), snr_db)


def babble_noise(
    x: np.ndarray, sr: int, *, snr_db: float, seed: int, talkers: int = 6
) -> np.ndarray:
    """Add babble-like noise at ``snr_db``: the sum of ``talkers`` time-reversed, randomly
    shifted (circular) copies of the clip itself, so that the masker has speech's spectrum
    and syllabic modulation but no intelligible words (a stand-in for a crowd of talkers)."""
    x = _as_float(x)
    rng = np.random.default_rng(seed)
    reversed_x = x[::-1]
    noise = np.zeros_like(x)
    for _ in range(talkers):
        noise += np.roll(reversed_x, int(rng.integers(0, max(1, x.size))))
    return _mix_at_snr(x, noise, snr_db)


def _mulaw(x: np.ndarray, mu: float = 255.0) -> np.ndarray:
    """8-bit µ-law quantisation (G.711 style): compress, round to 256 levels, expand."""
    y = np.sign(x) * np.log1p(mu * np.minimum(np.abs(x), 1.0)) / np.log1p(mu)
    y = np.round((y + 1.0) * 127.5) / 127.5 - 1.0
    return np.sign(y) * np.expm1(np.abs(y) * np.log1p(mu)) / mu


def telephone(
    x: np.ndarray,
    sr: int,
    *,
    low_hz: float = 300.0,
    high_hz: float = 3400.0,
    line_rate: int = 8000,
    mulaw: bool = False,
    seed: int = 0,
) -> np.ndarray:
    """A telephone channel: 4th-order Butterworth band-pass ``low_hz``-``high_hz`` (causal),
    resampled to ``line_rate`` and back to ``sr`` (polyphase), optionally G.711 µ-law
    quantised on the line. Deterministic; ``seed`` is accepted for a uniform signature."""
    del seed
    x = _as_float(x)
    nyquist = sr / 2.0
    high = min(high_hz, 0.999 * min(nyquist, line_rate / 2.0))
    sos = sps.butter(4, [low_hz / nyquist, high / nyquist], btype="bandpass", output="sos")
    y = sps.sosfilt(sos, x)
    g = int(np.gcd(int(sr), int(line_rate)))
    y = sps.resample_poly(y, line_rate // g, sr // g)
    if mulaw:
        peak = float(np.max(np.abs(y))) if y.size else 0.0
        scale = peak if peak > 1.0 else 1.0
        y = _mulaw(y / scale) * scale
    y = sps.resample_poly(y, sr // g, line_rate // g)
    out = np.zeros_like(x)
    m = min(x.size, y.size)
    out[:m] = y[:m]
    return out.astype(np.float32)


def room_impulse_response(sr: int, rt60: float, seed: int, direct: float = 1.0) -> np.ndarray:
    """A synthetic room: a direct path (``direct``) plus Gaussian noise decaying by 60 dB in
    ``rt60`` seconds (amplitude envelope ``10^(-3 t / rt60)``), 1.2·``rt60`` long, starting
    2.5 ms after the direct sound; unit energy overall."""
    if rt60 <= 0:
        raise ValueError(f"rt60 must be positive, got {rt60}")
    n = max(2, int(1.2 * rt60 * sr))
    t = np.arange(n) / sr
    rng = np.random.default_rng(seed)
    h = rng.standard_normal(n) * 10.0 ** (-3.0 * t / rt60)
    h[: int(0.0025 * sr)] = 0.0
    h = h / (np.sqrt(np.sum(h**2)) + 1e-12)
    h[0] = direct
    return h / np.sqrt(np.sum(h**2))


def reverb(x: np.ndarray, sr: int, *, rt60: float, seed: int, direct: float = 1.0) -> np.ndarray:
    """Convolve with :func:`room_impulse_response` (RT60 ``rt60`` s); the tail beyond the clip
    is cut (same length out) and the result is rescaled to the input's RMS."""
    x = _as_float(x)
    y = sps.fftconvolve(x, room_impulse_response(sr, rt60, seed, direct))[: x.size]
    p_in, p_out = _power(x), _power(y)
    if p_out > 0:
        y = y * np.sqrt(p_in / p_out)
    return y.astype(np.float32)


def gain(x: np.ndarray, sr: int, *, gain_db: float, seed: int = 0) -> np.ndarray:
    """Multiply by ``10^(gain_db / 20)`` (no clipping; see :func:`clipping`)."""
    del sr, seed
    return (_as_float(x) * 10.0 ** (gain_db / 20.0)).astype(np.float32)


def clipping(x: np.ndarray, sr: int, *, drive_db: float, seed: int = 0) -> np.ndarray:
    """Overdriven input: scale so the peak sits ``drive_db`` above full scale, hard-clip at ±1,
    then scale back to the original peak (an overloaded microphone preamp)."""
    del sr, seed
    x = _as_float(x)
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if peak == 0.0:
        return x.astype(np.float32)
    drive = 10.0 ** (drive_db / 20.0) / peak
    return (np.clip(x * drive, -1.0, 1.0) / drive).astype(np.float32)


def codec(
    x: np.ndarray, sr: int, *, codec_name: str = "libopus", bitrate: int = 12000, seed: int = 0
) -> np.ndarray:
    """A lossy codec round trip through PyAV (FFmpeg): encode ``x`` with ``codec_name``
    (``libopus`` in Ogg at 48 kHz, ``libmp3lame`` in MP3 at ``sr``) at ``bitrate`` bit/s,
    decode, resample back to ``sr`` and align to the input length (the encoder delay is
    removed by cross-correlation). Deterministic; ``seed`` is accepted for a uniform signature.
    """
    import av

    del seed
    x = _as_float(x)
    fmt, rate = {"libopus": ("ogg", 48000), "libmp3lame": ("mp3", int(sr))}[codec_name]
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=fmt) as out:
        stream = out.add_stream(codec_name, rate=rate)
        stream.bit_rate = int(bitrate)
        stream.layout = "mono"
        to_codec = av.AudioResampler(format=stream.format.name, layout="mono", rate=rate)
        frame = av.AudioFrame.from_ndarray(
            np.clip(x, -1.0, 1.0).astype(np.float32)[None, :], format="flt", layout="mono"
        )
        frame.sample_rate = int(sr)
        frames = to_codec.resample(frame) + to_codec.resample(None)
        for f in frames:
            for packet in stream.encode(f):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    buffer.seek(0)
    chunks: list[np.ndarray] = []
    with av.open(buffer, mode="r") as inp:
        back = av.AudioResampler(format="flt", layout="mono", rate=int(sr))
        for f in inp.decode(audio=0):
            chunks.extend(o.to_ndarray().reshape(-1) for o in back.resample(f))
        chunks.extend(o.to_ndarray().reshape(-1) for o in back.resample(None))
    y = np.concatenate(chunks).astype(np.float64) if chunks else np.zeros(0)
    return _align(x, y).astype(np.float32)


def _align(x: np.ndarray, y: np.ndarray, max_lag_s: float = 0.1, sr_guess: int = 16000):
    """``y`` shifted by the lag (0..max_lag) that best matches ``x``, cut/padded to len(x)."""
    max_lag = min(int(max_lag_s * sr_guess), max(0, y.size - 1))
    best, best_score = 0, -np.inf
    if x.size and y.size:
        corr = sps.correlate(y[: x.size + max_lag], x, mode="full", method="fft")
        zero = x.size - 1  # index of lag 0
        window = corr[zero : zero + max_lag + 1]
        if window.size:
            best = int(np.argmax(window))
            best_score = float(window[best])
    del best_score
    out = np.zeros_like(x)
    part = y[best : best + x.size]
    out[: part.size] = part
    return out


#: Raw degradations by name (see each function's docstring for its parameters).
DEGRADATIONS: dict[str, Degradation] = {
    "white_noise": white_noise,
    "pink_noise": pink_noise,
    "speech_noise": speech_noise,
    "babble_noise": babble_noise,
    "telephone": telephone,
    "reverb": reverb,
    "gain": gain,
    "clipping": clipping,
    "codec": codec,
}


# ---- named conditions -----------------------------------------------------------------------
@dataclass(frozen=True)
class Condition:
    """A named recipe: which degradation, and how its parameters come from a clip id.

    ``params`` are fixed parameters; ``ranges`` are ``name -> (low, high)`` drawn uniformly per
    clip; ``seed_base`` separates the training and evaluation noise."""

    name: str
    degradation: str
    params: dict[str, Any]
    ranges: dict[str, tuple[float, float]]
    seed_base: int
    description: str

    def seed_for(self, clip_id: str) -> int:
        """A stable 32-bit seed from (seed base, condition name, clip id)."""
        return (self.seed_base + zlib.crc32(f"{self.name}|{clip_id}".encode())) % (2**32)

    def parameters(self, clip_id: str) -> dict[str, Any]:
        """The concrete parameters for this clip (ranges drawn with :meth:`seed_for`)."""
        rng = np.random.default_rng(self.seed_for(clip_id) ^ 0x5EED)
        drawn = {k: float(rng.uniform(lo, hi)) for k, (lo, hi) in sorted(self.ranges.items())}
        return {**self.params, **drawn}

    def apply(self, x: np.ndarray, sr: int, clip_id: str) -> np.ndarray:
        """The degraded copy of clip ``clip_id`` (float32, same length, clipped to [-1, 1])."""
        y = DEGRADATIONS[self.degradation](
            x, sr, seed=self.seed_for(clip_id), **self.parameters(clip_id)
        )
        return np.clip(y, -1.0, 1.0).astype(np.float32)


def _train(name: str, degradation: str, description: str, **ranges) -> Condition:
    return Condition(name, degradation, {}, ranges, TRAIN_SEED_BASE, description)


def _eval(name: str, degradation: str, description: str, **params) -> Condition:
    return Condition(name, degradation, params, {}, EVAL_SEED_BASE, description)


#: Training copies (parameters drawn per clip).
TRAIN_CONDITIONS: dict[str, Condition] = {
    c.name: c
    for c in (
        _train("white_noise", "white_noise", "white noise, SNR 5-20 dB", snr_db=(5.0, 20.0)),
        _train(
            "speech_noise", "speech_noise", "speech-shaped noise, SNR 5-20 dB", snr_db=(5.0, 20.0)
        ),
        _train(
            "telephone",
            "telephone",
            "band-pass ~250-400 to ~3000-3600 Hz via 8 kHz",
            low_hz=(250.0, 400.0),
            high_hz=(3000.0, 3600.0),
        ),
        _train("reverb", "reverb", "synthetic room, RT60 0.3-0.8 s", rt60=(0.3, 0.8)),
        _train(
            "clipping",
            "clipping",
            "preamp overload, peak 3-9 dB over full scale",
            drive_db=(3.0, 9.0),
        ),
    )
}
#: The augmented training recipe (``python -m emoreason.fitting.voice --augment default``; fixed
#: before any test number was seen): one copy per condition per dev clip. The shipped model and
#: the command's default (:func:`emoreason.fitting.voice_robustness.decide` says why;
#: ``--augment none`` trains on clean clips only).
DEFAULT_AUGMENT: tuple[str, ...] = ("speech_noise", "telephone", "reverb")

#: Measurement conditions: fixed parameters, noise types and codecs the training recipe lacks.
EVAL_CONDITIONS: dict[str, Condition] = {
    c.name: c
    for c in (
        _eval("pink10", "pink_noise", "pink noise at 10 dB SNR", snr_db=10.0),
        _eval(
            "babble10",
            "babble_noise",
            "babble-like noise (6 reversed talkers) at 10 dB SNR",
            snr_db=10.0,
        ),
        _eval(
            "phone_mulaw",
            "telephone",
            "300-3400 Hz, 8 kHz line, G.711 µ-law",
            low_hz=300.0,
            high_hz=3400.0,
            mulaw=True,
        ),
        _eval("reverb06", "reverb", "synthetic room, RT60 0.6 s", rt60=0.6),
        _eval("opus12k", "codec", "Opus 12 kbit/s round trip", codec_name="libopus", bitrate=12000),
    )
}
#: The measurement's default conditions.
DEFAULT_EVAL: tuple[str, ...] = ("pink10", "babble10", "phone_mulaw", "reverb06", "opus12k")

CONDITIONS: dict[str, Condition] = {**TRAIN_CONDITIONS, **EVAL_CONDITIONS}


def parse_conditions(
    text: str | None, known: dict[str, Condition], default: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """``"a,b"`` -> ``("a", "b")`` checked against ``known``; ``""``/``"none"`` -> ``()``;
    ``"default"`` -> ``default``."""
    if text is None or text.strip().lower() in ("", "none"):
        return ()
    if text.strip().lower() == "default":
        return tuple(default)
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown condition(s) {unknown}; known: {sorted(known)}")
    if len(set(names)) != len(names):
        raise ValueError(f"condition named twice in {text!r}")
    return names
