"""Keep the native libraries' log chatter off the caller's stderr, and nothing else.

MediaPipe (absl C++ logging) and TensorFlow Lite write lines such as ``W0000 00:00:... Feedback
manager requires a model with a single signature...`` and ``INFO: Created TensorFlow Lite XNNPACK
delegate`` straight to file descriptor 2, from C++, on model creation and on first use. No
environment variable turns them off in the versions we ship, and they would reach every program
that uses the library (the CLI already hides them; library users deserve the same).

:func:`native_logs_filtered` redirects descriptor 2 into a pipe for the duration of our model
calls; a reader thread forwards every line that is *not* a known native log line to the original
stderr, so messages of the caller's own threads written in that window are delayed, never lost.
Python's ``logging`` and ``warnings`` configuration is not touched. Re-entrant and thread-safe
(a reference count: the first entry redirects, the last exit restores). A no-op where descriptor
2 is not usable or when ``EMOREASON_NATIVE_LOGS=1`` asks to see everything.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: Lines the native libraries write on their own (absl's ``W0000 00:00:...`` prefix, TFLite's
#: ``INFO: ...`` lines, absl's pre-initialisation notice).
NATIVE_LINE = re.compile(
    rb"^(?:[IWEF]\d{4} [\d:]+\.\d+\s+\d+ \S+:\d+\]"
    rb"|INFO: Created TensorFlow Lite"
    rb"|INFO: Initialized TensorFlow Lite"
    rb"|WARNING: All log messages before absl::InitializeLog\(\) is called)"
)

_lock = threading.Lock()
_depth = 0
_saved_fd: int | None = None
_reader: threading.Thread | None = None


def _forward(read_fd: int, out_fd: int) -> None:
    pending = b""
    with os.fdopen(read_fd, "rb", buffering=0) as pipe:
        while chunk := pipe.read(65536):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            kept = b"".join(line + b"\n" for line in lines if not NATIVE_LINE.match(line))
            if kept:
                os.write(out_fd, kept)
    if pending and not NATIVE_LINE.match(pending):
        os.write(out_fd, pending)


def _start() -> None:
    global _saved_fd, _reader
    sys.stderr.flush()
    _saved_fd = os.dup(2)
    read_fd, write_fd = os.pipe()
    os.dup2(write_fd, 2)
    os.close(write_fd)
    _reader = threading.Thread(
        target=_forward, args=(read_fd, _saved_fd), name="emoreason-native-logs", daemon=True
    )
    _reader.start()


def _stop() -> None:
    global _saved_fd, _reader
    sys.stderr.flush()
    assert _saved_fd is not None and _reader is not None
    os.dup2(_saved_fd, 2)  # closes the pipe's last write end: the reader sees EOF
    _reader.join(timeout=5)
    os.close(_saved_fd)
    _saved_fd, _reader = None, None


def _usable() -> bool:
    if os.environ.get("EMOREASON_NATIVE_LOGS") == "1":
        return False
    try:
        os.fstat(2)
    except OSError:
        return False
    return True


@contextmanager
def native_logs_filtered() -> Iterator[None]:
    """Drop the native libraries' log lines written to descriptor 2 inside the block."""
    global _depth
    with _lock:
        active = _usable() if _depth == 0 else True
        if active:
            if _depth == 0:
                _start()
            _depth += 1
    try:
        yield
    finally:
        if active:
            with _lock:
                _depth -= 1
                if _depth == 0:
                    _stop()
