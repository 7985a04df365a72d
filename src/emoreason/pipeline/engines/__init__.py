"""Engines run :func:`emoreason.pipeline.stages.process_item` over many clips.

One interface (:class:`Engine`): ``run(items, config, emit)`` calls ``emit(row)`` in the calling
process for each finished clip, in completion order; writing, resuming and progress stay with
the caller. ``local``: a process pool on this machine; ``ray``: Ray Data actors, on a local Ray
instance or an existing cluster (the ``scale`` extra).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from emoreason.errors import ConfigError
from emoreason.pipeline.config import ENGINES, PipelineConfig
from emoreason.pipeline.manifests import ManifestItem

Emit = Callable[[dict[str, Any]], None]


class Engine(Protocol):
    name: str

    def run(self, items: list[ManifestItem], config: PipelineConfig, emit: Emit) -> dict[str, Any]:
        """Process every item, ``emit`` each row; returns facts about the run (workers...)."""
        ...


def create_engine(name: str) -> Engine:
    """The engine called ``name`` (ConfigError listing the known ones otherwise)."""
    if name == "local":
        from emoreason.pipeline.engines.local import LocalEngine

        return LocalEngine()
    if name == "ray":
        from emoreason.pipeline.engines.ray_engine import RayEngine

        return RayEngine()
    raise ConfigError(f"unknown engine {name!r}; expected one of {list(ENGINES)}")
