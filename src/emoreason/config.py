"""One way to build every config dataclass from a mapping, a YAML file or CLI flags.

Config classes are dataclasses validated in ``__post_init__`` (raising
:class:`~emoreason.errors.ConfigError`); they inherit :class:`ConfigLoading` for the shared
loading rules: an unknown key is an error naming the key and listing the valid ones, a missing
required key is named, and a problem in a YAML file names the file and line -- a syntax error
its line, an unknown or invalid key the line that key stands on (``tasks/my.yaml:4: ...``).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

import yaml

from emoreason.errors import ConfigError

C = TypeVar("C", bound="ConfigLoading")

#: How deep :func:`parse_yaml_mapping` records key lines (top level, a section, its sub-keys).
KEY_LINE_DEPTH = 3


class ConfigLoading:
    """Mixin for dataclass configs: ``from_dict``, ``from_yaml``, ``to_dict``, ``field_help``."""

    @classmethod
    def from_dict(
        cls: type[C],
        data: Any,
        *,
        source: str | None = None,
        key_lines: dict[str, int] | None = None,
    ) -> C:
        """Build from a mapping; unknown or missing keys raise ConfigError naming them.

        ``source`` (a file name) prefixes every error; ``key_lines`` (dotted key -> line, as
        :func:`parse_yaml_mapping` returns) adds the line of the key at fault.
        """
        lines = key_lines or {}
        if not isinstance(data, dict):
            raise ConfigError(
                f"{_where(source, None)}expected a mapping of {cls.__name__} keys, "
                f"got {type(data).__name__}"
            )
        keys = config_keys(cls)
        unknown = sorted(set(data) - set(keys))
        if unknown:
            raise ConfigError(
                f"{_where(source, lines.get(str(unknown[0])))}unknown key {unknown[0]!r} for "
                f"{cls.__name__}; valid keys: {keys}"
            )
        missing = [
            f.name
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
            if f.init
            and f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
            and f.name not in data
        ]
        if missing:
            raise ConfigError(
                f"{_where(source, None)}missing required key {missing[0]!r} for {cls.__name__}"
            )
        try:
            return cls(**data)
        except ConfigError as exc:
            if not source:
                raise
            line = lines.get(named_key(str(exc), lines) or "")
            raise ConfigError(f"{_where(source, line)}{exc}") from None

    @classmethod
    def from_yaml(
        cls: type[C], path: str | Path, *, section: str | None = None, text: str | None = None
    ) -> C:
        """Load from a YAML mapping (optionally the mapping under ``section``).

        ``text`` is the file's content when it is already read (package data); errors still
        name ``path``.
        """
        data, lines = parse_yaml_mapping(path, text)
        if section is not None and set(data) == {section}:
            data = data[section]
            prefix = f"{section}."
            lines = {k[len(prefix) :]: v for k, v in lines.items() if k.startswith(prefix)}
        return cls.from_dict(data, source=str(path), key_lines=lines)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict that round-trips through :meth:`from_dict`."""
        keys = set(config_keys(type(self)))
        data = dataclasses.asdict(self)  # type: ignore[call-overload]
        return {k: v for k, v in data.items() if k in keys}

    @classmethod
    def field_help(cls) -> dict[str, str]:
        """Field name -> help text (``metadata={"help": ...}``), for the CLI and docs."""
        return {
            f.name: str(f.metadata.get("help", ""))
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        }


def config_keys(cls: type) -> list[str]:
    """The keys a config file may hold: the dataclass fields set at construction, less those
    the loader fills in itself (``metadata={"set_by_loader": True}``, e.g. the file's name)."""
    return [
        f.name
        for f in dataclasses.fields(cls)
        if f.init and not f.metadata.get("set_by_loader", False)
    ]


def check_scalar_types(config: Any) -> None:
    """ConfigError for a field annotated ``bool``, ``int``, ``float`` or ``str`` (or one of them
    ``| None``) that holds another type (a bool is not a number; an int is a float)."""
    for name, allowed in _scalar_fields(type(config)).items():
        value = getattr(config, name)
        if isinstance(value, allowed) and (bool in allowed or not isinstance(value, bool)):
            continue
        expected = " or ".join("null" if t is type(None) else t.__name__ for t in allowed)
        raise ConfigError(
            f"{type(config).__name__}.{name} must be {expected}, "
            f"got {type(value).__name__} {value!r}"
        )


@functools.cache
def _scalar_fields(cls: type) -> dict[str, tuple[type, ...]]:
    scalars = {bool, int, float, str, type(None)}
    hints = typing.get_type_hints(cls)
    out: dict[str, tuple[type, ...]] = {}
    for f in dataclasses.fields(cls):
        hint = hints.get(f.name)
        is_union = typing.get_origin(hint) in (typing.Union, types.UnionType)
        members = tuple(typing.get_args(hint)) if is_union else (hint,)
        if members and all(m in scalars for m in members):
            out[f.name] = members + ((int,) if float in members and int not in members else ())
    return out


def named_key(message: str, key_lines: dict[str, int]) -> str | None:
    """The key of ``key_lines`` an error message names first (the longest at one place:
    ``mose.r`` before ``mose``), or None. Config errors name their field by convention
    (``ServeConfig.port must be ...``, ``task 'x': loader 'y' is not known``)."""
    best: tuple[int, int, str] | None = None
    for key in key_lines:
        found = re.search(rf"(?<!\w){re.escape(key)}(?!\w)", message)
        if found:
            rank = (found.start(), -len(key), key)
            if best is None or rank < best:
                best = rank
    return best[2] if best else None


def read_yaml_mapping(path: str | Path) -> dict[str, Any]:
    """Parse a YAML file that must hold a mapping; errors name the file (and line)."""
    return parse_yaml_mapping(path)[0]


def parse_yaml_mapping(
    path: str | Path, text: str | None = None
) -> tuple[dict[str, Any], dict[str, int]]:
    """(mapping, dotted key -> 1-based line) of a YAML file (or of ``text``, named ``path``).

    Errors name the file, and the line where YAML reports one.
    """
    path = Path(path)
    if text is None:
        text = _read_text(path)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ConfigError(f"{_where(str(path), line)}not valid YAML ({exc.problem})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid YAML (nested too deeply)") from None
    finally:
        loader.dispose()
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of config keys, got {type(data).__name__}")
    return data, key_lines(node)


def key_lines(
    node: yaml.Node | None, prefix: str = "", depth: int = KEY_LINE_DEPTH
) -> dict[str, int]:
    """Dotted key -> 1-based line of every string key of nested YAML mappings (``depth`` levels)."""
    lines: dict[str, int] = {}
    if depth <= 0 or not isinstance(node, yaml.MappingNode):
        return lines
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            dotted = prefix + str(key_node.value)
            lines[dotted] = key_node.start_mark.line + 1  # a repeated key: YAML keeps the last
            lines.update(key_lines(value_node, dotted + ".", depth - 1))
    return lines


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None


def _where(source: str | None, line: int | None) -> str:
    if not source:
        return ""
    return f"{source}:{line}: " if line is not None else f"{source}: "
