"""The main job: one clip in, an explained, structured emotion analysis out.

``perceive (Evidence) -> reason (backend) -> AnalysisResult`` with per-stage timings. An
:class:`Analyzer` loads perception models and the reasoning backend once and is reused for a
whole batch; :func:`analyze` keeps one warm analyzer per distinct setting.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Protocol

from emoreason.errors import ConfigError, MediaError
from emoreason.reasoning.backends import ReasoningBackend, create_backend
from emoreason.schema.evidence import Evidence
from emoreason.schema.result import AnalysisResult

LANGUAGES = ("en", "zh")


class EvidenceSource(Protocol):
    """Anything that turns a media path into Evidence (``emoreason.perception.Perceiver``)."""

    def perceive(self, path: str) -> Evidence: ...


def make_perceiver(options: dict[str, Any]) -> EvidenceSource:
    """The default perception stage (models are loaded once, on first use)."""
    from emoreason.perception import Perceiver, PerceptionConfig

    return Perceiver(PerceptionConfig.from_dict(options))


class Analyzer:
    """Perception + reasoning, loaded once.

    ``perceiver`` may be given (tests, a custom perception stage); otherwise
    ``emoreason.perception.Perceiver(PerceptionConfig(fps=fps, **perception_options))`` is built
    on first use. ``fill_from_rules``: a model answer's empty, looping or copied dimensions are
    replaced by the rules reasoner's text and listed in ``quality.filled_from_rules``
    (:func:`~emoreason.reasoning.rules_fill.fill_from_rules`).
    """

    def __init__(
        self,
        backend: str | ReasoningBackend = "rules",
        lang: str = "en",
        *,
        model: str | None = None,
        base_url: str | None = None,
        fps: float | None = None,
        backend_options: dict[str, Any] | None = None,
        perception_options: dict[str, Any] | None = None,
        perceiver: EvidenceSource | None = None,
        include_evidence: bool = True,
        fill_from_rules: bool = False,
    ) -> None:
        if lang not in LANGUAGES:
            raise ConfigError(f"unknown language {lang!r}; expected one of {list(LANGUAGES)}")
        self.lang = lang
        self.backend: ReasoningBackend = (
            backend
            if not isinstance(backend, str)
            else create_backend(backend, model=model, base_url=base_url, options=backend_options)
        )
        self.include_evidence = include_evidence
        self.fill_from_rules = fill_from_rules
        self._perceiver = perceiver
        self._perception_options = dict(perception_options or {})
        if fps is not None:
            self._perception_options["fps"] = fps
        self._lock = threading.Lock()

    @property
    def perceiver(self) -> EvidenceSource:
        with self._lock:
            if self._perceiver is None:
                self._perceiver = make_perceiver(self._perception_options)
            return self._perceiver

    def analyze(self, path: str | Path, clip_id: str | None = None) -> AnalysisResult:
        """Analyse one clip; raises MediaError for a missing or unreadable file."""
        path = str(path)
        if not Path(path).exists():
            raise MediaError("file not found", path=path)
        if Path(path).is_dir():
            raise MediaError("expected a media file, got a directory", path=path)
        start = time.perf_counter()
        evidence = self.perceiver.perceive(path)
        perceived = time.perf_counter()
        result = self.backend.reason(evidence, self.lang)
        if self.fill_from_rules:
            from emoreason.reasoning.rules_fill import fill_from_rules

            result = fill_from_rules(result, evidence, self.lang)
        done = time.perf_counter()
        timings = {
            **result.timings,
            "perception": round(perceived - start, 4),
            "reasoning": round(done - perceived, 4),
            "total": round(done - start, 4),
        }
        update: dict[str, Any] = {"timings": timings}
        if clip_id:
            update["id"] = clip_id
        if not self.include_evidence:
            update["evidence"] = None
        return result.model_copy(update=update)


_WARM: dict[tuple, Analyzer] = {}
_WARM_LOCK = threading.Lock()


def warm_analyzer(backend: str = "rules", lang: str = "en", **kw: Any) -> Analyzer | None:
    """The process-wide :class:`Analyzer` that :func:`analyze` uses for these settings, built on
    first use and kept (one setting at a time: models are large; another setting replaces it).
    None when the settings cannot be kept (a ``perceiver`` object, unhashable options): such
    calls build a fresh analyzer each time."""
    key = _key(backend, lang, kw) if "perceiver" not in kw else None
    if key is None:
        return None
    with _WARM_LOCK:
        analyzer = _WARM.get(key)
        if analyzer is None:
            _WARM.clear()
            analyzer = _WARM[key] = Analyzer(backend, lang, **kw)
        return analyzer


def forget_warm_analyzer() -> None:
    """Drop the kept analyzer (and, with it, its models once nothing else holds them)."""
    with _WARM_LOCK:
        _WARM.clear()


def _key(backend: str, lang: str, kwargs: dict[str, Any]) -> tuple | None:
    try:
        items = tuple(sorted((k, _freeze(v)) for k, v in kwargs.items()))
        hash(items)
    except TypeError:
        return None
    return (backend, lang, items)


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def analyze(
    path: str | Path, backend: str = "rules", lang: str = "en", **kw: Any
) -> AnalysisResult:
    """Analyse one clip and return the typed :class:`~emoreason.schema.result.AnalysisResult`.

    Keyword arguments go to :class:`Analyzer` (``model``, ``base_url``, ``fps``,
    ``backend_options``, ``perception_options``, ``include_evidence``, ``fill_from_rules``,
    ``clip_id``). Repeated
    calls with the same settings reuse the loaded models (the last setting stays warm:
    :func:`warm_analyzer`, :func:`forget_warm_analyzer`).
    """
    clip_id = kw.pop("clip_id", None)
    analyzer = warm_analyzer(backend, lang, **kw)
    if analyzer is None:
        analyzer = Analyzer(backend, lang, **kw)
    return analyzer.analyze(path, clip_id)
