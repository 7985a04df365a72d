"""Reasoning backends by name: ``rules`` (default), ``transformers``, ``openai``.

A backend is anything with ``name`` and ``reason(evidence, lang) -> AnalysisResult``. Model
backends are imported only when asked for, so the default path never touches torch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from emoreason.errors import BackendError, ConfigError
from emoreason.registry import Registry
from emoreason.schema.evidence import Evidence
from emoreason.schema.result import AnalysisResult

__all__ = ["BACKENDS", "BackendError", "ReasoningBackend", "create_backend"]


class ReasoningBackend(Protocol):
    name: str

    def reason(self, evidence: Evidence, lang: str = "en") -> AnalysisResult: ...


def _rules(model: str | None, base_url: str | None, options: dict[str, Any]) -> ReasoningBackend:
    from emoreason.reasoning.rules import RulesConfig, RulesReasoner

    return RulesReasoner(RulesConfig.from_dict(options))


def _transformers(
    model: str | None, base_url: str | None, options: dict[str, Any]
) -> ReasoningBackend:
    from emoreason.reasoning.transformers_backend import TransformersConfig, TransformersReasoner

    if not model:
        raise ConfigError("backend 'transformers' needs a local model folder: --model PATH")
    return TransformersReasoner(TransformersConfig.from_dict({"model_path": model, **options}))


def _openai(model: str | None, base_url: str | None, options: dict[str, Any]) -> ReasoningBackend:
    from emoreason.reasoning.openai_backend import OpenAIConfig, OpenAIReasoner

    if not base_url:
        raise ConfigError("backend 'openai' needs the server address: --base-url URL (…/v1)")
    fields = {"base_url": base_url, **({"model": model} if model else {}), **options}
    return OpenAIReasoner(OpenAIConfig.from_dict(fields))


#: Backend name -> factory(model, base_url, options); iterating it gives the names.
BACKENDS: Registry[Callable[[str | None, str | None, dict[str, Any]], ReasoningBackend]] = Registry(
    "backend", {"rules": _rules, "transformers": _transformers, "openai": _openai}
)


def create_backend(
    name: str = "rules",
    *,
    model: str | None = None,
    base_url: str | None = None,
    options: dict[str, Any] | None = None,
) -> ReasoningBackend:
    """Build a backend. ``model``: a local folder (transformers) or a served model name (openai);
    ``base_url``: the OpenAI-compatible server; ``options``: extra config fields of the backend.
    An unknown ``name`` is a ConfigError that suggests the closest backend.
    """
    return BACKENDS[name](model, base_url, dict(options or {}))
