"""EmoDB loader: file names parsed, manifest preferred, fixed speaker split, bad names counted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emoreason.errors import InputError
from emoreason.evaluation.loaders import LOADERS
from emoreason.evaluation.loaders.emodb import (
    EMODB_LABELS,
    load_emodb,
    parse_emodb_name,
    split_of,
)
from emoreason.evaluation.registry import get_task


def _touch(folder: Path, *names: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"RIFF")


@pytest.mark.parametrize(
    ("stem", "speaker", "sentence", "emotion", "version"),
    [
        ("03a01Fa", "03", "a01", "happy", "a"),
        ("16b10Wb", "16", "b10", "angry", "b"),
        ("11a05Lc", "11", "a05", "bored", "c"),
        ("08b02Ea", "08", "b02", "disgusted", "a"),
        ("09a04Ad", "09", "a04", "fearful", "d"),
        ("13b03Tc", "13", "b03", "sad", "c"),
        ("10a07Na", "10", "a07", "neutral", "a"),
    ],
)
def test_names_are_parsed(stem, speaker, sentence, emotion, version) -> None:
    parsed = parse_emodb_name(stem)
    assert (parsed.speaker, parsed.sentence, parsed.emotion, parsed.version) == (
        speaker, sentence, emotion, version,
    )  # fmt: skip


@pytest.mark.parametrize("stem", ["03a01Xa", "3a01Fa", "03c01Fa", "03a01Fa_copy", "readme"])
def test_non_emodb_names_are_rejected(stem) -> None:
    with pytest.raises(ValueError, match=r"EmoDB|letter"):
        parse_emodb_name(stem)


def test_fixed_split() -> None:
    assert [split_of(s) for s in ("03", "08", "09", "10")] == ["test"] * 4
    assert [split_of(s) for s in ("11", "12", "13", "14", "15", "16")] == ["dev"] * 6


def test_folder_of_wavs_without_manifest(tmp_path) -> None:
    _touch(tmp_path / "any" / "depth", "03a01Fa.wav", "11a01Wa.wav", "16b10Lb.wav", "noise.wav")
    report = load_emodb(tmp_path, list(EMODB_LABELS), None)
    by_id = {s.id: s for s in report.samples}
    assert sorted(by_id) == ["03a01Fa", "11a01Wa", "16b10Lb"]
    assert by_id["03a01Fa"].subset == "test" and by_id["11a01Wa"].subset == "dev"
    assert by_id["16b10Lb"].label == "bored" and by_id["16b10Lb"].extra["speaker"] == "16"
    assert all(Path(s.media).is_file() for s in report.samples)
    assert report.counts["bad_row"] == 1 and any("noise.wav" in p for p in report.problems)
    test_only = load_emodb(tmp_path, list(EMODB_LABELS), None, split="test")
    assert [s.id for s in test_only.samples] == ["03a01Fa"]
    assert test_only.counts["other_split"] == 2


def test_manifest_is_used_when_present(tmp_path) -> None:
    _touch(tmp_path / "wav", "03a01Fa.wav", "12a02Ta.wav")
    manifest = [
        {"file": "wav/03a01Fa.wav", "emotion": "happy", "speaker": "03", "sentence": "a01"},
        {"file": "wav/12a02Ta.wav", "emotion": "sad", "speaker": "12", "sentence": "a02"},
        {"file": "wav/14a02Ta.wav", "emotion": "sad", "speaker": "14"},  # file missing
        {"emotion": "sad"},  # no file
        {"file": "wav/15a02Xa.wav", "emotion": "elated", "speaker": "15"},  # unknown label
    ]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    report = load_emodb(tmp_path, list(EMODB_LABELS), None, split="all")
    assert [s.id for s in report.samples] == ["03a01Fa", "12a02Ta", "14a02Ta"]
    assert report.samples[2].media is None and report.counts["missing_media"] == 1
    assert report.counts["bad_row"] == 1 and report.counts["unknown_label"] == 1


def test_empty_folder_and_bad_split_are_errors(tmp_path) -> None:
    with pytest.raises(InputError, match="no EmoDB wav"):
        load_emodb(tmp_path, list(EMODB_LABELS), None)
    with pytest.raises(InputError, match="split"):
        load_emodb(tmp_path, list(EMODB_LABELS), None, split="train")


def test_task_is_registered() -> None:
    task = get_task("emodb")
    assert task.loader == "emodb" and LOADERS["emodb"] is load_emodb
    assert task.scorer == "voice" and task.backend == "voice"
    assert sorted(task.labels) == sorted(EMODB_LABELS)


def test_cli_split_option_selects_speakers(tmp_path) -> None:
    from typer.testing import CliRunner

    from emoreason.cli.app import app

    _touch(tmp_path / "wav", "03a01Fa.wav", "08a01Wa.wav", "11a01Wa.wav", "12a01Ta.wav")
    predictions = tmp_path / "p.jsonl"
    guesses = [("03a01Fa", "happy"), ("08a01Wa", "happy"), ("11a01Wa", "angry"), ("12a01Ta", "sad")]
    rows = [json.dumps({"id": i, "label": label}) for i, label in guesses]
    predictions.write_text("\n".join(rows), encoding="utf-8")
    runner = CliRunner()
    for split, expected in (("test", {"test"}), ("all", {"test", "dev", "all"})):
        out = tmp_path / f"out_{split}"
        result = runner.invoke(app, ["evaluate", "--task", "emodb", "--data", str(tmp_path),
                                     "--predictions", str(predictions), "--split", split,
                                     "--n-resamples", "20", "--out", str(out)])  # fmt: skip
        assert result.exit_code == 0, result.output
        report = json.loads((out / "emodb.json").read_text(encoding="utf-8"))
        assert set(report["details"]["n_scored"]) == expected
        assert (out / "emodb_reliability_test.png").is_file()
    assert report["scores"]["accuracy[dev]"]["value"] == 1.0
    assert report["scores"]["accuracy[test]"]["value"] == 0.5
    bad = runner.invoke(app, ["evaluate", "--task", "jsonl", "--data", str(tmp_path),
                              "--predictions", str(predictions), "--split", "test"])  # fmt: skip
    assert bad.exit_code != 0 and "no fixed splits" in bad.output
