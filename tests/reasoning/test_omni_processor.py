"""The Qwen2.5-Omni processor calls without torchvision: placeholders expanded to exactly what
the tiny thinker's towers produce, and the model runs on the result."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import torch
import transformers as tf

from emoreason.errors import ConfigError, InputError
from emoreason.reasoning.omni_processor import (
    FrameOmniProcessor,
    audio_token_count,
    load_omni_processor,
)

SMALL_VIDEO = {"min_pixels": 4 * 28 * 28, "max_pixels": 16 * 28 * 28, "fps": 2.0}


@pytest.fixture(scope="module")
def omni(omni_dir):
    model = tf.AutoModelForImageTextToText.from_pretrained(omni_dir, local_files_only=True).eval()
    return omni_dir, model, load_omni_processor(omni_dir)


def _frames(count: int = 5, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (count, 90, 120, 3), dtype=np.uint8)


def _wave(seconds: float) -> np.ndarray:
    t = np.arange(int(16000 * seconds)) / 16000
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def _turn(processor, *parts: str) -> str:
    content = [{"type": p} for p in parts] + [{"type": "text", "text": "How does she feel?"}]
    return processor.apply_chat_template(
        [{"role": "user", "content": content}], tokenize=False, add_generation_prompt=True
    )


def test_loader_picks_the_frame_processor_without_torchvision(omni):
    _, _, (processor, kind) = omni
    if importlib.util.find_spec("torchvision") is None:
        assert kind == "emoreason-frames" and isinstance(processor, FrameOmniProcessor)
    else:
        assert kind in ("transformers", "emoreason-frames")


def test_audio_token_count_matches_the_audio_tower(omni):
    _, model, _ = omni
    for frames in (1, 2, 3, 99, 100, 101, 427, 3000):
        _, reference = model.model.audio_tower._get_feat_extract_output_lengths(
            torch.tensor(frames)
        )
        assert audio_token_count(frames) == int(reference), frames


@pytest.mark.parametrize("seconds", [0.7, 2.5])
def test_placeholders_match_features_and_the_model_runs(omni, seconds):
    _, model, (processor, _) = omni
    text = _turn(processor, "video", "audio")
    out = processor(
        text=[text], videos=[_frames()], audio=[_wave(seconds)], videos_kwargs=SMALL_VIDEO,
        return_tensors="pt",
    )  # fmt: skip
    ids = out["input_ids"][0]
    n_video = int((ids == model.config.video_token_id).sum())
    n_audio = int((ids == model.config.audio_token_id).sum())
    assert n_video == int(out["video_grid_thw"].prod(-1).sum()) // 4 > 0
    assert out["video_grid_thw"][0, 0] == 3  # 5 frames -> padded to 6 -> 3 frame pairs
    with torch.inference_mode():
        audio = model.get_audio_features(
            out["input_features"], feature_attention_mask=out["feature_attention_mask"]
        )
        assert audio.last_hidden_state.shape[0] == n_audio > 0
        # audio tokens grow with the audio: 25 per second after the encoder's 4x reduction
        assert abs(n_audio - 25 * seconds) <= 2
        logits = model(**out).logits  # the model checks the video count itself
    assert logits.shape[1] == ids.numel() and torch.isfinite(logits).all()
    # the video block sits between vision bos/eos, the audio block between audio bos/eos
    positions = ids.tolist()
    start = positions.index(model.config.vision_start_token_id)
    assert positions[start + 1 : start + 1 + n_video] == [model.config.video_token_id] * n_video
    start = positions.index(model.config.audio_start_token_id)
    assert positions[start + 1 : start + 1 + n_audio] == [model.config.audio_token_id] * n_audio


def test_video_only_and_audio_only_turns(omni):
    _, model, (processor, _) = omni
    video = processor(
        text=[_turn(processor, "video")], videos=[_frames(4)], videos_kwargs=SMALL_VIDEO,
        return_tensors="pt",
    )  # fmt: skip
    assert (
        "input_features" not in video
        and (video["input_ids"] == model.config.audio_token_id).sum() == 0
    )
    audio = processor(text=[_turn(processor, "audio")], audio=[_wave(1.0)], return_tensors="pt")
    assert "pixel_values_videos" not in audio
    with torch.inference_mode():
        for inputs in (video, audio):
            assert torch.isfinite(model(**inputs).logits).all()


def test_placeholder_and_input_counts_must_agree(omni):
    _, _, (processor, _) = omni
    with pytest.raises(InputError, match="more <\\|VIDEO\\|> placeholders"):
        processor(text=[_turn(processor, "video")], return_tensors="pt")
    with pytest.raises(InputError, match="inputs without a placeholder"):
        processor(text=[_turn(processor)], audio=[_wave(1.0)], return_tensors="pt")
    with pytest.raises(ConfigError, match="use_audio_in_video"):
        processor(
            text=[_turn(processor, "video")], videos=[_frames(2)],
            videos_kwargs={"use_audio_in_video": True},
        )  # fmt: skip


def test_two_texts_pad_on_the_left(omni):
    _, _, (processor, _) = omni
    texts = [_turn(processor, "audio"), _turn(processor, "audio").replace("feel", "feel today")]
    out = processor(text=texts, audio=[_wave(1.0), _wave(1.0)], padding=True, return_tensors="pt")
    assert out["input_ids"].shape[0] == 2 and out["attention_mask"][:, -1].all()
    assert out["input_features"].shape[0] == 2
