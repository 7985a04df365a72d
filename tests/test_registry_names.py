"""One registry class for names chosen by a string: unknown names suggest the closest one."""

from __future__ import annotations

import pytest

from emoreason.errors import ConfigError
from emoreason.evaluation.hooks import SCORERS
from emoreason.evaluation.loaders import LOADERS
from emoreason.evaluation.registry import TaskSpec
from emoreason.reasoning import BACKENDS, create_backend
from emoreason.registry import Registry, UnknownNameError


def test_registry_is_a_mapping_that_fails_helpfully() -> None:
    colours = Registry("colour", {"red": 1, "green": 2})
    assert colours["red"] == 1 and list(colours) == ["red", "green"] and "blue" not in colours
    with pytest.raises(UnknownNameError) as info:
        colours["gren"]
    assert (
        str(info.value)
        == "unknown colour 'gren' (did you mean 'green'?); expected one of ['red', 'green']"
    )
    assert isinstance(info.value, ConfigError) and isinstance(info.value, KeyError)
    assert colours.hint("purple") == ""


def test_register_decorator_refuses_a_second_entry_of_the_same_name() -> None:
    shapes: Registry[object] = Registry("shape")

    @shapes.register("circle")
    def circle() -> str:
        return "o"

    assert shapes["circle"] is circle
    with pytest.raises(ValueError, match="twice"):
        shapes.register("circle")(circle)


def test_backends_loaders_and_scorers_suggest_the_closest_name() -> None:
    assert list(BACKENDS) == ["rules", "transformers", "openai"]
    with pytest.raises(ConfigError, match=r"unknown backend 'rulez' \(did you mean 'rules'\?\)"):
        create_backend("rulez")
    with pytest.raises(ConfigError, match=r"did you mean 'mer2023'"):
        LOADERS["mer2032"]
    with pytest.raises(ConfigError, match=r"did you mean 'classification'"):
        SCORERS["clasification"]
    with pytest.raises(
        ConfigError, match=r"loader 'mer2032' is not known \(did you mean 'mer2023'"
    ):
        TaskSpec(name="x", loader="mer2032", scorer="classification")


def test_cue_embedder_names_suggest_the_closest() -> None:
    from emoreason.evaluation.embedders import EMBEDDERS, resolve_embedder

    assert list(EMBEDDERS) == ["minilm", "static"]
    with pytest.raises(ConfigError, match=r"'minlm' \(did you mean 'minilm'\?\)"):
        resolve_embedder("minlm")
