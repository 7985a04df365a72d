"""Moving a real face in a picture along a facial action (ours): the mesh's landmarks are moved in
the head frame (:mod:`face_synth`) and the picture is warped piecewise-affinely to follow them.

Used to measure how much of a geometric movement MediaPipe's face mesh reports on a real image
(:func:`emoreason.fitting.face.mesh_gains`). A warp moves skin without the wrinkles and shading that a
real action adds, so it measures a lower bound of the mesh's response.
"""

from __future__ import annotations

import cv2
import numpy as np

from emoreason.perception import face_geometry as g


def to_pixels(local: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Head-frame landmarks (N, 3) -> image pixels (N, 2), in the frame of the mesh ``points``."""
    _, axes, iod = g.head_frame(points)
    origin = points[[g.R_EYE_OUT, g.R_EYE_IN, g.L_EYE_OUT, g.L_EYE_IN]].mean(0)
    return ((local * iod) @ axes + origin)[:, :2]  # (N, 3) @ (3, 3) -> (N, 3)


def warp_image(image: np.ndarray, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """``image`` (H, W, 3) warped so that pixel ``src[i]`` lands on ``dst[i]`` ((N, 2) each),
    triangle by triangle over a Delaunay triangulation of ``dst`` plus the image border."""
    h, w = image.shape[:2]
    edge = np.linspace(0, 1, 6)
    border = np.concatenate([
        np.stack([edge * (w - 1), np.zeros(6)], 1), np.stack([edge * (w - 1), np.full(6, h - 1)], 1),
        np.stack([np.zeros(6), edge * (h - 1)], 1), np.stack([np.full(6, w - 1), edge * (h - 1)], 1),
    ])  # fmt: skip
    s = np.vstack([src, border])
    d = np.vstack([np.clip(dst, 0, [w - 1, h - 1]), border])
    subdiv = cv2.Subdiv2D((0, 0, w, h))
    for x, y in d:
        subdiv.insert((float(x), float(y)))
    out = image.copy()
    for tri in subdiv.getTriangleList().reshape(-1, 3, 2):
        ids = [int(np.argmin(((d - corner) ** 2).sum(1))) for corner in tri]
        ts, td = s[ids].astype(np.float32), d[ids].astype(np.float32)
        x, y, bw, bh = cv2.boundingRect(td)
        if bw <= 0 or bh <= 0:
            continue
        affine = cv2.getAffineTransform(ts, td)
        affine[:, 2] -= [x, y]
        patch = cv2.warpAffine(image, affine, (bw, bh), borderMode=cv2.BORDER_REFLECT)
        mask = np.zeros((bh, bw), np.uint8)
        cv2.fillConvexPoly(mask, np.int32(td - [x, y]), 1)
        x0, y0, x1, y1 = max(0, x), max(0, y), min(w, x + bw), min(h, y + bh)
        keep = mask[y0 - y : y1 - y, x0 - x : x1 - x].astype(bool)
        out[y0:y1, x0:x1][keep] = patch[y0 - y : y1 - y, x0 - x : x1 - x][keep]
    return out
