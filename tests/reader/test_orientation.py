"""Corners come in the code's own orientation, whatever the image's rotation."""

from __future__ import annotations

import numpy as np
import pytest
from rendering import quad, rotated, symbol

from imgqrcode import scan
from imgqrcode.reader import geometry

TWO_D = [
    ("QRCode", "rotation test QR"),
    ("DataMatrix", "rotation test DM"),
    ("Aztec", "rotation test Aztec"),
    ("MicroQRCode", "ROT1"),
]


def expected_corners(pixels: np.ndarray, transform: np.ndarray) -> np.ndarray:
    """The upright reading's corners carried into the rotated image (within two modules)."""
    upright = scan(pixels).codes[0]
    return geometry.apply(transform, quad(upright))


@pytest.mark.parametrize(("fmt", "content"), TWO_D)
@pytest.mark.parametrize("quarter_turns", [0, 1, 2, 3])
def test_right_angles(fmt, content, quarter_turns):
    pixels = symbol(fmt, content, scale=5)
    turned = np.ascontiguousarray(np.rot90(pixels, quarter_turns))
    _, transform = rotated(pixels, 90 * quarter_turns)
    codes = scan(turned).codes
    assert [c.data for c in codes] == [content]
    error = np.linalg.norm(quad(codes[0]) - expected_corners(pixels, transform), axis=1)
    assert error.max() <= 3.0, (quad(codes[0]), expected_corners(pixels, transform))


@pytest.mark.parametrize(("fmt", "content"), [*TWO_D[:3], ("PDF417", "rotation test PDF")])
@pytest.mark.parametrize("degrees", [17, 45, 133, 210, 301])
def test_arbitrary_angles(fmt, content, degrees):
    pixels = symbol(fmt, content, scale=6, margin=40)
    turned, transform = rotated(pixels, degrees)
    codes = scan(turned).codes
    assert [c.data for c in codes] == [content]
    error = np.linalg.norm(quad(codes[0]) - expected_corners(pixels, transform), axis=1)
    # zxing-cpp places a tilted PDF417's right edge (stop pattern) less precisely.
    tolerance = 18.0 if fmt == "PDF417" else 12.0
    assert error.max() <= tolerance, (quad(codes[0]), expected_corners(pixels, transform))


def test_upside_down_code_has_its_left_top_at_the_image_bottom_right():
    pixels = symbol("QRCode", "upside down", scale=5)
    code = scan(np.ascontiguousarray(pixels[::-1, ::-1])).codes[0]
    height, width = pixels.shape
    assert code.position.left_top.x > width / 2 and code.position.left_top.y > height / 2
    assert code.position.right_bottom.x < width / 2 and code.position.right_bottom.y < height / 2


@pytest.mark.parametrize("quarter_turns", [1, 2, 3])
def test_linear_barcode_box_turns_with_it(quarter_turns):
    pixels = symbol("Code128", "linear turn", scale=3)
    turned = np.ascontiguousarray(np.rot90(pixels, quarter_turns))
    _, transform = rotated(pixels, 90 * quarter_turns)
    codes = scan(turned).codes
    assert [c.data for c in codes] == ["linear turn"]
    error = np.linalg.norm(quad(codes[0]) - expected_corners(pixels, transform), axis=1)
    assert error.max() <= 4.0
