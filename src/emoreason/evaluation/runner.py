"""Run one task: load the benchmark, get predictions (file or backend), score, build the report.

Predictions file (JSONL, a JSON list, or CSV): one row per sample with an id (``id``, ``name``,
``names``, ``video``, ``video_id``, ``clip_id``: compared without folders and media extension)
and any of: ``prediction``/``answer``/``response``/``output``/``predicted_value``/``text``
(free text), ``emotion``/``label``/``discrete`` (a label), ``emotions`` (open-vocabulary
list), ``cues`` (EmoCue-360 dict), or a whole :class:`~emoreason.schema.result.AnalysisResult`
(``emotion`` + ``saber``). Rows without an id and ids that are not in the benchmark are counted
(``prediction_missing_id``, ``prediction_unknown_id``); a repeated id keeps the first row.

Backends call :func:`emoreason.analyze` on each sample's media (imported lazily); a clip that
fails is counted under ``prediction_error`` and the run goes on.
"""

from __future__ import annotations

import datetime as _dt
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from emoreason import __version__
from emoreason.errors import InputError
from emoreason.evaluation.bootstrap import DEFAULT_RESAMPLES, DEFAULT_SEED
from emoreason.evaluation.hooks import SCORERS, Prediction, ScoringContext
from emoreason.evaluation.loaders import LOADERS, LoadReport, Sample
from emoreason.evaluation.loaders.base import MAX_PROBLEMS, first_key, iter_csv, path_key
from emoreason.evaluation.registry import TaskSpec
from emoreason.formats.jsonl import json_error_reason, parse_json_text
from emoreason.provenance import make_provenance
from emoreason.reasoning.backends import BACKENDS as REASONING_BACKENDS

#: The reasoning backends, plus two evaluation-only ones:
#: ``voice``: the voice model alone on each sample's audio (:mod:`emoreason.evaluation.voice`).
#: ``verbal``: classify_text on each sample's text (:mod:`emoreason.evaluation.verbal_eval`).
BACKENDS: tuple[str, ...] = (*REASONING_BACKENDS, "voice", "verbal")
PRED_ID_KEYS = ("id", "name", "names", "video", "video_id", "clip_id", "source")
PRED_TEXT_KEYS = (
    "prediction",
    "answer",
    "response",
    "output",
    "predicted_value",
    "text",
    "reasons",
)
PRED_LABEL_KEYS = ("emotion", "label", "discrete")
#: kept in Prediction.extra: EmoBench-M MC-EIU result rows (MC-EIU.py's JSONL output), MER2023
#: valence
PRED_EXTRA_KEYS = ("predicted_emotion", "predicted_intent", "verdict", "valence")


def prediction_from_row(row: dict[str, Any]) -> Prediction | None:
    """One predictions-file row as a Prediction (None when it has no id)."""
    ident = path_key(first_key(row, PRED_ID_KEYS))
    if ident is None:
        return None
    text = first_key(row, PRED_TEXT_KEYS)
    saber = row.get("saber")
    if text is None and isinstance(saber, dict):
        text = saber_text(saber)
    emotions = row.get("emotions")
    if isinstance(emotions, str):
        emotions = [emotions]
    cues = row.get("cues") if isinstance(row.get("cues"), dict) else None
    label = first_key(row, PRED_LABEL_KEYS)
    return Prediction(
        id=ident,
        text=str(text) if text is not None else None,
        label=str(label) if label is not None else None,
        emotions=[str(e) for e in emotions] if isinstance(emotions, list) and emotions else None,
        cues=cues,
        extra={k: str(row[k]) for k in PRED_EXTRA_KEYS if row.get(k) is not None}
        | _nested_verdict(row),
    )


def _nested_verdict(row: dict[str, Any]) -> dict[str, str]:
    """An AnalysisResult row's ``consistency.verdict`` (scored by the ``camer_verdict`` task)."""
    consistency = row.get("consistency")
    if "verdict" in row or not isinstance(consistency, dict) or not consistency.get("verdict"):
        return {}
    return {"verdict": str(consistency["verdict"])}


def saber_text(saber: dict[str, Any]) -> str:
    """A SABER record as one description (SED order: scene, audio, face, body, reasoning)."""
    audio = saber.get("audio_desc") if isinstance(saber.get("audio_desc"), dict) else {}
    parts = [
        saber.get("video_desc"),
        audio.get("acoustic_feat"),
        saber.get("facial_exp_desc"),
        saber.get("body_lang_desc"),
        saber.get("sentiment_analysis"),
    ]
    return " ".join(str(p).strip() for p in parts if p and str(p).strip())


def _rows(path: Path) -> Iterable[tuple[str, Any]]:
    if path.suffix.lower() == ".csv":
        for line, row in iter_csv(path):
            yield f"{path.name}:{line}", row
        return
    text = path.read_text(encoding="utf-8")
    stripped = text.lstrip()
    if path.suffix.lower() == ".json" or stripped.startswith("["):
        data = parse_json_text(text, path=path, line=None)
        items = data if isinstance(data, list) else [data]
        for i, item in enumerate(items):
            yield f"{path.name}[{i}]", item
        return
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                yield f"{path.name}:{number}", json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                yield (
                    f"{path.name}:{number}",
                    InputError(f"not valid JSON ({json_error_reason(exc)})"),
                )


def load_predictions(
    path: str | Path, counts: Counter, problems: list[str]
) -> dict[str, Prediction]:
    """id -> Prediction from a predictions file; bad rows counted (``prediction_bad_row``)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("predictions file not found", path=path)
    out: dict[str, Prediction] = {}
    for where, row in _rows(path):
        reason = None
        if not isinstance(row, dict):
            reason = "prediction_bad_row"
        else:
            prediction = prediction_from_row(row)
            if prediction is None:
                reason = "prediction_missing_id"
            elif prediction.id in out:
                reason = "prediction_duplicate_id"
            else:
                out[prediction.id] = prediction
        if reason is not None:
            counts[reason] += 1
            if len(problems) < MAX_PROBLEMS:
                problems.append(f"{reason}: {where}")
    return out


def predict_with_backend(
    samples: list[Sample],
    backend: str,
    lang: str,
    counts: Counter,
    problems: list[str],
    on_progress: Callable[[int, int], None] | None = None,
    **analyze_options: Any,
) -> dict[str, Prediction]:
    """Run :func:`emoreason.analyze` on every sample's media; failures counted, not raised."""
    if backend not in BACKENDS:
        raise InputError(
            f"unknown backend {backend!r}; valid: {', '.join(BACKENDS)}", field="backend"
        )
    import emoreason  # lazy: the pipeline pulls in the perception stack

    out: dict[str, Prediction] = {}
    for i, sample in enumerate(samples, 1):
        if sample.media is None:
            counts["prediction_error"] += 1
            if len(problems) < MAX_PROBLEMS:
                problems.append(f"prediction_error: {sample.id}: no media file to analyse")
        else:
            try:
                result = emoreason.analyze(
                    sample.media, backend=backend, lang=lang, clip_id=sample.id, **analyze_options
                )
                record = result.saber.model_dump() if hasattr(result.saber, "model_dump") else {}
                out[sample.id] = Prediction(
                    id=sample.id,
                    text=saber_text(record) if record else result.explanation,
                    label=result.emotion,
                    emotions=[result.emotion, *result.emotions],
                    extra={"verdict": str(result.consistency.verdict.value)},
                )
            except Exception as exc:  # one bad clip must not stop the run
                counts["prediction_error"] += 1
                if len(problems) < MAX_PROBLEMS:
                    problems.append(f"prediction_error: {sample.id}: {type(exc).__name__}: {exc}")
        if on_progress is not None:
            on_progress(i, len(samples))
    return out


def match_predictions(
    samples: list[Sample], by_key: dict[str, Prediction]
) -> tuple[dict[str, Prediction], list[str]]:
    """sample id -> prediction, and the prediction keys that matched no sample.

    A prediction matches a sample by its full key (folders kept, e.g. ``MELD/a``) or, when
    that is absent, by the bare file stem (``a``) if exactly one prediction has that stem.
    """
    by_stem: dict[str, list[str]] = {}
    for key in by_key:
        by_stem.setdefault(key.rsplit("/", 1)[-1], []).append(key)
    matched: dict[str, Prediction] = {}
    used: set[str] = set()
    for sample in samples:
        key = sample.id if sample.id in by_key else None
        if key is None:
            keys = by_stem.get(sample.id.rsplit("/", 1)[-1], [])
            key = keys[0] if len(keys) == 1 else None
        if key is not None:
            matched[sample.id] = by_key[key]
            used.add(key)
    return matched, [k for k in by_key if k not in used]


def load_task_data(task: TaskSpec, data_dir: str | Path) -> LoadReport:
    root = Path(data_dir)
    if not root.is_dir():
        raise InputError("data folder not found", path=root)
    loader = LOADERS[task.loader]
    return loader(root, task.labels, task.label_map or None, **task.loader_options)


def evaluate(
    task: TaskSpec,
    data_dir: str | Path,
    *,
    predictions: str | Path | None = None,
    backend: str | None = None,
    lang: str = "en",
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    limit: int | None = None,
    embedder: Any = None,
    embedding_store: str | Path | None = None,
    cue_extractor: Any = None,
    judge: Any = None,
    on_progress: Callable[[int, int], None] | None = None,
    analyze_options: dict[str, Any] | None = None,
    metric_variant: str = "official",
    emotion_wheel_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Evaluate one task and return the JSON-ready report (see :mod:`emoreason.evaluation.report`).

    ``analyze_options`` go to :func:`emoreason.analyze` with a backend (``model``,
    ``base_url``, ``fps``, ...). ``embedder`` is a callable or a spec (``"minilm"``,
    ``"static"``, a folder); ``embedding_store`` keeps a spec embedder's vectors on disk.
    ``metric_variant``: ``"official"`` (default: the benchmark authors' scoring script's rules)
    or ``"robust"`` (our opt-in variants); the report states which one scored.
    ``emotion_wheel_dir``: AffectGPT's ``emotion_wheel`` folder, for the official EMER score.
    """
    if predictions is None and backend is None:
        backend = task.backend  # the task's default predictor, if it names one
    if (predictions is None) == (backend is None):
        raise InputError(
            "give exactly one of predictions (a file) or backend (rules|transformers|openai|voice)"
        )
    start = time.perf_counter()
    loaded = load_task_data(task, data_dir)
    samples = loaded.samples[:limit] if limit else loaded.samples
    counts: Counter = Counter(loaded.counts)
    problems = list(loaded.problems)
    if predictions is not None:
        by_id, unknown = match_predictions(
            loaded.samples, load_predictions(predictions, counts, problems)
        )
        counts["prediction_unknown_id"] += len(unknown)
        for ident in unknown[: max(0, MAX_PROBLEMS - len(problems))]:
            problems.append(f"prediction_unknown_id: {ident!r} is not in the benchmark")
        source = {"predictions": str(predictions)}
    else:
        assert backend is not None
        options = dict(analyze_options or {})
        if backend == "voice":
            from emoreason.evaluation.voice import predict_voice

            by_id = predict_voice(samples, counts, problems, on_progress)
        elif backend == "verbal":
            from emoreason.evaluation.verbal_eval import predict_verbal

            by_id = predict_verbal(samples, lang, counts, problems, on_progress)
        else:
            by_id = predict_with_backend(
                samples, backend, lang, counts, problems, on_progress, **options
            )
        source = {"backend": backend, "lang": lang}
        if options.get("model"):
            source["model"] = str(options["model"])
    pairs = [(s, by_id.get(s.id)) for s in samples]
    ctx = ScoringContext(
        n_resamples=n_resamples,
        seed=seed,
        embedder=embedder,
        embedding_store=embedding_store,
        cue_extractor=cue_extractor,
        judge=judge,
        metric_variant=metric_variant,
        wheel_tables=emotion_wheel_dir,
    )
    scored = SCORERS[task.scorer](task, pairs, ctx)
    for key, value in scored["counts"].items():
        counts[key] += value
    headline = [
        name for name in scored["scores"] if not task.metrics or name.split("[")[0] in task.metrics
    ]
    return {
        "task": {
            "name": task.name,
            "version": task.version,
            "description": task.description,
            "citation": task.citation,
            "scorer": task.scorer,
            "loader": task.loader,
            "source": task.source,
        },
        "data": str(data_dir),
        "source": source,
        "n_samples": len(samples),
        # a scorer that cannot run the official rule says so (details.note) and what it used
        "metric_variant": scored["details"].get("metric_variant", metric_variant),
        "scores": scored["scores"],
        "headline": headline,
        "details": scored["details"],
        "counts": dict(sorted(counts.items())),
        "problems": problems,
        "bootstrap": {
            "n_resamples": n_resamples,
            "seed": seed,
            "confidence": 0.95,
            "method": "percentile",
        },
        "emoreason_version": __version__,
        "provenance": make_provenance().model_dump(),
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "elapsed_s": round(time.perf_counter() - start, 3),
    }
