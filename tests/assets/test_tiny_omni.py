"""The tiny Qwen2.5-Omni thinker: written locally, loads offline, token ids and towers line up."""

from __future__ import annotations

import hashlib
import importlib.util

import numpy as np
import pytest
import torch
import transformers as tf
from typer.testing import CliRunner

from emoreason.assets.tiny_omni import NAMED_TOKENS, OMNI_SPECIAL_TOKENS, build_tiny_omni
from emoreason.cli.app import app

LOCAL = {"local_files_only": True}


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_same_files_other_seed_other_weights(omni_dir, tmp_path):
    again = build_tiny_omni(tmp_path / "again")
    for name in ("config.json", "tokenizer.json", "model.safetensors", "preprocessor_config.json"):
        assert _digest(omni_dir / name) == _digest(again / name), name
    other = build_tiny_omni(tmp_path / "other", seed=1)
    assert _digest(other / "model.safetensors") != _digest(omni_dir / "model.safetensors")
    assert _digest(other / "tokenizer.json") == _digest(omni_dir / "tokenizer.json")


def test_model_is_a_small_thinker_with_one_layer_towers(omni_dir):
    model = tf.AutoModelForImageTextToText.from_pretrained(omni_dir, **LOCAL)
    assert type(model).__name__ == "Qwen2_5OmniThinkerForConditionalGeneration"
    config = model.config
    assert config.audio_config.encoder_layers == 1
    assert config.vision_config.depth == 1
    assert config.text_config.num_hidden_layers == 2
    assert config.text_config.hidden_size == 64
    assert sum(p.numel() for p in model.parameters()) < 2_000_000


def test_tokenizer_ids_match_the_model_config(omni_dir):
    tok = tf.AutoTokenizer.from_pretrained(omni_dir, **LOCAL)
    config = tf.AutoConfig.from_pretrained(omni_dir, **LOCAL)
    for token in OMNI_SPECIAL_TOKENS:  # each is one id, never split
        assert len(tok(token, add_special_tokens=False).input_ids) == 1, token
    ids = {name: tok.convert_tokens_to_ids(token) for name, token in NAMED_TOKENS.items()}
    assert config.audio_token_id == ids["audio_token"] == tok.audio_token_id
    assert config.video_token_id == ids["video_token"] == tok.video_token_id
    assert config.image_token_id == ids["image_token"] == tok.image_token_id
    assert config.vision_start_token_id == ids["vision_bos_token"]
    assert config.vision_end_token_id == ids["vision_eos_token"]
    assert config.audio_start_token_id == ids["audio_bos_token"]
    assert config.audio_end_token_id == ids["audio_eos_token"]
    assert max(tok.get_vocab().values()) < config.text_config.vocab_size
    text = "She says 我很好 but frowns; 悲伤 ✓"
    assert tok.decode(tok(text, add_special_tokens=False).input_ids) == text  # bytes fallback


def test_chat_template_renders_the_omni_layout(omni_dir):
    tok = tf.AutoTokenizer.from_pretrained(omni_dir, **LOCAL)
    parts = [{"type": "video"}, {"type": "audio"}, {"type": "text", "text": "How does she feel?"}]
    text = tok.apply_chat_template(
        [{"role": "user", "content": parts}], tokenize=False, add_generation_prompt=True
    )
    assert text == (
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
        "<|vision_bos|><|VIDEO|><|vision_eos|><|audio_bos|><|AUDIO|><|audio_eos|>"
        "How does she feel?<|im_end|>\n<|im_start|>assistant\n"
    )


def test_feature_extractor_and_image_processor_load_offline(omni_dir):
    config = tf.AutoConfig.from_pretrained(omni_dir, **LOCAL)
    features = tf.AutoFeatureExtractor.from_pretrained(omni_dir, **LOCAL)
    assert type(features).__name__ == "WhisperFeatureExtractor"
    assert features.feature_size == config.audio_config.num_mel_bins
    assert features.sampling_rate == 16000
    images = tf.AutoImageProcessor.from_pretrained(omni_dir, **LOCAL)
    assert images.temporal_patch_size == config.vision_config.temporal_patch_size == 2
    assert images.patch_size == config.vision_config.patch_size
    assert images.merge_size == config.vision_config.spatial_merge_size


def test_auto_processor_loads_where_torchvision_works(omni_dir):
    if importlib.util.find_spec("torchvision") is None:
        with pytest.raises(ImportError, match=r"[Tt]orchvision"):
            tf.AutoProcessor.from_pretrained(omni_dir, **LOCAL)
    else:
        processor = tf.AutoProcessor.from_pretrained(omni_dir, **LOCAL)
        assert type(processor).__name__ == "Qwen2_5OmniProcessor"


def _audio_token_count(mel_frames: int) -> int:
    """Reference: conv stride 2 (kernel 3, pad 1), then 2x average pooling (Qwen2.5-Omni audio)."""
    after_conv = (mel_frames - 1) // 2 + 1
    return (after_conv - 2) // 2 + 1


def test_audio_and_image_placeholders_reach_the_towers(omni_dir):
    """Forward with real feature-extractor / image-processor outputs and one placeholder per
    encoder output (the model checks image counts itself; audio counts are checked here)."""
    tok = tf.AutoTokenizer.from_pretrained(omni_dir, **LOCAL)
    model = tf.AutoModelForImageTextToText.from_pretrained(omni_dir, **LOCAL).eval()
    features = tf.AutoFeatureExtractor.from_pretrained(omni_dir, **LOCAL)
    images = tf.AutoImageProcessor.from_pretrained(omni_dir, **LOCAL)
    rng = np.random.default_rng(0)
    wave = (0.1 * rng.standard_normal(24000)).astype(np.float32)  # 1.5 s
    audio = features(
        wave, sampling_rate=16000, padding="max_length", return_attention_mask=True,
        return_tensors="pt",
    )  # fmt: skip
    n_audio = _audio_token_count(int(audio["attention_mask"].sum()))
    picture = rng.integers(0, 255, (56, 84, 3), dtype=np.uint8)
    pixels = images(picture, return_tensors="pt")
    n_image = int(pixels["image_grid_thw"].prod()) // 4
    text = (
        "<|im_start|>user\n<|vision_bos|>" + "<|IMAGE|>" * n_image + "<|vision_eos|>"
        "<|audio_bos|>" + "<|AUDIO|>" * n_audio + "<|audio_eos|>hi<|im_end|>\n"
    )
    ids = tok(text, return_tensors="pt")
    with torch.inference_mode():
        out = model(
            **ids,
            input_features=audio["input_features"],
            feature_attention_mask=audio["attention_mask"],
            pixel_values=pixels["pixel_values"],
            image_grid_thw=pixels["image_grid_thw"],
        )
    assert out.logits.shape[:2] == ids["input_ids"].shape
    assert torch.isfinite(out.logits).all()
    with torch.inference_mode():  # the audio tower gives one embedding per placeholder
        encoded = model.get_audio_features(
            audio["input_features"], feature_attention_mask=audio["attention_mask"]
        )
    assert encoded.last_hidden_state.shape == (n_audio, model.config.text_config.hidden_size)
    short = tok(text.replace("<|IMAGE|>", "", 1), return_tensors="pt")
    mismatch = pytest.raises(ValueError, match="Image features and image tokens do not match")
    with mismatch, torch.inference_mode():
        model(**short, pixel_values=pixels["pixel_values"], image_grid_thw=pixels["image_grid_thw"])


def test_cli_writes_the_folder(tmp_path):
    target = tmp_path / "omni"
    result = CliRunner().invoke(app, ["assets", "tiny-omni", str(target), "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert str(target) in result.output
    assert (target / "model.safetensors").is_file()
    assert '"seed": 3' in (target / "emoreason_tiny_omni.json").read_text()
