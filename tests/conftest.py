"""Suite-wide settings.

``EMOREASON_THREADS=N`` runs the whole suite with N CPU threads for torch (here) and for
whisper/CTranslate2 (the perception config's default). CI runs the suite with 1 and with 2
threads (``make test`` and ``make test THREADS=2``): tests on model outputs must hold for both.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def pytest_configure(config) -> None:
    threads = os.environ.get("EMOREASON_THREADS", "").strip()
    if threads:
        import torch

        torch.set_num_threads(int(threads))


def pytest_report_header(config) -> str:
    return f"emoreason threads: {os.environ.get('EMOREASON_THREADS', '1 (default)')}"


@pytest.fixture(scope="session")
def omni_dir(tmp_path_factory) -> Path:
    """The tiny Qwen2.5-Omni thinker folder (seed 0, see ``omni_media``), built once per run.

    Shared by every test that takes it: read it, never write into it (copy it first)."""
    from omni_media import build_omni

    return build_omni(tmp_path_factory.mktemp("tiny_omni"))
