"""The ``local`` engine: a spawn-context process pool on this machine.

Each worker builds its analyser once, in the pool initializer (models load once per worker, not
per clip), and limits its math libraries to one thread (the pool is the parallelism). At most
``2 x workers`` clips are in flight, so memory stays flat however long the manifest is. A worker
that dies (a native crash) breaks the pool: the clips then in flight run again one by one in a
fresh single-worker pool, so only a clip that kills its worker again becomes an error row
(``WorkerCrash``); the run goes on with a new pool.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from emoreason.pipeline.config import PipelineConfig
from emoreason.pipeline.engines import Emit
from emoreason.pipeline.manifests import ManifestItem
from emoreason.pipeline.stages import WorkerState, crash_row, process_item

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
_STATE: WorkerState | None = None
_INIT_ERROR: str | None = None


def init_worker(config: dict[str, Any]) -> None:
    """Pool initializer: one thread per worker, then build the analyser (errors are kept and
    reported on every clip of this worker rather than breaking the pool)."""
    global _STATE, _INIT_ERROR
    for name in _THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    os.environ.setdefault("EMOREASON_THREADS", "1")
    _STATE = WorkerState(PipelineConfig.from_dict(config))
    try:
        _ = _STATE.analyzer
    except Exception as exc:
        _INIT_ERROR = f"{type(exc).__name__}: {' '.join(str(exc).split())}"


def run_item(item: dict[str, Any]) -> dict[str, Any]:
    """Worker side of one clip."""
    manifest_item = ManifestItem.from_dict(item)
    if _INIT_ERROR is not None:
        manifest_item.error = f"analyser could not be built: {_INIT_ERROR}"
    assert _STATE is not None, "init_worker did not run"
    return process_item(manifest_item, _STATE)


class LocalEngine:
    name = "local"

    def run(self, items: list[ManifestItem], config: PipelineConfig, emit: Emit) -> dict[str, Any]:
        workers = min(config.worker_count, max(1, len(items)))
        window = 2 * workers
        context = multiprocessing.get_context("spawn")
        queue = list(reversed(items))
        start = time.perf_counter()
        pools = crashed = 0
        while queue:
            pools += 1
            queue, suspects = self._run_pool(queue, config, workers, window, context, emit)
            # a dead worker breaks the whole pool: the clips in flight are suspects, each run
            # again alone (one worker, one clip) so only the clip that kills a worker fails
            for item in suspects:
                pools += 1
                _, again = self._run_pool([item], config, 1, 1, context, emit)
                for lost in again:
                    crashed += 1
                    emit(
                        crash_row(
                            lost, "the worker process died on this clip (in the pool, then alone)"
                        )
                    )
        return {
            "engine": self.name,
            "workers": workers,
            "pools": pools,
            "worker_crashes": crashed,
            "seconds": round(time.perf_counter() - start, 3),
        }

    @staticmethod
    def _run_pool(
        queue: list[ManifestItem],
        config: PipelineConfig,
        workers: int,
        window: int,
        context: Any,
        emit: Emit,
    ) -> tuple[list[ManifestItem], list[ManifestItem]]:
        """Run until the queue is empty or the pool breaks: (queue left, clips lost in flight)."""
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=init_worker,
            initargs=(config.to_dict(),),
        ) as pool:
            in_flight: dict[Future, ManifestItem] = {}
            while queue or in_flight:
                while queue and len(in_flight) < window:
                    item = queue.pop()
                    in_flight[pool.submit(run_item, item.to_dict())] = item
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                lost: list[ManifestItem] = []
                for future in done:
                    item = in_flight.pop(future)
                    try:
                        emit(future.result())
                    except BrokenProcessPool:
                        lost.append(item)
                if lost:
                    lost.extend(in_flight.values())
                    for future in in_flight:
                        future.cancel()
                    return queue, lost
        return [], []
