"""Wrap a SABER record with the rest of an :class:`~emoreason.schema.result.AnalysisResult`.

Shared by every backend, so the JSON contract (``saber``, ``emotion``, ``consistency``,
``evidence``, ``timings``, ``language``, ``backend``) is built in one place.
"""

from __future__ import annotations

from pathlib import Path

from emoreason.prompts import sed_prompt
from emoreason.provenance import config_dict, make_provenance
from emoreason.reasoning.answer_quality import assess_answer
from emoreason.reasoning.consistency import ConsistencyConfig, analyze_consistency, fuse
from emoreason.reasoning.parser import label_from_text, parse_saber
from emoreason.schema.evidence import HYPOTHESIS_MODALITIES, Evidence
from emoreason.schema.quality import AnswerQuality
from emoreason.schema.result import AnalysisResult, Consistency
from emoreason.schema.saber import SaberRecord


def clip_id(path: str) -> str:
    """The default id of a clip: its file name without extension."""
    return Path(path).stem or path


def build_result(
    evidence: Evidence,
    record: SaberRecord,
    consistency: Consistency,
    *,
    emotion: str,
    lang: str,
    backend: str,
    model: str | None = None,
    emotion_scores: dict[str, float] | None = None,
    secondary: list[str] | None = None,
    missing: list[str] | None = None,
    timings: dict[str, float] | None = None,
    consistency_config: ConsistencyConfig | None = None,
    quality: AnswerQuality | None = None,
) -> AnalysisResult:
    """The result of one clip; its provenance is the evidence's (version, model digests,
    perception settings; made now when the evidence has none) plus ``consistency_config``."""
    provenance = evidence.provenance or make_provenance()
    if consistency_config is not None:
        provenance = provenance.model_copy(update={"consistency": config_dict(consistency_config)})
    return AnalysisResult(
        id=clip_id(evidence.clip.path),
        source=evidence.clip.path,
        saber=record,
        emotion=emotion,
        emotions=list(secondary or []),
        emotion_scores=dict(emotion_scores or {}),
        hypotheses={m: evidence.hypothesis(m) for m in HYPOTHESIS_MODALITIES},
        consistency=consistency,
        explanation=consistency.explanation,
        evidence=evidence,
        language=lang,  # type: ignore[arg-type]
        backend=backend,
        model=model,
        timings={**evidence.timings, **(timings or {})},
        missing=list(missing if missing is not None else record.missing_dimensions()),
        provenance=provenance,
        quality=quality,
    )


def result_from_text(
    evidence: Evidence,
    text: str,
    *,
    lang: str,
    backend: str,
    model: str | None,
    consistency_config: ConsistencyConfig | None = None,
    timings: dict[str, float] | None = None,
    prompt: str | None = None,
) -> AnalysisResult:
    """An AnalysisResult from a model's free text: parsed record + evidence-based consistency.

    The final label is the one the model's ``sentiment_analysis`` concludes with
    (:func:`~emoreason.reasoning.parser.label_from_text`), else the consistency resolution.
    Dimensions the model did not produce are left empty and listed in ``missing``; the answer's
    problems (empty dimensions, loops, copied input, ignored evidence, labels outside the set)
    are named in ``quality`` (:func:`~emoreason.reasoning.answer_quality.assess_answer`; the
    instruction the model was given is ``prompt``, by default the SED prompt in ``lang``).
    """
    cfg = consistency_config or ConsistencyConfig()
    parsed = parse_saber(text)
    instruction = prompt if prompt is not None else sed_prompt(lang)  # type: ignore[arg-type]
    hypotheses = {m: evidence.hypothesis(m) for m in HYPOTHESIS_MODALITIES}
    consistency = analyze_consistency(hypotheses, lang=lang, config=cfg)  # type: ignore[arg-type]
    fused, _ = fuse(hypotheses, HYPOTHESIS_MODALITIES, cfg)
    emotion = (
        label_from_text(parsed.record.sentiment_analysis)
        or label_from_text(text)
        or consistency.resolution
        or "neutral"
    )
    return build_result(
        evidence,
        parsed.record,
        consistency,
        emotion=emotion,
        lang=lang,
        backend=backend,
        model=model,
        emotion_scores={e: round(v, 4) for e, v in fused.items()},
        missing=parsed.missing,
        timings=timings,
        consistency_config=cfg,
        quality=assess_answer(text, parsed, evidence, prompt=instruction, lang=lang),
    )
