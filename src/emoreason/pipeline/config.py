"""Settings of the SABER data pipeline (``emoreason pipeline run``): one dataclass for YAML and CLI.

Groups:

- **run**: ``engine`` (local | ray), ``workers``, ``ray_address``, ``batch_size``, ``shard_size``,
  ``dataset`` (how ``--input`` is read), ``stages`` (any of clean, annotate, qc, instructions).
- **clean** (cheap container probe first, then the silence check, then the model-based checks on
  the perception output when ``model_checks``): ``min_duration``, ``max_duration``, ``min_side``,
  ``min_fps``, ``require_audio``, ``require_speech``, ``require_face``, ``silence_dbfs``.
- **annotate**: ``languages``, ``backend``, ``model``, ``base_url``, ``fps``, ``perception``
  (PerceptionConfig keys), ``analyzer`` (``module:function`` building the analyser once per
  worker; tests inject a fast fake here), ``analyzer_options``.
- **qc**: ``max_wer``, ``instructions_from`` (qc_pass | all).
- **instructions**: ``pair_kinds``, ``max_hallucinations``, ``max_flips``.

The CLI builds this object from ``--config`` and then applies its flags on top
(:meth:`PipelineConfig.with_overrides`), so a YAML file and flags can never disagree on a name.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any

from emoreason.config import ConfigLoading
from emoreason.errors import ConfigError

STAGES: tuple[str, ...] = ("clean", "annotate", "qc", "instructions")
ENGINES: tuple[str, ...] = ("local", "ray")
DATASETS: tuple[str, ...] = ("auto", "folder", "jsonl", "ravdess", "cremad", "meld")
PAIR_KINDS: tuple[str, ...] = ("ablation", "hallucination", "label_flip")  # training.pairs
DEFAULT_ANALYZER = "emoreason.pipeline.stages:build_analyzer"


@dataclass
class PipelineConfig(ConfigLoading):
    """The data pipeline: clean -> annotate -> quality control -> instruction data."""

    # run
    engine: str = field(default="local", metadata={"help": f"one of {list(ENGINES)}"})
    workers: int | None = field(
        default=None,
        metadata={"help": "worker processes (local) or actors (ray); None = the CPU cores"},
    )
    ray_address: str | None = field(
        default=None,
        metadata={"help": "an existing Ray cluster ('auto', 'ray://host:10001'); None = local"},
    )
    batch_size: int = field(
        default=1, metadata={"help": "clips per Ray map_batches call (1 keeps resume exact)"}
    )
    shard_size: int = field(
        default=1000, metadata={"help": "rows per output JSONL shard before a new one starts"}
    )
    dataset: str = field(
        default="auto",
        metadata={"help": f"how --input is read, one of {list(DATASETS)} (auto: by its shape)"},
    )
    stages: tuple[str, ...] = field(
        default=STAGES, metadata={"help": f"stages to run, any of {list(STAGES)}"}
    )
    # clean
    min_duration: float = field(default=0.5, metadata={"help": "shorter clips are dropped (s)"})
    max_duration: float = field(default=60.0, metadata={"help": "longer clips are dropped (s)"})
    min_side: int = field(
        default=112, metadata={"help": "video whose shorter side is below this is dropped (px)"}
    )
    min_fps: float = field(default=5.0, metadata={"help": "video below this frame rate is dropped"})
    require_audio: bool = field(default=True, metadata={"help": "drop clips without audio"})
    require_speech: bool = field(
        default=True, metadata={"help": "drop silent clips (and, with model_checks, no words)"}
    )
    require_face: bool = field(
        default=True, metadata={"help": "with model_checks: drop clips where no face was found"}
    )
    silence_dbfs: float = field(
        default=-50.0, metadata={"help": "audio whose peak is below this level is silence (dBFS)"}
    )
    model_checks: bool = field(
        default=True,
        metadata={"help": "apply the no-speech / no-face filters on the perception output"},
    )
    # annotate
    languages: tuple[str, ...] = field(
        default=("en",), metadata={"help": "record languages, any of en, zh (first one perceives)"}
    )
    backend: str = field(default="rules", metadata={"help": "rules, transformers or openai"})
    model: str | None = field(default=None, metadata={"help": "model folder or served name"})
    base_url: str | None = field(default=None, metadata={"help": "OpenAI-compatible server URL"})
    fps: float | None = field(default=None, metadata={"help": "frames sampled per second"})
    perception: dict[str, Any] = field(
        default_factory=lambda: {"concurrent": False},
        metadata={"help": "PerceptionConfig keys (one core per worker: concurrent off)"},
    )
    analyzer: str = field(
        default=DEFAULT_ANALYZER,
        metadata={"help": "'module:function' that builds the analyser from this config"},
    )
    analyzer_options: dict[str, Any] = field(
        default_factory=dict, metadata={"help": "free options for a custom analyser"}
    )
    # qc
    max_wer: float = field(
        default=0.3,
        metadata={"help": "speech_content vs the transcript: a higher WER fails quality control"},
    )
    instructions_from: str = field(
        default="qc_pass", metadata={"help": "records turned into instructions: qc_pass or all"}
    )
    # instructions
    pair_kinds: tuple[str, ...] = field(
        default=PAIR_KINDS, metadata={"help": f"CA-DPO rejected kinds, any of {list(PAIR_KINDS)}"}
    )
    max_hallucinations: int = field(default=4, metadata={"help": "hallucinations per clip"})
    max_flips: int = field(default=1, metadata={"help": "label flips per clip"})
    parquet: bool = field(default=True, metadata={"help": "also write records.parquet"})

    def __post_init__(self) -> None:
        self.stages = tuple(self.stages)
        self.languages = tuple(self.languages)
        self.pair_kinds = tuple(self.pair_kinds)
        self.perception = dict(self.perception or {})
        self.analyzer_options = dict(self.analyzer_options or {})
        checks: list[tuple[bool, str]] = [
            (self.engine in ENGINES, f"engine must be one of {list(ENGINES)}, got {self.engine!r}"),
            (
                self.workers is None or self.workers >= 1,
                f"workers must be >= 1 (or null for the CPU cores), got {self.workers}",
            ),
            (self.batch_size >= 1, f"batch_size must be >= 1, got {self.batch_size}"),
            (self.shard_size >= 1, f"shard_size must be >= 1, got {self.shard_size}"),
            (self.dataset in DATASETS, f"dataset must be one of {list(DATASETS)}"),
            (
                bool(self.stages) and set(self.stages) <= set(STAGES),
                f"stages must be some of {list(STAGES)}, got {list(self.stages)}",
            ),
            (self.min_duration >= 0, f"min_duration must be >= 0, got {self.min_duration}"),
            (
                self.max_duration > self.min_duration,
                f"max_duration must exceed min_duration, got {self.max_duration}",
            ),
            (self.min_side >= 0, f"min_side must be >= 0, got {self.min_side}"),
            (self.min_fps >= 0, f"min_fps must be >= 0, got {self.min_fps}"),
            (
                bool(self.languages) and set(self.languages) <= {"en", "zh"},
                f"languages must be some of ['en', 'zh'], got {list(self.languages)}",
            ),
            (
                len(set(self.languages)) == len(self.languages),
                "languages are listed twice",
            ),
            (":" in self.analyzer, f"analyzer must be 'module:function', got {self.analyzer!r}"),
            (self.max_wer >= 0, f"max_wer must be >= 0, got {self.max_wer}"),
            (
                self.instructions_from in ("qc_pass", "all"),
                f"instructions_from must be qc_pass or all, got {self.instructions_from!r}",
            ),
            (
                set(self.pair_kinds) <= set(PAIR_KINDS),
                f"pair_kinds must be some of {list(PAIR_KINDS)}, got {list(self.pair_kinds)}",
            ),
            (self.max_hallucinations >= 0, "max_hallucinations must be >= 0"),
            (self.max_flips >= 0, "max_flips must be >= 0"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)

    @property
    def worker_count(self) -> int:
        """``workers``, or the CPU cores this process may use."""
        if self.workers is not None:
            return self.workers
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # pragma: no cover - not Linux
            return max(1, os.cpu_count() or 1)

    def with_overrides(self, **overrides: Any) -> PipelineConfig:
        """A copy with the given fields replaced (None values are ignored: flag not given)."""
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(overrides) - names)
        if unknown:
            raise ConfigError(f"unknown PipelineConfig key {unknown[0]!r}; valid: {sorted(names)}")
        given = {k: v for k, v in overrides.items() if v is not None}
        data = {**self.to_dict(), **given}
        return PipelineConfig.from_dict(data)

    def enabled(self, stage: str) -> bool:
        return stage in self.stages
