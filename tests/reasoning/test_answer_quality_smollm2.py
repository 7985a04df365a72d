"""The bundled SmolLM2-135M on a real clip: its answer is checked and named, never passed off
as an analysis (slow: real perception and real generation, a short answer budget)."""

from __future__ import annotations

from pathlib import Path

import pytest

from emoreason.pipeline.analyze import Analyzer
from emoreason.reasoning.rules_fill import dimensions_to_fill, fill_from_rules
from emoreason.schema import SABER_DIMENSIONS

CLIP = Path(__file__).resolve().parents[2] / "examples" / "clips" / "sad_face_calm_voice.mp4"


@pytest.fixture(scope="module")
def smollm2_path() -> str:
    try:
        from emoreason.assets import smollm2_dir

        return str(smollm2_dir())
    except Exception as exc:  # the asset package or its cache may be missing
        pytest.skip(f"SmolLM2-135M-Instruct asset not available: {exc}")


@pytest.mark.slow
def test_smollm2_answer_is_checked_and_filled_from_rules(smollm2_path):
    analyzer = Analyzer(
        "transformers", "en", model=smollm2_path, backend_options={"max_new_tokens": 160}
    )
    result = analyzer.analyze(CLIP)
    quality = result.quality
    assert quality is not None and quality.answer_chars > 0
    named = {p.dimension for p in quality.problems if p.kind == "missing_dimension"}
    assert named == {d for d in SABER_DIMENSIONS if not result.saber.dimension(d).strip()}
    # a 135M model does not write a clean six-part analysis; what is wrong is named
    assert not quality.ok and quality.score < 1.0
    filled = fill_from_rules(result, result.evidence, "en")
    dims = dimensions_to_fill(result)
    assert filled.quality.filled_from_rules == dims and filled.missing == []
    for dim in SABER_DIMENSIONS:
        if dim not in dims:
            assert filled.saber.dimension(dim) == result.saber.dimension(dim)
