"""Qwen2-VL / Qwen2.5-Omni video pixel inputs from decoded frames, without torchvision.

transformers' ``Qwen2VLVideoProcessor`` needs torchvision; this module makes the same model inputs
with numpy and PIL, by the rule Qwen2-VL's image processor applies to one picture:

1. frames are padded to a multiple of ``temporal_patch_size`` (2) by repeating the last one;
2. each frame is resized (PIL bicubic) to ``smart_resize``'s size: both sides multiples of
   ``patch_size * merge_size`` (28), area within ``[min_pixels, max_pixels]``, aspect kept;
3. pixels are rescaled to [0, 1] and normalised with the CLIP mean/std;
4. the clip ``(T, C, H, W)`` is cut into ``temporal x patch x patch`` cubes, ordered frame-pair,
   then merge-window row, merge-window column, then the 2x2 cubes inside a window, each flattened
   as ``(C, temporal, patch, patch)``: ``pixel_values_videos`` has shape
   ``(t * h * w, C * temporal * patch * patch)`` and ``video_grid_thw`` is ``[[t, h, w]]``.

The model turns every ``merge_size**2`` cubes into one ``<|VIDEO|>`` token.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.errors import ConfigError, MediaError

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


def smart_resize(
    height: int, width: int, factor: int, min_pixels: int, max_pixels: int
) -> tuple[int, int]:
    """(height, width) rounded to multiples of ``factor`` with the area in [min, max] pixels."""
    if min(height, width) < 1:
        raise MediaError(f"frame of {width}x{height} pixels cannot be resized")
    if max(height, width) / min(height, width) > 200:
        raise MediaError(f"frame aspect ratio {width}x{height} is over 200:1")
    h_bar = max(factor, round(height / factor) * factor)
    w_bar = max(factor, round(width / factor) * factor)
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt(height * width / max_pixels)
        h_bar = max(factor, math.floor(height / beta / factor) * factor)
        w_bar = max(factor, math.floor(width / beta / factor) * factor)
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = math.ceil(height * beta / factor) * factor
        w_bar = math.ceil(width * beta / factor) * factor
    return h_bar, w_bar


@dataclass(frozen=True)
class VideoPatching:
    """The video processor settings of a Qwen2-VL-family model folder."""

    patch_size: int = 14
    temporal_patch_size: int = 2
    merge_size: int = 2
    min_pixels: int = 128 * 28 * 28
    max_pixels: int = 768 * 28 * 28
    image_mean: tuple[float, float, float] = CLIP_MEAN
    image_std: tuple[float, float, float] = CLIP_STD

    def __post_init__(self) -> None:
        for name in ("patch_size", "temporal_patch_size", "merge_size", "min_pixels"):
            if getattr(self, name) < 1:
                raise ConfigError(f"VideoPatching.{name} must be >= 1, got {getattr(self, name)}")
        if self.max_pixels < self.min_pixels:
            raise ConfigError(
                f"VideoPatching.max_pixels ({self.max_pixels}) is below min_pixels ({self.min_pixels})"
            )

    @property
    def factor(self) -> int:
        """Frame sides are multiples of this (one merge window)."""
        return self.patch_size * self.merge_size

    @classmethod
    def from_folder(cls, path: str | Path) -> VideoPatching:
        """Read ``video_preprocessor_config.json`` (else ``preprocessor_config.json``) of a folder."""
        folder = Path(path)
        for name in ("video_preprocessor_config.json", "preprocessor_config.json"):
            file = folder / name
            if file.is_file():
                try:
                    return cls.from_dict(json.loads(file.read_text(encoding="utf-8")))
                except (ValueError, TypeError) as exc:
                    raise ConfigError(f"{file}: not a video processor config ({exc})") from None
        raise ConfigError(
            f"{folder}: no video_preprocessor_config.json or preprocessor_config.json"
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VideoPatching:
        size = data.get("size") or {}
        defaults = cls()
        return cls(
            patch_size=int(data.get("patch_size", defaults.patch_size)),
            temporal_patch_size=int(data.get("temporal_patch_size", defaults.temporal_patch_size)),
            merge_size=int(data.get("merge_size", defaults.merge_size)),
            min_pixels=int(
                data.get("min_pixels") or size.get("shortest_edge") or defaults.min_pixels
            ),
            max_pixels=int(
                data.get("max_pixels") or size.get("longest_edge") or defaults.max_pixels
            ),
            image_mean=tuple(data.get("image_mean", defaults.image_mean)),  # type: ignore[arg-type]
            image_std=tuple(data.get("image_std", defaults.image_std)),  # type: ignore[arg-type]
        )

    def with_pixels(self, min_pixels: int | None, max_pixels: int | None) -> VideoPatching:
        """A copy with other frame-area bounds (None keeps the folder's)."""
        low = self.min_pixels if min_pixels is None else int(min_pixels)
        high = self.max_pixels if max_pixels is None else int(max_pixels)
        return VideoPatching(
            self.patch_size, self.temporal_patch_size, self.merge_size, low, max(low, high),
            self.image_mean, self.image_std,
        )  # fmt: skip


def resized_frames(frames: np.ndarray, patching: VideoPatching) -> np.ndarray:
    """``(T, H, W, 3)`` uint8 frames resized (PIL bicubic) to the ``smart_resize`` size."""
    from PIL import Image

    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.shape[0] == 0:
        raise MediaError(f"expected frames of shape (T, H, W, 3), got {tuple(frames.shape)}")
    height, width = frames.shape[1:3]
    new_h, new_w = smart_resize(
        height, width, patching.factor, patching.min_pixels, patching.max_pixels
    )
    if (new_h, new_w) == (height, width):
        return np.asarray(frames, dtype=np.uint8)
    out = [
        np.asarray(
            Image.fromarray(np.asarray(f, dtype=np.uint8)).resize((new_w, new_h), Image.BICUBIC)
        )
        for f in frames
    ]
    return np.stack(out)


def patchify_video(
    frames: np.ndarray, patching: VideoPatching
) -> tuple[np.ndarray, tuple[int, int, int]]:
    """Normalised, already-resized ``(T, H, W, 3)`` uint8 frames -> (patches, (t, h, w) grid)."""
    temporal, patch, merge = patching.temporal_patch_size, patching.patch_size, patching.merge_size
    if frames.shape[0] % temporal:  # pad with copies of the last frame
        pad = temporal - frames.shape[0] % temporal
        frames = np.concatenate([frames, np.repeat(frames[-1:], pad, axis=0)])
    total, height, width, channels = frames.shape
    if height % (patch * merge) or width % (patch * merge):
        raise MediaError(f"frame size {width}x{height} is not a multiple of {patch * merge}")
    mean = np.asarray(patching.image_mean, dtype=np.float32)
    std = np.asarray(patching.image_std, dtype=np.float32)
    pixels = (frames.astype(np.float32) * np.float32(1 / 255) - mean) / std  # (T, H, W, C)
    pixels = pixels.transpose(0, 3, 1, 2)  # (T, C, H, W)
    grid_t, grid_h, grid_w = total // temporal, height // patch, width // patch
    cubes = pixels.reshape(
        grid_t, temporal, channels,
        grid_h // merge, merge, patch,
        grid_w // merge, merge, patch,
    )  # fmt: skip
    # -> (t, h/m, w/m, m, m, C, temporal, patch, patch)
    cubes = cubes.transpose(0, 3, 6, 4, 7, 2, 1, 5, 8)
    flat = cubes.reshape(grid_t * grid_h * grid_w, channels * temporal * patch * patch)
    return np.ascontiguousarray(flat), (grid_t, grid_h, grid_w)


def video_pixel_inputs(frames: np.ndarray, patching: VideoPatching) -> dict[str, np.ndarray]:
    """``pixel_values_videos`` (N, C*2*14*14) float32 and ``video_grid_thw`` (1, 3) int64."""
    patches, grid = patchify_video(resized_frames(frames, patching), patching)
    return {
        "pixel_values_videos": patches,
        "video_grid_thw": np.asarray([grid], dtype=np.int64),
    }


def video_token_count(grid_thw: tuple[int, int, int] | np.ndarray, merge_size: int) -> int:
    """``<|VIDEO|>`` tokens for one video grid: one per ``merge_size**2`` patch cubes."""
    t, h, w = (int(v) for v in grid_thw)
    return t * h * w // (merge_size * merge_size)
