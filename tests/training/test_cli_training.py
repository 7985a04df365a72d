"""CLI: build-sft, build-pairs, train sft|ca-dpo (tiny model), config errors."""

from __future__ import annotations

import json

from training_fixtures import error_row, make_results, write_toy_pairs
from typer.testing import CliRunner

from emoreason.cli.app import app
from emoreason.formats.jsonl import write_jsonl

runner = CliRunner()


def test_build_sft_and_pairs(tmp_path):
    results = make_results(tmp_path)
    path = tmp_path / "results.jsonl"
    write_jsonl(path, [*results, error_row()])
    out = runner.invoke(
        app,
        ["build-sft", str(path), "-o", str(tmp_path / "sft.jsonl"), "--lang", "en", "--lang", "zh"],
    )
    assert out.exit_code == 0, out.output
    assert "analysis_error 1" in out.output
    assert len((tmp_path / "sft.jsonl").read_text(encoding="utf-8").splitlines()) == 2 * len(
        results
    )
    out = runner.invoke(app, ["build-pairs", str(path), "-o", str(tmp_path / "pairs.jsonl")])
    assert out.exit_code == 0, out.output
    rows = [
        json.loads(x) for x in (tmp_path / "pairs.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert rows and all("rejected_response" in r and "kind" in r and "conflict" in r for r in rows)
    assert "same_emotion" in out.output


def test_bad_kind_and_missing_media(tmp_path):
    results = make_results(tmp_path, scenarios=("sarcasm",))
    path = tmp_path / "results.jsonl"
    write_jsonl(path, results)
    out = runner.invoke(
        app, ["build-pairs", str(path), "-o", str(tmp_path / "p.jsonl"), "--kind", "bogus"]
    )
    assert out.exit_code != 0 and "bogus" in out.output
    (tmp_path / "sarcasm.mp4").unlink()
    out = runner.invoke(app, ["build-pairs", str(path), "-o", str(tmp_path / "p.jsonl")])
    assert out.exit_code == 2 and "media file not found" in out.output


def test_train_ca_dpo_cli(tmp_path, tiny_model_dir):
    pairs = write_toy_pairs(tmp_path / "pairs.jsonl", n=4)
    config = tmp_path / "c.yaml"
    config.write_text(
        f"model_path: {tiny_model_dir}\ntrain_file: {pairs}\neval_file: {pairs}\n"
        f"output_dir: {tmp_path / 'run'}\nmax_steps: 2\nper_device_train_batch_size: 2\n"
        "max_length: 512\nlearning_rate: 0.01\neval_before_training: true\n",
        encoding="utf-8",
    )
    out = runner.invoke(app, ["train", "ca-dpo", "--config", str(config)])
    assert out.exit_code == 0, out.output
    assert "rewards/margins" in out.output and "rewards/accuracies" in out.output
    assert "held-out after training" in out.output
    assert (tmp_path / "run" / "adapter").is_dir()


def test_train_config_unknown_key(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(
        "model_path: m\ntrain_file: t\noutput_dir: o\nlearning_rat: 1\n", encoding="utf-8"
    )
    out = runner.invoke(app, ["train", "sft", "--config", str(config)])
    assert out.exit_code == 2 and "unknown key 'learning_rat'" in out.output


def test_train_missing_model(tmp_path):
    pairs = write_toy_pairs(tmp_path / "pairs.jsonl", n=2)
    config = tmp_path / "c.yaml"
    config.write_text(
        f"model_path: {tmp_path / 'nomodel'}\ntrain_file: {pairs}\noutput_dir: o\n",
        encoding="utf-8",
    )
    out = runner.invoke(app, ["train", "ca-dpo", "--config", str(config)])
    assert out.exit_code == 2 and "config.json missing" in out.output
