"""The HTTP service: health, schema, analysis of an upload, clear errors (in-process client)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from emoreason.errors import ConfigError, MediaError
from emoreason.pipeline.analyze import Analyzer
from emoreason.schema import ClipInfo, EmotionHypothesis, Evidence, ModalityEvidence
from emoreason.serve import ServeConfig, create_app


class FakePerceiver:
    """Evidence from file content: 'SAD' -> sad face, anything else unreadable."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def perceive(self, path: str) -> Evidence:
        data = Path(path).read_bytes()
        self.seen.append(path)
        if not data.startswith(b"SAD"):
            raise MediaError("not a decodable video (invalid data)", path=path)
        clip = ClipInfo(path=path, duration=2.0, has_video=True, has_audio=False)
        face = ModalityEvidence(modality="face", available=True, status="face in 10/10 frames")
        return Evidence(
            clip=clip,
            modalities={"face": face},
            hypotheses={
                "visual": EmotionHypothesis(
                    modality="visual", distribution={"sad": 0.9, "neutral": 0.1}, confidence=0.9
                )
            },
        )


@pytest.fixture
def client_and_perceiver() -> tuple[TestClient, FakePerceiver]:
    perceiver = FakePerceiver()
    analyzers = {lang: Analyzer("rules", lang, perceiver=perceiver) for lang in ("en", "zh")}
    config = ServeConfig(max_upload_bytes=1000)
    return TestClient(create_app(config, analyzers=analyzers)), perceiver


def test_health_and_schema(client_and_perceiver) -> None:
    client, _ = client_and_perceiver
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["backend"] == "rules"
    schema = client.get("/schema").json()
    assert "saber" in schema["properties"] and "consistency" in schema["properties"]


def test_analyze_upload_returns_the_result_and_cleans_up(client_and_perceiver) -> None:
    client, perceiver = client_and_perceiver
    reply = client.post("/analyze", files={"file": ("clip1.mp4", b"SAD video bytes")})
    assert reply.status_code == 200, reply.text
    data = reply.json()
    assert data["emotion"] == "sad"
    assert data["id"] == "clip1" and data["source"] == "clip1.mp4"
    assert set(data["saber"]) == {
        "video_desc",
        "audio_desc",
        "facial_exp_desc",
        "body_lang_desc",
        "sentiment_analysis",
    }
    assert not Path(perceiver.seen[-1]).exists()  # the temporary upload is removed
    zh = client.post("/analyze", files={"file": ("c.mp4", b"SAD")}, data={"lang": "zh"}).json()
    assert zh["language"] == "zh"


def test_bad_uploads_get_one_line_errors(client_and_perceiver) -> None:
    client, _ = client_and_perceiver
    bad = client.post("/analyze", files={"file": ("broken.mp4", b"garbage")})
    assert bad.status_code == 422
    assert bad.json()["error"].startswith("broken.mp4: not a decodable video")
    big = client.post("/analyze", files={"file": ("big.mp4", b"SAD" + b"x" * 2000)})
    assert big.status_code == 413 and "larger than 1000 bytes" in big.json()["error"]
    lang = client.post("/analyze", files={"file": ("a.mp4", b"SAD")}, data={"lang": "fr"})
    assert lang.status_code == 422 and "expected 'en' or 'zh'" in lang.json()["error"]


def test_config_is_validated() -> None:
    with pytest.raises(ConfigError, match="lang"):
        ServeConfig(lang="fr")
    with pytest.raises(ConfigError, match="port"):
        ServeConfig(port=0)
