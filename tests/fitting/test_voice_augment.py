"""Degradations of a waveform (voice_augment): achieved SNR, telephone band, reverberation decay,
codec round trip, determinism by seed, and the named training / measurement conditions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal as sps

from emoreason.fitting.voice_augment import (
    CONDITIONS,
    DEFAULT_AUGMENT,
    DEFAULT_EVAL,
    DEGRADATIONS,
    EVAL_CONDITIONS,
    TRAIN_CONDITIONS,
    clipping,
    codec,
    gain,
    parse_conditions,
    reverb,
    room_impulse_response,
    telephone,
)

SR = 16000


def _speechlike(seconds: float = 1.5, seed: int = 0) -> np.ndarray:
    """Harmonics of a gliding 150 Hz voice, syllable-modulated, with pauses (peak 0.8)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    f0 = 150 + 30 * np.sin(2 * np.pi * 0.8 * t)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    x = sum(np.sin(h * phase) / h for h in range(1, 25))
    x *= np.clip(np.sin(2 * np.pi * 3.0 * t), 0, None)  # syllables and gaps
    x += 0.01 * rng.standard_normal(t.size)
    return (0.8 * x / np.max(np.abs(x))).astype(np.float32)


def _band_energy(x: np.ndarray, low: float, high: float) -> float:
    f, pxx = sps.welch(x, fs=SR, nperseg=1024)
    return float(pxx[(f >= low) & (f < high)].sum())


@pytest.mark.parametrize("name", ["white_noise", "pink_noise", "speech_noise", "babble_noise"])
@pytest.mark.parametrize("snr_db", [0.0, 10.0, 20.0])
def test_noise_is_added_at_the_requested_snr(name: str, snr_db: float) -> None:
    x = _speechlike()
    y = DEGRADATIONS[name](x, SR, snr_db=snr_db, seed=3)
    noise = y.astype(np.float64) - x
    achieved = 10 * np.log10(np.mean(x.astype(np.float64) ** 2) / np.mean(noise**2))
    assert abs(achieved - snr_db) < 0.5
    assert y.shape == x.shape and y.dtype == np.float32


def test_noise_colours_differ() -> None:
    x = _speechlike()
    white = DEGRADATIONS["white_noise"](x, SR, snr_db=0.0, seed=1) - x
    pink = DEGRADATIONS["pink_noise"](x, SR, snr_db=0.0, seed=1) - x
    # white: flat, so 4-8 kHz holds about as much as 0-4 kHz; pink: far less up there
    assert _band_energy(white, 4000, 8000) > 0.5 * _band_energy(white, 0, 4000)
    assert _band_energy(pink, 4000, 8000) < 0.2 * _band_energy(pink, 0, 4000)


def test_telephone_removes_energy_outside_its_band() -> None:
    t = np.arange(SR) / SR
    x = (0.3 * np.sin(2 * np.pi * 1000 * t) + 0.3 * np.sin(2 * np.pi * 6000 * t)
         + 0.3 * np.sin(2 * np.pi * 80 * t)).astype(np.float32)  # fmt: skip
    y = telephone(x, SR)
    assert y.shape == x.shape
    # above the 4 kHz line Nyquist: down by more than 40 dB; the 1 kHz tone passes
    assert _band_energy(y, 4000, 8000) < 1e-4 * _band_energy(x, 4000, 8000)
    assert _band_energy(y, 900, 1100) > 0.5 * _band_energy(x, 900, 1100)
    assert _band_energy(y, 50, 120) < 0.05 * _band_energy(x, 50, 120)
    mulaw = telephone(x, SR, mulaw=True)
    assert not np.allclose(mulaw, y) and np.corrcoef(mulaw, y)[0, 1] > 0.95


def _schroeder_rt60(h: np.ndarray) -> float:
    """RT60 from the -5..-25 dB slope of the backward-integrated energy decay."""
    edc = np.cumsum(h[::-1] ** 2)[::-1]
    db = 10 * np.log10(edc / edc[0])
    t = np.arange(h.size) / SR
    fit = (db <= -5) & (db >= -25)
    slope = np.polyfit(t[fit], db[fit], 1)[0]  # dB per second
    return -60.0 / slope


@pytest.mark.parametrize("rt60", [0.3, 0.6, 0.8])
def test_room_impulse_response_decays_at_its_rt60(rt60: float) -> None:
    h = room_impulse_response(SR, rt60, seed=2, direct=0.0)
    assert np.sum(h**2) == pytest.approx(1.0)
    assert _schroeder_rt60(h) == pytest.approx(rt60, rel=0.2)


def test_reverb_lengthens_the_energy_decay() -> None:
    x = np.zeros(SR, dtype=np.float32)
    x[: SR // 5] = _speechlike(0.2)  # 0.2 s of sound, then silence
    tail = slice(int(0.3 * SR), int(0.6 * SR))  # 0.1-0.4 s after the sound stops

    def tail_share(y: np.ndarray) -> float:
        y = y.astype(np.float64)
        return float(np.mean(y[tail] ** 2) / np.mean(y[: SR // 5] ** 2))

    shares = [tail_share(x)]
    for rt60 in (0.3, 0.8):
        y = reverb(x, SR, rt60=rt60, seed=5)
        assert y.shape == x.shape
        assert np.mean(y.astype(np.float64) ** 2) == pytest.approx(np.mean(x**2.0), rel=1e-4)
        shares.append(tail_share(y))
    assert shares[0] == 0.0 < 1e-6 < shares[1]  # dry: silence; reverberant: a decaying tail
    assert shares[2] > 10 * shares[1]  # a longer RT60 leaves much more energy in the tail


def test_gain_and_clipping() -> None:
    x = _speechlike()
    np.testing.assert_allclose(gain(x, SR, gain_db=-6.0), x * 10 ** (-6 / 20), rtol=1e-6)
    y = clipping(x, SR, drive_db=6.0)
    peak = np.max(np.abs(x))
    assert np.max(np.abs(y)) == pytest.approx(peak * 10 ** (-6 / 20), rel=1e-5)
    assert np.mean(np.isclose(np.abs(y), np.max(np.abs(y)))) > 0.01  # flat tops
    np.testing.assert_array_equal(clipping(np.zeros(10), SR, drive_db=6.0), np.zeros(10))


def test_codec_round_trip_keeps_length_and_alignment() -> None:
    x = _speechlike()
    for name, bitrate in (("libopus", 12000), ("libmp3lame", 32000)):
        y = codec(x, SR, codec_name=name, bitrate=bitrate)
        assert y.shape == x.shape and y.dtype == np.float32
        assert not np.allclose(y, x, atol=1e-3)
        assert np.corrcoef(x, y)[0, 1] > 0.8  # aligned (encoder delay removed), still speech


@pytest.mark.parametrize("name", sorted(DEGRADATIONS))
def test_every_degradation_is_deterministic_by_seed(name: str) -> None:
    x = _speechlike(0.5)
    params = {"white_noise": {"snr_db": 10.0}, "pink_noise": {"snr_db": 10.0},
              "speech_noise": {"snr_db": 10.0}, "babble_noise": {"snr_db": 10.0},
              "reverb": {"rt60": 0.5}, "gain": {"gain_db": 3.0}, "clipping": {"drive_db": 6.0},
              "telephone": {}, "codec": {}}[name]  # fmt: skip
    a = DEGRADATIONS[name](x, SR, seed=11, **params)
    b = DEGRADATIONS[name](x, SR, seed=11, **params)
    np.testing.assert_array_equal(a, b)
    if name in ("white_noise", "pink_noise", "speech_noise", "babble_noise", "reverb"):
        assert not np.array_equal(a, DEGRADATIONS[name](x, SR, seed=12, **params))
    np.testing.assert_array_equal(x, _speechlike(0.5))  # the input is not modified


def test_conditions_draw_per_clip_parameters_reproducibly() -> None:
    x = _speechlike(0.5)
    for condition in CONDITIONS.values():
        assert condition.degradation in DEGRADATIONS and condition.description
        np.testing.assert_array_equal(condition.apply(x, SR, "11a01Fa"),
                                      condition.apply(x, SR, "11a01Fa"))  # fmt: skip
        assert np.max(np.abs(condition.apply(x, SR, "11a01Fa"))) <= 1.0
    reverb_train = TRAIN_CONDITIONS["reverb"]
    drawn = [reverb_train.parameters(f"11a0{i}Fa")["rt60"] for i in range(1, 8)]
    assert all(0.3 <= r <= 0.8 for r in drawn) and len(set(drawn)) == len(drawn)
    # measurement copies never reuse the training noise of the same clip
    assert TRAIN_CONDITIONS["reverb"].seed_for("03a01Fa") != EVAL_CONDITIONS["reverb06"].seed_for(
        "03a01Fa"
    )
    assert set(DEFAULT_AUGMENT) <= set(TRAIN_CONDITIONS)
    assert set(DEFAULT_EVAL) <= set(EVAL_CONDITIONS)
    assert not set(TRAIN_CONDITIONS) & set(EVAL_CONDITIONS)


def test_parse_conditions() -> None:
    assert parse_conditions("reverb, telephone", TRAIN_CONDITIONS) == ("reverb", "telephone")
    assert parse_conditions("none", TRAIN_CONDITIONS) == ()
    assert parse_conditions("", TRAIN_CONDITIONS) == ()
    assert parse_conditions("default", TRAIN_CONDITIONS, DEFAULT_AUGMENT) == DEFAULT_AUGMENT
    with pytest.raises(ValueError, match="unknown"):
        parse_conditions("reverb06", TRAIN_CONDITIONS)
    with pytest.raises(ValueError, match="twice"):
        parse_conditions("reverb,reverb", TRAIN_CONDITIONS)


def test_input_must_be_mono() -> None:
    with pytest.raises(ValueError, match="mono"):
        DEGRADATIONS["white_noise"](np.zeros((2, 100)), SR, snr_db=10.0, seed=0)
