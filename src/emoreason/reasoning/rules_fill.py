"""Fill the dimensions a model got wrong with the rules reasoner's text, marked as such.

Asked for with ``analyze --fill-from-rules`` (``Analyzer(fill_from_rules=True)``): every SABER
dimension that :func:`~emoreason.reasoning.answer_quality.assess_answer` found empty, looping or
copied from the input is replaced by what the rules reasoner writes from the same evidence, and
listed in ``quality.filled_from_rules``. The model's own dimensions are kept as they are. When
``sentiment_analysis`` is filled, the result's emotion (and secondary labels) are the rules
reasoner's too, since the conclusion they come from is now its text. The quality record keeps
the assessment of the model's answer: the score and problems still describe what the model said.
"""

from __future__ import annotations

from typing import Any

from emoreason.reasoning.rules import RulesReasoner
from emoreason.schema.evidence import Evidence
from emoreason.schema.result import AnalysisResult

#: Problem kinds that make a dimension's text unusable (answer-wide kinds name no dimension).
FILLED_KINDS: frozenset[str] = frozenset({"missing_dimension", "repetition", "copied_input"})


def dimensions_to_fill(result: AnalysisResult) -> list[str]:
    """The dimensions of ``result`` whose model text is unusable (empty, a loop, copied)."""
    if result.quality is None:
        return []
    dims: list[str] = []
    for problem in result.quality.problems:
        if problem.kind in FILLED_KINDS and problem.dimension and problem.dimension not in dims:
            dims.append(problem.dimension)
    return dims


def fill_from_rules(
    result: AnalysisResult,
    evidence: Evidence,
    lang: str = "en",
    *,
    reasoner: RulesReasoner | None = None,
) -> AnalysisResult:
    """``result`` with its unusable dimensions written by the rules reasoner (see the module
    docstring); unchanged when it has none or carries no quality record (rules results)."""
    dims = dimensions_to_fill(result)
    if not dims or result.quality is None:
        return result
    rules = (reasoner or RulesReasoner()).reason(evidence, lang)
    record = result.saber
    for dim in dims:
        record = record.replace_dimension(dim, rules.saber.dimension(dim))
    update: dict[str, Any] = {
        "saber": record,
        "missing": record.missing_dimensions(),
        "quality": result.quality.model_copy(update={"filled_from_rules": dims}),
    }
    if "sentiment_analysis" in dims:
        update.update(emotion=rules.emotion, emotions=list(rules.emotions))
    return result.model_copy(update=update)
