"""The renditions the cascade makes of blurred or unevenly lit crops: the bar stage's row
filters, and the patch stage's deblurring of 2D symbols out of focus or shaken."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from rendering import symbol

from imgqrcode.reader import decoder
from imgqrcode.reader.cascade import enhance, patches

EAN = "978080481663"
EAN_TEXT = "9780804816632"


def blurred_ean(sigma: float, shade: float = 0.0) -> np.ndarray:
    """An EAN-13 at 4 pixels a module, out of focus by ``sigma`` pixels across its bars,
    and darkening towards its right end by ``shade`` of its brightness."""
    pixels = symbol("EAN13", EAN, scale=4, margin=30).astype(np.float32)
    pixels = cv2.GaussianBlur(pixels, (0, 0), sigmaX=sigma, sigmaY=0.5)
    pixels *= 1 - shade * np.linspace(0, 1, pixels.shape[1])[np.newaxis, :]
    pixels += np.random.default_rng(0).normal(0, 2, pixels.shape)
    return np.clip(pixels, 0, 255).astype(np.uint8)


def texts(pixels: np.ndarray) -> list[str]:
    return [barcode.text for barcode in decoder.read(pixels, try_downscale=False)]


@pytest.mark.parametrize("sigma", [1.5, 2.5, 4.0])
def test_blur_width_is_measured_on_the_bars(sigma):
    rows = cv2.blur(blurred_ean(sigma), (1, enhance.BAR_SMOOTHING)).astype(np.float32)
    assert enhance.blur_width(rows) == pytest.approx(sigma, rel=0.3)


def test_a_sharp_crop_is_left_nearly_alone():
    sharp = symbol("EAN13", EAN, scale=4, margin=30)
    rows = cv2.blur(sharp, (1, enhance.BAR_SMOOTHING)).astype(np.float32)
    assert enhance.blur_width(rows) <= 1.0
    assert texts(enhance.levelled(enhance.deblurred(sharp))) == [EAN_TEXT]


@pytest.mark.parametrize("shade", [0.0, 0.6])
def test_a_blurred_shaded_ean_reads_once_deblurred_and_levelled(shade):
    pixels = blurred_ean(2.0, shade)
    assert texts(pixels) == []
    assert texts(enhance.levelled(enhance.deblurred(pixels))) == [EAN_TEXT]


def test_the_wiener_kernel_keeps_the_mean_and_restores_what_the_blur_took():
    for sigma in (enhance.MIN_BLUR, 2.0, enhance.MAX_BLUR):
        kernel = enhance.wiener_kernel(sigma)
        assert len(kernel) % 2 == 1
        assert np.allclose(kernel, kernel[::-1], atol=1e-6)
        blur = cv2.getGaussianKernel(2 * math.ceil(4 * sigma) + 1, sigma).ravel()
        row = np.full(400, 128.0)
        assert np.convolve(row, kernel, mode="same")[200] == pytest.approx(128.0, abs=0.01)
        # A ripple of the wavelength the blur (about) halves comes back to most of its height.
        frequency = np.sqrt(np.log(2) / 2) / (np.pi * sigma)
        ripple = np.cos(2 * np.pi * frequency * np.arange(400))
        blurred = np.convolve(ripple, blur, mode="same")
        restored = np.convolve(blurred, kernel, mode="same")
        middle = slice(100, 300)
        assert np.abs(blurred[middle]).max() < 0.7
        assert np.abs(restored[middle]).max() > 0.8


def test_levelling_leaves_a_quiet_zone_white():
    """Faint ripples on flat paper, thresholded at its own mean, would turn into bars and break
    the quiet zone a 1D decoder needs."""
    flat = np.random.default_rng(1).normal(200, 0.5, (60, 200))
    bars = np.tile(np.repeat([40.0, 200.0], 8), 10)[np.newaxis, :].repeat(60, axis=0)
    pixels = np.clip(np.hstack([flat, bars]), 0, 255).astype(np.uint8)
    levelled = enhance.levelled(pixels)
    assert (levelled[:, : 200 - 3 * int(enhance.LEVEL_SIGMA)] == 0).mean() < 0.01
    assert (levelled[:, 220:] == 0).mean() == pytest.approx(0.5, abs=0.1)


@pytest.mark.parametrize(
    "fmt, text",
    [
        ("QRCode", "https://example.com/deblur?id=42"),
        ("DataMatrix", "PART 7731-A LOT 22"),
        ("Aztec", "SEAT 14C GATE 9"),
    ],
)
def test_a_blurred_2d_symbol_reads_once_deconvolved(fmt, text):
    """Half a module of blur at 4 pixels a module defeats zxing-cpp on every 2D symbology."""
    pixels = symbol(fmt, text, scale=4, margin=20).astype(np.float32)
    pixels = cv2.GaussianBlur(pixels, (0, 0), 2.0)
    pixels += np.random.default_rng(0).normal(0, 2, pixels.shape)
    blurred = np.clip(pixels, 0, 255).astype(np.uint8)
    assert texts(blurred) == []
    restored = enhance.deconvolved(blurred)
    assert restored.shape == blurred.shape
    assert texts(restored) == [text]


def test_deconvolving_a_sharp_symbol_keeps_it_readable():
    sharp = symbol("QRCode", "already sharp", scale=4, margin=20)
    assert texts(enhance.deconvolved(sharp)) == ["already sharp"]


def test_blur_width_of_a_crop_too_small_to_measure_is_the_least():
    for shape in ((0, 0), (1, 1), (5, 1), (1, 5)):
        assert enhance.blur_width(np.zeros(shape, np.float32)) == enhance.MIN_BLUR


def shaken(fmt: str, text: str, length: float, degrees: float, seed: int = 0) -> np.ndarray:
    """A 2D symbol at 4 pixels a module streaked by a camera moving ``length`` pixels
    at ``degrees`` (image axes, y down), as a line drawn anti-aliased."""
    pixels = symbol(fmt, text, scale=4, margin=20).astype(np.float32)
    size = 2 * math.ceil(length / 2) + 1
    kernel = np.zeros((size, size), np.float32)
    centre, half = size // 2, length / 2
    dx, dy = half * math.cos(math.radians(degrees)), half * math.sin(math.radians(degrees))
    ends = [(round((centre + s * dx) * 16), round((centre + s * dy) * 16)) for s in (-1, 1)]
    cv2.line(kernel, ends[0], ends[1], 1.0, 1, cv2.LINE_AA, shift=4)
    pixels = cv2.filter2D(pixels, -1, kernel / kernel.sum())
    pixels += np.random.default_rng(seed).normal(0, 2, pixels.shape)
    return np.clip(pixels, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("degrees", [0, 45, 90, 135])
def test_a_streak_is_measured_along_the_motion(degrees):
    blur = enhance.streak(shaken("QRCode", "https://example.com/shake?id=7", 7, degrees))
    turn = abs(math.degrees(blur.angle) - degrees) % 180
    assert min(turn, 180 - turn) < 8
    # The anti-aliased line spans about a pixel more than its length.
    assert 7 <= blur.length <= 9
    assert blur.focus < 1.0


def test_a_still_symbol_measures_no_marked_streak():
    sharp = symbol("QRCode", "already sharp", scale=4, margin=20)
    soft = cv2.GaussianBlur(sharp, (0, 0), 1.5)
    for pixels in (sharp, soft):
        assert enhance.streak(pixels).length < patches.MARKED_STREAK
    assert texts(enhance.unstreaked(sharp, enhance.streak(sharp))) == ["already sharp"]


@pytest.mark.parametrize(
    "fmt, text, length, degrees",
    [
        ("QRCode", "https://example.com/shake?id=7", 7, 0),
        ("QRCode", "https://example.com/shake?id=7", 7, 90),
        ("DataMatrix", "PART 7731-A LOT 22", 7, 45),
        ("Aztec", "SEAT 14C GATE 9", 6, 45),
        ("Aztec", "SEAT 14C GATE 9", 6, 135),
    ],
)
def test_a_shaken_2d_symbol_reads_once_unstreaked(fmt, text, length, degrees):
    """A streak longer than a module and a half: neither zxing-cpp nor undoing a round
    blur reads the symbol, undoing the streak measured on it does."""
    pixels = shaken(fmt, text, length, degrees)
    assert texts(pixels) == []
    assert texts(enhance.deconvolved(pixels)) == []
    restored = enhance.unstreaked(pixels, enhance.streak(pixels))
    assert restored.shape == pixels.shape
    assert texts(restored) == [text]
