"""How trustworthy a model's SABER answer is: the named problems found in it, and a score.

A language-model backend (``transformers``, ``openai``) fills
:attr:`~emoreason.schema.result.AnalysisResult.quality`; the rules backend leaves it ``None``
(its text is built from the evidence, there is nothing to check). Problem kinds:

- ``missing_dimension``: a SABER dimension is empty;
- ``repetition``: a dimension (or the whole answer) is a loop - one line repeated, or text that is
  mostly one repeated span of words;
- ``copied_input``: a dimension is mostly lines copied verbatim from the prompt or from the
  evidence given to the model (its header, status lines), not a description;
- ``ignores_evidence``: the answer shares no content word with the perceived evidence (cues,
  modality status, transcript, the emotion estimates);
- ``unknown_label``: the answer states a final emotion outside the label set;
- ``no_emotion_named``: the reasoning names no emotion of the label set (the result's label then
  comes from the consistency analysis, not from the model).
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from emoreason.schema.saber import SABER_DIMENSIONS

ProblemKind = Literal[
    "missing_dimension",
    "repetition",
    "copied_input",
    "ignores_evidence",
    "unknown_label",
    "no_emotion_named",
]
PROBLEM_KINDS: tuple[str, ...] = get_args(ProblemKind)


class AnswerProblem(BaseModel):
    """One named problem of a model's answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ProblemKind
    dimension: str | None = Field(
        default=None, description="dotted SABER dimension; None when it concerns the whole answer"
    )
    detail: str = Field(default="", description="one line a person can check against the text")

    @field_validator("dimension")
    @classmethod
    def _known_dimension(cls, value: str | None) -> str | None:
        if value is not None and value not in SABER_DIMENSIONS:
            raise ValueError(
                f"unknown SABER dimension {value!r}; expected one of {SABER_DIMENSIONS}"
            )
        return value


class AnswerQuality(BaseModel):
    """The check of one model answer against the evidence it was given.

    ``score`` in [0, 1]: the share of the six dimensions that are usable (present, not a loop,
    not copied input), halved for each answer-wide problem (``ignores_evidence``,
    ``unknown_label``, ``no_emotion_named``, a loop over the whole answer). ``degenerate`` is
    ``score < 0.5``: the text is not to be read as an analysis. ``filled_from_rules`` lists the
    dimensions whose text was replaced by the rules reasoner's (``--fill-from-rules``).
    """

    model_config = ConfigDict(extra="forbid")

    score: float = Field(ge=0.0, le=1.0)
    degenerate: bool
    problems: list[AnswerProblem] = Field(default_factory=list)
    answer_format: str = Field(
        default="none", description="how the answer was read: fenced_json, json, sections, plain"
    )
    answer_chars: int = Field(default=0, ge=0, description="length of the raw answer")
    filled_from_rules: list[str] = Field(
        default_factory=list,
        description="dimensions whose text is the rules reasoner's, not the model's",
    )

    @field_validator("filled_from_rules")
    @classmethod
    def _known_dimensions(cls, value: list[str]) -> list[str]:
        unknown = [d for d in value if d not in SABER_DIMENSIONS]
        if unknown:
            raise ValueError(f"unknown SABER dimension(s) {unknown}; expected {SABER_DIMENSIONS}")
        return value

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def dimensions_with_problems(self) -> list[str]:
        """Dimensions a problem names, in the order first named."""
        seen: list[str] = []
        for problem in self.problems:
            if problem.dimension is not None and problem.dimension not in seen:
                seen.append(problem.dimension)
        return seen
