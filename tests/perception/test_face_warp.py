"""Piecewise-affine warping of a picture along moved landmarks (no models)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emoreason.perception.face_warp import warp_image

CLIPS = Path(__file__).resolve().parents[2] / "examples" / "clips"


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


@pytest.mark.slow
@pytest.mark.parametrize("expression", ["surprised", "disgusted"])
def test_a_real_face_warped_into_an_expression_is_read_through_the_real_mesh(
    expression: str,
) -> None:
    """The astronaut portrait (a broad smile with teeth, which no warp removes) warped along
    the actions of an upper-face or nose/lip prototype; MediaPipe's mesh on the warped picture,
    then the action reader."""
    import av
    import mediapipe as mp

    from emoreason.perception import face_synth as fs
    from emoreason.perception.face_actions import action_intensities, action_scores
    from emoreason.perception.face_geometry import head_frame, raw_measures
    from emoreason.perception.face_warp import to_pixels

    with av.open(str(CLIPS / "happy_consistent.mp4")) as container:
        image = next(container.decode(video=0)).to_ndarray(format="rgb24")
    h, w = image.shape[:2]
    with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True) as mesh:

        def landmarks(picture: np.ndarray) -> np.ndarray:
            found = mesh.process(picture).multi_face_landmarks[0].landmark
            return np.array([[p.x * w, p.y * h, p.z * w] for p in found])  # (478, 3)

        points = landmarks(image)
        target = fs.move(fs.neutralised(head_frame(points)[0]), fs.EXPRESSIONS[expression])
        warped = warp_image(image, points[:, :2], to_pixels(target, points))
        dist = action_scores(action_intensities(raw_measures(landmarks(warped))))
    assert max(dist, key=dist.get) == expression and dist[expression] > 0.6, dist
