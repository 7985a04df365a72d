"""Measure and fit the consistency verdict on built conflict sets, from cached perception.

Each clip of a set (``labels.jsonl`` from ``build-conflicts``) is perceived once; its Evidence
is stored as ``<set>/evidence/<id>.json`` with the clip's SHA-256 (a changed clip is perceived
again; ``refresh`` redoes all, e.g. after new perception models land). Fitting then only re-runs
the pure decision (:func:`~emoreason.reasoning.consistency_rules.decide`), thousands of times a
second.

Fit (ours): best-improvement coordinate ascent over :data:`SEARCH_SPACE`, starting from the
given config. Each round tries every grid value of every field alone and makes the one change
that raises the objective most (balanced verdict accuracy: the mean over ground-truth verdicts,
so the set's class mix does not decide; ties broken by joint verdict+emotion accuracy, then by
the smallest move relative to the field's grid span); it stops when no single change helps.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from emoreason.errors import InputError
from emoreason.evaluation.conflicts import read_labels
from emoreason.formats.atomic import write_text_atomic
from emoreason.reasoning.consistency_config import ConsistencyConfig
from emoreason.reasoning.consistency_rules import decide
from emoreason.schema.evidence import HYPOTHESIS_MODALITIES, EmotionHypothesis, Evidence

Hypotheses = dict[str, EmotionHypothesis]


def _grid(low: float, high: float, step: float) -> tuple[float, ...]:
    n = round((high - low) / step)
    return tuple(round(low + i * step, 4) for i in range(n + 1))


#: Field -> values tried by the fit.
SEARCH_SPACE: dict[str, tuple[float, ...]] = {
    "reliable_visual": _grid(0.1, 0.7, 0.05),
    "reliable_acoustic": _grid(0.1, 0.8, 0.05),
    "reliable_verbal": _grid(0.1, 0.8, 0.05),
    "neutral_conflict_min_confidence": _grid(0.1, 0.9, 0.05),
    "min_confidence": _grid(0.0, 0.3, 0.05),
    "min_label_margin": (0.01, 0.02, 0.05, 0.08, 0.1, 0.15, 0.2),  # > 0: flat is never a reading
    "w_visual": (0.4, 0.7, 1.0, 1.3, 1.6, 2.0),
    "w_acoustic": (0.4, 0.7, 1.0, 1.3, 1.6, 2.0),
    "w_verbal": (0.4, 0.7, 1.0, 1.3, 1.6, 2.0),
    "sarcasm_positive_words": _grid(0.1, 0.5, 0.05),
    "hostile_mass": _grid(0.15, 0.7, 0.05),
    "hostile_min_confidence": _grid(0.15, 0.8, 0.05),
    "resolution_margin": (0.0, 0.05, 0.1, 0.15, 0.2, 0.3),
}


@dataclass
class LabelledClip:
    """One clip of a built set with its ground truth and cached hypotheses."""

    id: str
    verdict: str
    emotion: str
    group: str | None
    hypotheses: Hypotheses


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cached(cache: Path, digest: str) -> Evidence | None:
    if not cache.is_file():
        return None
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data.get("clip_sha256") != digest:
            return None
        return Evidence.model_validate(data["evidence"])
    except (ValueError, KeyError, TypeError):
        return None  # a damaged cache entry is perceived again


def load_set(
    folder: str | Path,
    perceive: Callable[[str], Evidence] | None = None,
    *,
    refresh: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[LabelledClip]:
    """The clips of a built set with hypotheses, perceiving (and caching) those not cached.

    ``perceive`` turns a media path into Evidence (default: a fresh
    :class:`~emoreason.perception.Perceiver`, created only when a clip needs it).
    """
    root = Path(folder)
    labels = root / "labels.jsonl"
    if not labels.is_file():
        raise InputError("not a built conflict set (labels.jsonl missing)", path=labels)
    rows = read_labels(labels)
    clips = []
    for i, row in enumerate(rows, 1):
        for key in ("id", "media", "verdict", "emotion"):
            if not row.get(key):
                raise InputError(f"row {i}: {key}: missing", path=labels, line=i)
        media = root / row["media"]
        if not media.is_file():
            raise InputError(f"row {i}: media: {media} not found", path=labels, line=i)
        digest = _sha256(media)
        cache = root / "evidence" / f"{row['id']}.json"
        evidence = None if refresh else _cached(cache, digest)
        if evidence is None:
            if perceive is None:
                perceive = _default_perceiver()
            evidence = perceive(str(media))
            payload = {"clip_sha256": digest, "evidence": evidence.model_dump(mode="json")}
            write_text_atomic(cache, json.dumps(payload) + "\n")
        hyps = {m: evidence.hypothesis(m) for m in HYPOTHESIS_MODALITIES}
        clips.append(
            LabelledClip(row["id"], row["verdict"], row["emotion"], row.get("audio_group"), hyps)
        )
        if on_progress is not None:
            on_progress(i, len(rows))
    return clips


def _default_perceiver() -> Callable[[str], Evidence]:
    from emoreason.perception import Perceiver

    return Perceiver().perceive


@dataclass
class VerdictScores:
    """Accuracy of the verdict, the final emotion, and both, on a list of clips."""

    n: int
    verdict_accuracy: float
    balanced_verdict_accuracy: float
    emotion_accuracy: float
    joint_accuracy: float
    per_verdict: dict[str, float] = field(default_factory=dict)
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)

    def key(self) -> tuple[float, float]:
        return (round(self.balanced_verdict_accuracy, 9), round(self.joint_accuracy, 9))


def predict(clips: Sequence[LabelledClip], config: ConsistencyConfig) -> list[dict[str, Any]]:
    """One prediction row per clip (``id``, ``verdict``, ``emotion``, ``consistent``)."""
    rows = []
    for clip in clips:
        d = decide(clip.hypotheses, config)
        rows.append(
            {
                "id": clip.id,
                "verdict": d.verdict.value,
                "emotion": d.final,
                "consistent": d.verdict.value == "consistent",
                "pattern": d.pattern,
            }
        )
    return rows


def score(clips: Sequence[LabelledClip], config: ConsistencyConfig) -> VerdictScores:
    """Verdict, emotion and joint accuracy of ``config`` on ``clips``."""
    if not clips:
        raise InputError("no clips to score")
    preds = predict(clips, config)
    confusion: dict[str, Counter] = {}
    hits: dict[str, list[bool]] = {}
    verdict_ok = emotion_ok = joint_ok = 0
    for clip, p in zip(clips, preds, strict=True):
        v_ok, e_ok = p["verdict"] == clip.verdict, p["emotion"] == clip.emotion
        verdict_ok += v_ok
        emotion_ok += e_ok
        joint_ok += v_ok and e_ok
        hits.setdefault(clip.verdict, []).append(v_ok)
        confusion.setdefault(clip.verdict, Counter())[p["verdict"]] += 1
    per = {v: sum(h) / len(h) for v, h in sorted(hits.items())}
    n = len(clips)
    return VerdictScores(
        n=n,
        verdict_accuracy=verdict_ok / n,
        balanced_verdict_accuracy=sum(per.values()) / len(per),
        emotion_accuracy=emotion_ok / n,
        joint_accuracy=joint_ok / n,
        per_verdict=per,
        confusion={k: dict(v) for k, v in sorted(confusion.items())},
    )


@dataclass
class FitResult:
    config: ConsistencyConfig
    before: VerdictScores
    after: VerdictScores
    changed: dict[str, tuple[float, float]]  # field -> (start value, fitted value)
    rounds: int


def fit(
    clips: Sequence[LabelledClip],
    start: ConsistencyConfig | None = None,
    space: Mapping[str, Sequence[float]] = SEARCH_SPACE,
    max_rounds: int = 30,
) -> FitResult:
    """Best-improvement coordinate ascent of the config on ``clips`` (rule in the module doc)."""
    config = start or ConsistencyConfig()
    before = best = score(clips, config)
    rounds = 0
    while rounds < max_rounds:
        rounds += 1
        move = _best_move(clips, config, best, space)
        if move is None:
            break
        config, best = move
    origin = start or ConsistencyConfig()
    changed = {
        name: (getattr(origin, name), getattr(config, name))
        for name in space
        if getattr(origin, name) != getattr(config, name)
    }
    return FitResult(config, before, best, changed, rounds)


def _best_move(
    clips: Sequence[LabelledClip],
    config: ConsistencyConfig,
    current: VerdictScores,
    space: Mapping[str, Sequence[float]],
) -> tuple[ConsistencyConfig, VerdictScores] | None:
    """The one-field change that improves the objective most (ties: the smallest relative
    move, then the first field); None when no change improves it."""
    best: tuple[tuple[float, float], float, ConsistencyConfig, VerdictScores] | None = None
    for name, values in space.items():
        now = getattr(config, name)
        span = (max(values) - min(values)) or 1.0
        for value in values:
            if value == now:
                continue
            candidate = replace(config, **{name: value})
            scores = score(clips, candidate)
            if scores.key() <= current.key():
                continue
            step = abs(value - now) / span
            if best is None or (scores.key(), -step) > (best[0], -best[1]):
                best = (scores.key(), step, candidate, scores)
    return None if best is None else (best[2], best[3])


def cross_validate(
    clips: Sequence[LabelledClip], start: ConsistencyConfig | None = None
) -> tuple[VerdictScores, dict[str, VerdictScores]] | None:
    """Leave-one-group-out (speaker) fit: pooled held-out scores and per-group scores.

    Clips without a group are always in the fitting part. None with fewer than two groups.
    """
    groups = sorted({c.group for c in clips if c.group is not None})
    if len(groups) < 2:
        return None
    held_out: list[tuple[LabelledClip, ConsistencyConfig]] = []
    per_group = {}
    for g in groups:
        train = [c for c in clips if c.group != g]
        test = [c for c in clips if c.group == g]
        cfg = fit(train, start).config
        per_group[g] = score(test, cfg)
        held_out.extend((c, cfg) for c in test)
    pooled = _score_pairs(held_out)
    return pooled, per_group


def _score_pairs(pairs: Sequence[tuple[LabelledClip, ConsistencyConfig]]) -> VerdictScores:
    """Scores where each clip has its own config (pooled cross-validation)."""
    merged = [(c, decide(c.hypotheses, cfg)) for c, cfg in pairs]
    per: dict[str, list[bool]] = {}
    for c, d in merged:
        per.setdefault(c.verdict, []).append(d.verdict.value == c.verdict)
    n = len(merged)
    v_ok = [d.verdict.value == c.verdict for c, d in merged]
    e_ok = [d.final == c.emotion for c, d in merged]
    return VerdictScores(
        n=n,
        verdict_accuracy=sum(v_ok) / n,
        balanced_verdict_accuracy=sum(sum(h) / len(h) for h in per.values()) / len(per),
        emotion_accuracy=sum(e_ok) / n,
        joint_accuracy=sum(a and b for a, b in zip(v_ok, e_ok, strict=True)) / n,
        per_verdict={k: sum(h) / len(h) for k, h in sorted(per.items())},
    )


def write_config(config: ConsistencyConfig, path: str | Path, header: str = "") -> None:
    """Write ``config`` as YAML that :meth:`ConsistencyConfig.from_yaml` reads back."""
    import yaml

    lines = [f"# {line}" for line in header.splitlines()] if header else []
    body = yaml.safe_dump(config.to_dict(), sort_keys=False)
    write_text_atomic(path, "\n".join([*lines, body]) if lines else body)
