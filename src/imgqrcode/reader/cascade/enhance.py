"""Pixel-level renditions that make a soft, dim or noisy symbol decodable.

Each keeps the geometry of its input (same size, same frame), so a rendition of a
:class:`~imgqrcode.reader.cascade.warp.Warped` image keeps its transform. The row filters
(:func:`deblurred`, :func:`levelled`) are for upright bar crops: they work along the rows,
across bars that stand vertical.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from imgqrcode.reader.cascade.warp import Warped

BAR_SMOOTHING = 9
"""Rows of an upright bar crop averaged together before a row filter: the bars are the same
all down their height, the noise is not."""

MIN_BLUR, MAX_BLUR = 0.5, 8.0
"""Range (pixels, Gaussian sigma) of the blur :func:`deblurred` undoes: below it there is
nothing to undo, above it the estimate comes from glare or shade, not from bars."""

NOISE = 0.01
"""Noise-to-signal power the Wiener filter assumes: how far it trusts frequencies the blur
has nearly erased (smaller restores more, and rings more)."""

MATRIX_NOISE = 0.02
"""The same for a 2D symbol (:func:`deconvolved`): a filter across both axes lifts noise at
far more frequencies than one along the rows, so it trusts them less."""

LEVEL_SIGMA = 12.0
"""Width (pixels, Gaussian sigma) of the local mean :func:`levelled` thresholds against:
about three modules of an upright crop, wide enough to hold a bar and a space of any
1D symbology, narrow against the light changing along the symbol."""

LEVEL_MARGIN = 0.02
"""How much darker than its surroundings a pixel must be to count as a bar, as a share of
the crop's contrast: the faint ripples compression leaves on flat paper, thresholded at
their own mean, would otherwise turn a quiet zone into bars."""


def equalised(image: np.ndarray) -> np.ndarray:
    """Local contrast stretched (CLAHE): a symbol in shadow, glare or low contrast."""
    tiles = max(1, min(8, min(image.shape[:2]) // 48))
    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(tiles, tiles)).apply(image)


def sharpened(image: np.ndarray, sigma: float = 1.5) -> np.ndarray:
    """Unsharp mask: edges of a blurred symbol steepened back towards its modules."""
    soft = cv2.GaussianBlur(image, (0, 0), sigma)
    return cv2.addWeighted(image, 2.0, soft, -1.0, 0)


def thresholded(image: np.ndarray) -> np.ndarray:
    """One global (Otsu) threshold: where uneven print or a curved label confuses the
    local binarizer zxing-cpp uses by default."""
    return cv2.threshold(image, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[1]


def deblurred(image: np.ndarray) -> np.ndarray:
    """An upright bar crop with its blur along the rows undone (Wiener deconvolution).

    A phone focused in front of or behind a label spreads each edge over several pixels:
    narrow spaces between wide bars never rise to the row's threshold, and the bars that
    remain read as wrong widths. The blur is taken as Gaussian, its width measured on the
    crop itself (:func:`blur_width`).
    """
    rows = cv2.blur(image, (1, BAR_SMOOTHING)).astype(np.float32)
    kernel = wiener_kernel(blur_width(rows))
    restored = cv2.filter2D(rows, -1, kernel[np.newaxis, :], borderType=cv2.BORDER_REFLECT)
    return np.clip(restored, 0, 255).astype(np.uint8)


def wiener_kernel(sigma: float) -> np.ndarray:
    """The Wiener filter against a Gaussian blur of width ``sigma``, as a row kernel.

    Its ringing fades within about eight ``sigma``; as a short kernel it costs a tenth of
    filtering the crop's rows in the frequency domain. Normalised to keep each row's mean.
    """
    half = math.ceil(8 * sigma)
    size = 4 * half + 2
    response = np.fft.irfft(_wiener(sigma, np.fft.rfftfreq(size) ** 2, NOISE), n=size)
    kernel = np.concatenate([response[-half:], response[: half + 1]])
    return (kernel / kernel.sum()).astype(np.float32)


def blur_width(rows: np.ndarray) -> float:
    """The Gaussian sigma (pixels) of the blur across the bars of an upright crop.

    A step of height ``a`` blurred by a Gaussian of width ``sigma`` rises at most
    ``a / (sqrt(2 pi) sigma)`` a pixel: the steepest slope of the middle rows (at their
    widest bars or spaces) against their swing gives ``sigma``.
    """
    h = rows.shape[0]
    if h == 0 or rows.shape[1] < 2:
        return MIN_BLUR
    middle = rows[h // 3 : max(h // 3 + 1, 2 * h // 3)]
    slope = float(np.median(np.abs(np.diff(middle, axis=1)).max(axis=1)))
    low, high = np.percentile(middle, (5, 95), axis=1)
    swing = float(np.median(high - low))
    return min(MAX_BLUR, max(MIN_BLUR, swing / (math.sqrt(2 * math.pi) * max(slope, 1e-3))))


def deconvolved(image: np.ndarray) -> np.ndarray:
    """A crop of a 2D symbol with its blur undone (Wiener deconvolution in both axes).

    A small QR, DataMatrix or Aztec symbol out of focus blurs its modules into their
    neighbours, and enlarging the crop only enlarges the blur. The blur is taken as a
    round Gaussian whose width is measured along the rows and along the columns
    (:func:`blur_width`); unlike a bar crop's, it is undone in the frequency domain,
    since no short row kernel holds it.
    """
    pixels = image.astype(np.float32)
    sigma = (blur_width(pixels) + blur_width(np.ascontiguousarray(pixels.T))) / 2
    pad = math.ceil(4 * sigma) + 2
    padded = cv2.copyMakeBorder(pixels, pad, pad, pad, pad, cv2.BORDER_REFLECT)
    fy = np.fft.fftfreq(padded.shape[0])[:, np.newaxis]
    fx = np.fft.rfftfreq(padded.shape[1])[np.newaxis, :]
    mean = float(padded.mean())
    spectrum = np.fft.rfft2(padded - mean) * _wiener(sigma, fx * fx + fy * fy, MATRIX_NOISE)
    restored = np.fft.irfft2(spectrum, s=padded.shape)[pad:-pad, pad:-pad] + mean
    return np.clip(restored, 0, 255).astype(np.uint8)


def _wiener(sigma: float, squared_frequency: np.ndarray, noise: float) -> np.ndarray:
    """The Wiener filter's gain against a Gaussian blur of width ``sigma`` at each
    squared frequency (cycles a pixel): the blur's inverse where the blur left signal
    above ``noise``, fading to nothing where it did not."""
    gain = np.exp(-2 * (np.pi * sigma) ** 2 * squared_frequency)
    return gain / (gain * gain + noise)


def levelled(image: np.ndarray) -> np.ndarray:
    """Each pixel of an upright bar crop thresholded at the mean of its row around it.

    zxing-cpp sets one threshold per row for a 1D symbol, so where glare, shade or a
    curved label make part of a symbol brighter, its bars there, or the spaces elsewhere,
    fall on the wrong side; a local mean follows the light along the symbol.
    """
    rows = image.astype(np.float32)
    size = 2 * math.ceil(3 * LEVEL_SIGMA) + 1
    deviation = rows - cv2.GaussianBlur(rows, (size, 1), LEVEL_SIGMA)
    # Rows change slowly down the bars: every fourth tells the contrast as well.
    margin = LEVEL_MARGIN * float(np.percentile(np.abs(deviation[::4]), 90))
    return cv2.threshold(deviation, -margin, 255, cv2.THRESH_BINARY)[1].astype(np.uint8)


def rendition(base: Warped, image: np.ndarray) -> Warped:
    """``image``, a same-geometry rendition of ``base``, with ``base``'s transform."""
    return Warped(image, base.transform)
