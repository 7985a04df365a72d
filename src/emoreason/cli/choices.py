"""The fixed sets of values CLI options take, as enums: ``--help`` lists them and a bad value is
typer's own error naming the valid ones. (``convert --to`` and ``build-conflicts --rule``, sets
of the command's own, are defined beside their command.)

Each enum is built from the library's own list where that list is cheap to import (languages,
the pipeline's engines, datasets and pair kinds). The others are spelled here, because importing
their registries (reasoning backends, evaluation scorers, training) would slow every command's
start; ``tests/cli/test_choices.py`` holds each of them equal to the library's list.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from emoreason.pipeline.config import DATASETS, ENGINES, PAIR_KINDS
from emoreason.schema.languages import LANGUAGES


def choice_enum(name: str, values: Iterable[str]) -> type[StrEnum]:
    """A StrEnum whose members are named and valued by ``values`` (in their order)."""
    return StrEnum(name, {value: value for value in values})  # type: ignore[return-value]


Lang = choice_enum("Lang", LANGUAGES)
Engine = choice_enum("Engine", ENGINES)
Dataset = choice_enum("Dataset", DATASETS)
PairKind = choice_enum("PairKind", PAIR_KINDS)

#: ``emoreason.reasoning.backends.BACKENDS``.
Backend = choice_enum("Backend", ("rules", "transformers", "openai"))
#: ``emoreason.evaluation.runner.BACKENDS``: the reasoning backends and the single-modality models.
EvalBackend = choice_enum("EvalBackend", (*Backend, "voice", "verbal"))
#: ``emoreason.evaluation.hooks.METRIC_VARIANTS``.
MetricVariant = choice_enum("MetricVariant", ("official", "robust"))
#: The fixed splits of the evaluation loaders (emodb: test, dev, all; verbal: dev, calib, test, all).
Split = choice_enum("Split", ("test", "dev", "calib", "all"))
#: EmoCue-360 cue extraction: our local extractor or an LLM behind ``--judge-url``.
CueExtractor = choice_enum("CueExtractor", ("local", "llm"))
#: ``emoreason.reasoning.transformers_backend.DTYPES`` (auto: float32 on CPU, bfloat16 on GPU).
Dtype = choice_enum("Dtype", ("auto", "float32", "bfloat16", "float16"))
#: ``emoreason.training.config.MISSING_MEDIA_POLICIES``.
MissingMedia = choice_enum("MissingMedia", ("error", "skip"))


def values(chosen: Iterable[StrEnum] | None) -> list[str]:
    """Plain strings of a repeatable enum option (typer hands over enum members)."""
    return [str(item.value) for item in chosen or ()]
