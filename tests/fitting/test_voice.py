"""The voice training command reproduces exactly on a small synthetic set (features cached)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from emoreason.evaluation.loaders.emodb import EMODB_LABELS
from emoreason.fitting.voice import VoiceTrainingConfig, main, train
from emoreason.perception.acoustic import AcousticExtractor
from emoreason.perception.voice_model import VoiceModel

#: One measure per class that the class raises (the synthetic structure to learn).
MARKERS = (
    "pitch_std_st",
    "pitch_range_st",
    "hnr_db",
    "speaking_rate_syll_per_s",
    "pitch_max_rise_st",
    "egemaps.alphaRatioV_sma3nz_amean",
    "egemaps.loudnessPeaksPerSec",
)
LETTERS = {"neutral": "N", "happy": "F", "sad": "T", "angry": "W", "fearful": "A",
           "disgusted": "E", "bored": "L"}  # fmt: skip


def _make_copy(root, speakers=("03", "11", "12", "13"), per_class=3):
    """A manifest naming wavs that are not there, and cached features with class structure."""
    rng = np.random.default_rng(0)
    names = [n for n in AcousticExtractor.feature_names if not n.startswith("voice_")]
    manifest, clips = [], {}
    for speaker in speakers:
        for c, label in enumerate(EMODB_LABELS):
            for i in range(per_class):
                stem = f"{speaker}a0{i + 1}{LETTERS[label]}a"
                manifest.append({"file": f"wav/{stem}.wav", "emotion": label, "speaker": speaker})
                values = dict(zip(names, rng.uniform(0.5, 2.0, len(names)).tolist(), strict=True))
                values[MARKERS[c]] += 2.0
                clips[stem] = values
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    cache = root / "features.json"
    cache.write_text(json.dumps({"clips": clips}), encoding="utf-8")
    return cache


@pytest.mark.slow
def test_training_reproduces_and_records_its_recipe(tmp_path) -> None:
    cache = _make_copy(tmp_path)
    config = VoiceTrainingConfig(data=tmp_path, features_cache=cache, c_grid=(1.0,))
    first, meta = train(config)
    second, _ = train(config)
    for a, b in ((first.head, second.head), (first.speaker_head, second.speaker_head)):
        np.testing.assert_array_equal(a.weights, b.weights)
        assert a.temperature == b.temperature
    assert first.metadata == second.metadata
    assert meta["split"]["test_speakers"] == ["03"]
    assert meta["split"]["train_dev_speakers"] == ["11", "12", "13"]
    assert meta["n_train"] == 3 * 7 * 3 and meta["n_test"] == 7 * 3
    assert meta["scores"]["test"]["balanced_accuracy"] > 0.5  # the structure is learnable
    x = first.features([json.loads(cache.read_text())["clips"]["03a01Wa"]])
    assert first.head.probabilities(x).sum() == pytest.approx(1.0)


def test_command_writes_a_loadable_file(tmp_path) -> None:
    cache = _make_copy(tmp_path, per_class=2)
    out = tmp_path / "model.npz"
    args = ["--data", str(tmp_path), "--out", str(out), "--features-cache", str(cache),
            "--c-grid", "0.1,1"]  # fmt: skip
    assert main(args) == 0
    model = VoiceModel.load(out)
    assert model.classes == tuple(EMODB_LABELS) and model.metadata["seed"] == 0


def test_config_is_validated(tmp_path) -> None:
    with pytest.raises(ValueError, match="c_grid"):
        VoiceTrainingConfig(data=tmp_path, c_grid=())
