"""The fixed sets of values CLI options take, as enums: ``--help`` lists them and a bad value is
typer's own error naming the valid ones. (``convert --to`` and ``build-conflicts --rule``, sets
of the command's own, are defined beside their command.)

Each set is the library's own list: the languages come from it directly (the schema is loaded
by the CLI anyway); the others are spelled here, because importing their modules (reasoning
backends, evaluation, training, the pipeline's YAML config) would slow every command's start,
and ``tests/cli/test_choices.py`` holds each of them equal to the library's list.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from emoreason.schema.languages import LANGUAGES


def choice_enum(name: str, values: Iterable[str]) -> type[StrEnum]:
    """A StrEnum whose members are named and valued by ``values`` (in their order)."""
    return StrEnum(name, {value: value for value in values})  # type: ignore[return-value]


Lang = choice_enum("Lang", LANGUAGES)
#: ``emoreason.pipeline.config.ENGINES``.
Engine = choice_enum("Engine", ("local", "ray"))
#: ``emoreason.pipeline.config.DATASETS``: how a pipeline input is read.
Dataset = choice_enum("Dataset", ("auto", "folder", "jsonl", "ravdess", "cremad", "meld"))
#: ``emoreason.training.pairs.PAIR_KINDS``: the rejected answers of CA-DPO pairs.
PairKind = choice_enum("PairKind", ("ablation", "hallucination", "label_flip"))

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
