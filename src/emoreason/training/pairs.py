"""``build-pairs``: consistency-aware preference pairs for CA-DPO (SABER-LLM; kinds are **ours**).

Chosen is always the grounded SED response (the SABER JSON of the full analysis). Rejected, by kind:

- ``ablation_visual_only`` / ``ablation_audio_only``: the rules reasoner run on
  ``restrict_evidence(evidence, side)``, i.e. a unimodal-dominant response; kept only when it lands
  on a different emotion than the chosen one.
- ``hallucination``: one perceptual dimension swapped in from another clip whose emotion differs,
  together with that clip's reasoning (a conclusion resting on evidence that is not in this clip).
- ``label_flip``: the chosen response with the emotion word of its concluding sentence replaced by
  a label of the other valence (the evidence stays, the conclusion contradicts it).

Every pair carries ``kind`` and ``conflict`` (``1 - consistency.agreement`` of the clip, in
[0, 1]; CA-DPO weights pair i by ``1 + η·conflict_i``). Pairs whose rejected response reaches the
chosen emotion, identical chosen/rejected texts and duplicates are dropped and counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from emoreason.formats.swift import saber_to_swift, saber_to_text
from emoreason.schema import EMOTIONS, VALENCE, AnalysisResult, SaberRecord, restrict_evidence
from emoreason.training import sources
from emoreason.training.sft_data import MissingMedia, check_media
from emoreason.training.sources import (
    BuildReport,
    TrainingSource,
    flip_conclusion,
    localize,
    read_sources,
)
from emoreason.training.swift_media import row_media

PAIR_KINDS: tuple[str, ...] = ("ablation", "hallucination", "label_flip")
#: Dimensions a hallucinated response may take from another clip (perception, not reasoning).
HALLUCINATION_DIMENSIONS: tuple[str, ...] = (
    "video_desc",
    "audio_desc.speech_content",
    "audio_desc.acoustic_feat",
    "facial_exp_desc",
    "body_lang_desc",
)


def flip_targets(emotion: str, scores: dict[str, float], limit: int) -> list[str]:
    """Labels of the other valence (for neutral/surprised: any other), most plausible first."""
    valence = VALENCE[emotion]
    if valence == 0:
        candidates = [e for e in EMOTIONS if e != emotion]
    else:
        candidates = [e for e in EMOTIONS if VALENCE[e] != valence]
    ranked = sorted(candidates, key=lambda e: (-scores.get(e, 0.0), EMOTIONS.index(e)))
    return ranked[:limit]


def ablation_rejections(source: TrainingSource) -> list[tuple[str, SaberRecord, str]]:
    """(kind, rejected record, rejected emotion) from visual-only and audio-only evidence."""
    if source.evidence is None:
        return []
    reasoner = sources.rules_reasoner()
    out = []
    for side in ("visual", "audio"):
        ablated = reasoner.reason(restrict_evidence(source.evidence, side), source.lang)
        out.append((f"ablation_{side}_only", ablated.saber, ablated.emotion))
    return out


def hallucination_rejections(
    source: TrainingSource, donors: list[TrainingSource]
) -> list[tuple[str, SaberRecord, str | None]]:
    """Rejected records with one perceptual dimension (and the reasoning) from another clip."""
    out: list[tuple[str, SaberRecord, str | None]] = []
    others = [d for d in donors if d.id != source.id and d.lang == source.lang]
    n_dims = len(HALLUCINATION_DIMENSIONS)
    # interleave so the first pairs use different donors and different dimensions
    for offset in range(n_dims):
        for index, donor in enumerate(others):
            dimension = HALLUCINATION_DIMENSIONS[(index + offset) % n_dims]
            text = donor.saber.dimension(dimension)
            if not text.strip() or text == source.saber.dimension(dimension):
                continue
            rejected = source.saber.replace_dimension(dimension, text).replace_dimension(
                "sentiment_analysis", donor.saber.sentiment_analysis
            )
            out.append(("hallucination", rejected, donor.emotion))
    return out


def label_flip_rejections(
    source: TrainingSource, limit: int
) -> list[tuple[str, SaberRecord, str | None]]:
    if source.emotion is None:
        return []
    out: list[tuple[str, SaberRecord, str | None]] = []
    for target in flip_targets(source.emotion, source.emotion_scores, limit):
        text = flip_conclusion(source.saber.sentiment_analysis, source.emotion, target, source.lang)
        out.append(
            ("label_flip", source.saber.replace_dimension("sentiment_analysis", text), target)
        )
    return out


def pair_row(
    source: TrainingSource,
    rejected: SaberRecord,
    kind: str,
    rejected_emotion: str | None,
    index: int,
    media_root: str | Path | None,
) -> dict[str, Any]:
    video, audio = row_media(
        source.video, source.audio, video_has_audio=source.video_has_audio, media_root=media_root
    )
    row = saber_to_swift(
        source.saber,
        video=video,
        audio=audio,
        lang=source.lang,
        rejected=rejected,  # type: ignore[arg-type]
    ).to_json()
    row.update(
        {
            "id": f"{source.id}:{source.lang}:{kind}:{index}",
            "clip_id": source.id,
            "lang": source.lang,
            "kind": kind,
            "conflict": round(min(1.0, max(0.0, source.conflict)), 6),
            "chosen_emotion": source.emotion,
            "rejected_emotion": rejected_emotion,
        }
    )
    return row


def build_pair_rows(
    items: Iterable[AnalysisResult | TrainingSource],
    *,
    kinds: Iterable[str] = PAIR_KINDS,
    languages: Iterable[str] = ("en",),
    media_root: str | Path | None = None,
    missing_media: MissingMedia = "error",
    max_hallucinations: int | None = 4,
    max_flips: int = 1,
    report: BuildReport | None = None,
) -> tuple[list[dict[str, Any]], BuildReport]:
    """Preference rows (ms-swift DPO rows plus kind/conflict) and a report of every skip."""
    report = report or BuildReport()
    kinds = tuple(kinds)
    unknown = sorted(set(kinds) - set(PAIR_KINDS))
    if unknown:
        raise ValueError(f"unknown pair kind {unknown[0]!r}; expected some of {list(PAIR_KINDS)}")
    items = list(items)
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for lang in tuple(languages):
        sources = [s for s in (localize(item, lang, report) for item in items) if s is not None]
        for source in sources:
            if not check_media(source, media_root, missing_media, report):
                continue
            candidates: list[tuple[str, SaberRecord, str | None]] = []
            if "ablation" in kinds:
                if source.evidence is None:
                    report.skip("ablation_needs_evidence")
                candidates += ablation_rejections(source)
            if "hallucination" in kinds:
                candidates += hallucination_rejections(source, sources)
            if "label_flip" in kinds:
                if source.emotion is None:
                    report.skip("label_flip_unknown_emotion")
                candidates += label_flip_rejections(source, max_flips)
            chosen_text = saber_to_text(source.saber)
            accepted: dict[str, int] = {}
            for kind, rejected, rejected_emotion in candidates:
                if (
                    kind == "hallucination"
                    and max_hallucinations is not None
                    and accepted.get(kind, 0) >= max_hallucinations
                ):
                    report.skip("hallucination_over_limit")
                    continue
                rejected_text = saber_to_text(rejected)
                if rejected_text == chosen_text:
                    report.skip(f"identical_{kind}")
                    continue
                if rejected_emotion is not None and rejected_emotion == source.emotion:
                    report.skip(f"same_emotion_{kind}")
                    continue
                if (chosen_text, rejected_text) in seen:
                    report.skip(f"duplicate_{kind}")
                    continue
                seen.add((chosen_text, rejected_text))
                rows.append(
                    pair_row(source, rejected, kind, rejected_emotion, len(rows), media_root)
                )
                accepted[kind] = accepted.get(kind, 0) + 1
                report.by_kind[kind] += 1
    report.written = len(rows)
    return rows, report


def build_pairs_file(
    input_path: str | Path, **kwargs: Any
) -> tuple[list[dict[str, Any]], BuildReport]:
    """Read ``input_path`` (analyses, SABER or ms-swift JSONL) and build the preference rows."""
    report = BuildReport()
    items = read_sources(input_path, report)
    return build_pair_rows(items, report=report, **kwargs)
