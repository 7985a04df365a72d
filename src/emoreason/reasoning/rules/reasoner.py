"""The embedded default reasoning backend: deterministic EN/ZH SED text from the Evidence."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from emoreason.config import ConfigLoading
from emoreason.errors import ConfigError
from emoreason.reasoning.assemble import build_result
from emoreason.reasoning.consistency import ConsistencyConfig
from emoreason.reasoning.rules.facts import collect_facts
from emoreason.reasoning.rules.text import write_saber
from emoreason.schema.evidence import Evidence
from emoreason.schema.languages import LANGUAGES, check_language
from emoreason.schema.result import AnalysisResult


@dataclass
class RulesConfig(ConfigLoading):
    """How much the rule backend cites.

    Cues: ``max_cues``, ``min_cue_confidence``. Labels: ``secondary_min``.
    Consistency thresholds: ``consistency`` (see :class:`ConsistencyConfig`).
    """

    max_cues: int = field(default=3, metadata={"help": "cues cited per modality (most confident)"})
    min_cue_confidence: float = field(
        default=0.2, metadata={"help": "cues below this confidence are not cited"}
    )
    secondary_min: float = field(
        default=0.25, metadata={"help": "fused score at which another label is named as a trace"}
    )
    consistency: ConsistencyConfig = field(
        default_factory=ConsistencyConfig, metadata={"help": "consistency-analysis thresholds"}
    )

    def __post_init__(self) -> None:
        if isinstance(self.consistency, dict):
            self.consistency = ConsistencyConfig.from_dict(self.consistency)
        if not isinstance(self.max_cues, int) or self.max_cues < 1:
            raise ConfigError(
                f"RulesConfig.max_cues must be an integer >= 1, got {self.max_cues!r}"
            )
        for name in ("min_cue_confidence", "secondary_min"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                raise ConfigError(f"RulesConfig.{name} must be a number in [0, 1], got {value!r}")


class RulesReasoner:
    """``RulesReasoner().reason(evidence, lang) -> AnalysisResult`` (deterministic, CPU only).

    Works on partial evidence (a missing audio stream, no face, or evidence restricted to one
    side by :func:`~emoreason.schema.evidence.restrict_evidence`): unavailable modalities are
    stated as such and the label rests on the side that was observed.
    """

    name = "rules"

    def __init__(self, config: RulesConfig | None = None) -> None:
        self.config = config or RulesConfig()

    def reason(self, evidence: Evidence, lang: str = "en") -> AnalysisResult:
        if lang not in LANGUAGES:
            raise ConfigError(f"unknown language {lang!r}; expected one of {list(LANGUAGES)}")
        start = time.perf_counter()
        cfg = self.config
        facts = collect_facts(
            evidence,
            lang=lang,
            max_cues=cfg.max_cues,
            min_cue_confidence=cfg.min_cue_confidence,
            secondary_min=cfg.secondary_min,
            consistency_config=cfg.consistency,
        )
        record = write_saber(facts, check_language(lang))
        return build_result(
            evidence,
            record,
            facts.consistency,
            emotion=facts.emotion,
            lang=lang,
            backend=self.name,
            emotion_scores=facts.emotion_scores,
            secondary=facts.secondary,
            timings={"reasoning": round(time.perf_counter() - start, 4)},
            consistency_config=cfg.consistency,
        )
