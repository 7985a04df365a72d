"""The ``ray`` engine: Ray Data over the manifest, one analyser per actor (``scale`` extra).

The pending items are written as a JSONL manifest, read with ``ray.data.read_json`` (on a remote
cluster, whose nodes may not see this disk, handed over with ``ray.data.from_items``), split
into blocks and materialised (so the read never competes with the actors for CPUs), mapped with
``map_batches`` over :class:`RayAnnotator`, a callable class: each actor builds the analyser once
in its constructor and processes ``batch_size`` clips per call; a fixed pool of ``workers``
actors (``ActorPoolStrategy``) bounds the concurrency. Rows stream back to the driver, which writes them to the sharded output as
they arrive (so a killed driver loses at most the clips in flight, as with ``local``).

Without ``ray_address`` a local Ray instance is started (``num_cpus = workers``, no dashboard,
usage statistics off) and stopped afterwards. Ray 2.60 binds it to the machine's address, not
loopback (it resolves 127.0.0.1 to the reachable address itself), and protects it with its
default token authentication; with one, an existing cluster is joined (its workers must
see the media paths). A Ray instance the caller already started is used as it is.
"""

from __future__ import annotations

import json
import logging
import math
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from emoreason.errors import ConfigError
from emoreason.pipeline.config import PipelineConfig
from emoreason.pipeline.engines import Emit
from emoreason.pipeline.manifests import ManifestItem
from emoreason.pipeline.stages import WorkerState, crash_row, process_item

#: Most blocks the manifest is split into (each block is one actor call sequence).
MAX_BLOCKS = 10_000


#: A local Ray instance talks over loopback only: Ray's single-node mode (this variable off) uses
#: 127.0.0.1 for every address instead of the machine's network address. Read by Ray at import.
LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}


def import_ray(local: bool = True) -> Any:
    """Ray, imported for a local instance (loopback only) or, ``local=False``, for a cluster."""
    if local:
        for key, value in LOOPBACK_ENV.items():
            os.environ.setdefault(key, value)
    try:
        import ray
        import ray.data
    except ImportError:
        raise ConfigError(
            "the ray engine needs Ray Data: pip install 'emoreason[scale]' (ray[data])"
        ) from None
    return ray


class RayAnnotator:
    """``map_batches`` callable class: the analyser is built once per actor."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.state = WorkerState(PipelineConfig.from_dict(config))
        self.init_error: str | None = None
        try:
            _ = self.state.analyzer
        except Exception as exc:
            self.init_error = f"{type(exc).__name__}: {' '.join(str(exc).split())}"

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        rows = []
        for text in batch["item"]:
            item = ManifestItem.from_dict(json.loads(str(text)))
            if self.init_error is not None:
                item.error = f"analyser could not be built: {self.init_error}"
            rows.append(process_item(item, self.state))
        return {
            "id": np.array([r["id"] for r in rows], dtype=object),
            "row": np.array([json.dumps(r, ensure_ascii=False) for r in rows], dtype=object),
        }


class RayEngine:
    name = "ray"

    def run(self, items: list[ManifestItem], config: PipelineConfig, emit: Emit) -> dict[str, Any]:
        ray = import_ray(local=config.ray_address is None)
        workers = min(config.worker_count, max(1, len(items)))
        start = time.perf_counter()
        started_here = False
        if not ray.is_initialized():
            self._init(ray, config, workers)
            started_here = True
        quiet = logging.getLogger("ray.data")
        level = quiet.level
        quiet.setLevel(logging.ERROR)  # Ray Data's INFO/WARNING lines are not our output
        try:
            if items:
                self._map(ray, items, config, workers, emit)
            resources = ray.cluster_resources()
        finally:
            quiet.setLevel(level)
            if started_here:
                ray.shutdown()
        return {
            "engine": self.name,
            "workers": workers,
            "ray_version": ray.__version__,
            "cluster_cpus": resources.get("CPU"),
            "ray_address": config.ray_address,
            "seconds": round(time.perf_counter() - start, 3),
        }

    @staticmethod
    def _init(ray: Any, config: PipelineConfig, workers: int) -> None:
        common = {"log_to_driver": False, "logging_level": logging.WARNING}
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # never phone home
        if config.ray_address:
            ray.init(address=config.ray_address, **common)
            return
        # the local workers import what the driver imports (e.g. an injected analyser module)
        paths = [p for p in sys.path if p and os.path.isdir(p)]
        ray.init(
            num_cpus=workers,
            include_dashboard=False,
            _node_ip_address="127.0.0.1",
            runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join(paths)}},
            **common,
        )

    @staticmethod
    def _map(
        ray: Any, items: list[ManifestItem], config: PipelineConfig, workers: int, emit: Emit
    ) -> None:
        from ray.data import DataContext

        context = DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        # a block whose actor died (a native crash) is skipped, not fatal: its clips become
        # error rows below
        context.max_errored_blocks = -1
        records = [{"item": json.dumps(item.to_dict())} for item in items]
        blocks = min(MAX_BLOCKS, math.ceil(len(items) / config.batch_size))
        if config.ray_address:
            # a cluster's nodes may not see this machine's disk: hand the items over directly
            dataset = ray.data.from_items(records, override_num_blocks=blocks).materialize()
        else:
            with tempfile.TemporaryDirectory(prefix="emoreason-ray-") as tmp:
                manifest = Path(tmp) / "pending.jsonl"
                with manifest.open("w", encoding="utf-8") as handle:
                    handle.writelines(json.dumps(record) + "\n" for record in records)
                dataset = ray.data.read_json(str(manifest)).repartition(blocks).materialize()
        with warnings.catch_warnings():
            # max_task_retries has no named parameter in map_batches yet (Ray 2.60)
            warnings.filterwarnings("ignore", message=".*ray_remote_args.*is deprecated")
            rows = _map_batches(dataset, config, workers)
        emitted: set[str] = set()
        for batch in rows.iter_batches(batch_size=None, batch_format="numpy"):
            for text in batch["row"]:
                row = json.loads(str(text))
                emitted.add(row["id"])
                emit(row)
        for item in items:
            if item.id not in emitted:
                emit(crash_row(item, "the Ray worker failed on the block holding this clip"))


def _map_batches(dataset: Any, config: PipelineConfig, workers: int) -> Any:
    from ray.data import ActorPoolStrategy

    return dataset.map_batches(
        RayAnnotator,
        fn_constructor_kwargs={"config": config.to_dict()},
        batch_size=config.batch_size,
        # one clip in flight per actor, no retry on a restarted actor: a clip that kills
        # its actor loses only itself (its block is skipped, see max_errored_blocks)
        compute=ActorPoolStrategy(size=workers, max_tasks_in_flight_per_actor=1),
        max_task_retries=0,
        num_cpus=1,
        batch_format="numpy",
    )
