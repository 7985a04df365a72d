"""Reasoning over perceived evidence: consistency analysis, SED backends, robust parsing."""

from emoreason.reasoning.backends import BACKENDS, BackendError, ReasoningBackend, create_backend
from emoreason.reasoning.consistency import ConsistencyConfig, analyze_consistency
from emoreason.reasoning.parser import ParsedSaber, label_from_text, parse_saber
from emoreason.reasoning.rules import RulesConfig, RulesReasoner

__all__ = [
    "BACKENDS",
    "BackendError",
    "ConsistencyConfig",
    "ParsedSaber",
    "ReasoningBackend",
    "RulesConfig",
    "RulesReasoner",
    "analyze_consistency",
    "create_backend",
    "label_from_text",
    "parse_saber",
]
