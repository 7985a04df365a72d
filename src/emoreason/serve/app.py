"""A FastAPI app around one warm :class:`~emoreason.pipeline.analyze.Analyzer`.

Endpoints:

- ``GET /health`` - liveness, version, backend, language.
- ``GET /schema`` - the JSON schema of an analysis result.
- ``POST /analyze`` - multipart upload of one clip (field ``file``; optional ``lang``) -> the
  analysis result JSON. Bad media -> 422 with ``{"error": "..."}``; an upload over
  ``max_upload_bytes`` -> 413. Analyses run one at a time (the models are shared and warm).
"""

import contextlib
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, File, Form, UploadFile
from fastapi.responses import JSONResponse

from emoreason import __version__
from emoreason.errors import ConfigError, EmoreasonError

_SUFFIXES = (".mp4", ".mov", ".mkv", ".avi", ".webm", ".wav", ".mp3", ".flac", ".m4a")


@dataclass
class ServeConfig:
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
    include_evidence: bool = field(default=True, metadata={"help": "return numeric evidence"})

    def __post_init__(self) -> None:
        if self.lang not in ("en", "zh"):
            raise ConfigError(f"ServeConfig.lang must be 'en' or 'zh', got {self.lang!r}")
        if not 0 < self.port < 65536:
            raise ConfigError(f"ServeConfig.port must be in 1..65535, got {self.port}")
        if self.max_upload_bytes <= 0:
            raise ConfigError("ServeConfig.max_upload_bytes must be > 0")


def create_app(
    config: ServeConfig | None = None, analyzers: dict[str, Any] | None = None
) -> FastAPI:
    """Build the app. ``analyzers`` maps language -> Analyzer (tests inject fakes)."""
    from emoreason.schema.result import AnalysisResult

    config = config or ServeConfig()
    pool: dict[str, Any] = dict(analyzers or {})
    lock = threading.Lock()
    app = FastAPI(title="emoreason", version=__version__)

    def analyzer_for(lang: str) -> Any:
        if lang not in pool:
            from emoreason.pipeline.analyze import Analyzer

            pool[lang] = Analyzer(
                config.backend,
                lang,
                model=config.model,
                base_url=config.base_url,
                include_evidence=config.include_evidence,
            )
        return pool[lang]

    def error(status: int, message: str) -> JSONResponse:
        return JSONResponse(status_code=status, content={"error": " ".join(message.split())})

    @app.get("/health")
    def health() -> dict[str, str]:
        return {
            "status": "ok",
            "version": __version__,
            "backend": config.backend,
            "lang": config.lang,
        }

    @app.get("/schema")
    def schema() -> dict[str, Any]:
        return AnalysisResult.model_json_schema()

    @app.post("/analyze")
    def analyze(file: UploadFile = File(...), lang: str | None = Form(None)) -> Any:
        lang = lang or config.lang
        if lang not in ("en", "zh"):
            return error(422, f"lang: expected 'en' or 'zh', got {lang!r}")
        name = Path(file.filename or "upload.mp4").name
        suffix = Path(name).suffix.lower()
        if suffix not in _SUFFIXES:
            suffix = ".mp4"
        fd, tmp = tempfile.mkstemp(prefix="emoreason-", suffix=suffix)
        try:
            size = 0
            with os.fdopen(fd, "wb") as out:
                while chunk := file.file.read(1 << 20):
                    size += len(chunk)
                    if size > config.max_upload_bytes:
                        return error(
                            413, f"{name}: upload larger than {config.max_upload_bytes} bytes"
                        )
                    out.write(chunk)
            with lock:
                try:
                    result = analyzer_for(lang).analyze(tmp, clip_id=Path(name).stem)
                except EmoreasonError as exc:
                    return error(422, str(exc).replace(tmp, name))
            return JSONResponse(
                content=result.model_copy(update={"source": name}).model_dump(mode="json")
            )
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    return app
