"""The tiny Qwen2.5-Omni thinker with real processor outputs (video frames + 16 kHz audio), tests only.

The folder comes from ``emoreason.assets.tiny_omni.build_tiny_omni``; the processor is the one
``emoreason.reasoning.omni_processor.load_omni_processor`` gives (transformers' own where
torchvision works, else emoreason's frame processor). Frames are kept small (a few 28-px merge
windows) so a forward pass takes milliseconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

#: Frame area bounds for tests: 4..16 merge windows (28 x 28 px each) per frame.
VIDEO_OPTIONS = {"min_pixels": 4 * 28 * 28, "max_pixels": 16 * 28 * 28}
EXAMPLE_CLIP = (
    Path(__file__).resolve().parents[1] / "examples" / "clips" / "sad_face_calm_voice.mp4"
)


def build_omni(directory: Path) -> Path:
    from emoreason.assets.tiny_omni import build_tiny_omni

    return build_tiny_omni(directory, seed=0)


def save_full_omni(thinker_dir: Path, folder: Path) -> Path:
    """A full Qwen2.5-Omni folder (``model_type: qwen2_5_omni``, thinker + talker config, as
    Qwen2.5-Omni-7B and SABER-LLM ship) holding the thinker of ``thinker_dir`` and its processor
    files, written to ``folder``; no talker weights (``enable_audio_output=False``)."""
    import shutil

    import transformers as tf
    from transformers.models.qwen2_5_omni.configuration_qwen2_5_omni import Qwen2_5OmniConfig

    thinker = load_thinker(thinker_dir)
    full = tf.Qwen2_5OmniForConditionalGeneration(
        Qwen2_5OmniConfig(thinker_config=thinker.config.to_dict(), enable_audio_output=False)
    )
    full.thinker.load_state_dict(thinker.state_dict())
    full.save_pretrained(folder)
    for item in thinker_dir.iterdir():
        if item.name not in ("config.json", "model.safetensors", "generation_config.json"):
            shutil.copy(item, folder / item.name)
    return folder


def load_thinker(directory: Path) -> torch.nn.Module:
    from transformers import AutoModelForImageTextToText

    return AutoModelForImageTextToText.from_pretrained(directory, local_files_only=True).eval()


def load_processor(directory: Path) -> Any:
    from emoreason.reasoning.omni_processor import load_omni_processor

    return load_omni_processor(directory)[0]


def synthetic_frames(
    count: int = 4, height: int = 84, width: int = 112, seed: int = 0
) -> np.ndarray:
    """(count, H, W, 3) uint8: a bright square drifting over noise."""
    rng = np.random.default_rng(seed)
    frames = rng.integers(0, 60, size=(count, height, width, 3), dtype=np.uint8)
    for t in range(count):
        frames[t, 20:50, 10 + 8 * t : 40 + 8 * t] = 230
    return frames


def synthetic_audio(seconds: float = 1.2, seed: int = 0) -> np.ndarray:
    """16 kHz mono float32: a 220 Hz tone with a little noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(16000 * seconds)) / 16000
    return (0.3 * np.sin(2 * np.pi * 220 * t) + 0.02 * rng.standard_normal(t.size)).astype(
        np.float32
    )


def omni_inputs(
    processor: Any,
    text: str = "How does the speaker feel?",
    frames: np.ndarray | None = None,
    audio: np.ndarray | None = None,
) -> Any:
    """The processor's output for one user turn: video, then audio, then ``text``."""
    frames = synthetic_frames() if frames is None else frames
    audio = synthetic_audio() if audio is None else audio
    content = [{"type": "video"}, {"type": "audio"}, {"type": "text", "text": text}]
    prompt = processor.apply_chat_template(
        [{"role": "user", "content": content}], tokenize=False, add_generation_prompt=True
    )
    return processor(
        text=[prompt],
        videos=[frames],
        audio=[audio],
        return_tensors="pt",
        videos_kwargs=dict(VIDEO_OPTIONS),
    )
