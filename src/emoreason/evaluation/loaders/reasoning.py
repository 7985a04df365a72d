"""Loaders for reasoning benchmarks (reference text, not only a label): EMER v1/v2, SABER-Test."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from emoreason.errors import InputError
from emoreason.evaluation.emotion_wheel import find_emotion_mentions
from emoreason.evaluation.loaders.base import (
    LoadReport,
    Sample,
    find_media,
    first_key,
    iter_csv,
    read_json,
    require_file,
    sample_id,
)


def split_emotion_words(text: str | None) -> list[str]:
    """``"happy, relieved; 开心、激动"`` -> its words (separators , ; / 、 ， ；)."""
    if not text:
        return []
    for sep in (";", "/", "、", "，", "；", "|"):
        text = text.replace(sep, ",")
    return [w.strip() for w in text.split(",") if w.strip()]


def emotions_in(text: str | None) -> list[str]:
    """The distinct emotion words mentioned (not negated) in a reference text, in order."""
    if not text:
        return []
    return list(dict.fromkeys(word for _, word, _ in find_emotion_mentions(text)))


def _add_reference(
    report: LoadReport, root: Path, where: str, ident: Any, seen: set[str], **fields: Any
) -> None:
    report.counts["rows"] += 1
    sid = sample_id(ident)
    if sid is None:
        report.problem("missing_id", f"{where}: no id")
        return
    if sid in seen:
        report.problem("duplicate_id", f"{where}: id {sid!r} seen before; kept the first")
        return
    if not fields.get("reference_text") and not fields.get("reference_emotions"):
        report.problem("missing_label", f"{where}: {sid}: empty reference")
        return
    seen.add(sid)
    media = fields.pop("media", None) or find_media(root, None, sid)
    if media is None:
        report.counts["missing_media"] += 1
    report.add(Sample(id=sid, media=media, **fields))


def load_emer_v1(
    root: Path,
    labels: Sequence[str] | None = None,
    label_map: Mapping[str, str] | None = None,
    lang: str = "en",
) -> LoadReport:
    """EMER v1 (100 MER2023 clips): ``gt-eng.csv`` (``lang=en``) or ``gt-chi.csv`` (``zh``).

    Columns, as the dataset README documents them: ``names`` (video name), ``emotions``
    (the MER2023 discrete label), ``subtitles`` (corrected subtitle), ``reasons`` (the EMER
    explanation). Reference emotion words = the ``emotions`` column split on , ; 、 plus the
    non-negated emotion words of ``reasons`` (our choice: the reason names more than the one
    discrete label). ``label`` = the discrete label (mapped by ``label_map``) for the
    label-overlap scores. Media by name under root, ``video/``, ``videos/``.
    """
    name = {"en": "gt-eng.csv", "zh": "gt-chi.csv"}.get(lang)
    if name is None:
        raise InputError(f"lang must be 'en' or 'zh', got {lang!r}", field="lang")
    path = require_file(root / name, f"EMER v1 {lang} label file")
    report, seen = LoadReport(), set()
    for line, row in iter_csv(path):
        discrete = first_key(row, ("emotions", "emotion"))
        label = (label_map or {}).get(str(discrete).lower(), discrete) if discrete else None
        reasons = first_key(row, ("reasons", "reason", "eng_reasons", "chi_reasons"))
        words = list(dict.fromkeys([*split_emotion_words(discrete), *emotions_in(reasons)]))
        _add_reference(
            report,
            root,
            f"{path.name}:{line}",
            first_key(row, ("names", "name")),
            seen,
            label=label,
            reference_text=reasons,
            reference_emotions=words,
            subtitle=first_key(row, ("subtitles", "subtitle")),
        )
    return report


def load_emer_v2(
    root: Path,
    labels: Sequence[str] | None = None,
    label_map: Mapping[str, str] | None = None,
    lang: str = "en",
) -> LoadReport:
    """EMER v2 (332 clips): ``final-EMER-reason.csv`` with ``names`` (the README; XEmoGPT's
    scripts read ``name``: both accepted), ``chinese`` and ``english`` (the EMER description).

    Reference text = the ``english`` (``lang=en``) or ``chinese`` (``zh``) column; reference
    emotion words = its non-negated emotion words (the wheel). No subtitle column: the
    restating rule of EmoCue-360 then uses its marker and quotation rules only.
    """
    column = {"en": "english", "zh": "chinese"}.get(lang)
    if column is None:
        raise InputError(f"lang must be 'en' or 'zh', got {lang!r}", field="lang")
    path = require_file(root / "final-EMER-reason.csv", "EMER v2 file")
    report, seen = LoadReport(), set()
    for line, row in iter_csv(path):
        text = row.get(column)
        _add_reference(
            report,
            root,
            f"{path.name}:{line}",
            first_key(row, ("names", "name")),
            seen,
            reference_text=text or None,
            reference_emotions=emotions_in(text),
        )
    return report


SABER_SPLITS: tuple[str, ...] = ("Consistent", "Inconsistent")


def load_saber_test(
    root: Path,
    labels: Sequence[str] | None = None,
    label_map: Mapping[str, str] | None = None,
) -> LoadReport:
    """SABER-Test: per-clip SABER JSON files in ``Consistent/`` and ``Inconsistent/``.

    Each ``<clip>.json`` holds the published SABER record (``video_desc``, ``audio_desc``
    {``speech_content``, ``acoustic_feat``}, ``facial_exp_desc``, ``body_lang_desc``,
    ``sentiment_analysis``). Assumed (ours): an optional ``emotion``/``label`` key carries a
    discrete label; the media is ``<clip>.mp4`` (or another media extension) next to the JSON
    or under ``videos/`` of the split or of root. Reference text = ``sentiment_analysis``;
    subtitle = ``audio_desc.speech_content``; the whole record is kept in ``extra["saber"]``.
    """
    splits = [s for s in SABER_SPLITS if (root / s).is_dir()]
    if not splits:
        raise InputError(
            f"no SABER-Test split folder found: expected {' and '.join(SABER_SPLITS)}/ under root",
            path=root,
        )
    report, seen = LoadReport(), set()
    for split in splits:
        for path in sorted((root / split).glob("*.json")):
            where = f"{split}/{path.name}"
            try:
                record = read_json(path)
            except InputError as exc:
                report.counts["rows"] += 1
                report.problem("bad_row", str(exc))
                continue
            if not isinstance(record, dict):
                report.counts["rows"] += 1
                report.problem("bad_row", f"{where}: expected a JSON object")
                continue
            audio = record.get("audio_desc") if isinstance(record.get("audio_desc"), dict) else {}
            raw_label = first_key(record, ("emotion", "label"))
            label = None
            if raw_label is not None:
                label = (label_map or {}).get(str(raw_label).lower(), str(raw_label))
                if labels is not None and label not in labels:
                    report.problem(
                        "unknown_label", f"{where}: label {raw_label!r} not in {list(labels)}"
                    )
                    label = None
            reference = record.get("sentiment_analysis")
            media = find_media(root / split, None, path.stem) or find_media(root, None, path.stem)
            _add_reference(
                report,
                root,
                where,
                path.stem,
                seen,
                media=media,
                subset=split.lower(),
                label=label,
                reference_text=reference if isinstance(reference, str) else None,
                reference_emotions=emotions_in(reference if isinstance(reference, str) else None),
                subtitle=audio.get("speech_content"),
                extra={"saber": record},
            )
    return report
