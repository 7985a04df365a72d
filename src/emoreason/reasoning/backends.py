"""Reasoning backends by name: ``rules`` (default), ``transformers``, ``openai``.

A backend is anything with ``name`` and ``reason(evidence, lang) -> AnalysisResult``. Model
backends are imported only when asked for, so the default path never touches torch.
"""

from __future__ import annotations

from typing import Any, Protocol

from emoreason.errors import BackendError, ConfigError
from emoreason.schema.evidence import Evidence
from emoreason.schema.result import AnalysisResult

BACKENDS: tuple[str, ...] = ("rules", "transformers", "openai")

__all__ = ["BACKENDS", "BackendError", "ReasoningBackend", "create_backend"]


class ReasoningBackend(Protocol):
    name: str

    def reason(self, evidence: Evidence, lang: str = "en") -> AnalysisResult: ...


def create_backend(
    name: str = "rules",
    *,
    model: str | None = None,
    base_url: str | None = None,
    options: dict[str, Any] | None = None,
) -> ReasoningBackend:
    """Build a backend. ``model``: a local folder (transformers) or a served model name (openai);
    ``base_url``: the OpenAI-compatible server; ``options``: extra config fields of the backend.
    """
    options = dict(options or {})
    if name == "rules":
        from emoreason.reasoning.rules import RulesConfig, RulesReasoner

        return RulesReasoner(RulesConfig.from_dict(options))
    if name == "transformers":
        from emoreason.reasoning.transformers_backend import (
            TransformersConfig,
            TransformersReasoner,
        )

        if not model:
            raise ConfigError("backend 'transformers' needs a local model folder: --model PATH")
        return TransformersReasoner(TransformersConfig.from_dict({"model_path": model, **options}))
    if name == "openai":
        from emoreason.reasoning.openai_backend import OpenAIConfig, OpenAIReasoner

        if not base_url:
            raise ConfigError("backend 'openai' needs the server address: --base-url URL (…/v1)")
        fields = {"base_url": base_url, **({"model": model} if model else {}), **options}
        return OpenAIReasoner(OpenAIConfig.from_dict(fields))
    raise ConfigError(f"unknown backend {name!r}; expected one of {list(BACKENDS)}")
