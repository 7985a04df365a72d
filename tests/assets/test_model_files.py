"""One loading path for the extractors' models: resolved by name, checked, loaded once."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from emoreason.assets.catalog import FER
from emoreason.assets.models import (
    MODELS,
    SHIPPED_MODEL_FILES,
    ModelSource,
    forget_loaded_models,
    load_once,
    model_path,
    resolve_model,
)
from emoreason.errors import ConfigError, ModelNotFoundError


@pytest.fixture(autouse=True)
def _clean_slate():
    forget_loaded_models()
    yield
    forget_loaded_models()


def test_shipped_models_resolve_to_the_package_files() -> None:
    package = Path(__file__).resolve().parents[2] / "src" / "emoreason"
    for name, relative in SHIPPED_MODEL_FILES.items():
        assert model_path(name).resolve() == (package / relative).resolve()
    fer = model_path(FER.name)
    assert hashlib.sha256(fer.read_bytes()).hexdigest() == FER.source_sha256


def test_unknown_names_suggest_the_closest() -> None:
    with pytest.raises(
        ConfigError, match=r"unknown model 'voice-modle' \(did you mean 'voice-model'"
    ):
        model_path("voice-modle")
    assert set(SHIPPED_MODEL_FILES) < set(MODELS)


def test_a_missing_user_model_names_model_path_and_setting(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError) as caught:
        model_path("fer-7class", tmp_path / "mine.tflite")
    message = str(caught.value)
    assert (
        message
        == f"fer-7class: {tmp_path / 'mine.tflite'} not found (from PerceptionConfig.fer_model)"
    )
    (tmp_path / "folder").mkdir()
    with pytest.raises(
        ModelNotFoundError, match=r"has no model\.bin.*PerceptionConfig\.whisper_dir"
    ):
        model_path("whisper-base", tmp_path / "folder")
    (tmp_path / "folder" / "model.bin").write_bytes(b"x")
    assert model_path("whisper-base", tmp_path / "folder") == tmp_path / "folder"  # not hashed


def _source(path: Path, expected: str) -> ModelSource:
    return ModelSource("toy", lambda: path, "ToyConfig.model", pinned=lambda p: {"": expected})


def test_a_shipped_file_must_have_its_pinned_digest(tmp_path: Path) -> None:
    path = tmp_path / "toy.bin"
    path.write_bytes(b"weights")
    good = hashlib.sha256(b"weights").hexdigest()
    with pytest.raises(ModelNotFoundError) as caught:
        resolve_model(_source(path, "0" * 64))
    assert str(caught.value).startswith(f"toy: {path} has SHA-256 {good}, expected {'0' * 64} ")
    assert resolve_model(_source(path, good)) == path
    # the check is made once per process and path (until forgotten)
    path.write_bytes(b"altered")
    assert resolve_model(_source(path, good)) == path
    forget_loaded_models()
    with pytest.raises(ModelNotFoundError, match="has SHA-256"):
        resolve_model(_source(path, good))


def test_load_once_loads_each_path_once_even_from_threads(tmp_path: Path) -> None:
    calls: list[Path] = []
    gate = threading.Barrier(4)

    def load(path: Path) -> object:
        calls.append(path)
        return object()

    def worker(out: list) -> None:
        gate.wait()
        out.append(load_once("voice-model", load))

    got: list = []
    threads = [threading.Thread(target=worker, args=(got,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and all(g is got[0] for g in got)
    other = tmp_path / "voice.npz"
    other.write_bytes(b"")
    assert load_once("voice-model", load, other) is not got[0]  # another file, another model
    forget_loaded_models()
    assert load_once("voice-model", load) is not got[0] and len(calls) == 3


def test_extractors_report_a_missing_model_folder_by_its_setting(tmp_path: Path) -> None:
    from emoreason.perception.verbal import VerbalClassifier

    with pytest.raises(ModelNotFoundError, match=r"all-minilm-l6-v2: .* has no config\.json"):
        VerbalClassifier(minilm_dir=tmp_path).load()


def test_importing_the_decoder_loads_no_extractor() -> None:
    code = (
        "import sys, emoreason.perception.decode, emoreason.evaluation.conflict_media\n"
        "heavy = [m for m in ('emoreason.perception.face', 'emoreason.perception.runner', "
        "'mediapipe', 'cv2', 'torch') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
