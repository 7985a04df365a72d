"""Load Hugging Face models without their progress bars, and leave the caller's setting as it was.

transformers 5 draws a "Loading weights" tqdm bar on every ``from_pretrained``; the library never
prints, yet a program that uses it may want those bars for its own loads. So the bars are switched
off only inside :func:`hf_progress_bars_off` and switched back on afterwards if they were on.
The GGUF reader's own plain tqdm bar is silenced by :func:`gguf_conversion_bar_off`.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def hf_progress_bars_off() -> Iterator[None]:
    """No transformers progress bars inside the block (re-entrant, thread-safe)."""
    global _depth, _was_enabled
    from transformers.utils import logging as hf_logging

    with _lock:
        if _depth == 0:
            _was_enabled = hf_logging.is_progress_bar_enabled()
            hf_logging.disable_progress_bar()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                hf_logging.enable_progress_bar()


@contextmanager
def gguf_conversion_bar_off() -> Iterator[None]:
    """transformers' GGUF reader draws a plain tqdm bar (module-level name); silence it meanwhile.

    (tqdm reads ``TQDM_DISABLE`` once, at import, so setting it here would do nothing.)
    """
    from transformers import modeling_gguf_pytorch_utils as gguf_utils

    original = getattr(gguf_utils, "tqdm", None)
    if original is None:  # a transformers without that bar
        yield
        return
    gguf_utils.tqdm = functools.partial(original, disable=True)
    try:
        yield
    finally:
        gguf_utils.tqdm = original
