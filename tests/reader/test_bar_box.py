"""A 1D barcode's box is measured around its bars, not left as zxing-cpp's scan line."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from rendering import canvas, ink_box, paste, quad, rotated, symbol

from imgqrcode import scan
from imgqrcode.reader import bar_box, geometry


def code128_scene() -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A Code 128 with printed text under it: the box must stop at the bars."""
    image = canvas(700, 400)
    box = paste(image, symbol("Code128", "bars only", scale=3, margin=0), 100, 100)
    cv2.putText(image, "bars only 123", (120, box[3] + 40), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    return image, box


def rectangle(left: float, top: float, right: float, bottom: float) -> np.ndarray:
    return np.array([[left, top], [right, top], [right, bottom], [left, bottom]], dtype=float)


def test_a_scan_line_grows_to_the_bars():
    image, (left, top, right, bottom) = code128_scene()
    middle = (top + bottom) / 2
    grown = bar_box.measure(image, rectangle(left, middle, right, middle + 1))
    assert np.abs(grown - rectangle(left, top, right, bottom)).max() <= 2.5


@pytest.mark.parametrize("degrees", [30, 115, 200, 290])
def test_a_tilted_scan_line_grows_to_the_tilted_bars(degrees):
    image, (left, top, right, bottom) = code128_scene()
    turned, transform = rotated(image, degrees)
    middle = (top + bottom) / 2
    line = geometry.apply(transform, rectangle(left, middle, right, middle + 1))
    grown = bar_box.measure(turned, line)
    expected = geometry.apply(transform, rectangle(left, top, right, bottom))
    assert np.linalg.norm(grown - expected, axis=1).max() <= 3.5


def test_blur_and_noise_do_not_stop_the_walk_early():
    image, (left, top, right, bottom) = code128_scene()
    noisy = cv2.GaussianBlur(image, (5, 5), 1.2).astype(np.int16)
    noisy += np.random.default_rng(7).normal(0, 12, image.shape).astype(np.int16)
    noisy = np.clip(noisy, 0, 255).astype(np.uint8)
    middle = (top + bottom) / 2
    grown = bar_box.measure(noisy, rectangle(left, middle - 2, right, middle + 2))
    assert np.abs(grown[:, 1] - [top, top, bottom, bottom]).max() <= 3


def test_scan_reports_the_box_in_a_scene():
    image, box = code128_scene()
    (code,) = scan(image).codes
    corners = quad(code)
    assert np.abs(corners - rectangle(*box)).max() <= 3


def test_a_box_at_the_image_edge_stays_in_the_image():
    pixels = symbol("EAN13", "5901234123457", scale=2, margin=0)
    (code,) = scan(np.pad(pixels, ((0, 0), (20, 20)), constant_values=255)).codes
    corners = quad(code)
    height = pixels.shape[0]
    assert corners[:, 1].min() >= 0 and corners[:, 1].max() <= height - 1
    assert ink_box(pixels)[1] <= corners[:, 1].min() + 2


@pytest.mark.parametrize("degrees", [-12, -5, 4, 9, 171, 186])
def test_a_row_scan_across_tilted_bars_gives_the_tilted_box(degrees):
    """zxing-cpp reads a slightly tilted barcode along an image row: the box must follow
    the bars, not the row."""
    image, (left, top, right, bottom) = code128_scene()
    turned, transform = rotated(image, degrees)
    truth = geometry.apply(transform, rectangle(left, top, right + 1, bottom + 1))
    row_y = truth[:, 1].mean()

    def crossing(edge_top: np.ndarray, edge_bottom: np.ndarray) -> float:
        """Where the image row ``row_y`` crosses an edge of the symbol."""
        share = (row_y - edge_top[1]) / (edge_bottom[1] - edge_top[1])
        return float(edge_top[0] + share * (edge_bottom[0] - edge_top[0]))

    first, last = crossing(truth[0], truth[3]), crossing(truth[1], truth[2])
    row = np.array([[first, row_y], [last, row_y], [last, row_y], [first, row_y]])
    grown = bar_box.measure(turned, row)
    assert np.linalg.norm(grown - truth, axis=1).max() <= 4.0, (grown, truth)


@pytest.mark.parametrize("degrees", [6, -8, 174])
def test_scan_of_a_slightly_tilted_barcode_follows_its_bars(degrees):
    image, (left, top, right, bottom) = code128_scene()
    turned, transform = rotated(image, degrees)
    truth = geometry.apply(transform, rectangle(left, top, right + 1, bottom + 1))
    (code,) = scan(turned).codes
    # The ends are the outermost bars' edges, not where zxing-cpp's scan lines stop
    # (up to a module off); ``rotated`` maps pixel centres, half a pixel from the edges.
    assert np.linalg.norm(quad(code) - truth, axis=1).max() <= 2.0, (quad(code), truth)


def seen(pixels: np.ndarray, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pixels`` mapped by the homography ``matrix`` onto a white canvas that holds them,
    and the map from old to new pixel-edge coordinates (OpenCV warps pixel centres: half
    a pixel off on the way in, half back on the way out)."""
    h, w = pixels.shape
    corners = geometry.apply(matrix, rectangle(0, 0, w, h))
    full = geometry.translation(*(40 - corners.min(axis=0))) @ matrix
    size = (int(np.ptp(corners[:, 0])) + 80, int(np.ptp(corners[:, 1])) + 80)
    out = cv2.warpPerspective(pixels, full, size, flags=cv2.INTER_AREA, borderValue=255)
    return out, geometry.translation(0.5, 0.5) @ full @ geometry.translation(-0.5, -0.5)


def assert_box_in(matrix: np.ndarray, tolerance: float) -> None:
    """A Code 128 seen through ``matrix`` is read with its bars' box to ``tolerance``."""
    pixels = symbol("Code128", "seen askew 128", scale=3, margin=0)
    left, top, right, bottom = ink_box(pixels)
    scene, transform = seen(pixels, matrix)
    truth = geometry.apply(transform, rectangle(left, top, right + 1, bottom + 1))
    (code,) = scan(scene).codes
    assert np.linalg.norm(quad(code) - truth, axis=1).max() <= tolerance, (quad(code), truth)


def turned(degrees: float) -> np.ndarray:
    """The homography of a turn by ``degrees`` (where to does not matter: see ``seen``)."""
    return np.vstack([cv2.getRotationMatrix2D((0.0, 0.0), degrees, 1.0), [0, 0, 1]])


@pytest.mark.parametrize(("pull", "degrees"), [(0.3, 0.0), (0.3, 180.0), (-0.25, 5.0)])
def test_the_box_follows_the_bars_in_perspective(pull, degrees):
    """One end's bars taller than the other's: the top and bottom join both ends, not a
    single height for the whole symbol (which misses the corners by several pixels)."""
    w, h = 600, 200
    source = rectangle(0, 0, w, h).astype(np.float32)
    squeeze = pull * h / 2
    target = rectangle(0, 0, w, h).astype(np.float32)
    target[1, 1], target[2, 1] = squeeze, h - squeeze
    assert_box_in(turned(degrees) @ cv2.getPerspectiveTransform(source, target), 1.5)


@pytest.mark.parametrize(("slant", "degrees"), [(0.25, 0.0), (-0.2, 3.0), (0.2, 90.0)])
def test_the_box_follows_a_sheared_symbol(slant, degrees):
    """Seen from aside, the bars are not square to the symbol's top and bottom: the box
    is measured at each end, around where zxing-cpp crossed that end, not across the
    bars from its middle (which misses one end's bars altogether)."""
    shear = np.array([[1.0, 0.0, 0.0], [slant, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert_box_in(turned(degrees) @ shear, 1.5)


@pytest.mark.parametrize("sigma", [0.0, 1.0, 2.0])
def test_blur_moves_no_edge_of_the_box(sigma):
    """The box's edges are the bars' edges in pixel-edge coordinates (a bar ending with
    pixel column 9 ends at x = 10) however blurred: a line grazing blurred bar ends
    still correlates with the bars, and zxing-cpp's ends are its last dark pixels."""
    image, (left, top, right, bottom) = code128_scene()
    if sigma:
        image = cv2.GaussianBlur(image, (0, 0), sigma)
    middle = (top + bottom) / 2
    grown = bar_box.measure(image, rectangle(left + 1, middle, right - 1, middle + 1))
    assert np.abs(grown - rectangle(left, top, right + 1, bottom + 1)).max() <= 0.5, grown
