"""MoSEConfig validation, YAML loading and target-module errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from mose_tiny import tiny_model

from emoreason.adapters.mose import MoSEConfig, apply_mose
from emoreason.errors import ConfigError


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"r": 0}, r"mose\.r: expected an integer >= 1"),
        ({"r": -2}, r"mose\.r"),
        ({"r": 2.5}, r"mose\.r"),
        ({"epsilon": 0.0}, r"mose\.epsilon: expected a number in \(0, 0\.5\]"),
        ({"epsilon": 0.6}, r"mose\.epsilon: expected a number in \(0, 0\.5\]"),
        ({"epsilon": -0.1}, r"mose\.epsilon"),
        ({"alpha": 0}, r"mose\.alpha"),
        ({"dropout": 1.0}, r"mose\.dropout"),
        ({"gate_hidden": -1}, r"mose\.gate_hidden"),
        ({"target_modules": []}, r"mose\.target_modules"),
        ({"target_modules": [""]}, r"mose\.target_modules"),
        ({"init_lora_b": "ones"}, r"mose\.init_lora_b: expected one of \['zero', 'gaussian'\]"),
        ({"init_gate": "xavier"}, r"mose\.init_gate"),
    ],
)
def test_bad_values_raise_config_error(kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        MoSEConfig(**kwargs)


def test_epsilon_edge_values_are_valid() -> None:
    assert MoSEConfig(epsilon=0.5).epsilon == 0.5
    assert MoSEConfig(epsilon=1e-6).epsilon == 1e-6


def test_from_dict_rejects_unknown_keys_and_lists_valid_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'rank'.*valid keys: \['r', 'alpha'"):
        MoSEConfig.from_dict({"rank": 8})


def test_round_trip_through_dict() -> None:
    cfg = MoSEConfig(r=4, alpha=8, target_modules=["q_proj"], gate_hidden=0, seed=3)
    assert MoSEConfig.from_dict(cfg.to_dict()) == cfg
    assert cfg.scaling == 2.0


def test_yaml_loading(tmp_path: Path) -> None:
    path = tmp_path / "mose.yaml"
    path.write_text("mose:\n  r: 4\n  epsilon: 0.2\n  target_modules: [q_proj, v_proj]\n")
    cfg = MoSEConfig.from_yaml(path)
    assert (cfg.r, cfg.epsilon, cfg.target_modules) == (4, 0.2, ["q_proj", "v_proj"])
    path.write_text("r: 4\nbogus: 1\n")
    with pytest.raises(
        ConfigError,
        match=r"mose\.yaml:2: unknown key 'bogus' for MoSEConfig; valid keys: \['r', 'alpha'",
    ):
        MoSEConfig.from_yaml(path)
    path.write_text("r: 0\n")
    with pytest.raises(ConfigError, match=r"mose\.yaml:1: mose\.r"):
        MoSEConfig.from_yaml(path)
    with pytest.raises(ConfigError, match="config file not found"):
        MoSEConfig.from_yaml(tmp_path / "missing.yaml")


def test_unknown_target_module_lists_valid_names() -> None:
    model = tiny_model("llama")
    with pytest.raises(ConfigError, match=r"\['qproj'\] match no nn\.Linear.*'q_proj'.*'up_proj'"):
        apply_mose(model, MoSEConfig(target_modules=["q_proj", "qproj"]))
    # nothing was wrapped or frozen by the failed call
    assert all(p.requires_grad for p in model.parameters())


def test_dotted_suffix_and_exclusions_select_layers() -> None:
    model = tiny_model("llama")
    cfg = MoSEConfig(target_modules=["self_attn.q_proj"], exclude_modules=["model.layers.1"])
    apply_mose(model, cfg)
    from emoreason.adapters.mose import mose_layers

    assert list(mose_layers(model)) == ["model.layers.0.self_attn.q_proj"]


def test_applying_twice_is_an_error() -> None:
    model = apply_mose(tiny_model("llama"), MoSEConfig(target_modules=["q_proj"]))
    with pytest.raises(ConfigError, match="already carries MoSE"):
        apply_mose(model, MoSEConfig(target_modules=["q_proj"]))
