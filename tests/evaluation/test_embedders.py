"""Cue embedders: the static table distilled from a (tiny) BERT, model2vec loading, resolution."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from emoreason.assets.static_embeddings import distill_static_model, zipf_sif_weights
from emoreason.errors import ConfigError, ModelNotFoundError
from emoreason.evaluation.embedders import SentenceEmbedder, StaticEmbedder, resolve_embedder
from emoreason.evaluation.metrics.emocue360 import emocue360
from emoreason.sentence_encoder import SentenceEncoder

_SPEC = importlib.util.spec_from_file_location(
    "tiny_bert", Path(__file__).parents[1] / "perception" / "tiny_bert.py"
)
tiny_bert_module = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(tiny_bert_module)

WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[unused0]", "the", "she", "smiles"]
WORDS += ["frowns", "loud", "voice", "soft", "is", "happy", "sad", "tears", "##s", "laugh"]


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny_bert_for_static")
    return tiny_bert_module.build_tiny_bert(folder, WORDS)


@pytest.fixture(scope="module")
def static_folder(tiny_bert, tmp_path_factory):
    folder = tmp_path_factory.mktemp("static")
    facts = distill_static_model(tiny_bert, folder, sif_coefficient=0.05)
    # 13 real tokens: the centred table has at most 13 principal axes (< pca_dims 256, < 16)
    assert facts == {"tokens": len(WORDS), "dim": 13, "sif_coefficient": 0.05, "pca_dims": 256}
    return folder


def test_zipf_sif_weights_match_the_formula():
    got = zipf_sif_weights(5, 0.01)
    p = np.array([1 / (r + 1) for r in range(1, 6)])
    p /= p.sum()
    np.testing.assert_allclose(got, 0.01 / (0.01 + p))
    assert np.all(np.diff(got) > 0)  # rarer (later) tokens weigh more
    with pytest.raises(ValueError, match="sif_coefficient"):
        zipf_sif_weights(5, 0.0)


def test_the_table_is_centred_one_token_sentences_rotated_and_sif_weighted(
    tiny_bert, static_folder
):
    """Independent reference: '[CLS] token [SEP]' through the model, mean
    pooled, centred over the real tokens, SIF-scaled; PCA keeps every axis here (13 real tokens),
    so it is a rotation: compare Gram matrices (rotation and sign free)."""
    embedder = StaticEmbedder(static_folder)
    encoder = SentenceEncoder(tiny_bert)
    specials = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[unused0]"}
    real = [i for i, w in enumerate(WORDS) if w not in specials]
    raw = []
    for i in real:
        ids = [WORDS.index("[CLS]"), i, WORDS.index("[SEP]")]
        with torch.no_grad():
            hidden = encoder.model(input_ids=torch.tensor([ids])).last_hidden_state[0]
        raw.append(hidden.mean(dim=0).numpy())
    centred = np.array(raw) - np.mean(raw, axis=0)
    weights = zipf_sif_weights(len(WORDS), 0.05)[real]
    want = (centred * weights[:, None]) @ (centred * weights[:, None]).T
    table = embedder.model.embedding  # (V, dims)
    got = table[real] @ table[real].T
    np.testing.assert_allclose(got, want, atol=1e-4)
    for special in specials:
        assert not table[WORDS.index(special)].any()


def test_a_sentence_is_the_normalised_mean_of_its_token_rows(static_folder):
    embedder = StaticEmbedder(static_folder)
    table = embedder.model.embedding
    got = embedder(["she smiles", "loud voice", "she smiles"])
    assert got.shape == (3, 13) and got.dtype == np.float32
    for text, row in zip(("she smiles", "loud voice"), got[:2], strict=True):
        mean = np.mean([table[WORDS.index(w)] for w in text.split()], axis=0)
        np.testing.assert_allclose(row, mean / np.linalg.norm(mean), atol=1e-5)
    np.testing.assert_array_equal(got[0], got[2])
    assert embedder([]).shape == (0, 13)


@pytest.mark.parametrize("variant", ["official", "robust"])
def test_emocue360_runs_on_the_static_embedder(static_folder, variant):
    refs = [{"visual": ["she smiles"], "auditory": ["loud voice"], "emotional": ["happy"]}]
    embedder = StaticEmbedder(static_folder)
    same = emocue360(refs, refs, embedder=embedder, variant=variant)
    assert all(abs(same[c]["f1"] - 1.0) < 1e-5 for c in same)
    other = [{"visual": ["a car"], "auditory": ["rain"], "emotional": ["bored"]}]
    scores = emocue360(refs, other, embedder=embedder, variant=variant)
    assert all(scores[c]["f1"] < 1.0 for c in scores)


@pytest.mark.parametrize("variant", ["official", "robust"])
def test_emocue360_from_the_disk_store_equals_fresh_embeddings(tiny_bert, tmp_path, variant):
    refs = [{"visual": ["she smiles", ""], "auditory": ["loud voice", "text: hi"]}]
    preds = [{"visual": ["smiling"], "auditory": ["soft voice"], "emotional": ["calm"]}]
    fresh = emocue360(refs, preds, embedder=SentenceEmbedder(tiny_bert), variant=variant)
    SentenceEmbedder(tiny_bert, store_dir=tmp_path)(["she smiles", "", "smiling"])  # warm
    stored = SentenceEmbedder(tiny_bert, store_dir=tmp_path)
    again = emocue360(refs, preds, embedder=stored, variant=variant)
    for cat, scores in fresh.items():
        for key, value in scores.items():
            assert (np.isnan(value) and np.isnan(again[cat][key])) or abs(
                value - again[cat][key]
            ) < 1e-6


def test_resolve_embedder_by_folder_kind(tiny_bert, static_folder, tmp_path):
    assert isinstance(resolve_embedder(static_folder), StaticEmbedder)
    assert isinstance(resolve_embedder(str(tiny_bert)), SentenceEmbedder)
    assert resolve_embedder(static_folder) is resolve_embedder(static_folder)  # loaded once
    with pytest.raises(ConfigError, match="expected one of \\['minilm', 'static'\\]"):
        resolve_embedder("fasttext")
    with pytest.raises(ModelNotFoundError, match=r"no config\.json"):
        resolve_embedder(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ModelNotFoundError, match="not valid JSON"):
        resolve_embedder(tmp_path / ".")


def test_model2vec_config_marker_is_recognised(static_folder, tmp_path):
    folder = tmp_path / "m2v"
    folder.mkdir()
    for name in ("model.safetensors", "tokenizer.json"):
        (folder / name).write_bytes((static_folder / name).read_bytes())
    config = json.loads((static_folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "model_type": "model2vec"}))
    assert isinstance(resolve_embedder(folder), StaticEmbedder)


@pytest.mark.slow
def test_real_static_embedder_orders_paraphrases_like_minilm():
    """The distilled table (real MiniLM) puts a paraphrase above an unrelated cue, as MiniLM does."""
    try:
        static = resolve_embedder("static")
        minilm = resolve_embedder("minilm")
    except ModelNotFoundError as exc:  # pragma: no cover - asset missing in this environment
        pytest.skip(str(exc))
    cues = ["she is smiling broadly", "a big grin on her face", "he shouts in a loud voice"]
    for embed in (static, minilm):
        v = embed(cues)
        assert v[0] @ v[1] > v[0] @ v[2]


def test_evaluate_cli_takes_a_cue_embedder_and_records_it(static_folder, tmp_path):
    from eval_fixtures import make_emer
    from typer.testing import CliRunner

    from emoreason.cli.app import app

    root = make_emer(tmp_path / "emer")
    preds = tmp_path / "p.jsonl"
    preds.write_text(
        json.dumps({"name": "sample_00000007", "prediction": "She smiles. She is happy."}) + "\n"
    )
    args = ["evaluate", "--task", "emocue360", "--data", str(root), "--predictions", str(preds)]
    args += ["--out", str(tmp_path / "out"), "--n-resamples", "20"]
    result = CliRunner().invoke(app, [*args, "--cue-embedder", str(static_folder)])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "emocue360.json").read_text())
    assert report["details"]["embedder"] == "static"
    bad = CliRunner().invoke(app, [*args, "--cue-embedder", "glove"])
    assert bad.exit_code == 2
    assert "expected one of ['minilm', 'static'] or a local model folder" in bad.output


def test_minilm_style_embedder_reuses_its_disk_store(tiny_bert, tmp_path):
    from emoreason.evaluation.embedders import weights_key

    texts = ["she smiles", "loud voice", "tears"]
    fresh = SentenceEmbedder(tiny_bert)(texts)
    first = SentenceEmbedder(tiny_bert, store_dir=tmp_path)
    np.testing.assert_allclose(first(texts), fresh, atol=1e-6)
    second = SentenceEmbedder(tiny_bert, store_dir=tmp_path)  # a new process, in effect
    calls = []
    original = second.encoder.encode
    second.encoder.encode = lambda batch: calls.append(list(batch)) or original(batch)
    np.testing.assert_array_equal(second([*texts, "sad"]), first([*texts, "sad"]))
    assert calls == [["sad"]]  # only the new string was embedded
    assert (tmp_path / f"{weights_key(tiny_bert)}.sqlite").is_file()


def test_evaluate_cli_keeps_transformer_embeddings_unless_told_not_to(tiny_bert, tmp_path):
    from eval_fixtures import make_emer
    from typer.testing import CliRunner

    from emoreason.cli.app import app

    root = make_emer(tmp_path / "emer")
    preds = tmp_path / "p.jsonl"
    preds.write_text(json.dumps({"name": "sample_00000007", "prediction": "She smiles."}) + "\n")
    args = ["evaluate", "--task", "emocue360", "--data", str(root), "--predictions", str(preds)]
    args += ["--out", str(tmp_path / "out"), "--n-resamples", "20", "--cue-embedder"]
    args += [str(tiny_bert)]
    off = CliRunner().invoke(
        app, [*args, "--embedding-cache", str(tmp_path / "off"), "--no-embedding-cache"]
    )
    assert off.exit_code == 0, off.output
    assert not (tmp_path / "off").exists()
    on = CliRunner().invoke(app, [*args, "--embedding-cache", str(tmp_path / "emb")])
    assert on.exit_code == 0, on.output
    assert [p.suffix for p in (tmp_path / "emb").iterdir()] == [".sqlite"]
