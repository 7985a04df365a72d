"""The media layout: SABER-LLM's inference settings by default, named by the same ``video_*``
fields in the inference and the training configuration, each checked to be a number."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from emoreason.errors import ConfigError
from emoreason.reasoning.omni_media import MediaLayout
from emoreason.reasoning.transformers_backend import TransformersConfig
from emoreason.training.config import SFTTrainConfig

TRAIN = {"model_path": "m", "train_file": "t.jsonl", "output_dir": "out"}


def test_the_default_is_saber_llms_layout_in_both_configurations() -> None:
    saber = MediaLayout()  # VIDEO_MAX_PIXELS=50176 FPS_MAX_FRAMES=40, qwen-omni-utils' floors
    assert (saber.fps, saber.min_frames, saber.max_frames) == (2.0, 4, 40)
    assert (saber.min_pixels, saber.max_pixels) == (128 * 28 * 28, 50176)
    assert TransformersConfig(model_path="m").layout == saber
    assert SFTTrainConfig(**TRAIN).media_layout() == saber


def test_video_fields_name_the_layout() -> None:
    fields = SimpleNamespace(
        video_fps=1.0,
        video_min_frames=2,
        video_max_frames=8,
        video_min_pixels=28 * 28,
        video_max_pixels=4 * 28 * 28,
    )
    assert MediaLayout.from_video_fields(fields) == MediaLayout(1.0, 2, 8, 784, 3136)
    values = vars(fields)
    assert TransformersConfig(model_path="m", **values).layout == MediaLayout(1.0, 2, 8, 784, 3136)
    assert SFTTrainConfig(**TRAIN, **values).media_layout() == MediaLayout(1.0, 2, 8, 784, 3136)


@pytest.mark.parametrize(
    ("name", "value"), [("video_fps", "2"), ("video_max_frames", True), ("video_min_pixels", None)]
)
def test_a_value_that_is_not_a_number_is_named(name: str, value: object) -> None:
    with pytest.raises(ConfigError, match=f"^{name}: expected a number, got"):
        TransformersConfig(model_path="m", **{name: value})
    with pytest.raises(ConfigError, match=f"^{name}: expected a number, got"):
        SFTTrainConfig(**TRAIN, **{name: value})


def test_layout_bounds_are_checked() -> None:
    with pytest.raises(ConfigError, match="video_fps must be > 0"):
        TransformersConfig(model_path="m", video_fps=0)
    with pytest.raises(ConfigError, match="min_frames <= max_frames"):
        SFTTrainConfig(**TRAIN, video_min_frames=9, video_max_frames=8)
    with pytest.raises(ConfigError, match="video pixels"):
        MediaLayout(min_pixels=10)
