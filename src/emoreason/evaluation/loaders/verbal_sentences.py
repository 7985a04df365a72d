"""The labelled EN/ZH sentence sets shipped with emoreason (``evaluation/data``), as samples.

``verbal_sentences_<lang>.jsonl``: one ``{"id", "text", "label", "split"}`` a line (see
``evaluation/data/verbal_sentences.md`` for how they were written and split). A folder given
on the command line that holds a file of that name is read instead (same layout); a bad row
is counted and reported, never fatal.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from emoreason.errors import InputError
from emoreason.evaluation.loaders.base import LoadReport, Sample
from emoreason.schema import EMOTIONS

#: dev: training and model choice; calib: the calibration temperature only; test: held out
ROW_SPLITS: tuple[str, ...] = ("dev", "calib", "test")
SPLITS: tuple[str, ...] = (*ROW_SPLITS, "all")
LANGS: tuple[str, ...] = ("en", "zh")


@dataclass(frozen=True)
class SentenceRow:
    id: str
    text: str
    label: str
    split: str


def packaged_data_dir() -> Path:
    """The folder of the shipped sentence sets (inside the installed package)."""
    return Path(str(resources.files("emoreason.evaluation") / "data"))


def sentence_file(lang: str, root: str | Path | None = None) -> Path:
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}; valid: {', '.join(LANGS)}", field="lang")
    return Path(root or packaged_data_dir()) / f"verbal_sentences_{lang}.jsonl"


def read_sentences(
    lang: str, split: str = "all", root: str | Path | None = None, report: LoadReport | None = None
) -> list[SentenceRow]:
    """Rows of one language's set, of one split (``dev``, ``calib``, ``test`` or ``all``)."""
    if split not in SPLITS:
        raise InputError(f"unknown split {split!r}; valid: {', '.join(SPLITS)}", field="split")
    path = sentence_file(lang, root)
    if not path.is_file():
        raise InputError("sentence set not found", path=path)
    report = report if report is not None else LoadReport()
    rows: list[SentenceRow] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        report.counts["rows"] += 1
        where = f"{path.name}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            report.problem("bad_row", f"{where}: not valid JSON ({exc.msg})")
            continue
        missing = [k for k in ("id", "text", "label", "split") if not isinstance(item.get(k), str)]
        if missing:
            report.problem("bad_row", f"{where}: {missing[0]}: missing or not a string")
        elif item["label"] not in EMOTIONS:
            report.problem("unknown_label", f"{where}: label: {item['label']!r}")
        elif item["split"] not in ROW_SPLITS:
            report.problem("bad_row", f"{where}: split: {item['split']!r} (one of {ROW_SPLITS})")
        elif item["id"] in seen:
            report.problem("duplicate_id", f"{where}: id: {item['id']!r}")
        else:
            seen.add(item["id"])
            if split in ("all", item["split"]):
                rows.append(SentenceRow(item["id"], item["text"], item["label"], item["split"]))
    return rows


def load_verbal_sentences(
    root: Path,
    labels: Sequence[str] | None,
    label_map: Mapping[str, str] | None = None,
    lang: str = "en",
    split: str = "test",
) -> LoadReport:
    """Samples of one language and split; ``root`` without the file: the shipped set."""
    report = LoadReport()
    folder = root if sentence_file(lang, root).is_file() else packaged_data_dir()
    for row in read_sentences(lang, split, folder, report):
        label = (label_map or {}).get(row.label, row.label)
        if labels is not None and label not in labels:
            report.problem("unknown_label", f"{row.id}: {label!r}")
            continue
        report.add(
            Sample(
                id=row.id, label=label, subset=row.split, reference_text=row.text,
                extra={"text": row.text, "lang": lang},
            )
        )  # fmt: skip
    return report
