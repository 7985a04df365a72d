"""Model files shipped inside packages: where they are, built once into a cache, checksummed."""

from emoreason.assets.catalog import ALL_ASSETS, Asset
from emoreason.assets.prepare import PREPARE_STEPS, prepare_all
from emoreason.assets.store import (
    cache_dir,
    fer_model_path,
    manifest_of,
    minilm_dir,
    minilm_static_dir,
    sha256_file,
    smollm2_dir,
    smollm2_gguf_path,
    whisper_base_dir,
)

__all__ = [
    "ALL_ASSETS",
    "PREPARE_STEPS",
    "Asset",
    "cache_dir",
    "fer_model_path",
    "manifest_of",
    "minilm_dir",
    "minilm_static_dir",
    "prepare_all",
    "sha256_file",
    "smollm2_dir",
    "smollm2_gguf_path",
    "whisper_base_dir",
]
