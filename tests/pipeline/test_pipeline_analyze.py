"""The analyze API: perceive -> reason, timings, ids, warm reuse, clear errors."""

from __future__ import annotations

import pytest

import emoreason
from emoreason.errors import ConfigError, MediaError
from emoreason.pipeline.analyze import Analyzer, forget_warm_analyzer, warm_analyzer
from emoreason.schema import AnalysisResult


def test_analyzer_result_and_timings(clip_dir, fake_perceiver):
    result = Analyzer(lang="zh").analyze(clip_dir / "sarcasm.mp4", clip_id="custom")
    assert isinstance(result, AnalysisResult)
    assert result.id == "custom" and result.language == "zh" and result.emotion == "angry"
    assert {"perception", "reasoning", "total"} <= set(result.timings)
    assert result.timings["total"] >= result.timings["reasoning"]
    assert result.evidence is not None


def test_package_level_analyze_reuses_the_warm_analyzer(clip_dir, fake_perceiver):
    forget_warm_analyzer()
    a = emoreason.analyze(str(clip_dir / "masking.mp4"))
    first = warm_analyzer()
    assert first is not None and warm_analyzer() is first  # the same settings: kept
    b = emoreason.analyze(str(clip_dir / "consistent_sad.mp4"))
    assert warm_analyzer() is first  # the same settings again: reused
    assert a.consistency.pattern == "masking" and b.emotion == "sad"
    c = emoreason.analyze(str(clip_dir / "masking.mp4"), include_evidence=False)
    assert c.evidence is None
    other = warm_analyzer(include_evidence=False)
    assert other is not first and other.include_evidence is False  # new setting, new analyzer
    assert warm_analyzer() is not first  # one setting is kept at a time
    forget_warm_analyzer()
    assert warm_analyzer(include_evidence=False) is not other
    assert warm_analyzer(perceiver=fake_perceiver) is None  # an object: never kept
    forget_warm_analyzer()


def test_errors_are_clear(clip_dir, tmp_path, fake_perceiver):
    analyzer = Analyzer()
    with pytest.raises(MediaError, match=r"missing\.mp4: file not found"):
        analyzer.analyze(tmp_path / "missing.mp4")
    with pytest.raises(MediaError, match="directory"):
        analyzer.analyze(clip_dir)
    with pytest.raises(MediaError, match="not a video"):
        analyzer.analyze(clip_dir / "broken.mp4")
    with pytest.raises(ConfigError, match="unknown language 'fr'"):
        Analyzer(lang="fr")
    with pytest.raises(ConfigError, match="unknown backend"):
        Analyzer(backend="magic")
