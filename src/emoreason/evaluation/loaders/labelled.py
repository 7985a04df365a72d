"""Loaders for discrete-label benchmarks: CA-MER, MER2023, DFEW, EmoBench-M, generic JSONL.

Each docstring states the published layout it reads and what we had to assume (the real
datasets are licence-gated; layouts were learned from the public evaluation scripts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from emoreason.errors import InputError
from emoreason.evaluation.loaders.base import (
    LoadReport,
    Sample,
    find_media,
    first_key,
    iter_csv,
    iter_json_objects,
    path_key,
    read_json,
    require_file,
    resolve_label,
    sample_id,
)
from emoreason.evaluation.metrics.camer import SUBSETS, normalize_subset

ID_KEYS: tuple[str, ...] = (
    "id",
    "video_id",
    "clip_id",
    "name",
    "names",
    "video_name",
    "video",
    "clip",
)
LABEL_KEYS: tuple[str, ...] = ("label", "emotion", "answer", "gt", "ground_truth", "expected_value")
MEDIA_KEYS: tuple[str, ...] = ("video", "video_path", "media", "path", "audio", "modal_path")


def _conversation_answer(item: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(prompt, answer) from LLaVA-style ``conversations`` ([human, gpt]), else (None, None)."""
    turns = item.get("conversations")
    if not isinstance(turns, list) or len(turns) < 2:
        return None, None
    first, last = turns[0], turns[-1]
    prompt = first.get("value") if isinstance(first, dict) else None
    answer = last.get("value") if isinstance(last, dict) else None
    return prompt, answer


def add_labelled(
    report: LoadReport,
    root: Path,
    where: str,
    ident: Any,
    raw_label: Any,
    labels: Sequence[str] | None,
    label_map: Mapping[str, str] | None,
    *,
    media_raw: str | None = None,
    seen: set[str],
    keep_path: bool = False,
    sample_labels: tuple[str, ...] | None = None,
    **fields: Any,
) -> None:
    """Validate one row and add it as a Sample, or count why not.

    ``keep_path``: the id keeps its folders (``MELD/dia1_utt0``) instead of the bare stem.
    """
    report.counts["rows"] += 1
    sid = path_key(ident) if keep_path else sample_id(ident)
    if sid is None:
        report.problem("missing_id", f"{where}: no id (expected one of {', '.join(ID_KEYS)})")
        return
    if sid in seen:
        report.problem("duplicate_id", f"{where}: id {sid!r} seen before; kept the first")
        return
    label, reason = resolve_label(raw_label, labels, label_map)
    if reason is not None:
        detail = (
            f"{raw_label!r} not in {list(labels or [])}" if reason == "unknown_label" else "empty"
        )
        report.problem(reason, f"{where}: {sid}: label {detail}")
        return
    seen.add(sid)
    media = find_media(root, media_raw, sid)
    if media is None:
        report.counts["missing_media"] += 1
    report.add(Sample(id=sid, media=media, label=label, labels=sample_labels, **fields))


def _subset_files(root: Path) -> dict[str, Path]:
    """CA-MER subset name -> JSON file: any ``*.json`` whose normalised stem contains it."""
    found: dict[str, Path] = {}
    for path in sorted(root.glob("*.json")):
        stem = normalize_subset(path.stem)
        for subset in SUBSETS:
            if subset in stem and subset not in found:
                found[subset] = path
    return found


def load_camer(
    root: Path, labels: Sequence[str] | None = None, label_map: Mapping[str, str] | None = None
) -> LoadReport:
    """CA-MER: one JSON list per subset (video-aligned, audio-aligned, consistent).

    Assumed layout (ours; the benchmark's files are not public): ``<root>/<name>.json`` whose
    file stem names the subset (``video_aligned.json``, ``CA-MER_audio-aligned_test.json``,
    ``consistent.json``). Each item has an id (``id``/``video_id``/``name``/``video``), a label
    (``label``/``emotion``/``answer``, or the last turn of LLaVA-style ``conversations``) and
    optionally a media path (``video``/``video_path``/``audio``, relative to root). Media are
    otherwise looked up by id under root, ``video/``, ``videos/``, ``clips/``, ``audio/``.
    """
    files = _subset_files(root)
    if not files:
        raise InputError(
            "no CA-MER subset file found: expected JSON files named after the subsets "
            f"({', '.join(SUBSETS)}), e.g. video_aligned.json",
            path=root,
        )
    report, seen = LoadReport(), set()
    for subset, path in files.items():
        data = read_json(path)
        if not isinstance(data, list):
            raise InputError("expected a JSON list of items", path=path)
        for i, item in enumerate(data):
            where = f"{path.name}[{i}]"
            if not isinstance(item, dict):
                report.counts["rows"] += 1
                report.problem("bad_row", f"{where}: expected an object, got {type(item).__name__}")
                continue
            prompt, answer = _conversation_answer(item)
            add_labelled(
                report,
                root,
                where,
                first_key(item, ID_KEYS),
                first_key(item, LABEL_KEYS) or answer,
                labels,
                label_map,
                media_raw=first_key(item, MEDIA_KEYS),
                seen=seen,
                subset=subset,
                prompt=prompt,
                subtitle=first_key(item, ("subtitle", "transcript")),
            )
    for subset in SUBSETS:
        if subset not in files:
            report.problem("missing_subset", f"{subset}: no file for this subset in {root}")
    return report


def load_mer2023(
    root: Path,
    labels: Sequence[str] | None = None,
    label_map: Mapping[str, str] | None = None,
    label_file: str | None = None,
) -> LoadReport:
    """MER2023 label CSV: columns ``name``, ``discrete`` (and ``valence``, unused here).

    This is the layout MER2023's own scoring reads (``report_results_on_test1_test2``: label
    and prediction CSVs with ``name,discrete,valence``; the valence is kept in
    ``Sample.extra["valence"]``). ``label_file`` defaults to the only
    ``*label*.csv`` under root (else ``label.csv``). Media: ``<name>.mp4``/``.avi`` under root
    or ``video/``, ``videos/``.
    """
    if label_file:
        path = require_file(root / label_file, "MER2023 label CSV")
    else:
        candidates = sorted(root.glob("*label*.csv"))
        path = require_file(
            candidates[0] if candidates else root / "label.csv", "MER2023 label CSV"
        )
    report, seen = LoadReport(), set()
    for line, row in iter_csv(path):
        add_labelled(
            report,
            root,
            f"{path.name}:{line}",
            row.get("name"),
            row.get("discrete"),
            labels,
            label_map,
            seen=seen,
            extra={"valence": row["valence"]} if row.get("valence") not in (None, "") else {},
        )
    return report


DFEW_SPLIT = "EmoLabel_DataSplit/test(single-labeled)/set_{fold}.csv"


def load_dfew(
    root: Path,
    labels: Sequence[str] | None = None,
    label_map: Mapping[str, str] | None = None,
    fold: int | str = 1,
) -> LoadReport:
    """DFEW five-fold test split: ``EmoLabel_DataSplit/test(single-labeled)/set_<fold>.csv``.

    Columns ``video_name`` (an integer, e.g. 3) and ``label`` (1 happy, 2 sad, 3 neutral,
    4 angry, 5 surprise, 6 disgust, 7 fear: the task's ``label_map``). ``fold`` is 1..5 or
    ``all`` (the test folds found, concatenated; the subset field keeps the fold; a missing
    fold is counted as ``missing_split``). Media: the
    zero-padded name (``00003.mp4``) or the plain name under root, ``videos/``, ``Clip/``,
    ``clips/``, ``original/``. The split file is looked up under root and, if absent, the
    split folder may be root itself (``set_<fold>.csv`` directly in it).
    """
    folds = list(range(1, 6)) if str(fold).lower() == "all" else [int(fold)]
    report, seen = LoadReport(), set()
    for f in folds:
        path = root / DFEW_SPLIT.format(fold=f)
        if not path.is_file() and (root / f"set_{f}.csv").is_file():
            path = root / f"set_{f}.csv"
        if not path.is_file() and len(folds) > 1:
            report.problem("missing_split", f"fold {f}: {path} not found")
            continue
        require_file(path, f"DFEW test split for fold {f}")
        for line, row in iter_csv(path):
            name = row.get("video_name")
            padded = f"{int(name):05d}" if name and name.isdigit() else name
            media = None
            if padded:
                folders = ("", "videos", "Clip", "clips", "original", "video")
                media = find_media(root, None, padded, folders) or find_media(
                    root, None, name, folders
                )
            add_labelled(
                report,
                root,
                f"{path.name}:{line}",
                padded,
                row.get("label"),
                labels,
                label_map,
                media_raw=media,
                seen=seen,
                subset=f"fold{f}",
            )
    if report.counts["missing_split"] == len(folds):
        raise InputError("no DFEW test split file found", path=root / DFEW_SPLIT.format(fold=1))
    return report


#: EmoBench-M category lists per dataset file, from its public evaluation config
#: (``emo.py`` / ``EmoBench-M-eval.py``); keys spelled like the data files (``RAVDSS_song.json``).
EMOBENCH_M_CATEGORIES: dict[str, tuple[str, ...]] = {
    "FGMSA": ("weak negative", "strong negative", "neutral", "strong positive", "weak positive"),
    "ch-simsv2s": ("neutral", "negative", "positive"),
    "MOSI": ("neutral", "negative", "positive"),
    "SIMS": ("neutral", "negative", "positive"),
    "MOSEI": ("neutral", "negative", "positive"),
    "funny": ("true", "false"),
    "MUSTARD": ("true", "false"),
    "MELD": ("neutral", "surprise", "fear", "sadness", "joy", "disgust", "anger"),
    "mer2023": ("happy", "sad", "neutral", "angry", "worried", "surprise"),
    "RAVDSS_song": ("neutral", "calm", "happy", "sad", "angry", "fearful"),
    "RAVDSS_speech": (
        "neutral",
        "calm",
        "happy",
        "sad",
        "angry",
        "fearful",
        "surprised",
        "disgust",
    ),
}


#: EmoBench-M's joint emotion + intent file (``MC-EIU-test_500.json``): free gold answers
MC_EIU = "MC-EIU"


def _emobench_dataset(stem: str, categories: Mapping[str, Sequence[str]]) -> str | None:
    """The dataset a file stem starts with (``-`` and ``_`` compare equal, case-insensitive)."""
    lowered = stem.lower().replace("-", "_")
    for name in sorted([*categories, MC_EIU], key=len, reverse=True):
        if lowered.startswith(name.lower().replace("-", "_")):
            return name
    return None


def load_emobench_m(
    root: Path,
    labels: Sequence[str] | None = None,
    label_map: Mapping[str, str] | None = None,
    categories: Mapping[str, Sequence[str]] | None = None,
) -> LoadReport:
    """EmoBench-M: one JSON file per dataset (``MELD_test_instruction.json``, ``MOSI_test_500.json``).

        Each file is a list of ``{"video": <relative path>, "conversations": [{"from": "human",
        "value": "<video>\\n<instruction>"}, {"from": "gpt", "value": "<label>"}]}``, the layout
        EmoBench-M's evaluation reads. The dataset is the file-name prefix matched against
        :data:`EMOBENCH_M_CATEGORIES` (override/extend with ``categories``); a file of an unknown
        dataset uses the set of its own answers as label set (a documented fallback). A gold
        answer outside its dataset's categories is kept (lower-cased, as the official scripts
        score it) and counted as ``label_outside_categories``. ``MC-EIU*.json`` (joint emotion +
        intent) keeps its free gold answer as the label (no label set). Media paths
        are relative to root. Sample id = ``<dataset>/<video stem>`` (predictions may give the id,
    the video path, or the bare stem); ``subset`` = dataset; ``labels`` = its categories.
    """
    cats = dict(EMOBENCH_M_CATEGORIES)
    cats.update({k: tuple(v) for k, v in (categories or {}).items()})
    files = sorted(root.glob("*.json"))
    if not files:
        raise InputError("no EmoBench-M dataset JSON files found (expected *.json)", path=root)
    report, seen = LoadReport(), set()
    for path in files:
        data = read_json(path)
        if not isinstance(data, list):
            report.problem("bad_file", f"{path.name}: expected a JSON list; skipped")
            continue
        dataset = _emobench_dataset(path.stem, cats) or path.stem
        label_set = cats.get(dataset) or tuple(
            sorted(
                {
                    str(_conversation_answer(i)[1]).strip().lower()
                    for i in data
                    if isinstance(i, dict)
                }
            )
        )
        if dataset == MC_EIU:
            label_set = ()
        for i, item in enumerate(data):
            where = f"{path.name}[{i}]"
            if not isinstance(item, dict):
                report.counts["rows"] += 1
                report.problem("bad_row", f"{where}: expected an object")
                continue
            prompt, answer = _conversation_answer(item)
            gold = str(answer).strip().lower() if answer is not None else ""
            if gold and gold not in label_set and dataset != MC_EIU:
                # the official scripts score any gold answer: keep it, counted
                report.counts["label_outside_categories"] += 1
            raw = item.get("video") or item.get("audio")
            ident = f"{dataset}/{sample_id(raw)}" if sample_id(raw) else None
            add_labelled(
                report,
                root,
                where,
                ident,
                gold or answer,
                label_set if gold in label_set else None,
                label_map,
                media_raw=raw,
                seen=seen,
                keep_path=True,
                subset=dataset,
                sample_labels=tuple(label_set),
                prompt=(prompt or "").replace("<video>", "").replace("<audio>", "").strip(),
            )
    return report


def load_jsonl(
    root: Path,
    labels: Sequence[str] | None = None,
    label_map: Mapping[str, str] | None = None,
    file: str = "data.jsonl",
    require_label: bool = True,
) -> LoadReport:
    """Generic JSONL (ours): one object per line.

    Keys: ``id`` (required), ``label`` or ``emotion`` (required when ``require_label``), and
    optional ``media``/``video``/``audio`` (path relative to root), ``subset``, ``reference``
    (reference text), ``emotions`` (list of open-vocabulary words), ``subtitle``, ``cues``
    (``{"visual": [...], "auditory": [...], "emotional": [...]}``).
    """
    path = require_file(root / file, "JSONL data file")
    report, seen = LoadReport(), set()
    for where, row in iter_json_objects(path, report):
        emotions = row.get("emotions") or []
        if isinstance(emotions, str):
            emotions = [emotions]
        raw_label = first_key(row, ("label", "emotion"))
        fields: dict[str, Any] = {
            "subset": row.get("subset"),
            "reference_text": row.get("reference"),
            "reference_emotions": [str(e) for e in emotions],
            "subtitle": row.get("subtitle"),
            "extra": {"cues": row["cues"]} if isinstance(row.get("cues"), dict) else {},
        }
        if require_label:
            add_labelled(
                report,
                root,
                where,
                row.get("id"),
                raw_label,
                labels,
                label_map,
                media_raw=first_key(row, ("media", "video", "audio")),
                seen=seen,
                **fields,
            )
        else:
            add_labelled(
                report,
                root,
                where,
                row.get("id"),
                raw_label or "-",
                None,
                None,
                media_raw=first_key(row, ("media", "video", "audio")),
                seen=seen,
                **fields,
            )
            if report.samples and report.samples[-1].label == "-":
                report.samples[-1].label = None
    return report
