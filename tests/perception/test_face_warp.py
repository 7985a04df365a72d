"""Piecewise-affine warping of a picture along moved landmarks (no models)."""

from __future__ import annotations

import numpy as np

from emoreason.perception.face_warp import warp_image


def _grid(n: int = 5, size: int = 200) -> np.ndarray:
    ticks = np.linspace(40, size - 40, n)
    return np.array([[x, y] for x in ticks for y in ticks], dtype=np.float64)  # (n*n, 2)


def test_a_moved_landmark_carries_its_pixels_along() -> None:
    image = np.zeros((200, 200, 3), np.uint8)
    src = _grid()
    centre = 12  # the grid's middle point (100, 100)
    image[98:103, 98:103] = 255
    dst = src.copy()
    dst[centre] += (12.0, -9.0)
    out = warp_image(image, src, dst)
    ys, xs = np.nonzero(out[:, :, 0] > 128)
    assert abs(xs.mean() - 112.0) < 1.5 and abs(ys.mean() - 91.0) < 1.5


def test_unmoved_landmarks_leave_the_picture_as_it_was() -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)
    src = _grid(4, 120)
    out = warp_image(image, src, src.copy())
    assert np.mean(np.abs(out.astype(int) - image.astype(int))) < 2.0
