"""Video pixel inputs without torchvision: checked against a patch-by-patch loop and against
transformers' Qwen2-VL image processor (a picture is a clip of two identical frames)."""

from __future__ import annotations

import numpy as np
import pytest

from emoreason.errors import ConfigError, MediaError
from emoreason.reasoning.omni_video import (
    VideoPatching,
    patchify_video,
    smart_resize,
    video_pixel_inputs,
    video_token_count,
)

SMALL = VideoPatching(min_pixels=4 * 28 * 28, max_pixels=20 * 28 * 28)


def _frames(count: int, height: int, width: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (count, height, width, 3), dtype=np.uint8)


def _naive_patches(frames: np.ndarray, p: VideoPatching) -> np.ndarray:
    """Reference: walk frame pairs, merge windows and the patches inside them one by one."""
    mean, std = np.array(p.image_mean), np.array(p.image_std)
    x = (frames.astype(np.float64) / 255 - mean) / std  # (T, H, W, C)
    size, tp, m = p.patch_size, p.temporal_patch_size, p.merge_size
    rows = []
    for t0 in range(0, x.shape[0], tp):
        for wy in range(x.shape[1] // (size * m)):
            for wx in range(x.shape[2] // (size * m)):
                for iy in range(m):
                    for ix in range(m):
                        y0, x0 = (wy * m + iy) * size, (wx * m + ix) * size
                        cube = x[t0 : t0 + tp, y0 : y0 + size, x0 : x0 + size, :]  # (tp, s, s, C)
                        rows.append(cube.transpose(3, 0, 1, 2).reshape(-1))  # (C, tp, s, s)
    return np.stack(rows)


def test_smart_resize_keeps_multiples_bounds_and_aspect():
    for height, width in [(360, 640), (512, 512), (90, 130), (1080, 1920), (100, 700), (13, 17)]:
        h, w = smart_resize(height, width, 28, 4 * 28 * 28, 64 * 28 * 28)
        assert h % 28 == 0 and w % 28 == 0
        assert 4 * 28 * 28 <= h * w <= 64 * 28 * 28
        assert abs(np.log((h / w) / (height / width))) < 0.35
    assert smart_resize(56, 84, 28, 28 * 28, 10**6) == (56, 84)  # already valid: unchanged
    with pytest.raises(MediaError, match="aspect ratio"):
        smart_resize(10, 3000, 28, 28 * 28, 10**6)


def test_patch_layout_matches_a_patch_by_patch_loop():
    frames = _frames(4, 56, 84)
    patches, grid = patchify_video(frames, SMALL)
    assert grid == (2, 4, 6)
    expected = _naive_patches(frames, SMALL)
    assert patches.shape == expected.shape == (2 * 4 * 6, 3 * 2 * 14 * 14)
    np.testing.assert_allclose(patches, expected, atol=1e-5)


def test_odd_frame_count_repeats_the_last_frame():
    frames = _frames(3, 56, 56, seed=1)
    padded = np.concatenate([frames, frames[-1:]])
    odd, grid = patchify_video(frames, SMALL)
    even, _ = patchify_video(padded, SMALL)
    assert grid[0] == 2
    np.testing.assert_array_equal(odd, even)


@pytest.mark.parametrize("size", [(90, 130), (56, 84), (300, 200)])
def test_a_still_clip_equals_the_image_processor_on_its_picture(size):
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import (
        Qwen2VLImageProcessorPil,
    )

    picture = _frames(1, *size, seed=2)[0]
    reference = Qwen2VLImageProcessorPil(
        size={"shortest_edge": SMALL.min_pixels, "longest_edge": SMALL.max_pixels}
    )(picture, return_tensors="np")
    ours = video_pixel_inputs(np.stack([picture, picture]), SMALL)
    np.testing.assert_array_equal(ours["video_grid_thw"], reference["image_grid_thw"])
    np.testing.assert_allclose(ours["pixel_values_videos"], reference["pixel_values"], atol=1e-5)
    assert (
        video_token_count(ours["video_grid_thw"][0], 2) == reference["pixel_values"].shape[0] // 4
    )


def test_settings_come_from_the_model_folder(omni_dir, tmp_path):
    patching = VideoPatching.from_folder(omni_dir)
    assert (patching.patch_size, patching.temporal_patch_size, patching.merge_size) == (14, 2, 2)
    assert patching.min_pixels == 128 * 28 * 28 and patching.max_pixels == 768 * 28 * 28
    with pytest.raises(ConfigError, match=r"no video_preprocessor_config\.json"):
        VideoPatching.from_folder(tmp_path)
    with pytest.raises(ConfigError, match="max_pixels"):
        VideoPatching(min_pixels=100, max_pixels=10)
    with pytest.raises(MediaError, match=r"\(T, H, W, 3\)"):
        video_pixel_inputs(np.zeros((2, 8, 8), dtype=np.uint8), SMALL)
