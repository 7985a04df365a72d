"""EmoDB (Berlin Database of Emotional Speech, Burkhardt et al., Interspeech 2005) from any copy.

Layout: a folder of ``*.wav`` anywhere below ``root`` (``wav/`` in the project's copy), named by
EmoDB's convention ``SSTTTEV.wav``: speaker ``SS`` (03, 08-16), text ``TTT`` (a01-a07, b01-b10),
emotion letter ``E`` and version ``V``: ``03a01Fa.wav`` = speaker 03, text a01, happiness.
When ``manifest.json`` (a list of ``{"file", "emotion", "speaker", ...}``) is present it is used
instead of the names, and its files must exist.

Emotion letters (German initials): W Wut (anger), L Langeweile (boredom), E Ekel (disgust),
A Angst (fear), F Freude (happiness), T Trauer (sadness), N neutral. Boredom stays its own
class here; how a model maps it into the project's labels is the model's business.

Split (fixed for the whole project, speaker-independent): ``test`` = speakers 03, 08, 09, 10
(never tuned on); ``dev`` = speakers 11-16. ``split="all"`` keeps every file. Each sample's
``subset`` is its split and ``extra`` holds ``speaker``, ``sentence`` and ``version``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from emoreason.errors import InputError
from emoreason.evaluation.loaders.base import LoadReport, Sample, read_json, resolve_label

#: EmoDB emotion letter -> label (bored kept apart).
EMODB_LETTERS: dict[str, str] = {
    "W": "angry",
    "L": "bored",
    "E": "disgusted",
    "A": "fearful",
    "F": "happy",
    "T": "sad",
    "N": "neutral",
}
#: The seven EmoDB classes in a fixed order.
EMODB_LABELS: tuple[str, ...] = (
    "neutral",
    "happy",
    "sad",
    "angry",
    "fearful",
    "disgusted",
    "bored",
)
TEST_SPEAKERS: tuple[str, ...] = ("03", "08", "09", "10")
DEV_SPEAKERS: tuple[str, ...] = ("11", "12", "13", "14", "15", "16")
SPLITS: tuple[str, ...] = ("test", "dev", "all")

_NAME = re.compile(r"^(?P<speaker>\d\d)(?P<sentence>[ab]\d\d)(?P<letter>[A-Z])(?P<version>[a-z])$")


@dataclass(frozen=True)
class EmodbName:
    speaker: str
    sentence: str
    emotion: str
    version: str


def parse_emodb_name(stem: str) -> EmodbName:
    """``'03a01Fa'`` -> speaker 03, sentence a01, happy, version a; ValueError when not EmoDB."""
    match = _NAME.match(stem)
    if match is None:
        raise ValueError(f"{stem!r} is not an EmoDB name (expected e.g. '03a01Fa')")
    letter = match["letter"]
    if letter not in EMODB_LETTERS:
        raise ValueError(
            f"{stem!r}: unknown emotion letter {letter!r}; known: {''.join(EMODB_LETTERS)}"
        )
    return EmodbName(match["speaker"], match["sentence"], EMODB_LETTERS[letter], match["version"])


def split_of(speaker: str) -> str:
    """``'test'`` for the project's test speakers, else ``'dev'``."""
    return "test" if speaker in TEST_SPEAKERS else "dev"


def _from_manifest(root: Path, report: LoadReport) -> list[tuple[str, Path, str, str, str, str]]:
    path = root / "manifest.json"
    entries = read_json(path)
    if not isinstance(entries, list):
        raise InputError("manifest must be a JSON list of entries", path=path)
    rows = []
    for i, entry in enumerate(entries):
        where = f"manifest.json[{i}]"
        if not isinstance(entry, dict) or not entry.get("file"):
            report.problem("bad_row", f"{where}: file: missing")
            continue
        media = root / str(entry["file"])
        try:
            parsed: EmodbName | None = parse_emodb_name(media.stem)
        except ValueError:
            parsed = None
        speaker_raw = entry.get("speaker") or (parsed.speaker if parsed else None)
        emotion = entry.get("emotion") or (parsed.emotion if parsed else None)
        sentence = str(entry.get("sentence") or (parsed.sentence if parsed else ""))
        version = str(entry.get("version") or (parsed.version if parsed else ""))
        if speaker_raw is None:
            report.problem("bad_row", f"{where}: speaker: missing (and the name is not EmoDB's)")
            continue
        rows.append((where, media, str(speaker_raw).zfill(2), emotion, sentence, version))
    return rows


def _from_names(root: Path, report: LoadReport) -> list[tuple[str, Path, str, str, str, str]]:
    rows = []
    for media in sorted(root.rglob("*.wav")):
        try:
            parsed = parse_emodb_name(media.stem)
        except ValueError as exc:
            report.problem("bad_row", f"{media.relative_to(root)}: name: {exc}")
            continue
        rows.append(
            (str(media.relative_to(root)), media, parsed.speaker, parsed.emotion,
             parsed.sentence, parsed.version)
        )  # fmt: skip
    return rows


def load_emodb(
    root: Path,
    labels: Sequence[str] | None,
    label_map: Mapping[str, str] | None,
    split: str = "all",
) -> LoadReport:
    """Samples of an EmoDB copy (module docstring); ``split`` in ``test``, ``dev``, ``all``."""
    if split not in SPLITS:
        raise InputError(f"split must be one of {list(SPLITS)}, got {split!r}", field="split")
    report = LoadReport()
    manifest = (root / "manifest.json").is_file()
    rows = _from_manifest(root, report) if manifest else _from_names(root, report)
    if not rows and not report.counts:
        raise InputError("no EmoDB wav files found (expected names like 03a01Fa.wav)", path=root)
    seen: set[str] = set()
    for where, media, speaker, emotion, sentence, version in rows:
        report.counts["rows"] += 1
        subset = split_of(speaker)
        if split != "all" and subset != split:
            report.counts["other_split"] += 1
            continue
        label, reason = resolve_label(emotion, labels, label_map)
        if reason is not None:
            report.problem(reason, f"{where}: emotion: {emotion!r} not in {list(labels or [])}")
            continue
        if media.stem in seen:
            report.problem(
                "duplicate_id", f"{where}: id {media.stem!r} seen before; kept the first"
            )
            continue
        seen.add(media.stem)
        if not media.is_file():
            report.counts["missing_media"] += 1
        report.add(
            Sample(
                id=media.stem,
                media=str(media) if media.is_file() else None,
                label=label,
                subset=subset,
                extra={"speaker": speaker, "sentence": sentence, "version": version},
            )
        )
    return report
