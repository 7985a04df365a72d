"""Options that take one of a fixed set of values are typer choices: --help lists them, a bad
value is typer's error naming them, and each set is the library's own."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from emoreason.cli import choices
from emoreason.cli.app import app


def test_each_choice_is_the_librarys_own_list() -> None:
    from emoreason.evaluation.hooks import METRIC_VARIANTS
    from emoreason.evaluation.loaders import emodb, verbal_sentences
    from emoreason.evaluation.runner import BACKENDS as EVAL_BACKENDS
    from emoreason.pipeline.config import DATASETS, ENGINES
    from emoreason.reasoning.backends import BACKENDS
    from emoreason.reasoning.transformers_backend import DTYPES
    from emoreason.schema.languages import LANGUAGES
    from emoreason.training.config import MISSING_MEDIA_POLICIES
    from emoreason.training.pairs import PAIR_KINDS

    def names(enum) -> list[str]:
        return [member.value for member in enum]

    assert names(choices.Lang) == list(LANGUAGES)
    assert names(choices.Backend) == list(BACKENDS)
    assert names(choices.EvalBackend) == list(EVAL_BACKENDS)
    assert names(choices.MetricVariant) == list(METRIC_VARIANTS)
    assert names(choices.Engine) == list(ENGINES)
    assert names(choices.Dataset) == list(DATASETS)
    assert names(choices.PairKind) == list(PAIR_KINDS)
    assert names(choices.MissingMedia) == list(MISSING_MEDIA_POLICIES)
    assert names(choices.Dtype) == list(DTYPES)
    assert set(names(choices.Split)) == set(emodb.SPLITS) | set(verbal_sentences.SPLITS)


#: (command, its required arguments, option, a bad value, the valid values typer must list)
CHOICE_OPTIONS = [
    (["serve"], [], "--backend", "rulez", ["rules", "transformers", "openai"]),
    (["serve"], [], "--lang", "fr", ["en", "zh"]),
    (["evaluate"], ["--task", "jsonl"], "--backend", "vioce", ["rules", "voice", "verbal"]),
    (["evaluate"], ["--task", "jsonl"], "--lang", "de", ["en", "zh"]),
    (["evaluate"], ["--task", "jsonl"], "--split", "train", ["test", "dev", "calib", "all"]),
    (["evaluate"], ["--task", "jsonl"], "--cue-extractor", "gpt", ["local", "llm"]),
    (["evaluate"], ["--task", "jsonl"], "--metric-variant", "fair", ["official", "robust"]),
    (["build-sft"], ["in.jsonl", "-o", "o.jsonl"], "--lang", "fr", ["en", "zh"]),
    (["build-sft"], ["in.jsonl", "-o", "o.jsonl"], "--missing-media", "drop", ["error", "skip"]),
    (["build-pairs"], ["in.jsonl", "-o", "o.jsonl"], "--kind", "flip", ["ablation", "label_flip"]),
    (["pipeline", "run"], ["--input", "i", "--output", "o"], "--engine", "spark", ["local", "ray"]),
    (["pipeline", "run"], ["--input", "i", "--output", "o"], "--dataset", "x", ["meld", "auto"]),
    (["pipeline", "run"], ["--input", "i", "--output", "o"], "--backend", "gpt", ["openai"]),
    (["analyze"], ["clip.mp4"], "--backend", "vllm", ["rules", "transformers", "openai"]),
    (["analyze"], ["clip.mp4"], "--lang", "ja", ["en", "zh"]),
    (["analyze"], ["clip.mp4"], "--dtype", "int8", ["auto", "float32", "bfloat16", "float16"]),
    (["diagnose"], [], "--lang", "fr", ["en", "zh"]),
    (["convert"], ["a", "b"], "--to", "csv", ["jsonl", "folder", "swift"]),
    (["convert"], ["a", "b", "--to", "jsonl"], "--lang", "fr", ["en", "zh"]),
]


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


@pytest.mark.parametrize(("command", "args", "option", "bad", "valid"), CHOICE_OPTIONS)
def test_a_bad_choice_is_refused_with_the_valid_ones(command, args, option, bad, valid) -> None:
    runner = CliRunner()
    result = runner.invoke(app, [*command, *args, option, bad])
    text = _plain(result.output)
    assert result.exit_code == 2, text
    assert f"'{bad}' is not one of" in text
    assert all(f"'{value}'" in text for value in valid)
    # --help shows the choices beside the option: <a|b|c>
    listed = _plain(runner.invoke(app, [*command, "--help"], env={"COLUMNS": "300"}).output)
    shown = re.search(rf"{option} (?:\S+ )?<(?:list\[)?([a-z0-9_|]+)\]?>", listed)
    assert shown is not None, listed
    assert set(valid) <= set(shown.group(1).split("|"))
