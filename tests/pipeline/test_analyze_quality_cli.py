"""`analyze` with a model backend whose answer is degenerate: the result names it, the CLI warns,
and --fill-from-rules fills the unusable dimensions from the rules reasoner, marked as such.

The model is an OpenAI-compatible server on loopback answering a fixed text; perception is the
fake one (scenario evidence by file name) over copies of a real clip, which the backend sends."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chat_server import ChatServer
from emoreason.cli.app import app
from emoreason.formats.jsonl import read_jsonl
from emoreason.reasoning.rules import RulesReasoner
from synthetic_evidence import make_evidence

CLIP = Path(__file__).resolve().parents[2] / "examples" / "clips" / "happy_consistent.mp4"
LOOP = "\n".join(["19 frames sampled over 6.0 s (151 decoded)"] * 37)
GOOD = json.dumps(
    {
        "video_desc": "A person in a dim indoor room.",
        "audio_desc": {"speech_content": "She says everything is fine.",
                       "acoustic_feat": "Steady, even pitch."},
        "facial_exp_desc": "Lip corners pulled down, inner brows raised.",
        "body_lang_desc": "Head tilted down.",
        "sentiment_analysis": "The words deny what the face shows: masking; final emotion: sad.",
    }
)  # fmt: skip


@pytest.fixture
def clips(tmp_path):
    """Four real (small) clips named after fake-perception scenarios."""
    folder = tmp_path / "clips"
    folder.mkdir()
    for name in ("consistent_sad", "masking", "sarcasm", "silence"):
        shutil.copy(CLIP, folder / f"{name}.mp4")
    return folder


@pytest.fixture
def model_answering():
    servers = []

    def start(answer: str) -> str:
        servers.append(ChatServer(answer))
        return servers[-1].url

    yield start
    for server in servers:
        server.close()


def _analyze(clips, url, *extra):
    args = ["analyze", str(clips / "masking.mp4"), "--backend", "openai", "--base-url", url]
    return CliRunner().invoke(app, [*args, *extra])


def test_degenerate_answer_is_named_and_warned(clips, fake_perceiver, model_answering):
    res = _analyze(clips, model_answering(LOOP), "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    quality = data["quality"]
    assert quality["degenerate"] is True and quality["score"] == 0.0
    assert {p["kind"] for p in quality["problems"]} >= {"missing_dimension", "repetition"}
    assert "degenerate" in res.stderr and "37 times" in res.stderr
    assert "--fill-from-rules" in res.stderr


def test_good_answer_gets_no_warning(clips, fake_perceiver, model_answering):
    res = _analyze(clips, model_answering(GOOD))
    assert res.exit_code == 0, res.output
    assert "warning" not in res.stderr and "from the rules reasoner" not in res.stdout


def test_fill_from_rules_marks_what_it_filled(clips, fake_perceiver, model_answering):
    url = model_answering(LOOP)
    res = _analyze(clips, url, "--json", "--fill-from-rules")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    rules = RulesReasoner().reason(make_evidence("masking", path=str(clips / "masking.mp4")))
    filled = data["quality"]["filled_from_rules"]
    assert set(filled) == {"video_desc", "audio_desc.speech_content", "audio_desc.acoustic_feat",
                           "facial_exp_desc", "body_lang_desc", "sentiment_analysis"}  # fmt: skip
    assert data["saber"] == rules.saber.model_dump() and data["missing"] == []
    assert data["emotion"] == rules.emotion and data["backend"] == "openai"
    assert "filled from the rules reasoner" in res.stderr
    view = _analyze(clips, url, "--fill-from-rules")
    assert view.stdout.count("(from the rules reasoner)") == 6


def test_batch_rows_carry_quality_and_the_run_says_how_many(
    clips, fake_perceiver, model_answering, tmp_path
):
    out = tmp_path / "results.jsonl"
    url = model_answering(LOOP)
    res = CliRunner().invoke(
        app, ["analyze", str(clips), "-o", str(out), "--backend", "openai", "--base-url", url]
    )
    assert res.exit_code == 0, res.output
    rows = read_jsonl(out)
    assert len(rows) == 4 and all(r["quality"]["degenerate"] for r in rows)
    assert "degenerate answer" in res.output
    assert "4 model answer(s) with quality problems" in res.output
