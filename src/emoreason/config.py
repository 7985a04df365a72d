"""One way to build every config dataclass from a mapping, a YAML file or CLI flags.

Config classes are dataclasses validated in ``__post_init__`` (raising
:class:`~emoreason.errors.ConfigError`); they inherit :class:`ConfigLoading` for the shared
loading rules: an unknown key is an error naming the key and listing the valid ones, a missing
required key is named, and a YAML problem names the file and line.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, TypeVar

import yaml

from emoreason.errors import ConfigError

C = TypeVar("C", bound="ConfigLoading")


class ConfigLoading:
    """Mixin for dataclass configs: ``from_dict``, ``from_yaml``, ``to_dict``, ``field_help``."""

    @classmethod
    def from_dict(cls: type[C], data: Any, *, source: str | None = None) -> C:
        """Build from a mapping; unknown or missing keys raise ConfigError naming them."""
        where = f"{source}: " if source else ""
        if not isinstance(data, dict):
            raise ConfigError(
                f"{where}expected a mapping of {cls.__name__} keys, got {type(data).__name__}"
            )
        fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise ConfigError(
                f"{where}unknown key {unknown[0]!r} for {cls.__name__}; valid keys: {list(fields)}"
            )
        missing = [
            name
            for name, f in fields.items()
            if f.init
            and f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
            and name not in data
        ]
        if missing:
            raise ConfigError(f"{where}missing required key {missing[0]!r} for {cls.__name__}")
        try:
            return cls(**data)
        except ConfigError as exc:
            if not source:
                raise
            raise ConfigError(f"{where}{exc}") from None

    @classmethod
    def from_yaml(cls: type[C], path: str | Path, *, section: str | None = None) -> C:
        """Load from a YAML mapping (optionally the mapping under ``section``)."""
        path = Path(path)
        data = read_yaml_mapping(path)
        if section is not None and set(data) == {section}:
            data = data[section]
        return cls.from_dict(data, source=str(path))

    def to_dict(self) -> dict[str, Any]:
        """A plain dict that round-trips through :meth:`from_dict`."""
        return dataclasses.asdict(self)  # type: ignore[call-overload]

    @classmethod
    def field_help(cls) -> dict[str, str]:
        """Field name -> help text (``metadata={"help": ...}``), for the CLI and docs."""
        return {
            f.name: str(f.metadata.get("help", ""))
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        }


def read_yaml_mapping(path: str | Path) -> dict[str, Any]:
    """Parse a YAML file that must hold a mapping; errors name the file (and line)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        where = f"{path}:{line}" if line else str(path)
        raise ConfigError(f"{where}: not valid YAML ({exc.problem})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of config keys, got {type(data).__name__}")
    return data
