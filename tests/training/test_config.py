"""Training configs: YAML round trip, unknown keys, invalid values."""

from __future__ import annotations

import pytest

from emoreason.errors import ConfigError
from emoreason.training import CADPOTrainConfig, SFTTrainConfig

REQUIRED = {"model_path": "m", "train_file": "t.jsonl", "output_dir": "out"}


def test_yaml_loads_every_field(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "model_path: smollm2\ntrain_file: pairs.jsonl\noutput_dir: runs/x\nbeta: 0.2\neta: 1.5\n"
        "gamma: 0.1\nadapter: mose\nmose: {epsilon: 0.2}\ntarget_modules: [q_proj]\n",
        encoding="utf-8",
    )
    config = CADPOTrainConfig.from_yaml(path)
    assert (config.beta, config.eta, config.gamma) == (0.2, 1.5, 0.1)
    assert config.adapter == "mose" and config.mose == {"epsilon": 0.2}
    assert config.target_modules == ["q_proj"]


def test_unknown_key_is_named(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("model_path: m\ntrain_file: t\noutput_dir: o\nbetta: 0.1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown key 'betta'.*valid keys"):
        CADPOTrainConfig.from_yaml(path)


def test_sft_config_rejects_dpo_keys():
    with pytest.raises(ConfigError, match="'beta'"):
        SFTTrainConfig.from_dict({**REQUIRED, "beta": 0.1})


def test_missing_required_key():
    with pytest.raises(ConfigError, match="missing required key 'output_dir'"):
        SFTTrainConfig.from_dict({"model_path": "m", "train_file": "t"})


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"adapter": "prefix"}, "adapter"),
        ({"overlength": "wrap"}, "overlength"),
        ({"missing_media": "ignore"}, "missing_media"),
        ({"beta": 0}, "beta"),
        ({"eta": -0.5}, "eta"),
        ({"gamma": -1}, "gamma"),
        ({"lora_r": 0}, "lora_r"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"target_modules": []}, "target_modules"),
    ],
)
def test_invalid_values_raise_config_error(values, field):
    with pytest.raises(ConfigError, match=field):
        CADPOTrainConfig.from_dict({**REQUIRED, **values})


def test_not_a_mapping(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="mapping"):
        SFTTrainConfig.from_yaml(path)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        SFTTrainConfig.from_yaml(tmp_path / "nope.yaml")


def test_resume_latest_needs_a_checkpoint(tmp_path):
    from emoreason.training.run import _resume_path

    config = SFTTrainConfig.from_dict(
        {**REQUIRED, "output_dir": str(tmp_path), "resume_from_checkpoint": "latest"}
    )
    with pytest.raises(ConfigError, match="no checkpoint"):
        _resume_path(config)
    (tmp_path / "checkpoint-3").mkdir()
    assert _resume_path(config).endswith("checkpoint-3")
