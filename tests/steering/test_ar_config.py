"""ARConfig validation and YAML loading; context specs for synthetic multimodal prompts."""

from __future__ import annotations

import math

import pytest
import torch

from emoreason.errors import ConfigError, InputError
from emoreason.steering import (
    ARConfig,
    build_context,
    default_context_spec,
    load_context_spec,
)


@pytest.mark.parametrize(
    ("field", "value", "valid"),
    [
        ("alpha", -0.1, "[0, 1]"),
        ("alpha", 1.5, "[0, 1]"),
        ("alpha", "half", "[0, 1]"),
        ("alpha", math.nan, "[0, 1]"),
        ("tau", -1.0, ">= 0"),
        ("tau", math.inf, ">= 0"),
        ("kappa", -0.5, ">= 0"),
        ("kappa", True, ">= 0"),
        ("normalize_by_count", "yes", "true or false"),
        ("layers", [], "layer indices >= 0"),
        ("layers", [0, -1], "layer indices >= 0"),
        ("layers", [1.5], "layer indices >= 0"),
        ("layers", "0,1", "layer indices >= 0"),
        ("eps", 0.0, "> 0"),
    ],
)
def test_bad_values_raise_config_error_listing_what_is_valid(field, value, valid):
    with pytest.raises(ConfigError) as info:
        ARConfig(**{field: value})
    message = str(info.value)
    assert f"ARConfig.{field}" in message and "valid" in message and valid in message


def test_layers_are_normalised_and_scoped():
    config = ARConfig(layers=[3, 1, 3])
    assert config.layers == (1, 3)
    assert config.applies_to(1) and not config.applies_to(2)
    assert ARConfig().applies_to(29)


def test_from_yaml_and_unknown_keys(tmp_path):
    good = tmp_path / "ar.yaml"
    good.write_text("alpha: 0.3\ntau: 2.0\nlayers: [0, 2]\nnormalize_by_count: true\n")
    config = ARConfig.from_yaml(good)
    assert config == ARConfig(alpha=0.3, tau=2.0, layers=(0, 2), normalize_by_count=True)
    bad = tmp_path / "bad.yaml"
    bad.write_text("alpha: 0.3\nbeta: 1\n")
    with pytest.raises(
        ConfigError, match=r"bad\.yaml:2: unknown key 'beta' for ARConfig; valid keys: \['alpha'"
    ):
        ARConfig.from_yaml(bad)


def test_context_spec_builds_ids_and_modalities(tmp_path):
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(
        '{"segments": [{"text_tokens": 2}, {"audio": 3}, {"visual": 5}, {"text_tokens": 1}],'
        ' "max_new_tokens": 4, "seed": 7}'
    )
    spec = load_context_spec(spec_path)
    assert spec.max_new_tokens == 4
    ids, kinds = build_context(spec, vocab_size=50)
    assert ids.shape == kinds.shape == (1, 11)
    assert kinds[0].tolist() == [0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 0]
    assert int(ids.max()) < 50
    again, _ = build_context(spec, vocab_size=50)
    assert torch.equal(ids, again)  # seeded


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("segments: []\n", "segments"),
        ("segments:\n  - audio: 0\n", "segments[0].audio"),
        ("segments:\n  - sound: 3\n", "segments[0]"),
        ("segments:\n  - audio: 3\nmax_new_tokens: 0\n", "max_new_tokens"),
        ("segments:\n  - audio: 3\nextra: 1\n", "unknown key"),
        ("segments: [\n", "not valid YAML"),
    ],
)
def test_bad_context_specs_name_the_field(tmp_path, text, where):
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_context_spec(path)
    assert str(path) in str(info.value) and where in str(info.value)


def test_text_segments_need_a_tokenizer():
    with pytest.raises(InputError, match=r"segments\[0\]\.text"):
        build_context(default_context_spec(), vocab_size=128)
