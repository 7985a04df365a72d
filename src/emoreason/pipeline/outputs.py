"""What a finished (or resumed) run leaves next to its row shards, rebuilt from the rows.

``records.parquet`` (one row per clip and language: the six SABER dimensions, labels,
consistency and QC columns), ``qc/report.json`` + ``qc/report.md``, ``qc/consistent.jsonl`` and
``qc/inconsistent.jsonl`` (analysis results of the first language, evidence included: the input
of ``emoreason build-sft``/``build-pairs``), and ``instructions/`` with SFT and CA-DPO rows in our
JSONL (ms-swift keys plus id, lang, emotion, kind...) and in plain ms-swift JSONL. Everything is
streamed in chunks of ``shard_size`` clips (CA-DPO hallucination donors come from the same
chunk) and written atomically, so rebuilding is idempotent.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from emoreason.formats.atomic import atomic_write, write_text_atomic
from emoreason.pipeline.config import PipelineConfig
from emoreason.pipeline.quality import qc_markdown, qc_report
from emoreason.schema.result import AnalysisResult

SWIFT_KEYS = ("messages", "videos", "audios", "rejected_response")
RECORD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "string"), ("lang", "string"), ("dataset", "string"), ("label", "string"),
    ("source_label", "string"), ("speaker", "string"), ("source", "string"),
    ("emotion", "string"), ("verdict", "string"), ("consistent", "bool_"),
    ("agreement", "float64"), ("pattern", "string"), ("backend", "string"),
    ("video_desc", "string"), ("speech_content", "string"), ("acoustic_feat", "string"),
    ("facial_exp_desc", "string"), ("body_lang_desc", "string"),
    ("sentiment_analysis", "string"), ("qc_passed", "bool_"), ("wer", "float64"),
    ("unsupported_cues", "string"), ("seconds", "float64"),
)  # fmt: skip


def record_columns(row: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Flat record dicts (one per language) of an ok row."""
    for lang, result in (row.get("results") or {}).items():
        saber = result["saber"]
        consistency = result["consistency"]
        qc = (row.get("qc") or {}).get(lang) or {}
        yield {
            "id": row["id"],
            "lang": lang,
            "dataset": row.get("dataset"),
            "label": row.get("label"),
            "source_label": row.get("source_label"),
            "speaker": row.get("speaker"),
            "source": row.get("source"),
            "emotion": result.get("emotion"),
            "verdict": consistency.get("verdict"),
            "consistent": consistency.get("verdict") == "consistent",
            "agreement": consistency.get("agreement"),
            "pattern": consistency.get("pattern"),
            "backend": result.get("backend"),
            "video_desc": saber["video_desc"],
            "speech_content": saber["audio_desc"]["speech_content"],
            "acoustic_feat": saber["audio_desc"]["acoustic_feat"],
            "facial_exp_desc": saber["facial_exp_desc"],
            "body_lang_desc": saber["body_lang_desc"],
            "sentiment_analysis": saber["sentiment_analysis"],
            "qc_passed": qc.get("passed"),
            "wer": qc.get("wer"),
            "unsupported_cues": ",".join(qc.get("unsupported") or []),
            "seconds": (row.get("timings") or {}).get("total"),
        }


def write_parquet(path: Path, rows: Iterable[dict[str, Any]], chunk: int) -> int:
    """``records.parquet`` written in row groups of ``chunk`` records; returns the count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(name, getattr(pa, kind)()) for name, kind in RECORD_COLUMNS])
    count = 0
    buffer: list[dict[str, Any]] = []
    with atomic_write(path, "wb", encoding=None) as handle, pq.ParquetWriter(handle, schema) as w:
        for row in rows:
            buffer.extend(record_columns(row))
            if len(buffer) >= chunk:
                w.write_table(pa.Table.from_pylist(buffer, schema=schema))
                count += len(buffer)
                buffer = []
        if buffer or count == 0:
            w.write_table(pa.Table.from_pylist(buffer, schema=schema))
            count += len(buffer)
    return count


def results_of(row: dict[str, Any], lang: str) -> AnalysisResult:
    """The row's analysis in ``lang``, carrying the evidence (kept once, in the first)."""
    results = row["results"]
    evidence = next((r.get("evidence") for r in results.values() if r.get("evidence")), None)
    data = dict(results[lang])
    if data.get("evidence") is None and evidence is not None:
        data["evidence"] = evidence
    return AnalysisResult.model_validate(data)


def _jsonl_line(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False) + "\n"


class InstructionWriter:
    """SFT and CA-DPO rows, built chunk by chunk through the training builders."""

    FILES = ("sft.jsonl", "sft.swift.jsonl", "pairs.jsonl", "pairs.swift.jsonl")

    def __init__(self, folder: Path, config: PipelineConfig) -> None:
        self.folder = folder
        self.config = config
        self.counts = {"sft": 0, "pairs": 0}
        self.skipped: dict[str, int] = {}
        self._stack = contextlib.ExitStack()
        self._handles: dict[str, IO[str]] = {}

    def __enter__(self) -> InstructionWriter:
        for name in self.FILES:
            self._handles[name] = self._stack.enter_context(atomic_write(self.folder / name))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.__exit__(*exc)

    def add_chunk(self, rows: list[dict[str, Any]]) -> None:
        from emoreason.training.pairs import build_pair_rows
        from emoreason.training.sft_data import build_sft_rows

        config = self.config
        for lang in config.languages:
            chosen = [
                results_of(r, lang)
                for r in rows
                if lang in r["results"]
                and (config.instructions_from == "all" or (r.get("qc") or {}).get(lang, {}).get("passed", True))
            ]  # fmt: skip
            if not chosen:
                continue
            sft, report = build_sft_rows(chosen, languages=(lang,), missing_media="skip")
            self._write("sft", sft, report.to_dict()["skipped"])
            if config.pair_kinds:
                pairs, report = build_pair_rows(
                    chosen,
                    kinds=config.pair_kinds,
                    languages=(lang,),
                    missing_media="skip",
                    max_hallucinations=config.max_hallucinations,
                    max_flips=config.max_flips,
                )
                self._write("pairs", pairs, report.to_dict()["skipped"])

    def _write(self, kind: str, rows: list[dict[str, Any]], skipped: dict[str, int]) -> None:
        for row in rows:
            self._handles[f"{kind}.jsonl"].write(_jsonl_line(row))
            swift = {k: row[k] for k in SWIFT_KEYS if k in row}
            self._handles[f"{kind}.swift.jsonl"].write(_jsonl_line(swift))
        self.counts[kind] += len(rows)
        for reason, n in skipped.items():
            key = f"{kind}:{reason}"
            self.skipped[key] = self.skipped.get(key, 0) + n


def write_outputs(
    output: Path, rows_of: Callable[[], Iterator[dict[str, Any]]], config: PipelineConfig
) -> dict[str, Any]:
    """Rebuild every derived file from the rows (``rows_of()`` yields them afresh each call);
    returns the counts for the run manifest."""
    counts: dict[str, Any] = {}
    summaries = [
        {k: r.get(k) for k in ("id", "status", "reasons", "error_type", "qc", "label", "emotion")}
        for r in rows_of()
    ]
    if config.parquet and config.enabled("annotate"):
        ok_rows = (r for r in rows_of() if r.get("status") == "ok" and r.get("results"))
        counts["records"] = write_parquet(output / "records.parquet", ok_rows, config.shard_size)
    if config.enabled("qc") and config.enabled("annotate"):
        report = qc_report(summaries, max_wer=config.max_wer)
        write_text_atomic(
            output / "qc" / "report.json", json.dumps(report, indent=2, ensure_ascii=False) + "\n"
        )
        write_text_atomic(output / "qc" / "report.md", qc_markdown(report))
        counts["consistency_split"] = _write_split(output / "qc", rows_of(), config)
    if config.enabled("instructions") and config.enabled("annotate"):
        with InstructionWriter(output / "instructions", config) as writer:
            chunk: list[dict[str, Any]] = []
            for row in rows_of():
                if row.get("status") == "ok" and row.get("results"):
                    chunk.append(row)
                if len(chunk) >= config.shard_size:
                    writer.add_chunk(chunk)
                    chunk = []
            if chunk:
                writer.add_chunk(chunk)
        counts["instructions"] = {**writer.counts, "skipped": writer.skipped}
    return counts


def _write_split(folder: Path, rows: Iterable[dict[str, Any]], config: PipelineConfig) -> dict:
    first = config.languages[0]
    split = {"consistent": 0, "inconsistent": 0}
    with (
        atomic_write(folder / "consistent.jsonl") as consistent,
        atomic_write(folder / "inconsistent.jsonl") as inconsistent,
    ):
        for row in rows:
            if row.get("status") != "ok" or first not in (row.get("results") or {}):
                continue
            result = row["results"][first]
            if result["consistency"]["verdict"] == "consistent":
                consistent.write(_jsonl_line(result))
                split["consistent"] += 1
            else:
                inconsistent.write(_jsonl_line(result))
                split["inconsistent"] += 1
    return split
