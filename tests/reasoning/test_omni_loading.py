"""Loading the thinker of a Qwen2.5-Omni folder: thinker-only and full folders give the same
thinker (its own weights, no talker), in the dtype asked for; other folders are one-line errors."""

from __future__ import annotations

import json

import pytest
import torch

from emoreason.errors import ModelNotFoundError
from emoreason.reasoning.omni_loading import is_omni_folder, load_omni_thinker, model_type_of
from omni_media import load_thinker, save_full_omni

THINKER = "Qwen2_5OmniThinkerForConditionalGeneration"


@pytest.fixture(scope="module")
def full_dir(omni_dir, tmp_path_factory):
    return save_full_omni(omni_dir, tmp_path_factory.mktemp("full_omni"))


def _same_weights(model: torch.nn.Module, reference: torch.nn.Module) -> bool:
    ours, theirs = model.state_dict(), reference.state_dict()
    return ours.keys() == theirs.keys() and all(torch.equal(ours[k], theirs[k]) for k in theirs)


def test_model_types_of_folders(omni_dir, full_dir, tmp_path):
    assert model_type_of(omni_dir) == "qwen2_5_omni_thinker" and is_omni_folder(omni_dir)
    assert model_type_of(full_dir) == "qwen2_5_omni" and is_omni_folder(full_dir)
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "llama"}))
    assert model_type_of(tmp_path) == "llama" and not is_omni_folder(tmp_path)
    for text in ("not json", "[1, 2]"):
        (tmp_path / "config.json").write_text(text)
        assert model_type_of(tmp_path) is None
    assert model_type_of(tmp_path / "nowhere") is None and not is_omni_folder(tmp_path / "nowhere")


def test_thinker_and_full_folders_give_the_same_thinker(omni_dir, full_dir):
    reference = load_thinker(omni_dir)
    for folder in (omni_dir, full_dir):
        model = load_omni_thinker(folder)
        assert type(model).__name__ == THINKER and not model.training
        assert not hasattr(model, "talker") and not hasattr(model, "thinker")
        assert _same_weights(model, reference), folder


def test_every_weight_has_the_dtype_asked_for(omni_dir, full_dir):
    """A full folder's nested configs name float32: the towers and decoder follow the request."""
    for folder in (omni_dir, full_dir):
        for dtype in (torch.bfloat16, torch.float32):
            model = load_omni_thinker(folder, dtype)
            assert {p.dtype for p in model.parameters()} == {dtype}, (folder, dtype)


def test_other_folders_are_one_line_errors(omni_dir, tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "llama"}))
    with pytest.raises(ModelNotFoundError, match=r"not a Qwen2\.5-Omni model folder.*'llama'"):
        load_omni_thinker(tmp_path)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text((omni_dir / "config.json").read_text())  # no weights
    with pytest.raises(ModelNotFoundError, match=r"broken: cannot load the Qwen2\.5-Omni") as info:
        load_omni_thinker(broken)
    assert "\n" not in str(info.value).strip()
