"""Analysis results for training-data tests: synthetic evidence through the real rules reasoner."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from emoreason.reasoning.rules import RulesReasoner
from emoreason.schema import AnalysisResult, ErrorRow

_SPEC = importlib.util.spec_from_file_location(
    "synthetic_evidence", Path(__file__).parents[1] / "reasoning" / "synthetic_evidence.py"
)
synthetic_evidence = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(synthetic_evidence)

SCENARIOS = ("consistent_sad", "consistent_happy", "masking", "sarcasm", "missing_audio")


def make_results(media_dir: Path, scenarios=SCENARIOS, lang: str = "en") -> list[AnalysisResult]:
    """One analysis per scenario, with a (tiny, fake) media file per clip in ``media_dir``."""
    reasoner = RulesReasoner()
    results = []
    for name in scenarios:
        media = media_dir / f"{name}.mp4"
        media.write_bytes(b"not decoded by training")
        evidence = synthetic_evidence.make_evidence(name, path=str(media))
        result = reasoner.reason(evidence, lang)
        results.append(result.model_copy(update={"id": name, "source": str(media)}))
    return results


def error_row() -> ErrorRow:
    return ErrorRow(id="broken", source="broken.mp4", error="cannot decode")
