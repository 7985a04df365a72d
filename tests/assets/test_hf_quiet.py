"""Progress bars are off inside hf_progress_bars_off and the caller's setting is restored."""

from __future__ import annotations

import pytest
from transformers.utils import logging as hf_logging

from emoreason.assets.hf_quiet import gguf_conversion_bar_off, hf_progress_bars_off


def test_bars_off_inside_and_restored_after() -> None:
    hf_logging.enable_progress_bar()
    with hf_progress_bars_off():
        assert not hf_logging.is_progress_bar_enabled()
        with hf_progress_bars_off():  # re-entrant
            assert not hf_logging.is_progress_bar_enabled()
        assert not hf_logging.is_progress_bar_enabled()
    assert hf_logging.is_progress_bar_enabled()


def test_a_caller_who_disabled_them_keeps_them_disabled() -> None:
    hf_logging.disable_progress_bar()
    try:
        with hf_progress_bars_off():
            pass
        assert not hf_logging.is_progress_bar_enabled()
    finally:
        hf_logging.enable_progress_bar()


def test_gguf_conversion_bar_is_silenced_and_restored(capfd: pytest.CaptureFixture) -> None:
    from transformers import modeling_gguf_pytorch_utils as gguf_utils

    original = gguf_utils.tqdm
    with gguf_conversion_bar_off():
        assert list(gguf_utils.tqdm(range(3), desc="Converting")) == [0, 1, 2]
    assert gguf_utils.tqdm is original
    assert "Converting" not in capfd.readouterr().err
