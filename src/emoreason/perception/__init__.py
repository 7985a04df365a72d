"""Perception: decode a clip and extract typed, timestamped per-modality evidence (offline, CPU).

>>> from emoreason.perception import Perceiver, PerceptionConfig, perceive
>>> evidence = perceive("examples/clips/happy_consistent.mp4")  # doctest: +SKIP
>>> evidence.hypothesis("visual").label  # doctest: +SKIP
'happy'

Extractors (one API: ``process_signal`` / ``process_file``): :class:`FaceExtractor`,
:class:`BodyExtractor`, :class:`SceneExtractor`, :class:`AcousticExtractor`,
:class:`SpeechExtractor`, :class:`VerbalExtractor`. Words alone: :func:`classify_text`
(``classify_text("I'm sick of your lies!").label == 'angry'``).

These names are imported on first use, so importing one module of the package (the decoding in
``emoreason.perception.decode``, the configuration) does not load every extractor's packages.
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "ALL_STAGES": "emoreason.perception.config",
    "AcousticExtractor": "emoreason.perception.acoustic",
    "BodyExtractor": "emoreason.perception.body",
    "ClipSignal": "emoreason.perception.base",
    "Extractor": "emoreason.perception.base",
    "FaceExtractor": "emoreason.perception.face",
    "FrameExtractor": "emoreason.perception.base",
    "Perceiver": "emoreason.perception.runner",
    "PerceptionConfig": "emoreason.perception.config",
    "SceneExtractor": "emoreason.perception.scene",
    "SpeechExtractor": "emoreason.perception.speech",
    "VerbalExtractor": "emoreason.perception.verbal",
    "classify_text": "emoreason.perception.verbal",
    "default_perceiver": "emoreason.perception.runner",
    "perceive": "emoreason.perception.runner",
}
__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'emoreason.perception' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)
