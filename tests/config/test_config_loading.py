"""The shared config loading rules (unknown/missing keys, YAML errors with lines)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from emoreason.config import ConfigLoading, read_yaml_mapping
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
    with pytest.raises(ConfigError, match=r"unknown\.yaml: unknown key 'extra'"):
        ToyConfig.from_yaml(unknown)
    with pytest.raises(ConfigError, match="config file not found"):
        read_yaml_mapping(tmp_path / "missing.yaml")
    (tmp_path / "list.yaml").write_text("- 1\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        read_yaml_mapping(tmp_path / "list.yaml")
    (tmp_path / "empty.yaml").write_text("")
    assert read_yaml_mapping(tmp_path / "empty.yaml") == {}
