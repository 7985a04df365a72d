"""Reasoning through any OpenAI-compatible chat-completions server (vLLM, ``swift deploy``).

One request per clip: a user message with the video as a ``video_url`` part and the audio as an
``input_audio`` (or ``audio_url``) part, both base64 data URLs, followed by the SED instruction
and the perceived evidence as text. The reply goes through the robust SABER parser.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emoreason.chat_client import ChatClient
from emoreason.config import ConfigLoading
from emoreason.errors import ConfigError
from emoreason.prompts import sed_prompt
from emoreason.reasoning.assemble import result_from_text
from emoreason.reasoning.consistency import ConsistencyConfig
from emoreason.reasoning.evidence_text import evidence_text
from emoreason.reasoning.media_parts import audio_wav_bytes, data_url, video_mime
from emoreason.schema.evidence import Evidence
from emoreason.schema.result import AnalysisResult

AUDIO_PARTS = ("input_audio", "audio_url")


@dataclass
class OpenAIConfig(ConfigLoading):
    """Endpoint, request and media settings.

    Endpoint: ``base_url``, ``model``, ``api_key_env``, ``timeout``, ``retries``, ``backoff``.
    Generation: ``max_tokens``, ``temperature``.
    Media: ``send_video``, ``send_audio``, ``audio_part``, ``max_media_bytes``.
    """

    base_url: str = field(
        metadata={"help": "server root including /v1, e.g. http://127.0.0.1:8000/v1"}
    )
    model: str = field(default="default", metadata={"help": "model name the server expects"})
    api_key_env: str = field(
        default="OPENAI_API_KEY", metadata={"help": "environment variable holding the API key"}
    )
    timeout: float = field(default=300.0, metadata={"help": "seconds per request"})
    retries: int = field(
        default=3, metadata={"help": "times a 429/5xx answer is asked again (0: never)"}
    )
    backoff: float = field(
        default=1.0, metadata={"help": "seconds before the first retry, doubled each time"}
    )
    max_tokens: int = field(default=1024, metadata={"help": "generation limit"})
    temperature: float = field(default=0.0, metadata={"help": "sampling temperature"})
    send_video: bool = field(default=True, metadata={"help": "attach the clip as video_url"})
    send_audio: bool = field(default=True, metadata={"help": "attach the audio track as WAV"})
    audio_part: str = field(
        default="input_audio", metadata={"help": "audio content-part type: input_audio|audio_url"}
    )
    max_media_bytes: int = field(
        default=50 * 1024 * 1024, metadata={"help": "larger media are sent as evidence text only"}
    )

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"OpenAIConfig.base_url must start with http:// or https://, got {self.base_url!r}"
            )
        if self.audio_part not in AUDIO_PARTS:
            raise ConfigError(
                f"OpenAIConfig.audio_part must be one of {list(AUDIO_PARTS)}, got {self.audio_part!r}"
            )
        if self.timeout <= 0 or self.max_tokens <= 0:
            raise ConfigError("OpenAIConfig.timeout and max_tokens must be > 0")
        if self.retries < 0 or self.backoff < 0:
            raise ConfigError("OpenAIConfig.retries and backoff must be >= 0")


class OpenAIReasoner:
    name = "openai"

    def __init__(self, config: OpenAIConfig, consistency: ConsistencyConfig | None = None) -> None:
        self.config = config
        self.consistency = consistency or ConsistencyConfig()

    def messages(self, evidence: Evidence, lang: str) -> list[dict[str, Any]]:
        cfg = self.config
        parts: list[dict[str, Any]] = []
        path = Path(evidence.clip.path)
        has_file = path.is_file()
        if (
            cfg.send_video
            and evidence.clip.has_video
            and has_file
            and (path.stat().st_size <= cfg.max_media_bytes)
        ):
            url = data_url(path.read_bytes(), video_mime(path))
            parts.append({"type": "video_url", "video_url": {"url": url}})
        if cfg.send_audio and evidence.clip.has_audio and path.is_file():
            wav = audio_wav_bytes(path)
            if wav is not None and len(wav) <= cfg.max_media_bytes:
                if cfg.audio_part == "input_audio":
                    b64 = data_url(wav, "audio/wav").split(",", 1)[1]
                    parts.append(
                        {"type": "input_audio", "input_audio": {"data": b64, "format": "wav"}}
                    )
                else:
                    parts.append(
                        {"type": "audio_url", "audio_url": {"url": data_url(wav, "audio/wav")}}
                    )
        text = sed_prompt(lang) + "\n\n" + evidence_text(evidence, lang)  # type: ignore[arg-type]
        parts.append({"type": "text", "text": text})
        return [{"role": "user", "content": parts}]

    def client(self) -> ChatClient:
        cfg = self.config
        return ChatClient(
            cfg.base_url, cfg.model, api_key=os.environ.get(cfg.api_key_env) or None,
            timeout=cfg.timeout, retries=cfg.retries, backoff=cfg.backoff,
        )  # fmt: skip

    def complete(self, messages: list[dict[str, Any]]) -> str:
        """The server's reply text (:class:`~emoreason.errors.BackendError` on failure)."""
        client = self.client()
        try:
            return client.chat(
                messages, max_tokens=self.config.max_tokens, temperature=self.config.temperature
            )
        finally:
            client.close()

    def reason(self, evidence: Evidence, lang: str = "en") -> AnalysisResult:
        start = time.perf_counter()
        text = self.complete(self.messages(evidence, lang))
        return result_from_text(
            evidence,
            text,
            lang=lang,
            backend=self.name,
            model=self.config.model,
            consistency_config=self.consistency,
            timings={"reasoning": round(time.perf_counter() - start, 4)},
        )
