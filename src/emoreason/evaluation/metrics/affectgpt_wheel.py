"""AffectGPT's emotion-wheel (EW) open-vocabulary metric: Accuracy_s, Recall_s, F_s.

Reproduces ``calculate_openset_overlap_rate`` + ``wheel_metric_calculation`` of
``AffectGPT/my_affectgpt/evaluation/wheel.py`` (AffectGPT, github.com/zeroQiaoba/AffectGPT; the
stored copies we read are forks of it), given the authors' mapping tables, which we do not
ship (load them from their ``emotion_wheel`` folder with :func:`load_wheel_tables`):

- every label is lower-cased and stripped, then mapped (``func_backward_case3``): a label that
  is not a known word form maps to nothing; else the base words of its forms
  (``format.csv``), then the wheel words of those bases (``synonym.xlsx``, eight runs merged),
  are sorted and the first one that the wheel knows gives the wheel's cluster (level 1, or
  level 2); labels that map to nothing are dropped, duplicates collapse (sets);
- per sample: no mapped reference label -> skipped; no mapped prediction -> 0 and 0; else
  Accuracy_s = |P ∩ T| / |P|, Recall_s = |P ∩ T| / |T|;
- per wheel: the means over the kept samples (NaN when none), F_s = 2 A R / (A + R) of the
  means (NaN when A + R = 0, numpy's 0/0);
- reported: the mean over the five wheels (``case3_wheel{1..5}_{level}``) of F_s, A and R.

Where the script stops with an error we answer instead (never a different number where it
gives one): a sample without a prediction scores 0 and 0 (script: KeyError). The script's
``string_to_list`` (``toolkit/utils/functions.py``) is not in the sources we could read; we
assume what its use implies (``format.csv`` cells are written with ``",".join``): a cell
string is split on commas, surrounding brackets and quotes removed, items stripped.
"""

from __future__ import annotations

import csv
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from emoreason.errors import InputError

LEVELS: tuple[str, ...] = ("level1", "level2")
SCRIPT = (
    "AffectGPT my_affectgpt/evaluation/wheel.py wheel_metric_calculation (zeroQiaoba/AffectGPT)"
)


@dataclass(frozen=True)
class WheelTables:
    """The authors' mapping tables: word form -> bases, base/synonym -> wheel words, wheels.

    ``wheels[k]`` is the nested wheel ``{level1: {level2: [level3, ...]}}`` of wheel k + 1.
    """

    format_to_bases: Mapping[str, Sequence[str]]
    word_to_wheel_words: Mapping[str, Sequence[str]]
    wheels: Sequence[Mapping[str, Mapping[str, Sequence[str]]]]

    def __post_init__(self) -> None:
        if not self.wheels:
            raise ValueError("WheelTables needs at least one wheel")


def wheel_clusters(wheel: Mapping[str, Mapping[str, Sequence[str]]], level: str) -> dict[str, str]:
    """word -> its cluster on one wheel (``func_get_wheel_cluster``; later entries win)."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {list(LEVELS)}, got {level!r}")
    out: dict[str, str] = {}
    for top, middles in wheel.items():
        out[top] = top if level == "level1" else sorted(middles)[0]
        for middle, leaves in middles.items():
            cluster = top if level == "level1" else middle
            out[middle] = cluster
            for leaf in leaves:
                out[leaf] = cluster
    return out


def map_label(label: str, tables: WheelTables, clusters: Mapping[str, str]) -> str:
    """One label -> its wheel cluster, or "" (``func_backward_case3``)."""
    if label not in tables.format_to_bases:
        return ""
    words = [
        w
        for base in tables.format_to_bases[label]
        for w in tables.word_to_wheel_words.get(base, ())
    ]
    for word in sorted(words):
        if word in clusters:
            return clusters[word]
    return ""


def _mapped(labels: Sequence[str], tables: WheelTables, clusters: Mapping[str, str]) -> set[str]:
    mapped = (map_label(str(x).lower().strip(), tables, clusters) for x in labels)
    return {m for m in mapped if m}


def per_sample(
    references: Sequence[Sequence[str]],
    predictions: Sequence[Sequence[str] | None],
    tables: WheelTables,
    level: str = "level1",
) -> list[list[tuple[float, float] | None]]:
    """``[wheel][sample]`` -> (accuracy_s, recall_s), None where the sample is skipped."""
    if len(references) != len(predictions):
        raise ValueError(f"{len(references)} reference sets but {len(predictions)} prediction sets")
    out = []
    for wheel in tables.wheels:
        clusters = wheel_clusters(wheel, level)
        rows: list[tuple[float, float] | None] = []
        for ref, pred in zip(references, predictions, strict=True):
            truth = _mapped(ref, tables, clusters)
            if not truth:
                rows.append(None)
                continue
            guess = _mapped(pred or [], tables, clusters)
            hit = len(truth & guess)
            rows.append((hit / len(guess), hit / len(truth)) if guess else (0.0, 0.0))
        out.append(rows)
    return out


def combine(per_wheel: Sequence[Sequence[tuple[float, float] | None]]) -> dict[str, float]:
    """Per-wheel means, F_s of the means, then the mean over wheels (module doc)."""
    fs, accs, recs = [], [], []
    for rows in per_wheel:
        kept = [r for r in rows if r is not None]
        acc = sum(a for a, _ in kept) / len(kept) if kept else math.nan
        rec = sum(r for _, r in kept) / len(kept) if kept else math.nan
        f = 2 * acc * rec / (acc + rec) if acc + rec != 0 else math.nan
        fs.append(f), accs.append(acc), recs.append(rec)
    n = len(per_wheel)
    return {"f_s": sum(fs) / n, "accuracy_s": sum(accs) / n, "recall_s": sum(recs) / n}


def ew_scores(
    references: Sequence[Sequence[str]],
    predictions: Sequence[Sequence[str] | None],
    tables: WheelTables,
    level: str = "level1",
) -> dict[str, float]:
    """``{"f_s", "accuracy_s", "recall_s"}`` averaged over the wheels (module doc)."""
    return combine(per_sample(references, predictions, tables, level))


# --- reading the authors' emotion_wheel folder -------------------------------------------------

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def split_cell(value: str | None) -> list[str]:
    """A list written into one cell (assumed rule, module doc)."""
    if value is None:
        return []
    text = str(value).strip().strip("[]")
    items = (item.strip().strip("'\"").strip() for item in text.split(","))
    return [item for item in items if item]


def read_xlsx(path: Path) -> list[dict[str, str | None]]:
    """The first sheet of an .xlsx file as rows keyed by the header row (empty cell: None)."""
    try:
        with zipfile.ZipFile(path) as book:
            names = book.namelist()
            shared: list[str] = []
            if "xl/sharedStrings.xml" in names:
                root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
                shared = ["".join(t.text or "" for t in si.iter(f"{_NS}t")) for si in root]
            sheets = sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
            if not sheets:
                raise InputError("no worksheet in the workbook", path=path)
            sheet = ElementTree.fromstring(book.read(sheets[0]))
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError) as exc:
        raise InputError(f"not a readable .xlsx file ({exc})", path=path) from exc
    table: list[dict[str, str | None]] = []
    for row in sheet.iter(f"{_NS}row"):
        cells: dict[str, str | None] = {}
        for cell in row.iter(f"{_NS}c"):
            column = re.sub(r"\d", "", cell.get("r", ""))
            kind, value = cell.get("t"), cell.find(f"{_NS}v")
            if kind == "s" and value is not None and value.text is not None:
                cells[column] = shared[int(value.text)]
            elif kind == "inlineStr":
                cells[column] = "".join(t.text or "" for t in cell.iter(f"{_NS}t"))
            else:
                cells[column] = value.text if value is not None else None
        table.append(cells)
    if not table:
        return []
    header = {col: name for col, name in table[0].items() if name}
    return [{name: row.get(col) for col, name in header.items()} for row in table[1:]]


def read_wheel(path: Path) -> dict[str, dict[str, list[str]]]:
    """``wheelK.xlsx`` (columns level1, level2, level3; blank = same as above, lower-cased)."""
    wheel: dict[str, dict[str, list[str]]] = {}
    current = {"level1": "", "level2": "", "level3": ""}
    for number, row in enumerate(read_xlsx(path), 2):
        for key in current:
            if key not in row:
                raise InputError(f"missing column {key!r}", path=path, line=number)
            if row[key] not in (None, ""):
                current[key] = str(row[key])
            current[key] = current[key].lower().strip()
        wheel.setdefault(current["level1"], {}).setdefault(current["level2"], []).append(
            current["level3"]
        )
    return wheel


def load_wheel_tables(folder: str | Path) -> WheelTables:
    """The authors' ``emotion_wheel`` folder: ``wheel*.xlsx``, ``synonym.xlsx``, ``format.csv``.

    ``synonym.xlsx`` holds runs ``k = 1, 2, ...`` as column pairs ``word_run{k}`` /
    ``synonym_run{k}`` (the authors' file has eight, ``read_candidate_synonym_merge``); every
    run present is merged.
    """
    root = Path(folder)
    wheel_files = sorted(root.glob("wheel*.xlsx"))
    if not wheel_files:
        raise InputError(
            "no wheel*.xlsx files (AffectGPT emotion_wheel folder expected)", path=root
        )
    word_to_wheel: dict[str, set[str]] = {}
    synonym_path = root / "synonym.xlsx"
    if not synonym_path.is_file():
        raise InputError("synonym.xlsx not found", path=synonym_path)
    synonym_rows = read_xlsx(synonym_path)
    runs = sorted(
        int(match.group(1))
        for name in (synonym_rows[0] if synonym_rows else {})
        if (match := re.fullmatch(r"word_run(\d+)", name))
    )
    if not runs:
        raise InputError("no word_run<k> column", path=synonym_path)
    for number, row in enumerate(synonym_rows, 2):
        for run in runs:
            raw = row.get(f"word_run{run}")
            if raw is None:
                raise InputError(f"missing word_run{run}", path=synonym_path, line=number)
            base = str(raw).strip().lower()
            word_to_wheel.setdefault(base, set()).add(base)
            for synonym in split_cell(row.get(f"synonym_run{run}")):
                word_to_wheel.setdefault(synonym.strip().lower(), set()).add(base)
    format_path = root / "format.csv"
    if not format_path.is_file():
        raise InputError("format.csv not found", path=format_path)
    format_to_bases: dict[str, list[str]] = {}
    with format_path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), 2):
            if "name" not in row:
                raise InputError("missing column 'name'", path=format_path, line=number)
            base = row["name"]
            for form in split_cell(row.get("format")):
                format_to_bases.setdefault(form, []).append(base)
            format_to_bases.setdefault(base, []).append(base)
    return WheelTables(
        format_to_bases=format_to_bases,
        word_to_wheel_words={k: sorted(v) for k, v in word_to_wheel.items()},
        wheels=[read_wheel(path) for path in wheel_files],
    )
