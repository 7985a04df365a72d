"""emoreason: evidence-grounded multimodal emotion reasoning.

Perceive fine-grained cues in face, body, voice, words and scene, then reason over them
(SABER schema + structured evidence decomposition), and report what the person feels, why,
and whether the modalities agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from emoreason.schema.result import AnalysisResult

__all__ = ["__version__", "analyze"]


def analyze(path: str, backend: str = "rules", lang: str = "en", **kwargs: Any) -> AnalysisResult:
    """Analyse one clip and return the typed :class:`~emoreason.schema.result.AnalysisResult`.

    Heavy modules (models, torch) are imported lazily so ``import emoreason`` stays fast.
    """
    from emoreason.pipeline.analyze import analyze as _analyze

    return _analyze(path, backend=backend, lang=lang, **kwargs)
