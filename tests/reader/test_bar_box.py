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
    # Within two modules: the ends come from zxing-cpp's scan lines, good to a module.
    assert np.linalg.norm(quad(code) - truth, axis=1).max() <= 6.0, (quad(code), truth)
