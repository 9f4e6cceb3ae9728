"""The row filters the bar stage applies to upright crops of blurred or unevenly lit symbols."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from rendering import symbol

from imgqrcode.reader import decoder
from imgqrcode.reader.cascade import enhance

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
