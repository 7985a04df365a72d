"""Degraded copies of a folder of clips: same names, same length, the condition applied
(seeded by the file name), already-written files kept, one-line errors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.io import wavfile

from emoreason.fitting.degraded_copies import SAMPLE_RATE, main, write_degraded_copies


def _write_tone(path, seconds: float = 1.0, hz: float = 5000.0) -> None:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    path.parent.mkdir(parents=True, exist_ok=True)
    wavfile.write(path, SAMPLE_RATE, (0.3 * np.sin(2 * np.pi * hz * t) * 32767).astype(np.int16))


def _band_energy(x: np.ndarray, lo: float, hi: float) -> float:
    spectrum = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / SAMPLE_RATE)
    return float(spectrum[(freqs >= lo) & (freqs < hi)].sum())


def test_copies_keep_names_and_length_and_apply_the_condition(tmp_path) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    _write_tone(src / "wav" / "03a01Fa.wav")
    _write_tone(src / "wav" / "11a01Wa.wav")
    written, kept, failed = write_degraded_copies(src, out, "phone_mulaw", prefixes=("03",))
    assert [p.name for p in written] == ["03a01Fa.wav"] and kept == [] and failed == []
    assert not (out / "wav" / "11a01Wa.wav").exists()  # not among the prefixes
    rate, copy = wavfile.read(out / "wav" / "03a01Fa.wav")
    _, original = wavfile.read(src / "wav" / "03a01Fa.wav")
    assert rate == SAMPLE_RATE and len(copy) == len(original)
    # a 5 kHz tone does not pass a 300-3400 Hz telephone line
    ratio = _band_energy(copy.astype(float), 4500, 5500) / _band_energy(
        original.astype(float), 4500, 5500
    )
    assert ratio < 0.01
    first = copy.copy()
    again, kept, _ = write_degraded_copies(src, out, "phone_mulaw", prefixes=("03",))
    assert again == [] and len(kept) == 1  # resumable: what is there stays
    (out / "wav" / "03a01Fa.wav").unlink()
    write_degraded_copies(src, out, "phone_mulaw", prefixes=("03",))
    np.testing.assert_array_equal(wavfile.read(out / "wav" / "03a01Fa.wav")[1], first)  # seeded


def test_bad_input_is_a_one_line_error(tmp_path, capsys) -> None:
    _write_tone(tmp_path / "a.wav")
    with pytest.raises(ValueError, match="condition: unknown 'nope'"):
        write_degraded_copies(tmp_path, tmp_path / "o", "nope")
    with pytest.raises(FileNotFoundError, match=r"no \.wav files named"):
        write_degraded_copies(tmp_path, tmp_path / "o", "reverb06", prefixes=("99",))
    with pytest.raises(SystemExit):
        main([str(tmp_path), str(tmp_path / "o"), "--condition", "nope"])
    assert "unknown 'nope'" in capsys.readouterr().err
    assert main([str(tmp_path), str(tmp_path / "o"), "--condition", "reverb06"]) == 0
    assert "1 written" in capsys.readouterr().out


def test_a_bad_file_is_reported_and_the_others_are_written(tmp_path, capsys) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    _write_tone(src / "03a01Fa.wav")
    (src / "03a02Fa.wav").write_bytes(b"not a wav at all")
    written, _, failed = write_degraded_copies(src, out, "reverb06")
    assert [p.name for p in written] == ["03a01Fa.wav"]
    assert [p.name for p, _ in failed] == ["03a02Fa.wav"] and "\n" not in failed[0][1]
    assert not list(out.glob(".*partial*"))  # no half-written file left behind
    (out / "03a01Fa.wav").unlink()
    assert main([str(src), str(out), "--condition", "reverb06"]) == 1
    captured = capsys.readouterr()
    assert "03a02Fa.wav" in captured.err and "1 written" in captured.out
