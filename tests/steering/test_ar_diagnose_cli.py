"""``emoreason diagnose`` on a tiny random model (and tokenizer) saved to tmp_path."""

from __future__ import annotations

import json

import pytest
import typer
from ar_tiny import TINY, tiny_model
from typer.testing import CliRunner


def _app() -> typer.Typer:
    """The project's CLI app (``emoreason``), which registers ``diagnose``."""
    from emoreason.cli.app import app

    return app


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny_llama")
    tiny_model("llama", seed=3).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_dir_with_tokenizer(tmp_path_factory):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny_llama_tok")
    tiny_model("llama", seed=3).save_pretrained(folder)
    words = ["[UNK]", "subtitle", "fine", "really", "audio", "video", "which", "emotion", "?"]
    vocab = {w: i for i, w in enumerate(words)} | {f"w{i}": i for i in range(len(words), 100)}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]").save_pretrained(folder)
    return folder


def test_diagnose_writes_json_and_heatmap(tiny_dir, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "segments:\n  - text_tokens: 3\n  - audio: 2\n  - visual: 16\n  - text_tokens: 2\n"
        "max_new_tokens: 3\n"
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        _app(),
        [
            "diagnose",
            str(tiny_dir),
            "--spec",
            str(spec),
            "-o",
            str(out),
            "--tau",
            "0",
            "--kappa",
            "0",
            "--alpha",
            "0.6",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "uap_summary.json").read_text())
    assert summary["prompt_tokens"] == 23
    assert summary["modality_counts"] == {"text": 5, "audio": 2, "visual": 16}
    assert summary["ar_config"]["alpha"] == 0.6
    layers, heads = TINY["num_hidden_layers"], TINY["num_attention_heads"]
    for side in ("before", "after"):
        assert len(summary[side]["audio_uap"]) == layers
        assert all(len(row) == heads for row in summary[side]["audio_uap"])
        assert summary[side]["rows"] == [[3] * heads] * layers
        assert len(summary[side]["generated_ids"][0]) == 3
    assert summary["after"]["biased_heads"] == {"0": [0, 1, 2, 3], "1": [0, 1, 2, 3]}
    # Every head is biased and alpha = 0.6: the recorded audio share drops.
    assert summary["after"]["audio_uap_mean"] < summary["before"]["audio_uap_mean"]
    png = (out / "uap_heatmap.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert "audio UAP" in result.output


def test_diagnose_with_tokenizer_and_default_spec(tiny_dir_with_tokenizer, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        _app(),
        [
            "diagnose",
            str(tiny_dir_with_tokenizer),
            "-o",
            str(out),
            "--max-new-tokens",
            "2",
            "--layers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "uap_summary.json").read_text())
    assert summary["modality_counts"]["audio"] == 16 and summary["modality_counts"]["visual"] == 256
    assert set(summary["after"]["biased_heads"]) <= {"1"}
    assert isinstance(summary["after"]["generated_text"], str)


def test_diagnose_bad_spec_is_one_line_error(tiny_dir, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("segments:\n  - audio: many\n")
    result = CliRunner().invoke(
        _app(), ["diagnose", str(tiny_dir), "--spec", str(spec), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "segments[0].audio" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_diagnose_bad_alpha_and_missing_model(tiny_dir, tmp_path):
    runner = CliRunner()
    bad_alpha = runner.invoke(_app(), ["diagnose", str(tiny_dir), "--alpha", "2"])
    assert bad_alpha.exit_code == 2 and "ARConfig.alpha" in bad_alpha.output
    missing = runner.invoke(_app(), ["diagnose", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "config.json" in missing.output
