"""What the data pipeline reads: folders, JSONL manifests and published corpus layouts.

Every input becomes a list of :class:`ManifestItem` (id, media path, dataset, our label, the
corpus's own label, speaker). Corpus labels map to :data:`~emoreason.schema.labels.EMOTIONS`:

- **RAVDESS** (labels in file names, ``MM-VC-EE-II-SS-RR-AA``: modality 01 full AV / 02 video
  only / 03 audio only, vocal channel 01 speech / 02 song, emotion, intensity 01 normal / 02
  strong, statement, repetition, actor 01-24, odd = male): 01 neutral, 02 calm -> **neutral**,
  03 happy, 04 sad, 05 angry, 06 fearful, 07 disgust -> disgusted, 08 surprised.
- **CREMA-D** (``ActorID_Sentence_EMO_Level``, e.g. ``1001_DFA_ANG_XX.flv``; level LO/MD/HI/XX):
  ANG angry, DIS disgusted, FEA fearful, HAP happy, NEU neutral, SAD sad.
- **MELD** (a ``*_sent_emo.csv`` with Utterance, Speaker, Emotion, Sentiment, Dialogue_ID,
  Utterance_ID; media ``dia{D}_utt{U}.mp4`` beside it or in the published split folders):
  neutral, joy -> happy, sadness -> sad, anger -> angry, fear -> fearful, disgust -> disgusted,
  surprise -> surprised.
- What is said, when the corpus fixes it (RAVDESS's two statements, CREMA-D's twelve
  sentences, MELD's Utterance, a JSONL row's ``text``), goes to ``meta["text"]``: quality
  control scores the speech recogniser against it.
- Other corpora's words (JSONL manifests with a ``label``) go through :data:`LABEL_ALIASES`
  (ours): calm and boredom -> neutral (low arousal, no basic-emotion counterpart), contempt ->
  disgusted (the disgust family), excited -> happy, worried -> fearful; anything unknown
  (frustration, other, xxx) keeps its source label and gets no label of ours.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from emoreason.errors import InputError
from emoreason.pipeline.batch import MEDIA_SUFFIXES, collect_jobs
from emoreason.schema.labels import EMOTIONS

PIPELINE_MEDIA_SUFFIXES = MEDIA_SUFFIXES | {".flv"}  # CREMA-D's VideoFlash

RAVDESS_EMOTIONS: dict[str, tuple[str, str]] = {
    "01": ("neutral", "neutral"),
    "02": ("calm", "neutral"),
    "03": ("happy", "happy"),
    "04": ("sad", "sad"),
    "05": ("angry", "angry"),
    "06": ("fearful", "fearful"),
    "07": ("disgust", "disgusted"),
    "08": ("surprised", "surprised"),
}
RAVDESS_MODALITIES = {"01": "audio-video", "02": "video-only", "03": "audio-only"}
#: What is said in each corpus (``meta["text"]``, the reference of QC's ASR check).
RAVDESS_STATEMENTS = {"01": "Kids are talking by the door", "02": "Dogs are sitting by the door"}
CREMAD_SENTENCES = {
    "IEO": "It's eleven o'clock",
    "TIE": "That is exactly what happened",
    "IOM": "I'm on my way to the meeting",
    "IWW": "I wonder what this is about",
    "TAI": "The airplane is almost full",
    "MTI": "Maybe tomorrow it will be cold",
    "IWL": "I would like a new alarm clock",
    "ITH": "I think I have a doctor's appointment",
    "DFA": "Don't forget a jacket",
    "ITS": "I think I've seen this before",
    "TSI": "The surface is slick",
    "WSI": "We'll stop in a couple of minutes",
}
CREMAD_EMOTIONS = {
    "ANG": "angry",
    "DIS": "disgusted",
    "FEA": "fearful",
    "HAP": "happy",
    "NEU": "neutral",
    "SAD": "sad",
}
MELD_EMOTIONS = {
    "neutral": "neutral",
    "joy": "happy",
    "sadness": "sad",
    "anger": "angry",
    "fear": "fearful",
    "disgust": "disgusted",
    "surprise": "surprised",
}
MELD_COLUMNS = ("Utterance", "Speaker", "Emotion", "Sentiment", "Dialogue_ID", "Utterance_ID")
#: Folders the MELD release keeps its clips in, relative to the CSV.
MELD_MEDIA_FOLDERS = ("", "train_splits", "dev_splits_complete", "output_repeated_splits_test")
LABEL_ALIASES: dict[str, str] = {
    **{e: e for e in EMOTIONS},
    **MELD_EMOTIONS,
    "calm": "neutral",
    "boredom": "neutral",
    "contempt": "disgusted",
    "excited": "happy",
    "happiness": "happy",
    "worried": "fearful",
    "angry": "angry",
    "disgust": "disgusted",
    "surprised": "surprised",
}

_RAVDESS = re.compile(r"^(0[1-3])-(0[12])-(0[1-8])-(0[12])-(0[12])-(0[12])-(\d\d)$")
_CREMAD = re.compile(r"^(\d{4})_([A-Z]{3})_(ANG|DIS|FEA|HAP|NEU|SAD)_(LO|MD|HI|XX|X)$")


@dataclass
class ManifestItem:
    """One clip to run through the pipeline (``error`` when the input line itself was bad)."""

    id: str
    path: str
    dataset: str = "folder"
    label: str | None = None
    source_label: str | None = None
    speaker: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ManifestItem:
        return cls(**data)


def map_label(word: str | None) -> str | None:
    """A corpus label in our vocabulary (None when it has no counterpart)."""
    if word is None:
        return None
    return LABEL_ALIASES.get(word.strip().lower())


def parse_ravdess_name(stem: str) -> dict[str, Any] | None:
    """Fields of a RAVDESS file name (``03-01-05-01-02-01-12``), or None if it is not one."""
    match = _RAVDESS.match(stem)
    if match is None or not 1 <= int(match.group(7)) <= 24:
        return None
    modality, channel, emotion, intensity, statement, repetition, actor = match.groups()
    source_label, label = RAVDESS_EMOTIONS[emotion]
    return {
        "label": label,
        "source_label": source_label,
        "speaker": f"ravdess_{actor}",
        "meta": {
            "modality": RAVDESS_MODALITIES[modality],
            "vocal_channel": "speech" if channel == "01" else "song",
            "intensity": "normal" if intensity == "01" else "strong",
            "statement": int(statement),
            "text": RAVDESS_STATEMENTS[statement],
            "repetition": int(repetition),
            "actor": int(actor),
            "sex": "male" if int(actor) % 2 else "female",
        },
    }


def parse_cremad_name(stem: str) -> dict[str, Any] | None:
    """Fields of a CREMA-D file name (``1001_DFA_ANG_XX``), or None if it is not one."""
    match = _CREMAD.match(stem)
    if match is None:
        return None
    actor, sentence, emotion, level = match.groups()
    return {
        "label": CREMAD_EMOTIONS[emotion],
        "source_label": emotion,
        "speaker": f"cremad_{actor}",
        "meta": {
            "sentence": sentence,
            "level": level,
            "actor": int(actor),
            **({"text": CREMAD_SENTENCES[sentence]} if sentence in CREMAD_SENTENCES else {}),
        },
    }


NAME_PARSERS = {"ravdess": parse_ravdess_name, "cremad": parse_cremad_name}


def _from_file(path: Path, dataset: str) -> ManifestItem:
    parsers = NAME_PARSERS if dataset in ("auto", "folder") else {dataset: NAME_PARSERS[dataset]}
    for name, parse in parsers.items():
        fields = parse(path.stem)
        if fields is not None:
            return ManifestItem(id=path.stem, path=str(path), dataset=name, **fields)
    if dataset in NAME_PARSERS:
        return ManifestItem(
            id=path.stem,
            path=str(path),
            dataset=dataset,
            error=f"{path}: file name is not a {dataset} name",
        )
    return ManifestItem(id=path.stem, path=str(path))


def folder_items(folder: Path, dataset: str = "auto") -> list[ManifestItem]:
    """Media files under ``folder`` (sorted, recursive), labelled from RAVDESS/CREMA-D names."""
    files = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in PIPELINE_MEDIA_SUFFIXES
    )
    if not files:
        raise InputError("no media files in folder", path=folder)
    return [_from_file(p, dataset) for p in files]


def meld_items(csv_path: Path) -> list[ManifestItem]:
    """MELD rows -> items; a bad row becomes an item with ``error`` naming file and line."""
    split = csv_path.stem.split("_")[0] if csv_path.stem.endswith("_sent_emo") else None
    with csv_path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        missing = [c for c in MELD_COLUMNS if c not in columns]
        if missing:
            raise InputError(
                f"not a MELD CSV: column {missing[0]!r} missing (has {columns})", path=csv_path
            )
        items = []
        for row in reader:
            line = reader.line_num
            try:
                dialogue, utterance = int(row["Dialogue_ID"]), int(row["Utterance_ID"])
            except (TypeError, ValueError):
                items.append(
                    ManifestItem(
                        id=f"{csv_path.stem}:{line}",
                        path=str(csv_path),
                        dataset="meld",
                        error=str(
                            InputError(
                                "Dialogue_ID and Utterance_ID must be integers",
                                path=csv_path,
                                line=line,
                                field="Dialogue_ID",
                            )
                        ),
                    )
                )
                continue
            name = f"dia{dialogue}_utt{utterance}.mp4"
            media = next(
                (csv_path.parent / d / name for d in MELD_MEDIA_FOLDERS if (csv_path.parent / d / name).exists()),
                csv_path.parent / name,
            )  # fmt: skip
            emotion = (row.get("Emotion") or "").strip().lower()
            items.append(
                ManifestItem(
                    id=f"{split}_{name[:-4]}" if split else name[:-4],
                    path=str(media),
                    dataset="meld",
                    label=MELD_EMOTIONS.get(emotion),
                    source_label=emotion or None,
                    speaker=(row.get("Speaker") or "").strip() or None,
                    meta={
                        "text": row.get("Utterance", ""),
                        "sentiment": (row.get("Sentiment") or "").strip().lower(),
                        "dialogue_id": dialogue,
                        "utterance_id": utterance,
                        "line": line,
                    },
                )
            )
    return items


def jsonl_items(path: Path) -> list[ManifestItem]:
    """A JSONL manifest (``emoreason analyze`` rows: ``id``, ``path``/``video``/``audio``,
    ms-swift rows) with optional ``label``, ``speaker``, ``dataset`` and ``text`` (what is said)
    per row."""
    extras: dict[str, dict[str, Any]] = {}
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict) and row.get("id") not in (None, ""):
                extras[str(row["id"])] = row
    items = []
    for job in collect_jobs([path]):
        row = extras.get(job.id, {})
        word = row.get("label") if isinstance(row.get("label"), str) else None
        items.append(
            ManifestItem(
                id=job.id,
                path=job.path,
                dataset=str(row.get("dataset", "jsonl")),
                label=map_label(word),
                source_label=word,
                speaker=str(row["speaker"]) if row.get("speaker") is not None else None,
                meta={"text": row["text"]} if isinstance(row.get("text"), str) else {},
                error=str(job.error) if job.error is not None else None,
            )
        )
    return items


def read_manifest(source: str | Path, dataset: str = "auto") -> list[ManifestItem]:
    """Items of a folder, a JSONL manifest or a MELD CSV; ids made unique (``-2``, ``-3``)."""
    path = Path(source)
    if not path.exists():
        raise InputError("input not found", path=path)
    if path.is_dir():
        if dataset in ("jsonl", "meld"):
            raise InputError(f"dataset {dataset!r} needs a file, got a folder", path=path)
        items = folder_items(path, dataset)
    elif path.suffix.lower() == ".csv" or dataset == "meld":
        if dataset not in ("auto", "meld"):
            raise InputError(f"a CSV input is read as MELD, not {dataset!r}", path=path)
        items = meld_items(path)
    elif path.suffix.lower() == ".jsonl" or dataset == "jsonl":
        items = jsonl_items(path)
    else:
        items = [_from_file(path, dataset)]
    seen: dict[str, int] = {}
    for item in items:
        count = seen.get(item.id, 0) + 1
        seen[item.id] = count
        if count > 1:
            item.id = f"{item.id}-{count}"
    return items
