"""Reports: HTML with an embedded PNG timeline and the six dimensions, or PNG files."""

from __future__ import annotations

import base64
import re

import pytest

from emoreason.errors import InputError
from emoreason.pipeline.report import timeline_png, write_report
from emoreason.reasoning import RulesReasoner
from emoreason.schema import ErrorRow
from synthetic_evidence import make_evidence

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def results():
    return [RulesReasoner().reason(make_evidence(s)) for s in ("masking", "missing_audio")]


def test_html_report(tmp_path, results):
    error = ErrorRow(id="broken", source="broken.mp4", error="broken.mp4: cannot decode")
    (path,) = write_report(tmp_path / "r.html", results, [error])
    text = path.read_text()
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', text)
    assert len(images) == 2 and all(base64.b64decode(i).startswith(PNG) for i in images)
    for title in (
        "Scene",
        "Speech content",
        "Acoustic features",
        "Facial expression",
        "Body language",
        "Reasoning",
    ):
        assert title in text
    assert "video-aligned" in text and "Masking" in text
    assert "lip corners pulled down" in text
    assert "broken.mp4: cannot decode" in text


def test_html_report_in_chinese(tmp_path):
    result = RulesReasoner().reason(make_evidence("sarcasm"), "zh")
    (path,) = write_report(tmp_path / "r.html", [result])
    text = path.read_text()
    assert "面部表情" in text and "反讽" in text and 'lang="zh"' in text


def test_png_report_single_and_many(tmp_path, results):
    (single,) = write_report(tmp_path / "t.png", results[:1])
    assert single.read_bytes().startswith(PNG)
    many = write_report(tmp_path / "t.png", results)
    assert [p.name for p in many] == ["t_masking.png", "t_missing_audio.png"]


def test_timeline_without_timelines_still_draws(results):
    bare = results[0].model_copy(update={"evidence": None})
    assert timeline_png(bare).startswith(PNG)


def test_bad_report_paths(tmp_path, results):
    with pytest.raises(InputError, match=r"\.html or \.png"):
        write_report(tmp_path / "r.pdf", results)
    with pytest.raises(InputError, match="no successful analysis"):
        write_report(tmp_path / "r.png", [])
