"""Benchmarks are data: one YAML per task, read into :class:`TaskSpec`, found by name.

Built-in tasks live in ``emoreason/evaluation/tasks/*.yaml`` (package data). Users add their
own with ``include_paths`` (files or folders of ``*.yaml``; ``--include-path`` on the CLI); a
user task with a built-in name replaces it. An unknown name is answered with the known ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from emoreason.config import ConfigLoading, check_scalar_types
from emoreason.errors import ConfigError

UNPARSEABLE_POLICIES: tuple[str, ...] = ("wrong", "drop")


@dataclass
class TaskSpec(ConfigLoading):
    """One benchmark task (a YAML file read by the shared config loading: a bad key or value is
    an error naming the file, the key's line and the key).

    Identity: ``name``, ``version``, ``description``, ``citation``.
    Data: ``loader`` (a key of :data:`emoreason.evaluation.loaders.LOADERS`),
    ``loader_options``, ``labels``, ``label_map``.
    Scoring: ``scorer`` (a key of :data:`emoreason.evaluation.hooks.SCORERS`), ``metrics``,
    ``unparseable``. Predicting: ``backend`` (default predictor, e.g. ``voice``).
    """

    name: str = field(metadata={"help": "task name used on the command line"})
    loader: str = field(metadata={"help": "loader of the published layout (see LOADERS)"})
    scorer: str = field(metadata={"help": "scoring hook (see hooks.SCORERS)"})
    version: str = field(default="1", metadata={"help": "task version, recorded in reports"})
    description: str = field(default="", metadata={"help": "one line shown by --list"})
    citation: str = field(default="", metadata={"help": "where the benchmark comes from"})
    loader_options: dict[str, Any] = field(
        default_factory=dict, metadata={"help": "keyword options passed to the loader"}
    )
    labels: list[str] | None = field(
        default=None, metadata={"help": "the task's label set (None: not a label task)"}
    )
    label_map: dict[str, str] = field(
        default_factory=dict, metadata={"help": "raw dataset label -> task label"}
    )
    metrics: list[str] = field(
        default_factory=list, metadata={"help": "headline scores to report (empty: all)"}
    )
    unparseable: str = field(
        default="wrong",
        metadata={"help": "unparseable answers: 'wrong' (scored as errors) or 'drop'"},
    )
    backend: str | None = field(
        default=None,
        metadata={"help": "predictor used when neither predictions nor a backend is given"},
    )
    source: str = field(
        default="", metadata={"help": "the YAML file (set when loaded)", "set_by_loader": True}
    )

    def __post_init__(self) -> None:
        from emoreason.evaluation.hooks import SCORERS
        from emoreason.evaluation.loaders import LOADERS

        self.version = str(self.version)
        check_scalar_types(self)
        for key in ("loader_options", "label_map"):
            if not isinstance(getattr(self, key) or {}, dict):
                raise ConfigError(f"task {self.name!r}: {key} must be a mapping")
        if not isinstance(self.metrics, list) or not all(isinstance(m, str) for m in self.metrics):
            raise ConfigError(f"task {self.name!r}: metrics must be a list of names")
        self.loader_options = dict(self.loader_options or {})
        self.label_map = {str(k): str(v) for k, v in (self.label_map or {}).items()}
        if self.loader not in LOADERS:
            raise ConfigError(
                f"task {self.name!r}: loader {self.loader!r} is not known"
                f"{LOADERS.hint(self.loader)}; valid: {sorted(LOADERS)}"
            )
        if self.scorer not in SCORERS:
            raise ConfigError(
                f"task {self.name!r}: scorer {self.scorer!r} is not known"
                f"{SCORERS.hint(self.scorer)}; valid: {sorted(SCORERS)}"
            )
        if self.unparseable not in UNPARSEABLE_POLICIES:
            raise ConfigError(
                f"task {self.name!r}: unparseable must be one of {list(UNPARSEABLE_POLICIES)}, "
                f"got {self.unparseable!r}"
            )
        if self.backend is not None:
            from emoreason.evaluation.runner import BACKENDS

            if self.backend not in BACKENDS:
                raise ConfigError(
                    f"task {self.name!r}: backend {self.backend!r} is not known; "
                    f"valid: {list(BACKENDS)}"
                )
        if self.labels is not None:
            if not isinstance(self.labels, list) or not all(
                isinstance(x, str) for x in self.labels
            ):
                raise ConfigError(f"task {self.name!r}: labels must be a list of strings")
            unknown = sorted(set(self.label_map.values()) - set(self.labels))
            if unknown:
                raise ConfigError(
                    f"task {self.name!r}: label_map targets {unknown} are not in labels {self.labels}"
                )

    @classmethod
    def from_yaml(
        cls, path: str | Path, *, section: str | None = None, text: str | None = None
    ) -> TaskSpec:
        """Read one task YAML (``text``: its content, already read); ``source`` is ``path``."""
        spec = super().from_yaml(path, section=section, text=text)
        spec.source = str(path)
        return spec


def _builtin_files() -> list[tuple[str, str]]:
    folder = resources.files("emoreason.evaluation") / "tasks"
    return sorted(
        (str(entry), entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    )


def _user_files(include_paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for raw in include_paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")))
        elif path.is_file():
            out.append(path)
        else:
            raise ConfigError(f"--include-path {path}: no such file or folder")
    return out


class TaskRegistry:
    """Name -> TaskSpec over the built-in tasks plus ``include_paths``."""

    def __init__(self, include_paths: Iterable[str | Path] = ()) -> None:
        self.tasks: dict[str, TaskSpec] = {}
        for source, text in _builtin_files():
            spec = TaskSpec.from_yaml(source, text=text)
            self.tasks[spec.name] = spec
        for path in _user_files(include_paths):
            spec = TaskSpec.from_yaml(path)
            self.tasks[spec.name] = spec

    def names(self) -> list[str]:
        return sorted(self.tasks)

    def get(self, name: str) -> TaskSpec:
        if name not in self.tasks:
            raise ConfigError(f"unknown task {name!r}; known tasks: {', '.join(self.names())}")
        return self.tasks[name]


def get_task(name: str, include_paths: Iterable[str | Path] = ()) -> TaskSpec:
    return TaskRegistry(include_paths).get(name)


def list_tasks(include_paths: Iterable[str | Path] = ()) -> list[TaskSpec]:
    registry = TaskRegistry(include_paths)
    return [registry.tasks[n] for n in registry.names()]
