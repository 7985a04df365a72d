"""A CA-MER-style conflict set built from anyone's labelled clips (``emoreason build-conflicts``).

The audio of one labelled source goes under the video of another
(:func:`~emoreason.evaluation.conflict_media.recombine`); a source's own audio and video with
the same label are kept as *consistent* controls. The output folder holds ``clips/<id>.mp4``,
``labels.jsonl`` (one row per clip: ``id``, ``media``, ``verdict``, ``emotion`` (the true
emotion), the source ids and labels, the rule applied, the segment) and ``build.json`` (the
parameters and counts).

Ground-truth rule (**ours**; CA-MER's own labels come from annotators, ours from the sources):

- same emotion in picture and sound: ``consistent`` (true = that emotion);
- an emotional video with a neutral (calm) sound: ``video-aligned`` (true = the visual emotion);
- a neutral video with an emotional sound: ``audio-aligned`` (true = the audio emotion);
- two different emotions (rule ``patterns``, the default): a smiling (happy) face over hostile
  (angry or disgusted) sound is sarcasm: ``audio-aligned`` (true = the audio emotion); a
  negative face (sad, fearful, angry, disgusted) over happy sound is masking: ``video-aligned``
  (true = the visual emotion). Every other pair of emotions has no defensible ground truth and
  is left out (counted as ``excluded``). With rule ``strict`` every two-emotion pair is left out.

Manifest (JSONL, ours): one source per line, ``id``, ``path`` (relative to the manifest),
``emotion`` (or ``video_emotion`` / ``audio_emotion`` where picture and sound differ; a
``null`` stream label leaves that stream unused), optional ``group`` (speaker, set), ``start``
and ``end`` (the part of the source to use, seconds). A ``.wav``/``.flac``/``.mp3`` source is
audio-only. EmoDB folders can be added directly (:func:`emodb_sources`).
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from emoreason.errors import InputError
from emoreason.evaluation.conflict_media import recombine
from emoreason.formats.atomic import write_text_atomic
from emoreason.schema.labels import EMOTIONS, VALENCE

AUDIO_ONLY_SUFFIXES: tuple[str, ...] = (".wav", ".flac", ".mp3", ".ogg", ".m4a")
RULES: tuple[str, ...] = ("patterns", "strict")
HOSTILE: tuple[str, ...] = ("angry", "disgusted")
#: EmoDB emotion letters (file names like ``03a01Fa.wav``); boredom is not in our label set.
EMODB_LETTERS: dict[str, str | None] = {
    "W": "angry", "L": None, "E": "disgusted", "A": "fearful", "F": "happy", "T": "sad",
    "N": "neutral",
}  # fmt: skip


@dataclass(frozen=True)
class Source:
    """One labelled clip or recording; a stream whose label is None is not used."""

    id: str
    path: str
    video_emotion: str | None
    audio_emotion: str | None
    group: str | None = None
    start: float = 0.0
    end: float | None = None


@dataclass(frozen=True)
class GroundTruth:
    verdict: str
    emotion: str
    rule: str


@dataclass(frozen=True)
class PlannedClip:
    """One clip of the set before it is written."""

    id: str
    video: Source
    audio: Source
    truth: GroundTruth
    video_start: float
    duration: float | None

    @property
    def audio_start(self) -> float:
        """A source's own sound stays in sync with its picture; other sound starts at its start."""
        return self.video_start if self.audio is self.video else self.audio.start

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "media": f"clips/{self.id}.mp4",
            "verdict": self.truth.verdict,
            "emotion": self.truth.emotion,
            "rule": self.truth.rule,
            "video_source": self.video.id,
            "video_emotion": self.video.video_emotion,
            "audio_source": self.audio.id,
            "audio_emotion": self.audio.audio_emotion,
            "audio_group": self.audio.group,
            "video_start": round(self.video_start, 3),
            "audio_start": round(self.audio_start, 3),
            "requested_duration": self.duration,
        }


@dataclass
class BuildReport:
    """What :func:`build_conflicts` did."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)


def ground_truth(
    video_emotion: str, audio_emotion: str, rule: str = "patterns"
) -> GroundTruth | None:
    """The ground truth of a picture/sound pair under the module's rule; None when excluded."""
    if rule not in RULES:
        raise InputError(f"unknown ground-truth rule {rule!r}; valid: {', '.join(RULES)}")
    v, a = video_emotion, audio_emotion
    if v == a:
        return GroundTruth("consistent", v, "same emotion")
    if a == "neutral":
        return GroundTruth("video-aligned", v, "emotional video, neutral sound")
    if v == "neutral":
        return GroundTruth("audio-aligned", a, "neutral video, emotional sound")
    if rule == "patterns" and v == "happy" and a in HOSTILE:
        return GroundTruth("audio-aligned", a, "sarcasm: smile over hostile sound")
    if rule == "patterns" and VALENCE[v] < 0 and a == "happy":
        return GroundTruth("video-aligned", v, "masking: negative face over happy sound")
    return None


def _label(value: Any, where: str, key: str) -> str | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    if text not in EMOTIONS:
        raise InputError(f"{where}: {key}: {value!r} is not one of {list(EMOTIONS)}")
    return text


def _number(value: Any, where: str, key: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InputError(f"{where}: {key}: expected a number of seconds >= 0, got {value!r}")
    return float(value)


def source_from_row(row: Any, where: str, base: Path) -> Source:
    """One manifest row as a Source; errors name ``where`` and the field."""
    if not isinstance(row, dict):
        raise InputError(f"{where}: expected an object")
    ident, raw_path = row.get("id"), row.get("path")
    if not isinstance(ident, str) or not ident.strip() or "/" in ident:
        raise InputError(f"{where}: id: expected a non-empty name without '/', got {ident!r}")
    if not isinstance(raw_path, str) or not raw_path.strip():
        raise InputError(f"{where}: path: missing")
    path = Path(raw_path) if Path(raw_path).is_absolute() else base / raw_path
    if not path.is_file():
        raise InputError(f"{where}: path: {path} not found")
    both = _label(row.get("emotion"), where, "emotion")
    video = _label(row.get("video_emotion", both), where, "video_emotion")
    audio = _label(row.get("audio_emotion", both), where, "audio_emotion")
    if path.suffix.lower() in AUDIO_ONLY_SUFFIXES:
        video = None
    if video is None and audio is None:
        raise InputError(f"{where}: emotion: no label for the video or the audio")
    start = _number(row.get("start"), where, "start") or 0.0
    end = _number(row.get("end"), where, "end")
    if end is not None and end <= start:
        raise InputError(f"{where}: end: {end} is not after start {start}")
    group = row.get("group")
    return Source(ident, str(path), video, audio, None if group is None else str(group), start, end)


def read_manifest(path: str | Path) -> list[Source]:
    """Sources from a JSONL manifest (format in the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("manifest not found", path=path)
    sources: list[Source] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg})") from None
        source = source_from_row(row, where, path.parent)
        if source.id in seen:
            raise InputError(f"{where}: id: {source.id!r} appears twice")
        seen.add(source.id)
        sources.append(source)
    return sources


def emodb_sources(folder: str | Path, speakers: Iterable[str] | None = None) -> list[Source]:
    """EmoDB wavs (``<speaker><text><emotion letter><version>.wav``) as audio-only sources.

    ``folder`` is the EmoDB root (with ``wav/``) or the wav folder itself; ``speakers`` keeps
    only those two-digit speaker ids. Boredom recordings are skipped (not in our label set).
    """
    root = Path(folder)
    wav = root / "wav" if (root / "wav").is_dir() else root
    files = sorted(wav.glob("*.wav"))
    if not files:
        raise InputError("no EmoDB wav files found", path=wav)
    keep = {s.zfill(2) for s in speakers} if speakers else None
    out = []
    for f in files:
        stem = f.stem
        if len(stem) < 6 or stem[5] not in EMODB_LETTERS:
            continue
        speaker, emotion = stem[:2], EMODB_LETTERS[stem[5]]
        if emotion is None or (keep is not None and speaker not in keep):
            continue
        out.append(Source(f"emodb_{stem}", str(f), None, emotion, group=speaker))
    return out


def _media_duration(path: str) -> float:
    import av

    try:
        with av.open(path) as container:
            if not container.streams.video:
                return 0.0
            stream = container.streams.video[0]
            if stream.duration and stream.time_base:
                return float(stream.duration * stream.time_base)
            return float(container.duration or 0) / 1_000_000
    except (av.FFmpegError, OSError) as exc:
        raise InputError(f"cannot read video ({exc})", path=path) from None


def plan_conflicts(
    sources: Sequence[Source],
    *,
    duration: float | None = None,
    per_cell: int | None = None,
    rule: str = "patterns",
    seed: int = 0,
) -> tuple[list[PlannedClip], Counter]:
    """Every (video source, audio source) pair with a ground truth, sampled per cell.

    A cell is (verdict, video emotion, audio emotion); ``per_cell`` keeps at most that many
    recombined pairs per cell (seeded); a source's own picture+sound pair is always kept.
    ``duration`` cuts each clip to that many seconds of the video source (a seeded start
    within its ``start``..``end``); None keeps the whole video part.
    """
    videos = [s for s in sources if s.video_emotion is not None]
    audios = [s for s in sources if s.audio_emotion is not None]
    counts: Counter = Counter()
    cells: dict[tuple[str, str, str], list[tuple[Source, Source, GroundTruth]]] = {}
    own: list[tuple[Source, Source, GroundTruth]] = []
    for v in videos:
        for a in audios:
            truth = ground_truth(v.video_emotion or "", a.audio_emotion or "", rule)
            if truth is None:
                counts["excluded"] += 1
                continue
            if a is v:
                own.append((v, a, truth))
            else:
                key = (truth.verdict, v.video_emotion or "", a.audio_emotion or "")
                cells.setdefault(key, []).append((v, a, truth))
    rng = random.Random(seed)
    chosen = list(own)
    for key in sorted(cells):
        pairs = cells[key]
        if per_cell is not None and len(pairs) > per_cell:
            counts["not_sampled"] += len(pairs) - per_cell
            pairs = rng.sample(pairs, per_cell)
        chosen.extend(pairs)
    lengths: dict[str, float] = {}
    plans = []
    for v, a, truth in chosen:
        ident = f"{v.id}__own" if a is v else f"{v.id}__{a.id}"
        if v.path not in lengths:
            lengths[v.path] = _media_duration(v.path)
        end = min(v.end or lengths[v.path], lengths[v.path])
        start = v.start
        if duration is not None and end - start > duration:
            start += random.Random(f"{seed}:{ident}").uniform(0.0, end - start - duration)
        plans.append(PlannedClip(ident, v, a, truth, start, duration or (end - start)))
        counts[truth.verdict] += 1
    return plans, counts


def read_labels(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a built set's ``labels.jsonl``."""
    path = Path(path)
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(f"not valid JSON ({exc.msg})", path=path, line=number) from None
    return rows


def _write_labels(out: Path, rows: list[dict[str, Any]]) -> None:
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
    write_text_atomic(out / "labels.jsonl", text)


def build_conflicts(
    sources: Sequence[Source],
    out: str | Path,
    *,
    duration: float | None = None,
    per_cell: int | None = None,
    rule: str = "patterns",
    seed: int = 0,
    on_progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Write the set to ``out`` (layout in the module docstring). Resumable: a clip whose file
    and labels row exist from an earlier run with the same plan is kept, not re-encoded; every
    file appears only when complete."""
    out = Path(out)
    plans, counts = plan_conflicts(
        sources, duration=duration, per_cell=per_cell, rule=rule, seed=seed
    )
    previous: dict[str, dict[str, Any]] = {}
    if (out / "labels.jsonl").is_file():
        previous = {r.get("id"): r for r in read_labels(out / "labels.jsonl")}
    report = BuildReport(counts=counts)
    for i, plan in enumerate(plans, 1):
        row = plan.row()
        old = previous.get(plan.id)
        clip = out / row["media"]
        if old is not None and clip.is_file() and all(old.get(k) == v for k, v in row.items()):
            report.rows.append(old)
            counts["kept"] += 1
        else:
            made = recombine(
                plan.video.path,
                plan.audio.path,
                clip,
                video_start=plan.video_start,
                duration=plan.duration,
                audio_start=plan.audio_start,
            )
            row.update(
                duration=round(made.duration, 3),
                audio_padded=made.audio_padded,
                audio_trimmed=made.audio_trimmed,
            )
            report.rows.append(row)
            counts["written"] += 1
        if i % 10 == 0:
            _write_labels(out, report.rows)
        if on_progress is not None:
            on_progress(i, len(plans))
    _write_labels(out, report.rows)
    meta = {
        "rule": rule,
        "seed": seed,
        "duration": duration,
        "per_cell": per_cell,
        "counts": dict(sorted(counts.items())),
        "sources": [asdict(s) for s in sources],
    }
    write_text_atomic(out / "build.json", json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    return report
