"""``run_pipeline``: a manifest in, a resumable output folder out, on any engine.

Output folder::

    inputs.jsonl           the resolved items (id, path, dataset, labels)
    rows/part-NNNNN.jsonl  one row per input: ok (records + QC), filtered (reasons) or error
    records.parquet        the records, one per clip and language
    qc/                    report.json, report.md, consistent.jsonl, inconsistent.jsonl
    instructions/          sft(.swift).jsonl, pairs(.swift).jsonl
    manifest.json          counts, timings, versions, the configuration, every run

An output that already holds rows is refused unless ``resume`` (skip the ids already written;
with ``retry_errors`` the error rows are dropped first and run again) or ``overwrite``. Derived
files are rebuilt from the rows at the end of every run, so a resumed or repeated run gives the
same files. Progress goes to ``on_progress`` (the library never prints).
"""

from __future__ import annotations

import json
import platform
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from statistics import median
from typing import Any

from emoreason.errors import InputError
from emoreason.formats.atomic import write_text_atomic
from emoreason.formats.jsonl import write_jsonl
from emoreason.pipeline.batch import drop_error_rows
from emoreason.pipeline.config import PipelineConfig
from emoreason.pipeline.engines import Engine, create_engine
from emoreason.pipeline.manifests import ManifestItem, read_manifest
from emoreason.pipeline.outputs import write_outputs
from emoreason.pipeline.shards import ShardWriter, iter_rows, repair_shards, shard_paths

OWNED_PATHS = ("inputs.jsonl", "rows", "records.parquet", "qc", "instructions", "manifest.json")
VERSIONED_PACKAGES = ("emoreason", "numpy", "pyarrow", "av", "pydantic", "torch", "ray")


@dataclass
class ProgressEvent:
    """One finished clip (or the start, with ``row_id`` None)."""

    done: int
    total: int
    ok: int
    filtered: int
    failed: int
    resumed: int
    elapsed: float
    row_id: str | None = None
    row_status: str | None = None

    @property
    def rate(self) -> float:
        """Clips per second in this run."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the current rate (None before the first clip)."""
        return (self.total - self.done) / self.rate if self.rate > 0 else None


@dataclass
class PipelineSummary:
    output: Path
    inputs: int
    processed: int
    resumed: int
    status: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    engine: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.processed / self.seconds if self.seconds > 0 else 0.0


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _prepare(output: Path, resume: bool, overwrite: bool, retry_errors: bool) -> None:
    has_rows = any(p.stat().st_size > 0 for p in shard_paths(output / "rows"))
    if has_rows and not (resume or overwrite):
        raise InputError(
            "output already holds rows: use --resume to continue it or --overwrite to replace it",
            path=output,
        )
    if overwrite and not resume:
        for name in OWNED_PATHS:
            target = output / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    output.mkdir(parents=True, exist_ok=True)
    repair_shards(output / "rows")
    if retry_errors:
        for shard in shard_paths(output / "rows"):
            drop_error_rows(shard)


def _unique_rows(output: Path, ids: set[str]) -> Callable[[], Iterator[dict[str, Any]]]:
    """A re-iterable view of the rows: first row per input id (duplicates cannot arise from
    a run, but a hand-edited shard must not double-count)."""

    def rows() -> Iterator[dict[str, Any]]:
        seen: set[str] = set()
        for row in iter_rows(output / "rows"):
            if row["id"] in ids and row["id"] not in seen:
                seen.add(row["id"])
                yield row

    return rows


def _stage_timings(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, float]]:
    values: dict[str, list[float]] = {}
    for row in rows:
        for stage, seconds in (row.get("timings") or {}).items():
            values.setdefault(stage, []).append(float(seconds))
    out = {}
    for stage, numbers in values.items():
        numbers.sort()
        out[stage] = {
            "mean": round(sum(numbers) / len(numbers), 4),
            "median": round(median(numbers), 4),
            "p95": round(numbers[min(len(numbers) - 1, int(0.95 * len(numbers)))], 4),
            "n": len(numbers),
        }
    return out


def run_pipeline(
    input_path: str | Path,
    output: str | Path,
    config: PipelineConfig | None = None,
    *,
    resume: bool = False,
    overwrite: bool = False,
    retry_errors: bool = False,
    engine: Engine | None = None,
    on_progress: Callable[[ProgressEvent], None] | None = None,
) -> PipelineSummary:
    """Run the enabled stages over every input; see the module docstring for the output."""
    config = config or PipelineConfig()
    output = Path(output)
    if retry_errors and not resume:
        raise InputError("retry_errors goes with resume", path=output)
    items: list[ManifestItem] = read_manifest(input_path, config.dataset)
    _prepare(output, resume, overwrite, retry_errors)
    write_jsonl(output / "inputs.jsonl", (i.to_dict() for i in items))
    ids = {i.id for i in items}
    done = {row["id"] for row in iter_rows(output / "rows")} & ids
    pending = [i for i in items if i.id not in done]
    engine = engine or create_engine(config.engine)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    counter = {"ok": 0, "filtered": 0, "error": 0}
    clock = time.perf_counter()

    def event(row_id: str | None = None, status: str | None = None) -> ProgressEvent:
        return ProgressEvent(
            done=sum(counter.values()),
            total=len(pending),
            ok=counter["ok"],
            filtered=counter["filtered"],
            failed=counter["error"],
            resumed=len(done),
            elapsed=time.perf_counter() - clock,
            row_id=row_id,
            row_status=status,
        )

    with ShardWriter(output / "rows", config.shard_size) as writer:

        def emit(row: dict[str, Any]) -> None:
            writer.write(row)
            status = str(row.get("status"))
            counter[status if status in counter else "error"] += 1
            if on_progress is not None:
                on_progress(event(row["id"], status))

        if on_progress is not None:
            on_progress(event())
        engine_info = engine.run(pending, config, emit) if pending else {"engine": engine.name}
        shards = writer.shards
    seconds = time.perf_counter() - clock
    rows_of = _unique_rows(output, ids)
    status_counts: dict[str, int] = {}
    for row in rows_of():
        status_counts[row["status"]] = status_counts.get(row["status"], 0) + 1
    counts = write_outputs(output, rows_of, config)
    missing = len(ids) - sum(status_counts.values())
    summary = PipelineSummary(
        output=output,
        inputs=len(items),
        processed=sum(counter.values()),
        resumed=len(done),
        status=status_counts,
        seconds=seconds,
        engine=engine_info,
        counts={**counts, "missing": missing},
    )
    _write_manifest(output, input_path, config, summary, started, shards, _stage_timings(rows_of()))
    return summary


def _write_manifest(
    output: Path,
    input_path: str | Path,
    config: PipelineConfig,
    summary: PipelineSummary,
    started: str,
    shards: list[str],
    stage_timings: dict[str, Any],
) -> None:
    path = output / "manifest.json"
    runs: list[dict[str, Any]] = []
    if path.exists():
        try:
            runs = list(json.loads(path.read_text(encoding="utf-8")).get("runs", []))
        except (json.JSONDecodeError, AttributeError):
            runs = []
    runs.append(
        {
            "started": started,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "processed": summary.processed,
            "resumed_skipped": summary.resumed,
            "seconds": round(summary.seconds, 3),
            "clips_per_second": round(summary.throughput, 4),
            "engine": summary.engine,
            "new_shards": shards,
        }
    )
    manifest = {
        "input": str(input_path),
        "output": str(output),
        "inputs": summary.inputs,
        "status": summary.status,
        "counts": summary.counts,
        "stage_seconds": stage_timings,
        "shards": [p.name for p in shard_paths(output / "rows")],
        "versions": package_versions(),
        "config": config.to_dict(),
        "runs": runs,
    }
    write_text_atomic(path, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
