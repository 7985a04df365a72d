"""Analyses run off the event loop: a bounded queue drained by one worker thread.

One worker, because the models are shared and warm (one analysis at a time uses the CPU fully).
A job moves ``queued -> running -> done | error``; while it runs, ``stage`` says which part
(``perception`` then ``reasoning`` for the real analyser). :meth:`JobQueue.submit` refuses a job
when ``capacity`` jobs already wait behind a running one (:class:`QueueFull`, with a ``Retry-After`` estimate from the
recent job durations). Finished jobs are kept (``keep`` most recent) for polling and downloads.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import logging
import math
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from emoreason.errors import EmoreasonError

log = logging.getLogger("emoreason.serve")

JobStatus = Literal["queued", "running", "done", "error"]

_current = threading.local()


def set_stage(stage: str) -> None:
    """Mark the stage of the job running in this thread (no-op outside a worker)."""
    job = getattr(_current, "job", None)
    if job is not None:
        job.stage = stage


class QueueFull(Exception):
    """The queue holds ``capacity`` waiting jobs; try again after ``retry_after`` seconds."""

    def __init__(self, capacity: int, retry_after: int) -> None:
        super().__init__(
            f"busy: the queue is full ({capacity} waiting behind the running analysis); "
            f"retry in {retry_after} s"
        )
        self.retry_after = retry_after


@dataclass
class Job:
    """One requested analysis of one clip."""

    name: str
    lang: str
    path: str
    cleanup: bool = False  # delete ``path`` when the job ends (uploads)
    example: bool = False  # ``name`` is a bundled example
    clip_seconds: float | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    status: JobStatus = "queued"
    stage: str = "queued"
    submitted: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None
    result: Any = None
    error: str | None = None
    internal: bool = False  # the error is a bug, not bad input
    future: concurrent.futures.Future = field(default_factory=concurrent.futures.Future)

    def elapsed(self) -> float:
        """Seconds since the job started running (0 while queued)."""
        if self.started is None:
            return 0.0
        return (self.finished or time.monotonic()) - self.started


class JobQueue:
    """A bounded FIFO of jobs and the worker thread that runs them with ``run(job)``."""

    def __init__(
        self,
        run: Callable[[Job], Any],
        capacity: int = 8,
        keep: int = 64,
        warmup: Callable[[], None] | None = None,
    ) -> None:
        self._run = run
        self.capacity = capacity
        self.keep = keep
        self._warmup = warmup
        self._waiting: collections.deque[Job] = collections.deque()
        self._jobs: collections.OrderedDict[str, Job] = collections.OrderedDict()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self.running: Job | None = None
        self.warm_state = "cold" if warmup else "ready"
        self.mean_seconds = 5.0  # running mean of job durations, for Retry-After
        self.completed = 0
        self.failed = 0

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        with self._cond:
            if self._thread is not None:
                return
            self._stopping = False
            self._thread = threading.Thread(target=self._work, name="emoreason-jobs", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the running job; waiting jobs are failed and their uploads removed."""
        with self._cond:
            self._stopping = True
            pending = list(self._waiting)
            self._waiting.clear()
            self._cond.notify_all()
            thread, self._thread = self._thread, None
        for job in pending:
            self._finish(job, None, "server stopping")
        if thread is not None:
            thread.join(timeout)

    # -- submission and lookup ---------------------------------------------------------------
    def submit(self, job: Job) -> Job:
        """Queue ``job`` (starting the worker if needed); :class:`QueueFull` when full."""
        self.start()
        with self._cond:
            idle = self.running is None and self.warm_state != "warming"
            if len(self._waiting) >= self.capacity + (1 if idle else 0):
                raise QueueFull(self.capacity, self.retry_after())
            self._waiting.append(job)
            self._jobs[job.id] = job
            self._forget_old()
            self._cond.notify()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._cond:
            return self._jobs.get(job_id)

    def position(self, job: Job) -> int:
        """0 when running or finished; k when k-1 jobs wait before it (and one may run)."""
        with self._cond:
            try:
                return self._waiting.index(job) + 1
            except ValueError:
                return 0

    def retry_after(self) -> int:
        """Seconds until a waiting slot is likely free: one mean job time (1..600)."""
        return max(1, min(600, math.ceil(self.mean_seconds)))

    def stats(self) -> dict[str, Any]:
        with self._cond:
            return {
                "waiting": len(self._waiting),
                "running": 1 if self.running is not None else 0,
                "capacity": self.capacity,
                "completed": self.completed,
                "failed": self.failed,
                "mean_seconds": round(self.mean_seconds, 3),
                "models": self.warm_state,
            }

    # -- worker ------------------------------------------------------------------------------
    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.status in ("done", "error")]
        for job in finished[: max(0, len(finished) - self.keep)]:
            del self._jobs[job.id]

    def _work(self) -> None:
        if self._warmup is not None:
            self.warm_state = "warming"
            started = time.monotonic()
            try:
                self._warmup()
                self.warm_state = "ready"
                log.info("models warm in %.1f s", time.monotonic() - started)
            except Exception as exc:  # the server still answers; each job reports its own error
                self.warm_state = f"warm-up failed: {exc}"
                log.warning("model warm-up failed: %s", exc)
        while True:
            with self._cond:
                while not self._waiting and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                job = self._waiting.popleft()
                self.running = job
                job.status, job.stage, job.started = "running", "running", time.monotonic()
            _current.job = job
            try:
                result, error = self._run(job), None
            except EmoreasonError as exc:
                result, error = None, str(exc)
            except Exception as exc:  # a bug in an analyser must not stop the worker
                log.exception("analysis of %s failed", job.name)
                result, error = None, f"{job.name}: internal error ({type(exc).__name__}: {exc})"
                job.internal = True
            finally:
                _current.job = None
            self._finish(job, result, error)

    def _finish(self, job: Job, result: Any, error: str | None) -> None:
        if job.cleanup:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(job.path)
        with self._cond:
            job.finished = time.monotonic()
            if job.started is not None:
                self.mean_seconds = 0.7 * self.mean_seconds + 0.3 * job.elapsed()
            if self.running is job:
                self.running = None
            if error is None:
                job.status, job.stage, job.result = "done", "done", result
                self.completed += 1
            else:
                job.status, job.stage, job.error = "error", "error", " ".join(error.split())
                self.failed += 1
            self._forget_old()
        if error is None:
            job.future.set_result(result)
        else:
            job.future.set_exception(EmoreasonError(job.error or error))
