"""openai backend against a loopback OpenAI-compatible test server started in the test."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from chat_server import ChatServer
from emoreason.errors import ConfigError
from emoreason.reasoning import BackendError, create_backend
from emoreason.reasoning.openai_backend import OpenAIConfig, OpenAIReasoner
from synthetic_evidence import make_evidence

CLIP = Path(__file__).resolve().parents[2] / "examples" / "clips" / "sad_face_calm_voice.mp4"
ANSWER = (
    "1. Scene: A woman in a dim room.\n2. Speech content: she says everything is fine.\n"
    "3. Acoustic features: even, calm voice.\n4. Facial expression: tears, lips pulled down.\n"
    "5. Body language: head bowed.\n6. Reasoning: masking; the final emotion is sad."
)


@pytest.fixture
def server():
    s = ChatServer(ANSWER)
    yield s
    s.close()


def test_request_carries_media_prompt_and_evidence(server, monkeypatch):
    monkeypatch.setenv("TEST_KEY", "sekrit")
    reasoner = create_backend(
        "openai",
        base_url=server.url,
        model="saber",
        options={"api_key_env": "TEST_KEY", "timeout": 20},
    )
    ev = make_evidence("masking", path=str(CLIP))
    result = reasoner.reason(ev, "en")
    (request,) = server.requests
    assert request["model"] == "saber" and request["temperature"] == 0.0
    parts = request["messages"][0]["content"]
    kinds = [p["type"] for p in parts]
    assert kinds == ["video_url", "input_audio", "text"]
    video = parts[0]["video_url"]["url"]
    assert video.startswith("data:video/mp4;base64,")
    assert base64.b64decode(video.split(",", 1)[1]) == CLIP.read_bytes()
    wav = base64.b64decode(parts[1]["input_audio"]["data"])
    assert wav[:4] == b"RIFF" and parts[1]["input_audio"]["format"] == "wav"
    assert "Step 4" in parts[2]["text"] and "lip corners pulled down" in parts[2]["text"]
    assert server.headers[0]["Authorization"] == "Bearer sekrit"
    # the reply went through the parser: numbered sections -> full record
    assert result.missing == [] and result.emotion == "sad" and result.backend == "openai"
    assert result.saber.body_lang_desc == "head bowed."


def test_audio_url_variant_and_no_media_for_missing_file(server):
    reasoner = OpenAIReasoner(OpenAIConfig(base_url=server.url, audio_part="audio_url", timeout=20))
    parts = reasoner.messages(make_evidence("masking", path=str(CLIP)), "zh")[0]["content"]
    assert parts[1]["audio_url"]["url"].startswith("data:audio/wav;base64,")
    assert parts[2]["text"].startswith("给定")
    parts = reasoner.messages(make_evidence("masking"), "en")[0]["content"]  # path does not exist
    assert [p["type"] for p in parts] == ["text"]


@pytest.mark.parametrize(
    "status,reply,match",
    [
        (500, {"error": "boom"}, "HTTP 500"),
        (200, {"unexpected": True}, "not a chat completion"),
    ],
)
def test_server_errors_are_clear(status, reply, match):
    s = ChatServer(ANSWER, status=status, reply=reply)
    try:
        reasoner = OpenAIReasoner(OpenAIConfig(base_url=s.url, timeout=20, backoff=0.01))
        with pytest.raises(BackendError, match=match):
            reasoner.reason(make_evidence("masking"))
    finally:
        s.close()


def test_unreachable_server_and_bad_config():
    s = ChatServer(ANSWER)
    url = s.url
    s.close()  # nothing listens there any more
    with pytest.raises(BackendError, match="cannot reach"):
        OpenAIReasoner(OpenAIConfig(base_url=url, timeout=5)).reason(make_evidence("masking"))
    with pytest.raises(ConfigError, match="base_url"):
        OpenAIConfig(base_url="localhost:8000")
    with pytest.raises(ConfigError, match="--base-url"):
        create_backend("openai")
    with pytest.raises(ConfigError, match="audio_part"):
        OpenAIConfig(base_url="http://x/v1", audio_part="wav")


def test_busy_server_is_asked_again_then_answers():
    s = ChatServer(ANSWER, statuses=[429, 503, 200])
    try:
        config = OpenAIConfig(base_url=s.url, timeout=20, retries=3, backoff=0.01)
        result = OpenAIReasoner(config).reason(make_evidence("masking"))
        assert len(s.requests) == 3 and result.emotion == "sad"
    finally:
        s.close()


@pytest.mark.parametrize(
    ("status", "requests", "match"),
    [
        (503, 3, r"HTTP 503 \(after 3 tries\)"),
        (400, 1, "HTTP 400"),
    ],  # retried, bounded / not retried
)
def test_failures_are_retried_only_when_worth_it(status, requests, match):
    s = ChatServer(ANSWER, statuses=[status])
    try:
        config = OpenAIConfig(base_url=s.url, timeout=20, retries=2, backoff=0.01)
        with pytest.raises(BackendError, match=match):
            OpenAIReasoner(config).reason(make_evidence("masking"))
        assert len(s.requests) == requests
    finally:
        s.close()


def test_backoff_doubles_honours_retry_after_and_is_capped():
    import httpx

    from emoreason.chat_client import ChatClient

    answers = iter([httpx.Response(429), httpx.Response(500), httpx.Response(429, headers={"Retry-After": "120"}),
                    httpx.Response(200, json={"choices": [{"message": {"content": "ok"}}]})])  # fmt: skip
    waits: list[float] = []
    client = ChatClient(
        "http://x/v1", "m", transport=httpx.MockTransport(lambda request: next(answers)),
        retries=3, backoff=0.5, max_backoff=10.0, sleep=waits.append,
    )  # fmt: skip
    assert client.complete("hi") == "ok"
    assert waits == [0.5, 1.0, 10.0]
