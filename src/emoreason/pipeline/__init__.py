"""The main job: perceive -> reason -> AnalysisResult; batches, resumable JSONL, reports.

The SABER data pipeline (clean -> annotate -> QC -> instructions over many clips, on a local
process pool or Ray) is :func:`run_pipeline` with a :class:`PipelineConfig`; these names are
imported on first use, so ``import emoreason.pipeline.analyze`` stays light.
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "PipelineConfig": "emoreason.pipeline.config",
    "ManifestItem": "emoreason.pipeline.manifests",
    "read_manifest": "emoreason.pipeline.manifests",
    "run_pipeline": "emoreason.pipeline.run",
    "ProgressEvent": "emoreason.pipeline.run",
    "PipelineSummary": "emoreason.pipeline.run",
}
__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'emoreason.pipeline' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)
