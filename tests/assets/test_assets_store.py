"""Package-shipped models: located without a hub, built once, checksummed, atomic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emoreason.assets import catalog, store
from emoreason.errors import ModelNotFoundError


def test_build_once_is_atomic_and_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMOREASON_CACHE", str(tmp_path))
    calls = []

    def failing(tmp: Path) -> dict:
        (tmp / "half").write_text("x")
        raise RuntimeError("crash mid-build")

    with pytest.raises(RuntimeError):
        store.build_once(catalog.FER, "thing", failing)
    assert not (tmp_path / "thing").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".thing.") and p.is_dir()]

    def build(tmp: Path) -> dict:
        calls.append(1)
        (tmp / "model.bin").write_bytes(b"abc")
        return {"files": {"model.bin": store.sha256_file(tmp / "model.bin")}}

    first = store.build_once(catalog.FER, "thing", build)
    second = store.build_once(catalog.FER, "thing", build)
    assert first == second == tmp_path / "thing" and calls == [1]
    manifest = json.loads((first / store.MANIFEST).read_text())
    assert manifest["asset"] == "fer-7class"
    assert manifest["files"]["model.bin"] == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # sha256("abc")
    )


def test_missing_package_gives_clear_message() -> None:
    with pytest.raises(ModelNotFoundError, match="not installed"):
        store.package_dir("emoreason_no_such_package", catalog.SMOLLM2)


def test_hub_is_disabled_on_import() -> None:
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_shipped_files_match_pinned_checksums() -> None:
    assert store.sha256_file(store.fer_model_path()) == catalog.FER.source_sha256
    minilm = store.minilm_dir() / "model.safetensors"
    assert store.sha256_file(minilm) == catalog.MINILM.source_sha256


@pytest.mark.slow
def test_whisper_folder_is_assembled_and_verified() -> None:
    folder = store.whisper_base_dir()
    manifest = store.manifest_of(folder)
    assert manifest["files"]["model.bin"] == catalog.WHISPER_BASE.source_sha256
    assert {"config.json", "tokenizer.json", "vocabulary.txt", "model.bin"} <= {
        p.name for p in folder.iterdir()
    }


@pytest.mark.slow
def test_smollm2_loads_from_the_converted_folder() -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = store.smollm2_dir()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder)
    assert model.config.model_type == "llama"
    assert sum(p.numel() for p in model.parameters()) > 100_000_000
    assert tokenizer("hello")["input_ids"]
