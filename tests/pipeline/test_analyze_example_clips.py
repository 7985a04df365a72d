"""The main job on the shipped example clips with the real perception stage (rules backend).

Each clip is perceived once per session (``real_perceiver`` caches the Evidence). Perceiving all
eight clips runs whisper, MediaPipe and the expression model: marked slow.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chinese_text import latin_words
from emoreason.cli.app import app
from emoreason.formats.jsonl import read_jsonl
from emoreason.pipeline.analyze import Analyzer
from emoreason.reasoning import RulesReasoner

CLIPS = Path(__file__).resolve().parents[2] / "examples" / "clips"
CJK = re.compile(r"[\u4e00-\u9fff]")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def analyzer(real_perceiver):
    return Analyzer(perceiver=real_perceiver)


@pytest.fixture(scope="module")
def result(analyzer):
    cache = {}

    def get(name: str):
        if name not in cache:
            cache[name] = analyzer.analyze(CLIPS / f"{name}.mp4")
        return cache[name]

    return get


@pytest.mark.parametrize("name,label", [("sad_consistent", "sad"), ("happy_consistent", "happy")])
def test_consistent_clips(result, name, label):
    r = result(name)
    assert r.consistency.consistent and r.consistency.verdict.value == "consistent"
    assert r.emotion == label


def test_masking_clip(result):
    r = result("sad_face_calm_voice")
    c = r.consistency
    assert not c.consistent and c.pattern == "masking" and c.verdict.value == "video-aligned"
    assert r.emotion == "sad"
    assert "face" in c.explanation and "words" in c.explanation  # both sides named
    assert "sad" in c.explanation and c.modalities["verbal"] in c.explanation


def test_sarcasm_clip(result):
    r = result("smile_angry_voice")
    c = r.consistency
    assert not c.consistent and c.pattern == "sarcasm" and c.verdict.value == "audio-aligned"
    assert r.emotion == "angry"
    assert "happy" in c.explanation and "angry" in c.explanation
    assert "Sarcasm" in r.saber.sentiment_analysis


def test_no_audio_clip(result):
    r = result("no_audio")
    assert "unavailable" in r.saber.audio_desc.speech_content
    assert "unavailable" in r.saber.audio_desc.acoustic_feat
    assert r.consistency.modalities["acoustic"] is None and r.emotion == "sad"


def test_no_face_clip(result):
    r = result("no_face")
    assert "no face detected" in r.saber.facial_exp_desc
    assert r.consistency.modalities["visual"] is None
    assert r.saber.audio_desc.speech_content.startswith("The speaker says")


def test_silent_clip(result):
    r = result("silent")
    assert "transcript is empty" in r.saber.audio_desc.speech_content
    assert '"' not in r.saber.audio_desc.speech_content  # no invented quote


def test_chinese_report(result):
    r = result("happy_zh")
    zh = RulesReasoner().reason(r.evidence, "zh")
    assert r.emotion == "happy" == zh.emotion
    assert r.consistency.verdict.value == "consistent"
    assert r.evidence.transcript.language == "zh"
    for dim in ("video_desc", "facial_exp_desc", "body_lang_desc", "sentiment_analysis"):
        assert CJK.search(zh.saber.dimension(dim)), dim
    # the Chinese words are quoted in the Chinese report, as heard
    assert "开心" in zh.saber.audio_desc.speech_content


def test_garbled_words_appear_nowhere(result):
    """The espeak-ng pinyin clip: whatever whisper invented is in no SABER dimension (EN or ZH)."""
    r = result("garbled_speech")
    heard = r.evidence.transcript.text
    assert heard and not r.evidence.transcript.reliable
    tokens = {w for w in re.findall(r"[^\W\d_]{4,}|\d{3,}", heard)}
    zh = RulesReasoner().reason(r.evidence, "zh")
    for record in (r.saber, zh.saber):
        text = record.model_dump_json()
        assert not any(tok in text for tok in tokens), tokens
        assert "说话人说" not in text and "speaker says" not in text
    assert r.consistency.modalities["verbal"] is None


def test_batch_over_all_examples_with_resume(real_perceiver, monkeypatch, tmp_path):
    monkeypatch.setattr("emoreason.pipeline.analyze.make_perceiver", lambda options: real_perceiver)
    out = tmp_path / "all.jsonl"
    runner = CliRunner()
    res = runner.invoke(app, ["analyze", str(CLIPS), "-o", str(out), "--no-evidence"])
    assert res.exit_code == 1, res.output
    rows = {r["id"]: r for r in read_jsonl(out)}
    assert len(rows) == 11
    errors = {i for i, r in rows.items() if r["status"] == "error"}
    assert errors == {"not_a_video", "truncated"}
    assert all("mp4" in rows[i]["error"] for i in errors)
    # kill simulation: drop the last row and cut the one before it mid-line
    lines = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:-2]) + lines[-2][:25])
    res = runner.invoke(app, ["analyze", str(CLIPS), "-o", str(out), "--resume", "--no-evidence"])
    ids = [r["id"] for r in read_jsonl(out)]
    assert len(ids) == len(set(ids)) == 11
    assert "9 skipped" in res.output


@pytest.mark.parametrize(
    "name",
    [
        "sad_consistent",
        "happy_consistent",
        "sad_face_calm_voice",
        "smile_angry_voice",
        "no_face",
        "silent",
    ],
)
def test_real_cues_and_statuses_are_phrased_for_chinese(result, name):
    evidence = result(name).evidence
    for modality in evidence.modalities.values():
        # the fallback quotes the stored English text verbatim: it must not be needed
        assert modality.status_phrases, modality.status
        assert not latin_words(modality.status_text("zh")), modality.status
        for cue in modality.cues:
            assert cue.phrase is not None, cue.description
            assert not latin_words(cue.text("zh")), cue.description
