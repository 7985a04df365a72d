"""Build every derived model folder once (``python -m emoreason.assets``, ``emoreason assets
prepare``, ``make install``). Library code: it reports progress through a callback, never prints."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from emoreason.assets.store import (
    fer_model_path,
    minilm_dir,
    minilm_static_dir,
    smollm2_dir,
    whisper_base_dir,
)

#: (what is prepared, the function that returns its path, building it first when needed)
PREPARE_STEPS: tuple[tuple[str, Callable[[], Path]], ...] = (
    ("whisper-base (assemble 2 halves, verify SHA-256)", whisper_base_dir),
    ("SmolLM2-135M-Instruct (GGUF -> safetensors)", smollm2_dir),
    ("all-MiniLM-L6-v2", minilm_dir),
    ("all-MiniLM-L6-v2 static (distilled once)", minilm_static_dir),
    ("FER 7-class", fer_model_path),
)


def prepare_all(
    on_step: Callable[[str], None] | None = None, on_done: Callable[[str, Path], None] | None = None
) -> dict[str, Path]:
    """Run every step of :data:`PREPARE_STEPS` in order; returns label -> path.

    ``on_step(label)`` is called before a step, ``on_done(label, path)`` after it.
    """
    prepared: dict[str, Path] = {}
    for label, step in PREPARE_STEPS:
        if on_step is not None:
            on_step(label)
        prepared[label] = step()
        if on_done is not None:
            on_done(label, prepared[label])
    return prepared
