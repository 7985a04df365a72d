"""Rule-based SED reasoning: deterministic EN/ZH SABER text, every claim traced to Evidence."""

from emoreason.reasoning.rules.reasoner import RulesConfig, RulesReasoner

__all__ = ["RulesConfig", "RulesReasoner"]
