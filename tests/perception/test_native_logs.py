"""Native log lines written to descriptor 2 are dropped inside the block; everything else is
forwarded, and descriptor 2 is restored afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from emoreason.perception.native_logs import NATIVE_LINE, native_logs_filtered

ABSL = (
    b"W0000 00:00:1796065221.342217   31696 inference_feedback_manager.cc:114] Feedback manager\n"
)
TFLITE = b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n"


def test_native_lines_are_dropped_and_others_kept(capfd) -> None:
    with native_logs_filtered():
        os.write(2, ABSL)
        os.write(2, b"the caller's own line\n")
        os.write(2, TFLITE)
        with native_logs_filtered():  # re-entrant
            os.write(2, b"nested line\n")
    os.write(2, b"after\n")
    err = capfd.readouterr().err
    assert "the caller's own line" in err and "nested line" in err and "after" in err
    assert "Feedback manager" not in err and "XNNPACK" not in err


def test_lines_from_other_threads_are_not_lost(capfd) -> None:
    def other() -> None:
        for i in range(50):
            os.write(2, f"thread line {i}\n".encode())

    with native_logs_filtered():
        t = threading.Thread(target=other)
        t.start()
        t.join()
    err = capfd.readouterr().err
    assert all(f"thread line {i}\n" in err for i in range(50))


def test_opt_out_shows_everything(capfd, monkeypatch) -> None:
    monkeypatch.setenv("EMOREASON_NATIVE_LOGS", "1")
    with native_logs_filtered():
        os.write(2, TFLITE)
    assert "XNNPACK" in capfd.readouterr().err


def test_pattern_matches_only_native_lines() -> None:
    assert NATIVE_LINE.match(ABSL) and NATIVE_LINE.match(TFLITE)
    for line in (b"WARNING: something of yours", b"W0000 is a word", b"INFO: fine"):
        assert not NATIVE_LINE.match(line)


@pytest.mark.slow
def test_python_api_is_quiet_on_a_real_clip(tmp_path) -> None:
    """A library user analysing a clip sees nothing on stderr (MediaPipe/TFLite included)."""
    clip = Path(__file__).resolve().parents[2] / "examples" / "clips" / "happy_consistent.mp4"
    code = f"import emoreason; r = emoreason.analyze({str(clip)!r}); print(r.emotion)"
    env = {k: v for k, v in os.environ.items() if k != "EMOREASON_NATIVE_LOGS"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "happy"
    assert done.stderr.strip() == "", done.stderr
