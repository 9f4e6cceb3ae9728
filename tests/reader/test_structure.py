"""The structure grid, worked out a strip at a time, is the whole image's."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from rendering import symbol

from imgqrcode.reader.cascade import structure


@pytest.mark.parametrize("shape", [(230, 301), (64, 64), (150, 97)])
def test_strips_give_the_whole_images_moments(shape):
    rng = np.random.default_rng(sum(shape))
    work = cv2.GaussianBlur((rng.random(shape) * 255).astype(np.uint8), (3, 3), 0)
    qr = symbol("QRCode", "strips", scale=2, margin=2)[: shape[0], : shape[1]]
    work[: qr.shape[0], : qr.shape[1]] = qr
    height, width = shape[0] // structure.CELL, shape[1] // structure.CELL
    gx = cv2.Sobel(work, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(work, cv2.CV_32F, 0, 1, ksize=3)
    whole = [
        cv2.resize(
            (a * b)[: height * structure.CELL, : width * structure.CELL],
            (width, height),
            interpolation=cv2.INTER_AREA,
        )
        for a, b in ((gx, gx), (gy, gy), (gx, gy))
    ]
    np.testing.assert_allclose(structure._moments(work), np.stack(whole), rtol=1e-5, atol=1e-2)
