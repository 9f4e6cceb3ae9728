"""Pixel-level renditions that make a soft, dim or noisy symbol decodable.

Each keeps the geometry of its input (same size, same frame), so a rendition of a
:class:`~imgqrcode.reader.cascade.warp.Warped` image keeps its transform. The row filters
(:func:`deblurred`, :func:`levelled`) are for upright bar crops: they work along the rows,
across bars that stand vertical.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from imgqrcode.reader import percentile
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
"""The same for a 2D symbol (:func:`deconvolved`, :func:`unstreaked`): a filter across
both axes lifts noise at far more frequencies than one along the rows, so it trusts them
less."""

STREAK_FOCUS = 0.7
"""Share of the blur measured across a streak that :func:`unstreaked` takes for focus
blur: the rest is the print's own soft edges and the camera's resampling, which
deconvolving would only turn into ringing."""

STREAK_LAG = 1.0
"""Pixels by which the measured length of a streak falls short of the length that best
undoes it (found on synthetic scenes): a line drawn or exposed across pixels spans about
one more than its length, and the steepest edges along a streak are those it crosses
at a slant."""

STREAK_STEPS = 16
"""Halvings :func:`streak` finds the streak's length in: to a thousandth of a pixel."""

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
    gain = _wiener(_gaussian(sigma, np.fft.rfftfreq(size) ** 2), NOISE)
    response = np.fft.irfft(gain, n=size)
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
    slope = percentile.of(np.abs(np.diff(middle, axis=1)).max(axis=1), 50)
    low, high = percentile.of_rows(middle, (5, 95))
    swing = percentile.of(high - low, 50)
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
    return _restored(pixels, lambda fy, fx: _gaussian(sigma, fx * fx + fy * fy), sigma)


@dataclass(frozen=True, slots=True)
class Streak:
    """A camera's motion blur across a crop: a line ``length`` pixels long at ``angle``
    (radians, image axes, y down), after a round focus blur of width ``focus`` (sigma)."""

    angle: float
    length: float
    focus: float


def streak(image: np.ndarray) -> Streak:
    """The motion blur of a crop of a 2D symbol, measured on the crop.

    A symbol's edges run along two perpendicular axes in equal share, so over the crop
    its gradients favour no direction (their structure tensor is round); a streak
    weakens those along it: the tensor's minor axis is its direction (drawn towards
    the nearer of the symbol's axes when the streak runs between them). Along it and
    across it :func:`blur_width` measures the steepest edges as Gaussian widths; a step
    blurred by a line of length ``L`` and a Gaussian ``s`` rises at most
    ``erf(L / (2 sqrt(2) s)) / L`` a pixel, which gives ``L``.
    """
    gx = cv2.Sobel(image, cv2.CV_32F, 1, 0, ksize=3).ravel()
    gy = cv2.Sobel(image, cv2.CV_32F, 0, 1, ksize=3).ravel()
    xx, yy, xy = float(gx @ gx), float(gy @ gy), float(gx @ gy)
    angle = 0.5 * math.atan2(2 * xy, xx - yy) + math.pi / 2
    h, w = image.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), math.degrees(angle), 1.0)
    upright = cv2.warpAffine(image, turn, (w, h), borderMode=cv2.BORDER_REFLECT)
    # Every other row (column) tells the edges' width as well, at half the cost.
    along = blur_width(upright[::2].astype(np.float32))
    across = blur_width(upright[:, ::2].T.astype(np.float32))
    # L = sqrt(2 pi) along erf(L / (2 sqrt(2) across)), halved down onto its largest
    # root, nought when the edges are no wider along the streak than across it.
    widest = math.sqrt(2 * math.pi) * along
    short, long = 0.0, widest
    for _ in range(STREAK_STEPS):
        middle = (short + long) / 2
        if widest * math.erf(middle / (2 * math.sqrt(2) * across)) > middle:
            short = middle
        else:
            long = middle
    return Streak(angle, short + STREAK_LAG, STREAK_FOCUS * across)


def unstreaked(image: np.ndarray, blur: Streak) -> np.ndarray:
    """A crop of a 2D symbol with the streak of a moving camera (:func:`streak`) undone.

    A hand that moves during the exposure drags every module along one line, a few
    pixels long: modules merge along it and stay sharper across it, a blur no round
    Gaussian (:func:`deconvolved`) describes. The line and the focus blur are undone
    together, since each alone leaves the other's smear.
    """
    along = (math.cos(blur.angle), math.sin(blur.angle))

    def transfer(fy: np.ndarray, fx: np.ndarray) -> np.ndarray:
        # A uniform line: a sinc across the frequencies along it.
        line = np.sinc(blur.length * (fx * along[0] + fy * along[1]))
        return line * _gaussian(blur.focus, fx * fx + fy * fy)

    reach = blur.focus + blur.length / 4
    return _restored(image.astype(np.float32), transfer, reach)


def _restored(
    pixels: np.ndarray, transfer: Callable[[np.ndarray, np.ndarray], np.ndarray], reach: float
) -> np.ndarray:
    """``pixels`` Wiener-deconvolved in the frequency domain against the blur whose
    ``transfer`` (its gain at each vertical and horizontal frequency, cycles a pixel)
    is given; the crop is mirrored ``reach`` (about the blur's sigma) four times over
    at its borders, so the blur of an edge the crop cut off does not wrap round, and a
    little further, to a size whose transform is quick (a crop 262 pixels wide, twice
    a prime, transforms two times slower than one mirrored to 270)."""
    h, w = pixels.shape
    pad = math.ceil(4 * reach) + 2
    bottom = cv2.getOptimalDFTSize(h + 2 * pad) - h - pad
    right = cv2.getOptimalDFTSize(w + 2 * pad) - w - pad
    padded = cv2.copyMakeBorder(pixels, pad, bottom, pad, right, cv2.BORDER_REFLECT)
    fy = np.fft.fftfreq(padded.shape[0])[:, np.newaxis]
    fx = np.fft.rfftfreq(padded.shape[1])[np.newaxis, :]
    mean = float(padded.mean())
    spectrum = np.fft.rfft2(padded - mean) * _wiener(transfer(fy, fx), MATRIX_NOISE)
    restored = np.fft.irfft2(spectrum, s=padded.shape)[pad : pad + h, pad : pad + w] + mean
    return np.clip(restored, 0, 255).astype(np.uint8)


def _gaussian(sigma: float, squared_frequency: np.ndarray) -> np.ndarray:
    """The gain of a Gaussian blur of width ``sigma`` at each squared frequency."""
    return np.exp(-2 * (np.pi * sigma) ** 2 * squared_frequency)


def _wiener(transfer: np.ndarray, noise: float) -> np.ndarray:
    """The Wiener filter's gain against a blur of real gain ``transfer``: the blur's
    inverse where it left signal above ``noise``, fading to nothing where it did not."""
    return transfer / (transfer * transfer + noise)


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
    margin = LEVEL_MARGIN * percentile.of(np.abs(deviation[::4]).ravel(), 90.0)
    return cv2.threshold(deviation, -margin, 255, cv2.THRESH_BINARY)[1].astype(np.uint8)


def rendition(base: Warped, image: np.ndarray) -> Warped:
    """``image``, a same-geometry rendition of ``base``, with ``base``'s transform."""
    return Warped(image, base.transform)
