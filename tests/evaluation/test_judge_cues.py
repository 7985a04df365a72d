"""LLM judge and cue extractors through a mocked OpenAI-compatible endpoint (httpx)."""

from __future__ import annotations

import json

import httpx
import pytest

from emoreason.errors import BackendError, ConfigError
from emoreason.evaluation.cues import (
    LLMCueExtractor,
    LocalCueExtractor,
    classify_clause,
    parse_cue_json,
    split_clauses,
)
from emoreason.evaluation.judge import JUDGE_PROMPT_VERSION, ChatClient, LLMJudge, parse_score


def mock_client(reply_for, status=200):
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append((str(request.url), body, request.headers.get("authorization")))
        content = reply_for(body["messages"][0]["content"])
        return httpx.Response(status, json={"choices": [{"message": {"content": content}}]})

    client = ChatClient(
        "http://judge.local/v1/", "qwen-judge", api_key="k", transport=httpx.MockTransport(handler),
        sleep=lambda seconds: None,
    )  # fmt: skip
    return client, seen


def test_judge_scores_and_records_model_and_prompt_version():
    client, seen = mock_client(
        lambda prompt: "Score: 7. Most clues overlap." if "clues" in prompt else "Score: 9"
    )
    judge = LLMJudge(client)
    assert judge.clue_overlap("She smiles.", "A smile.") == 7.0
    assert judge.label_overlap("happy", "joyful") == 9.0
    url, body, auth = seen[0]
    assert url == "http://judge.local/v1/chat/completions"
    assert body["model"] == "qwen-judge" and body["temperature"] == 0 and auth == "Bearer k"
    assert judge.info() == {
        "model": "qwen-judge",
        "prompt_version": JUDGE_PROMPT_VERSION,
        "endpoint": "http://judge.local/v1",
    }


def test_judge_failures_are_none_not_crashes():
    client, _ = mock_client(lambda prompt: "I cannot rate this.")
    assert LLMJudge(client).clue_overlap("a", "b") is None
    client, _ = mock_client(lambda prompt: "x", status=500)
    assert LLMJudge(client).label_overlap("a", "b") is None
    with pytest.raises(BackendError, match=r"HTTP 500 \(after 4 tries\)"):
        client.complete("hi")


@pytest.mark.parametrize(
    ("reply", "score"), [("8", 8.0), ("Score: 6.5 because", 6.5), ("42", None), ("", None)]
)
def test_parse_score(reply, score):
    assert parse_score(reply) == score


def test_client_validates_config():
    with pytest.raises(ConfigError, match="http"):
        ChatClient("judge.local", "m")
    with pytest.raises(ConfigError, match="model name"):
        ChatClient("http://judge.local", "")


TEXT = (
    "In the video, a woman frowns and her eyes are full of tears. Her voice is low and trembling, "
    'and she speaks slowly. The subtitle says "I miss her so much". She feels deep sadness; '
    "overall the emotion is grief."
)


def test_local_extractor_categories():
    cues = LocalCueExtractor()(TEXT)
    assert any("frowns" in c for c in cues["visual"])
    assert any("voice is low" in c for c in cues["auditory"])
    assert any("sadness" in c for c in cues["emotional"])
    assert all(isinstance(c, str) and c for cat in cues.values() for c in cat)


def test_local_extractor_chinese_and_clauses():
    cues = LocalCueExtractor()("她眉头紧锁，眼含泪水。声音低沉，语速缓慢。整体情绪是悲伤。")
    assert cues == {
        "visual": ["她眉头紧锁", "眼含泪水"],
        "auditory": ["声音低沉", "语速缓慢"],
        "emotional": ["整体情绪是悲伤"],
    }
    assert split_clauses("He smiles, and he nods. Then nothing") == [
        "He smiles",
        "and he nods",
        "Then nothing",
    ]
    assert classify_clause("Then nothing") is None


def test_llm_extractor_contract_and_fallback():
    reply = (
        '```json\n{"visual": ["frowning"], "auditory": ["low voice"], "emotional": ["sad"]}\n```'
    )
    client, seen = mock_client(lambda prompt: reply)
    extractor = LLMCueExtractor(client)
    assert extractor(TEXT) == {
        "visual": ["frowning"],
        "auditory": ["low voice"],
        "emotional": ["sad"],
    }
    assert seen[0][1]["response_format"] == {"type": "json_object"}
    bad_client, _ = mock_client(lambda prompt: "no json here")
    fallback = LLMCueExtractor(bad_client)
    assert fallback(TEXT) == LocalCueExtractor()(TEXT)
    assert fallback.failures == 1
    with pytest.raises(ValueError, match="not a list"):
        parse_cue_json('{"visual": 3}')
