"""The pipeline's per-clip stages: clean -> annotate -> quality control, one row per clip.

:func:`process_item` is what every engine runs on a worker; it never raises: a clip that
cannot be processed becomes an ``error`` row, a clip that a filter drops a ``filtered`` row with
its reasons. Rows are plain JSON dicts:

``{"id", "source", "status": "ok" | "filtered" | "error", "dataset", "label", "source_label",
"speaker", "meta", "reasons", "error", "error_type", "probe", "emotion", "results": {lang:
AnalysisResult JSON}, "qc": {lang: RecordQC}, "timings", "worker", "finished"}`` (``worker``: the process id,
``finished``: Unix time the row was done).

Cleaning runs the cheapest checks first: the container probe (unreadable, no audio, duration,
resolution, frame rate), then the audio peak (silence), and - with ``model_checks`` - the
perception output (no words recognised, no face found), which costs nothing extra since
annotation perceives anyway. The analyser is built once per worker (:class:`WorkerState`) by
the ``module:function`` named in the config (dependency injection: tests use a fast fake).
"""

from __future__ import annotations

import importlib
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, Protocol

from emoreason.errors import ConfigError, EmoreasonError
from emoreason.pipeline.config import PipelineConfig
from emoreason.pipeline.manifests import ManifestItem
from emoreason.pipeline.quality import check_record
from emoreason.schema.evidence import Evidence
from emoreason.schema.result import AnalysisResult


class ClipAnalyzer(Protocol):
    """What annotation needs (``emoreason.pipeline.analyze.Analyzer`` is one)."""

    lang: str

    def analyze(self, path: str, clip_id: str | None = None) -> AnalysisResult: ...


def build_analyzer(config: PipelineConfig) -> ClipAnalyzer:
    """The default analyser: real perception + the configured reasoning backend."""
    from emoreason.pipeline.analyze import Analyzer

    return Analyzer(
        config.backend,
        config.languages[0],
        model=config.model,
        base_url=config.base_url,
        fps=config.fps,
        perception_options=config.perception,
    )


def load_factory(spec: str) -> Callable[[PipelineConfig], ClipAnalyzer]:
    """Import ``module:function``; ConfigError naming the spec when it cannot be found."""
    module_name, _, attr = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"analyzer {spec!r} cannot be loaded: {exc}") from None
    if not callable(factory):
        raise ConfigError(f"analyzer {spec!r} is not callable")
    return factory


class WorkerState:
    """What one worker keeps between clips: the config and the analyser (built on first use)."""

    def __init__(self, config: PipelineConfig) -> None:
        self.config = config
        self._analyzer: ClipAnalyzer | None = None

    @property
    def analyzer(self) -> ClipAnalyzer:
        if self._analyzer is None:
            self._analyzer = load_factory(self.config.analyzer)(self.config)
        return self._analyzer


def probe_reasons(item: ManifestItem, config: PipelineConfig) -> tuple[dict[str, Any], list[str]]:
    """Cheap container checks: (probe facts, reasons to drop). Unreadable raises MediaError."""
    from emoreason.perception.decode import decode_audio, probe

    facts = probe(item.path)
    info = {k: v for k, v in asdict(facts).items() if k not in ("path", "audio_status")}
    reasons: list[str] = []
    if config.require_audio and not facts.has_audio:
        reasons.append("no_audio: the file has no audio stream")
    if facts.duration < config.min_duration:
        reasons.append(f"too_short: {facts.duration:.2f} s < {config.min_duration} s")
    if facts.duration > config.max_duration:
        reasons.append(f"too_long: {facts.duration:.2f} s > {config.max_duration} s")
    if facts.has_video and facts.width and facts.height:
        side = min(facts.width, facts.height)
        if side < config.min_side:
            reasons.append(f"low_resolution: {facts.width}x{facts.height} < {config.min_side} px")
        if facts.fps is not None and facts.fps < config.min_fps:
            reasons.append(f"low_frame_rate: {facts.fps:.1f} fps < {config.min_fps}")
    if not reasons and config.require_speech and facts.has_audio:
        track = decode_audio(item.path)
        peak = float(abs(track.samples).max()) if track is not None and track.samples.size else 0.0
        info["audio_peak_dbfs"] = round(20 * math.log10(peak), 1) if peak > 0 else -120.0
        if info["audio_peak_dbfs"] < config.silence_dbfs:
            reasons.append(
                f"no_speech: silent audio (peak {info['audio_peak_dbfs']} dBFS "
                f"< {config.silence_dbfs})"
            )
    return info, reasons


def model_reasons(evidence: Evidence | None, config: PipelineConfig) -> list[str]:
    """Filters read off the perception output (no words, no face)."""
    if evidence is None or not config.model_checks:
        return []
    reasons = []
    transcript = evidence.transcript
    no_words = transcript is None or not transcript.text.strip()
    if config.require_speech and evidence.clip.has_audio and no_words:
        reasons.append("no_speech: no words recognised")
    face = evidence.modality("face")
    if config.require_face and evidence.clip.has_video and face is not None and not face.available:
        reasons.append(f"no_face: {face.status}")
    return reasons


def annotate(
    analyzer: ClipAnalyzer, item: ManifestItem, languages: tuple[str, ...]
) -> dict[str, AnalysisResult]:
    """One record per language: the first perceives, the others reuse its evidence."""
    first = analyzer.analyze(item.path, item.id)
    results = {first.language: first}
    backend = getattr(analyzer, "backend", None)
    for lang in languages:
        if lang in results:
            continue
        if first.evidence is None or backend is None:
            raise EmoreasonError(f"cannot write the {lang} record: no evidence or backend")
        start = time.perf_counter()
        other = backend.reason(first.evidence, lang)
        timings = {**other.timings, "reasoning": round(time.perf_counter() - start, 4)}
        results[lang] = other.model_copy(
            update={"id": item.id, "source": first.source, "timings": timings, "evidence": None}
        )
    return results


def _base_row(item: ManifestItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "source": item.path,
        "status": "ok",
        "dataset": item.dataset,
        "label": item.label,
        "source_label": item.source_label,
        "speaker": item.speaker,
        "meta": item.meta,
        "worker": os.getpid(),
    }


def process_item(item: ManifestItem, state: WorkerState) -> dict[str, Any]:
    """Run the enabled stages on one clip; never raises (errors become error rows)."""
    config = state.config
    row = _base_row(item)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    try:
        if item.error is not None:
            raise EmoreasonError(item.error)
        if config.enabled("clean"):
            try:
                row["probe"], reasons = probe_reasons(item, config)
            except EmoreasonError as exc:
                row["probe"], reasons = None, [f"unreadable: {' '.join(str(exc).split())}"]
            timings["clean"] = round(time.perf_counter() - start, 4)
            if reasons:
                return _finish(row, "filtered", timings, start, reasons=reasons)
        if not config.enabled("annotate"):
            return _finish(row, "ok", timings, start)
        mark = time.perf_counter()
        results = annotate(state.analyzer, item, config.languages)
        timings["annotate"] = round(time.perf_counter() - mark, 4)
        first = results[config.languages[0]]
        if config.enabled("clean"):
            reasons = model_reasons(first.evidence, config)
            if reasons:
                return _finish(row, "filtered", timings, start, reasons=reasons)
        row["emotion"] = first.emotion
        row["results"] = {lang: r.model_dump(mode="json") for lang, r in results.items()}
        if config.enabled("qc"):
            mark = time.perf_counter()
            row["qc"] = {
                lang: check_record(
                    r, first.evidence, max_wer=config.max_wer, reference_text=item.meta.get("text")
                ).to_dict()
                for lang, r in results.items()
            }
            timings["qc"] = round(time.perf_counter() - mark, 4)
        return _finish(row, "ok", timings, start)
    except Exception as exc:  # one clip's failure never stops the run
        message = " ".join(str(exc).split()) or type(exc).__name__
        if not isinstance(exc, EmoreasonError):
            message = f"{type(exc).__name__}: {message}"
        return _finish(row, "error", timings, start, error=message, error_type=type(exc).__name__)


def crash_row(item: ManifestItem, message: str) -> dict[str, Any]:
    """The error row of a clip whose worker died (no row came back from it)."""
    row = _base_row(item)
    row.pop("worker")
    return _finish(row, "error", {}, time.perf_counter(), error=message, error_type="WorkerCrash")


def _finish(
    row: dict[str, Any], status: str, timings: dict[str, float], start: float, **extra: Any
) -> dict[str, Any]:
    timings["total"] = round(time.perf_counter() - start, 4)
    row.update(status=status, timings=timings, finished=round(time.time(), 3), **extra)
    return row
