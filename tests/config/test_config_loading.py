"""The shared config loading rules (unknown/missing keys, YAML errors with lines)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from emoreason.config import (
    ConfigLoading,
    check_scalar_types,
    named_key,
    parse_yaml_mapping,
    read_yaml_mapping,
)
from emoreason.errors import ConfigError


@dataclass
class ToyConfig(ConfigLoading):
    name: str
    rank: int = field(default=8, metadata={"help": "adapter rank"})

    def __post_init__(self) -> None:
        if self.rank < 1:
            raise ConfigError(f"ToyConfig.rank must be >= 1, got {self.rank}")


def test_round_trip_and_help() -> None:
    config = ToyConfig.from_dict({"name": "a", "rank": 4})
    assert ToyConfig.from_dict(config.to_dict()) == config
    assert ToyConfig.field_help() == {"name": "", "rank": "adapter rank"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"name": "a", "rnak": 2},
            "unknown key 'rnak' for ToyConfig; valid keys: ['name', 'rank']",
        ),
        ({"rank": 2}, "missing required key 'name'"),
        (["name"], "expected a mapping of ToyConfig keys, got list"),
        ({"name": "a", "rank": 0}, "rank must be >= 1"),
    ],
)
def test_bad_mappings(data, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        ToyConfig.from_dict(data)


def test_yaml_errors_name_file_and_line(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("toy:\n  name: x\n  rank: 3\n")
    assert ToyConfig.from_yaml(good, section="toy").rank == 3
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nrank: [1, 2\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml:3: not valid YAML"):
        ToyConfig.from_yaml(bad)
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("name: x\nextra: 1\n")
    with pytest.raises(ConfigError, match=r"unknown\.yaml:2: unknown key 'extra'"):
        ToyConfig.from_yaml(unknown)
    with pytest.raises(ConfigError, match="config file not found"):
        read_yaml_mapping(tmp_path / "missing.yaml")
    (tmp_path / "list.yaml").write_text("- 1\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        read_yaml_mapping(tmp_path / "list.yaml")
    (tmp_path / "empty.yaml").write_text("")
    assert read_yaml_mapping(tmp_path / "empty.yaml") == {}


def test_a_bad_value_names_file_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "toy.yaml"
    path.write_text("# a comment\nname: x\n\nrank: 0\n")
    with pytest.raises(ConfigError) as caught:
        ToyConfig.from_yaml(path)
    assert str(caught.value) == f"{path}:4: ToyConfig.rank must be >= 1, got 0"
    assert "\n" not in str(caught.value)
    # under a section, the line is the nested key's
    nested = tmp_path / "nested.yaml"
    nested.write_text("toy:\n  name: x\n  rank: -2\n")
    with pytest.raises(ConfigError, match=r"nested\.yaml:3: ToyConfig\.rank must be >= 1"):
        ToyConfig.from_yaml(nested, section="toy")
    # the content may come as text (package data); the error still names the path
    with pytest.raises(ConfigError, match=r"^pkg/toy\.yaml:2: unknown key 'rnak'"):
        ToyConfig.from_yaml("pkg/toy.yaml", text="name: x\nrnak: 3\n")


def test_key_lines_and_named_key() -> None:
    data, lines = parse_yaml_mapping("x.yaml", "a: 1\nmose:\n  r: 2\n  alpha: 3\nb: [1,\n  2]\n")
    assert data == {"a": 1, "mose": {"r": 2, "alpha": 3}, "b": [1, 2]}
    assert lines == {"a": 1, "mose": 2, "mose.r": 3, "mose.alpha": 4, "b": 5}
    # the key named first wins; at one place the longest (mose.r before mose)
    assert named_key("mose.r: expected an integer >= 1", lines) == "mose.r"
    assert named_key("SFTConfig.b must be ..., a too", lines) == "b"
    assert named_key("nothing here (alphabet)", lines) is None


def test_deep_nesting_is_one_config_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("name: " + "[" * 20000 + "\n")
    with pytest.raises(ConfigError, match=r"deep\.yaml(:\d+)?: not valid YAML"):
        ToyConfig.from_yaml(path)


@dataclass
class TypedConfig(ConfigLoading):
    label: str = "a"
    count: int = 1
    ratio: float = 0.5
    flag: bool = False
    folder: str | None = None
    source: str = field(default="", metadata={"set_by_loader": True})

    def __post_init__(self) -> None:
        check_scalar_types(self)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"label": 3}, "TypedConfig.label must be str, got int 3"),
        ({"count": True}, "TypedConfig.count must be int, got bool True"),
        ({"count": 1.5}, "TypedConfig.count must be int, got float 1.5"),
        ({"ratio": "1e-4"}, "TypedConfig.ratio must be float or int, got str '1e-4'"),
        ({"flag": "yes"}, "TypedConfig.flag must be bool, got str 'yes'"),
        ({"folder": 1}, "TypedConfig.folder must be str or null, got int 1"),
        ({"source": "x.yaml"}, "unknown key 'source'"),
    ],
)
def test_scalar_types_are_checked(data, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        TypedConfig.from_dict(data)


def test_scalar_types_accept_what_they_should() -> None:
    config = TypedConfig.from_dict({"ratio": 2, "folder": None, "flag": True})
    assert config.ratio == 2 and config.flag is True
    assert "source" not in config.to_dict()
