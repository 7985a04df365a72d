"""Settings of ``emoreason serve``: one validated dataclass behind the CLI flags, the app and
``--config serve.yaml`` (read by the shared config loading: a bad key or value is an error
naming the file, the key's line and the key)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from emoreason.config import ConfigLoading, check_scalar_types
from emoreason.errors import ConfigError
from emoreason.schema.languages import LANGUAGES

#: Where the bundled example clips live in a source checkout (absent from an installed wheel).
SOURCE_EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "clips"


@dataclass
class ServeConfig(ConfigLoading):
    """Server settings (the same object behind ``emoreason serve`` flags)."""

    host: str = field(default="127.0.0.1", metadata={"help": "bind address (loopback by default)"})
    port: int = field(default=8000, metadata={"help": "TCP port"})
    backend: str = field(default="rules", metadata={"help": "reasoning backend"})
    lang: str = field(default="en", metadata={"help": "default language of the text (en|zh)"})
    model: str | None = field(default=None, metadata={"help": "local model folder (transformers)"})
    base_url: str | None = field(default=None, metadata={"help": "OpenAI-compatible endpoint"})
    max_upload_bytes: int = field(
        default=200 * 1024 * 1024, metadata={"help": "largest accepted upload"}
    )
    max_clip_seconds: float = field(
        default=300.0, metadata={"help": "longest accepted clip (container duration)"}
    )
    queue_size: int = field(
        default=8, metadata={"help": "jobs that may wait behind the running one; then 503"}
    )
    keep_jobs: int = field(
        default=64, metadata={"help": "finished jobs kept for polling and downloads"}
    )
    include_evidence: bool = field(default=True, metadata={"help": "return numeric evidence"})
    examples_dir: str | None = field(
        default=None, metadata={"help": "folder of example clips (default: examples/clips)"}
    )
    warm: bool = field(
        default=False, metadata={"help": "load the models (one analysis) when the server starts"}
    )

    def __post_init__(self) -> None:
        check_scalar_types(self)
        if self.lang not in LANGUAGES:
            raise ConfigError(
                f"ServeConfig.lang must be one of {list(LANGUAGES)}, got {self.lang!r}"
            )
        from emoreason.reasoning.backends import BACKENDS

        if self.backend not in BACKENDS:
            raise ConfigError(
                f"ServeConfig.backend {self.backend!r} is not known{BACKENDS.hint(self.backend)}; "
                f"valid: {list(BACKENDS)}"
            )
        if not 0 < self.port < 65536:
            raise ConfigError(f"ServeConfig.port must be in 1..65535, got {self.port}")
        if self.max_upload_bytes <= 0:
            raise ConfigError("ServeConfig.max_upload_bytes must be > 0")
        if not self.max_clip_seconds > 0:
            raise ConfigError(
                f"ServeConfig.max_clip_seconds must be > 0, got {self.max_clip_seconds}"
            )
        if self.queue_size < 0:
            raise ConfigError(f"ServeConfig.queue_size must be >= 0, got {self.queue_size}")
        if self.keep_jobs < 1:
            raise ConfigError(f"ServeConfig.keep_jobs must be >= 1, got {self.keep_jobs}")
        if self.examples_dir is not None and not Path(self.examples_dir).is_dir():
            raise ConfigError(f"ServeConfig.examples_dir: {self.examples_dir}: not a folder")

    @property
    def examples(self) -> Path | None:
        """The example folder in use: the configured one, else the checkout's, else none."""
        if self.examples_dir is not None:
            return Path(self.examples_dir)
        return SOURCE_EXAMPLES if SOURCE_EXAMPLES.is_dir() else None


def is_loopback(host: str) -> bool:
    """True when ``host`` only accepts connections from this machine."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str) -> str | None:
    """The warning to show when the server is reachable from other machines (None on loopback)."""
    if is_loopback(host):
        return None
    return (
        f"warning: binding to {host} makes the analyser reachable from other machines; "
        "it has no authentication and runs every uploaded file through the decoders. "
        "Use --host 127.0.0.1 unless that is what you want."
    )
