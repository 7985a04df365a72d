"""The transformers backend on a tiny Qwen2.5-Omni thinker: the clip's frames and audio reach
the model, the result records what it received, media failures are errors, text-only works.

Perception is replaced by synthetic evidence carrying the real clip's stream facts (the model's
media path decodes the real clip itself); generation is kept to a few tokens.
"""

from __future__ import annotations

import json
import math
import wave
from pathlib import Path

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from emoreason.assets.tiny_omni import build_tiny_omni
from emoreason.cli.app import app
from emoreason.errors import ConfigError, MediaError, ModelNotFoundError
from emoreason.perception.decode import probe
from emoreason.pipeline.analyze import Analyzer
from emoreason.reasoning.transformers_backend import TransformersConfig, TransformersReasoner
from emoreason.schema.result import AnalysisResult
from omni_media import load_thinker, save_full_omni
from synthetic_evidence import make_evidence

CLIPS = Path(__file__).resolve().parents[2] / "examples" / "clips"
SPEECH_CLIP = CLIPS / "happy_consistent.mp4"  # 5 s, 512x512, with audio
#: small frames and few of them keep a test to seconds; the defaults are SABER-LLM's caps
SMALL = {
    "max_new_tokens": 3,
    "video_max_frames": 4,
    "video_min_pixels": 4 * 28 * 28,
    "video_max_pixels": 16 * 28 * 28,
}


class ClipFactsPerceiver:
    """Synthetic evidence whose clip info (streams, duration) is the real file's."""

    def perceive(self, path: str):
        facts = probe(path)
        evidence = make_evidence("consistent_sad", path=path)
        clip = evidence.clip.model_copy(
            update={
                "duration": facts.duration,
                "has_video": facts.has_video,
                "has_audio": facts.has_audio,
            }
        )
        return evidence.model_copy(update={"clip": clip})


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory) -> Path:
    """A 1.6 s 16 kHz tone as a WAV file: a clip with sound and no picture."""
    path = tmp_path_factory.mktemp("audio") / "tone.wav"
    t = np.arange(int(1.6 * 16000)) / 16000
    pcm = (0.3 * np.sin(2 * np.pi * 200 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(pcm.tobytes())
    return path


def _reasoner(folder: Path, **options) -> TransformersReasoner:
    return TransformersReasoner(TransformersConfig(model_path=str(folder), **{**SMALL, **options}))


def _expected_video_tokens(received) -> int:
    width, height = received.frame_size
    return math.ceil(received.video_frames / 2) * (width // 28) * (height // 28)


def test_python_api_gives_the_model_frames_and_audio(omni_dir):
    analyzer = Analyzer(
        "transformers", model=str(omni_dir), backend_options=SMALL, perceiver=ClipFactsPerceiver()
    )
    result = analyzer.analyze(SPEECH_CLIP)
    received = result.model_input
    assert received is not None and received.media == "video+audio"
    assert received.video_processor in ("emoreason-frames", "transformers")
    assert 2 <= received.video_frames <= 4
    assert received.video_seconds == pytest.approx(probe(SPEECH_CLIP).duration, abs=0.5)
    assert received.video_tokens == _expected_video_tokens(received) > 0
    assert 3.0 < received.audio_seconds <= 5.0 and not received.audio_truncated
    assert abs(received.audio_tokens - 25 * received.audio_seconds) <= 2  # 40 ms per token
    assert received.text_tokens > 100
    again = AnalysisResult.model_validate_json(result.model_dump_json())
    assert again.model_input == received


def test_default_layout_is_saber_llms(omni_dir):
    """fps 2, at most 40 frames, frames near 128 x 28 x 28 pixels (the floor wins over 50176)."""
    reasoner = TransformersReasoner(TransformersConfig(model_path=str(omni_dir), max_new_tokens=2))
    _, received = reasoner.generate_with_input(ClipFactsPerceiver().perceive(str(SPEECH_CLIP)))
    duration = probe(SPEECH_CLIP).duration
    assert received.video_frames == int(duration * 2) // 2 * 2
    width, height = received.frame_size
    assert width % 28 == 0 and height % 28 == 0
    assert 0.85 * 128 * 28 * 28 <= width * height <= 1.05 * 128 * 28 * 28
    assert received.video_tokens == _expected_video_tokens(received)


def test_video_only_and_audio_only_clips(omni_dir, speech_wav):
    reasoner = _reasoner(omni_dir)
    perceiver = ClipFactsPerceiver()
    _, silent_film = reasoner.generate_with_input(perceiver.perceive(str(CLIPS / "no_audio.mp4")))
    assert silent_film.media == "video" and silent_film.audio_tokens == 0
    assert silent_film.video_tokens == _expected_video_tokens(silent_film) > 0
    _, sound = reasoner.generate_with_input(perceiver.perceive(str(speech_wav)))
    assert sound.media == "audio" and sound.video_tokens == 0 and sound.video_frames == 0
    assert sound.audio_seconds == pytest.approx(1.6, abs=0.05)
    assert abs(sound.audio_tokens - 40) <= 2


def test_text_only_is_asked_for_and_recorded(omni_dir):
    evidence = ClipFactsPerceiver().perceive(str(SPEECH_CLIP))
    text, received = _reasoner(omni_dir, send_media=False).generate_with_input(evidence)
    assert isinstance(text, str)
    assert received.media == "text" and "text only" in received.text_reason
    assert received.video_tokens == received.audio_tokens == 0 and received.text_tokens > 100


@pytest.mark.parametrize("name", ["not_a_video.mp4", "truncated.mp4"])
def test_a_broken_clip_is_an_error_naming_it_not_a_silent_fallback(omni_dir, name):
    evidence = make_evidence("consistent_sad", path=str(CLIPS / name))  # says: video + audio
    with pytest.raises(MediaError) as caught:
        _reasoner(omni_dir).reason(evidence)
    message = str(caught.value)
    assert name in message and "\n" not in message
    assert _reasoner(omni_dir, send_media=False).reason(evidence).model_input.media == "text"


def test_missing_clip_file_and_missing_processor_files_are_errors(omni_dir, tmp_path):
    evidence = make_evidence("consistent_sad", path=str(tmp_path / "gone.mp4"))
    with pytest.raises(MediaError, match=r"gone\.mp4: clip file not found"):
        _reasoner(omni_dir).reason(evidence)
    crippled = build_tiny_omni(tmp_path / "no_features")
    (crippled / "preprocessor_config.json").unlink()
    live = ClipFactsPerceiver().perceive(str(SPEECH_CLIP))
    with pytest.raises(ModelNotFoundError, match="no_features"):
        _reasoner(crippled).reason(live)
    assert _reasoner(crippled, send_media=False).reason(live).model_input.media == "text"


def test_device_and_dtype_options(omni_dir):
    with pytest.raises(ConfigError, match="device"):
        TransformersConfig(model_path=str(omni_dir), device="gpu")
    with pytest.raises(ConfigError, match="video_fps"):
        TransformersConfig(model_path=str(omni_dir), video_fps=0)
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="no CUDA GPU"):
            _reasoner(omni_dir, device="cuda").load()
    reasoner = _reasoner(omni_dir)  # auto on CPU: float32
    reasoner.load()
    assert reasoner._model.dtype == torch.float32
    half = _reasoner(omni_dir, dtype="bfloat16")
    _, received = half.generate_with_input(ClipFactsPerceiver().perceive(str(SPEECH_CLIP)))
    assert half._model.dtype == torch.bfloat16 and received.media == "video+audio"


def test_a_full_omni_folder_loads_its_thinker_only(omni_dir, tmp_path):
    """model_type qwen2_5_omni (thinker + talker config, as Qwen2.5-Omni-7B / SABER-LLM ship):
    the thinker's own weights are loaded, no talker is built."""
    folder = save_full_omni(omni_dir, tmp_path / "full")
    reasoner = _reasoner(folder)
    _, received = reasoner.generate_with_input(ClipFactsPerceiver().perceive(str(SPEECH_CLIP)))
    assert type(reasoner._model).__name__ == "Qwen2_5OmniThinkerForConditionalGeneration"
    assert received.media == "video+audio"
    name, weight = next(iter(load_thinker(omni_dir).state_dict().items()))
    assert torch.equal(reasoner._model.state_dict()[name], weight)


def test_cli_analyze_records_what_the_model_received(omni_dir, monkeypatch):
    monkeypatch.setattr(
        "emoreason.pipeline.analyze.make_perceiver", lambda options: ClipFactsPerceiver()
    )
    base = ["analyze", str(SPEECH_CLIP), "--backend", "transformers", "--model", str(omni_dir)]
    result = CliRunner().invoke(app, [*base, "--max-new-tokens", "2", "--json"])
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout[result.stdout.index("{") :])
    received = row["model_input"]
    assert received["media"] == "video+audio"
    assert received["video_frames"] > 0 and received["audio_seconds"] > 0
    assert received["video_tokens"] > 0 and received["audio_tokens"] > 0
    readable = CliRunner().invoke(app, [*base, "--max-new-tokens", "2", "--text-only"])
    assert readable.exit_code == 0, readable.output
    assert "model input: text only" in readable.output
    wrong = CliRunner().invoke(app, ["analyze", str(SPEECH_CLIP), "--device", "cuda"])
    assert wrong.exit_code == 2 and "--backend transformers" in wrong.output
