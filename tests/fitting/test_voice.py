"""The voice training command reproduces exactly on a small synthetic set (features cached);
augmented copies train, stay in their speaker's CV fold and are never made for test speakers;
the robustness measurement and its dev-only shipping rule."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from emoreason.evaluation.loaders.emodb import EMODB_LABELS
from emoreason.fitting import voice_cv
from emoreason.fitting.voice import main, train
from emoreason.fitting.voice_augment import CONDITIONS, EVAL_CONDITIONS
from emoreason.fitting.voice_cv import fit_variant, out_of_fold_logits
from emoreason.fitting.voice_data import VoiceTrainingConfig, build_rows, condition_recipe
from emoreason.fitting.voice_robustness import decide
from emoreason.fitting.voice_robustness import main as robustness_main
from emoreason.perception.acoustic import AcousticExtractor
from emoreason.perception.voice_embedding import EMBEDDING_DIM, EXTRA_KEY
from emoreason.perception.voice_model import VoiceModel

EMODB = Path(os.environ.get("EMOREASON_EMODB", Path(__file__).parents[2] / "../shared/data/emodb"))
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


def _make_copy(root, speakers=("03", "11", "12", "13"), per_class=3, copies=()):
    """A manifest naming wavs that are not there, and cached features with class structure;
    ``copies``: condition names whose (noisier) copies are cached too, for every clip."""
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
                embedding = rng.normal(0, 1, EMBEDDING_DIM)
                embedding[c] += 3.0
                clips[stem] = values | {EXTRA_KEY: embedding.tolist()}
                for condition in copies:
                    noisy = {k: v + float(rng.normal(0, 0.3)) for k, v in values.items()}
                    noisy_emb = (embedding + rng.normal(0, 0.3, EMBEDDING_DIM)).tolist()
                    clips[f"{stem}|{condition}"] = noisy | {EXTRA_KEY: noisy_emb}
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    cache = root / "features.json"
    recipes = {c: condition_recipe(CONDITIONS[c]) for c in copies}
    cache.write_text(json.dumps({"clips": clips, "recipes": recipes}), encoding="utf-8")
    return cache


@pytest.mark.slow
def test_training_reproduces_and_records_its_recipe(tmp_path) -> None:
    cache = _make_copy(tmp_path)
    config = VoiceTrainingConfig(data=tmp_path, features_cache=cache, c_grid=(1.0,), augment=())
    first, meta = train(config)
    second, _ = train(config)
    pairs = ((first.head, second.head), (first.speaker_head, second.speaker_head),
             (first.embedding_head, second.embedding_head))  # fmt: skip
    for a, b in pairs:
        np.testing.assert_array_equal(a.weights, b.weights)
        assert a.temperature == b.temperature
    assert first.metadata == second.metadata
    assert meta["split"]["test_speakers"] == ["03"]
    assert meta["split"]["train_dev_speakers"] == ["11", "12", "13"]
    assert meta["n_train"] == 3 * 7 * 3 and meta["n_test"] == 7 * 3
    assert meta["scores"]["test"]["balanced_accuracy"] > 0.5  # the structure is learnable
    assert meta["scores"]["embedding_test"]["balanced_accuracy"] > 0.5
    assert first.embedding_head.weights.shape == (7, len(first.feature_names) + EMBEDDING_DIM)
    x = first.features([json.loads(cache.read_text())["clips"]["03a01Wa"]])
    assert first.head.probabilities(x).sum() == pytest.approx(1.0)


def test_command_writes_a_loadable_file(tmp_path) -> None:
    cache = _make_copy(tmp_path, per_class=2)
    out = tmp_path / "model.npz"
    args = ["--data", str(tmp_path), "--out", str(out), "--features-cache", str(cache),
            "--c-grid", "0.1,1", "--augment", "none"]  # fmt: skip
    assert main(args) == 0
    model = VoiceModel.load(out)
    assert model.classes == tuple(EMODB_LABELS) and model.metadata["seed"] == 0
    assert model.metadata["augment"]["conditions"] == []
    assert model.metadata["augment"]["n_train_rows"] == model.metadata["n_train"]


def test_augmented_training_uses_dev_copies_only_and_records_its_recipe(tmp_path) -> None:
    cache = _make_copy(tmp_path, per_class=2, copies=("reverb", "telephone", "pink10"))
    config = VoiceTrainingConfig(data=tmp_path, features_cache=cache, c_grid=(0.1, 1.0),
                                 augment=("reverb", "telephone"))  # fmt: skip
    model, meta = train(config)
    n_dev = 3 * 7 * 2
    assert meta["n_train"] == n_dev and meta["n_test"] == 7 * 2
    assert meta["augment"]["conditions"] == ["reverb", "telephone"]
    assert meta["augment"]["n_train_rows"] == 3 * n_dev  # clean + two copies, dev only
    assert meta["config"]["augment"] == ["reverb", "telephone"]
    assert set(meta["scores"]["dev_cv"]["degraded"]) == {"reverb", "telephone"}
    assert meta["scores"]["test"]["n"] == 7 * 2  # the test speaker's clean clips only
    rows = build_rows(config)
    assert not np.any(rows.test & (rows.conditions != ""))  # no test speaker copy is built
    clean = train(
        VoiceTrainingConfig(data=tmp_path, features_cache=cache, c_grid=(0.1, 1.0), augment=())
    )[0]
    assert not np.allclose(model.head.weights, clean.head.weights)


def test_cv_folds_keep_all_copies_of_a_speaker_together(monkeypatch) -> None:
    rng = np.random.default_rng(1)
    speakers = np.repeat(["11", "12", "13"], 21)
    conditions = np.tile(np.repeat(np.array(["", "reverb", "telephone"], dtype=object), 7), 3)
    y = np.tile(np.arange(7), 9)
    x = rng.normal(size=(len(y), 4)) + y[:, None]
    seen: list[np.ndarray] = []
    real_fit = voice_cv.fit_head

    def recording_fit(xs, ys, *args):
        seen.append(xs)
        return real_fit(xs, ys, *args)

    monkeypatch.setattr(voice_cv, "fit_head", recording_fit)
    out_of_fold_logits(x, y, speakers, 7, 1.0, 0)
    assert len(seen) == 3
    for held, trained in zip(("11", "12", "13"), seen, strict=True):
        # every row of the held-out speaker, clean or a copy, is absent from its fold
        assert len(trained) == np.sum(speakers != held)
        assert not any(np.any(np.all(trained == row, axis=1)) for row in x[speakers == held])
    # CV scores are computed on the clean held-out rows; copies are reported apart
    config = VoiceTrainingConfig(data=".", c_grid=(1.0,))
    _, dev = fit_variant(x, y, speakers, EMODB_LABELS, config, conditions)
    logits = out_of_fold_logits(x, y, speakers, 7, 1.0, 0)
    clean = conditions == ""
    expected = np.mean([np.mean(logits[clean].argmax(1)[y[clean] == c] == c) for c in range(7)])
    assert dev["balanced_accuracy"] == pytest.approx(expected)
    assert set(dev["degraded"]) == {"reverb", "telephone"}


def test_unknown_or_stale_conditions_are_refused(tmp_path) -> None:
    with pytest.raises(ValueError, match="augment"):
        VoiceTrainingConfig(data=tmp_path, augment=("reverb06",))  # a measurement condition
    cache = _make_copy(tmp_path, per_class=1, copies=("reverb",))
    stored = json.loads(cache.read_text())
    stored["recipes"]["reverb"] = "an older recipe"
    cache.write_text(json.dumps(stored))
    # the cached copies were made under another recipe: dropped, and there is no wav to redo
    with pytest.raises(FileNotFoundError, match="no wav"):
        train(VoiceTrainingConfig(data=tmp_path, features_cache=cache, augment=("reverb",)))


def test_shipping_rule_keeps_the_floor_and_weighs_clean_as_one_condition() -> None:
    def block(clean: float, degraded: float, n: int = 5) -> dict:
        return {"clean": {"balanced_accuracy": {"value": clean}},
                "mean_degraded_balanced_accuracy": degraded, "n_conditions": n}  # fmt: skip

    assert decide(block(0.66, 0.40), block(0.65, 0.50))["ship_augmented"]
    assert decide(block(0.67, 0.37), block(0.615, 0.54))["ship_augmented"]  # -0.055, +0.17
    assert not decide(block(0.66, 0.40), block(0.59, 0.60))["ship_augmented"]  # below the floor
    assert not decide(block(0.66, 0.40), block(0.66, 0.40))["ship_augmented"]  # no gain
    # clean loss 0.06 outweighs a 0.01 gain in each of five conditions: (5 * 0.01 - 0.06) / 6 < 0
    assert not decide(block(0.70, 0.40), block(0.64, 0.41))["ship_augmented"]
    d = decide(block(0.66, 0.40), block(0.65, 0.50))
    assert d["clean_drop"] == pytest.approx(0.01)
    assert d["overall_gain"] == pytest.approx((5 * 0.10 - 0.01) / 6)


@pytest.mark.slow
def test_robustness_command_reports_dev_and_test(tmp_path, capsys) -> None:
    cache = _make_copy(tmp_path, per_class=2, copies=("reverb", "pink10", "reverb06"))
    model = tmp_path / "m.npz"
    assert main(["--data", str(tmp_path), "--out", str(model), "--features-cache", str(cache),
                 "--c-grid", "1", "--augment", "none"]) == 0  # fmt: skip
    out = tmp_path / "report.json"
    args = ["--data", str(tmp_path), "--features-cache", str(cache), "--augment", "reverb",
            "--eval", "pink10,reverb06", "--model", f"clean={model}",
            "--out", str(out)]  # fmt: skip
    assert robustness_main(args) == 0
    report = json.loads(out.read_text())
    assert set(report["dev_cv"]) == {"clean", "augmented", "augmented+embedding"}
    for block in (*report["dev_cv"].values(), report["test"]["clean"]):
        for name in ("clean", "pink10", "reverb06"):
            score = block[name]["balanced_accuracy"]
            assert score["ci_low"] <= score["value"] <= score["ci_high"]
    assert report["dev_cv"]["clean"]["clean"]["n"] == 3 * 7 * 2
    assert report["test"]["clean"]["reverb06"]["n"] == 7 * 2
    assert report["dev_cv"]["augmented"]["n_train_rows"] == 2 * 3 * 7 * 2
    assert report["dev_cv"]["clean"]["n_train_rows"] == 3 * 7 * 2
    assert isinstance(report["decision"]["ship_augmented"], bool)
    assert isinstance(report["embedding_decision"]["ship_augmented"], bool)
    assert report["test"]["clean"]["embedding"] is True
    assert "dev decision" in capsys.readouterr().out


def test_features_only_training_has_no_embedding_head(tmp_path) -> None:
    cache = _make_copy(tmp_path, per_class=2)
    args = ["--data", str(tmp_path), "--out", str(tmp_path / "m.npz"), "--features-cache",
            str(cache), "--c-grid", "1", "--augment", "none", "--no-embedding"]  # fmt: skip
    assert main(args) == 0
    model = VoiceModel.load(tmp_path / "m.npz")
    assert model.embedding_head is None and model.metadata["config"]["embedding"] is False
    assert "embedding_test" not in model.metadata["scores"]


def test_rows_cached_before_embeddings_get_one_added(tmp_path) -> None:
    """Features already cached are kept; only the embedding is computed (from the wav)."""
    import soundfile as sf

    from emoreason.fitting.voice_data import clip_features

    cache = _make_copy(tmp_path, speakers=("11",), per_class=1)
    stored = json.loads(cache.read_text())
    (tmp_path / "wav").mkdir()
    t = np.arange(16000) / 16000
    for stem in ("11a01Wa", "11a01Ta"):
        del stored["clips"][stem][EXTRA_KEY]
        tone = 0.2 * np.sin(2 * np.pi * (150 + 20 * np.sin(3 * t)) * t)
        sf.write(tmp_path / "wav" / f"{stem}.wav", tone.astype(np.float32), 16000)
    cache.write_text(json.dumps(stored))
    samples = [s for s in _samples(tmp_path) if s.id in ("11a01Wa", "11a01Ta")]
    rows = clip_features(tmp_path, samples, [None], cache)
    for stem in ("11a01Wa", "11a01Ta"):
        assert len(rows[stem][EXTRA_KEY]) == EMBEDDING_DIM
        before = {k: v for k, v in stored["clips"][stem].items() if k != EXTRA_KEY}
        assert {k: v for k, v in rows[stem].items() if k != EXTRA_KEY} == before
    assert (
        json.loads(cache.read_text())["clips"]["11a01Wa"][EXTRA_KEY] == rows["11a01Wa"][EXTRA_KEY]
    )


def _samples(root):
    from emoreason.evaluation.loaders.emodb import load_emodb

    return load_emodb(root, list(EMODB_LABELS), None, split="all").samples


def test_config_is_validated(tmp_path) -> None:
    with pytest.raises(ValueError, match="c_grid"):
        VoiceTrainingConfig(data=tmp_path, c_grid=())


@pytest.mark.slow
@pytest.mark.skipif(not EMODB.is_dir(), reason=f"EmoDB not found at {EMODB} (set EMOREASON_EMODB)")
def test_degraded_copy_goes_through_the_product_extraction_path() -> None:
    from emoreason.fitting.voice_data import extract_degraded
    from emoreason.perception.acoustic import AcousticExtractor

    wav = EMODB / "wav" / "11a01Aa.wav"
    extractor = AcousticExtractor()
    clean = extractor.process_file(wav)
    phone = extract_degraded(wav, EVAL_CONDITIONS["phone_mulaw"], "11a01Aa", extractor)
    again = extract_degraded(wav, EVAL_CONDITIONS["phone_mulaw"], "11a01Aa", extractor)
    assert clean.available and phone.available
    assert phone.features == again.features
    assert phone.features["duration_s"] == pytest.approx(clean.features["duration_s"], abs=0.01)
    # the band limit shows in the spectral balance the model reads
    key = "egemaps.alphaRatioV_sma3nz_amean"
    assert phone.features[key] != pytest.approx(clean.features[key], abs=0.5)


def test_robustness_refuses_a_missing_model_file_before_any_work(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit):
        robustness_main(["--data", str(tmp_path), "--model", f"x={tmp_path / 'none.npz'}"])
    assert "--model x: no such file" in capsys.readouterr().err


@pytest.mark.slow
def test_out_of_fold_models_and_rewritten_set(tmp_path) -> None:
    """Each fold model is the shipped recipe without one speaker (checked against a plain fit);
    a built set's clips from dev speakers get that fold's reading, other clips are kept."""
    from emoreason.fitting.voice_cv import fit_head
    from emoreason.fitting.voice_out_of_fold import fold_model, rewrite_set
    from emoreason.perception.hypotheses import acoustic_hypothesis
    from emoreason.schema import ClipInfo, Evidence, ModalityEvidence

    cache = _make_copy(tmp_path, per_class=2)
    config = VoiceTrainingConfig(data=tmp_path, features_cache=cache, c_grid=(0.1, 1.0), augment=())
    model, meta = train(config)
    rows = build_rows(config)
    fold = fold_model(model, rows, "11", ())
    keep = rows.dev & (rows.speakers != "11")
    plain = fit_head(rows.x[keep], rows.y[keep], 7, meta["scores"]["dev_cv"]["c"], 0)
    np.testing.assert_allclose(fold.head.weights, plain.weights)
    assert fold.head.temperature == meta["scores"]["dev_cv"]["temperature"]
    assert fold.embedding_head.weights.shape == model.embedding_head.weights.shape
    assert not np.allclose(fold.head.weights, model.head.weights)

    clips = json.loads(cache.read_text())["clips"]
    built, out = tmp_path / "set", tmp_path / "set_oof"
    (built / "evidence").mkdir(parents=True)
    (built / "clips").mkdir()
    labels = [("a", "11", "11a01Wa"), ("b", None, "12a01Ta")]
    for ident, _group, stem in labels:
        features = {k: v for k, v in clips[stem].items() if k != EXTRA_KEY}
        acoustic = ModalityEvidence(modality="acoustic", available=True, status="analysed",
                                    features=features, extra={EXTRA_KEY: clips[stem][EXTRA_KEY]})  # fmt: skip
        evidence = Evidence(
            clip=ClipInfo(path=f"{ident}.mp4", duration=2.0, has_video=True, has_audio=True),
            modalities={"acoustic": acoustic},
            hypotheses={"acoustic": acoustic_hypothesis(acoustic, model)},
        )
        payload = {"clip_sha256": "x", "evidence": evidence.model_dump(mode="json")}
        (built / "evidence" / f"{ident}.json").write_text(json.dumps(payload))
    rows_json = [{"id": i, "audio_group": g, "verdict": "consistent"} for i, g, _ in labels]
    (built / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows_json))
    assert rewrite_set(built, out, {"11": fold}) == {"rewritten": 1, "kept": 1}
    a = json.loads((out / "evidence" / "a.json").read_text())["evidence"]
    acoustic_a = ModalityEvidence.model_validate(a["modalities"]["acoustic"])
    assert a["hypotheses"]["acoustic"] == json.loads(
        acoustic_hypothesis(acoustic_a, fold).model_dump_json()
    )
    kept = json.loads((out / "evidence" / "b.json").read_text())
    assert kept == json.loads((built / "evidence" / "b.json").read_text())
    assert (out / "clips").resolve() == (built / "clips").resolve()
