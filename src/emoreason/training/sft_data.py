"""``build-sft``: SED instruction rows (ms-swift / TRL ready) from analyses or SABER records.

Each row is ``saber_to_swift``'s output: the SED prompt in the row's language (with the
``<video>``/``<audio>`` tags of the media it has, in the media convention of
:mod:`emoreason.formats.swift`: the clip in ``videos``, its audio track as a separate stream in
``audios``, none for a clip without one) and the SABER JSON as the assistant target, in
SED order scene -> audio (speech content, acoustic features) -> face -> body -> reasoning.
Beside the ms-swift keys each row carries ``id``, ``lang`` and ``emotion``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from emoreason.errors import InputError
from emoreason.formats.swift import saber_to_swift
from emoreason.schema import AnalysisResult
from emoreason.training.sources import (
    BuildReport,
    TrainingSource,
    localize,
    media_missing,
    read_sources,
)
from emoreason.training.swift_media import row_media

MissingMedia = Literal["error", "skip"]


def sft_row(source: TrainingSource, media_root: str | Path | None = None) -> dict[str, Any]:
    """One ms-swift SFT row for a localized source."""
    video, audio = row_media(
        source.video, source.audio, video_has_audio=source.video_has_audio, media_root=media_root
    )
    row = saber_to_swift(source.saber, video=video, audio=audio, lang=source.lang).to_json()  # type: ignore[arg-type]
    row.update({"id": f"{source.id}:{source.lang}", "lang": source.lang, "emotion": source.emotion})
    return row


def check_media(
    source: TrainingSource,
    media_root: str | Path | None,
    missing_media: MissingMedia,
    report: BuildReport,
) -> bool:
    """True when the source's media exist; a missing file raises or is a counted skip."""
    missing = media_missing(source, media_root)
    if missing is None:
        return True
    if missing_media == "error":
        raise InputError(
            f"media file not found: {missing} (pass --missing-media skip to drop such rows)",
            field=f"{source.id}.source",
        )
    report.skip("missing_media")
    return False


def build_sft_rows(
    items: Iterable[AnalysisResult | TrainingSource],
    *,
    languages: Iterable[str] = ("en",),
    media_root: str | Path | None = None,
    missing_media: MissingMedia = "error",
    report: BuildReport | None = None,
) -> tuple[list[dict[str, Any]], BuildReport]:
    """SFT rows for every item in every requested language, with a report of the skips."""
    report = report or BuildReport()
    rows: list[dict[str, Any]] = []
    languages = tuple(languages)
    for item in items:
        for lang in languages:
            source = localize(item, lang, report)
            if source is None or not check_media(source, media_root, missing_media, report):
                continue
            if source.saber.missing_dimensions():
                report.skip("incomplete_saber")
                continue
            rows.append(sft_row(source, media_root))
            report.by_kind[f"sft_{lang}"] += 1
    report.written = len(rows)
    return rows, report


def build_sft_file(
    input_path: str | Path,
    *,
    languages: Iterable[str] = ("en",),
    media_root: str | Path | None = None,
    missing_media: MissingMedia = "error",
) -> tuple[list[dict[str, Any]], BuildReport]:
    """Read ``input_path`` (analyses, SABER or ms-swift JSONL) and build the SFT rows."""
    report = BuildReport()
    items = read_sources(input_path, report)
    return build_sft_rows(
        items,
        languages=languages,
        media_root=media_root,
        missing_media=missing_media,
        report=report,
    )
