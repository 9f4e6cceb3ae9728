"""The local structure of an image on a coarse grid: what the region locators look at.

Per cell of ``CELL`` x ``CELL`` pixels (at a working scale), the structure tensor of the
grey levels gives the gradient energy (is something printed here?), its orientation and
its coherence (do all gradients point the same way, as across a barcode's bars, or every
way, as in a 2D code's modules?). Computed once per image and shared by the stages.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from imgqrcode.reader import percentile
from imgqrcode.reader.image_view import ImageView

WORK_SIDE = 1024
"""Longest side the gradients are taken at: large enough to resolve a photo's bars."""

MIN_ENERGY = 2500.0
"""Mean squared Sobel response of print with about 25 grey levels of contrast."""

NOISE_FACTOR = 4.0
"""Print stands out at least this much above the image's median energy (mostly sensor
noise and grain, since most of a photo is flat)..."""

MAX_FLOOR = 10000.0
"""...but the floor stays below this, where the code itself fills the frame (then the
median is the code's own energy): heavy noise (sigma 14) is about 5000."""

CELL = 4
"""Pixels (at the working scale) per grid cell: regions grow on this coarser grid, which is
what keeps the search cheap on a cluttered photo."""

STRIP_ROWS = 16 * CELL


@dataclass(frozen=True, slots=True)
class Structure:
    """Per-cell ``energy`` (mean squared Sobel response), ``coherence`` in [0, 1] and
    ``angle`` of the dominant gradient (radians, in [-pi/2, pi/2)); ``cell_size`` is the
    nominal side of a cell in original pixels (a cell spans up to a pixel more where the
    working image's sides were rounded down to whole cells); ``printed`` marks cells
    whose energy stands out from the image's noise."""

    energy: np.ndarray
    coherence: np.ndarray
    angle: np.ndarray
    cell_size: float
    printed: np.ndarray

    def to_original(self, x: float, y: float) -> tuple[float, float]:
        """The original-frame point of cell coordinates ``(x, y)`` (cell centres at
        integers)."""
        return (x + 0.5) * self.cell_size - 0.5, (y + 0.5) * self.cell_size - 0.5


def analyse(view: ImageView) -> Structure | None:
    """The structure of ``view``; ``None`` if it is too small to hold a code.

    Computed once per view (:meth:`ImageView.derived`): every stage of a scan looks at it.
    """
    return view.derived(_compute)


def _compute(view: ImageView) -> Structure | None:
    scale = min(1.0, WORK_SIDE / max(view.gray.shape))
    work = _working(view.gray, scale)
    if min(work.shape) < 3 * CELL:
        return None
    jxx, jyy, jxy = (cv2.blur(moment, (3, 3)) for moment in _moments(work))
    energy = jxx + jyy
    difference, product = jxx - jyy, 2 * jxy
    coherence = cv2.magnitude(difference, product) / (energy + 1e-3)
    # OpenCV's phase is within 0.01 degrees of numpy's arctan2, at a fiftieth of its cost.
    angle = 0.5 * cv2.phase(difference, product)
    angle[angle >= np.pi / 2] -= np.pi
    # The nominal side of a cell: the working image's sides were rounded down to whole
    # cells, so its cells span up to a pixel more, which the locators' thresholds and
    # margins were tuned with (mapped with the true side, 6 codes of seed 1 and 1 of
    # seed 2 were lost).
    return Structure(energy, coherence, angle, CELL / scale, energy > noise_floor(energy))


def _moments(work: np.ndarray) -> np.ndarray:
    """Per whole cell of ``work``, the means of gx², gy² and gx·gy (Sobel gradients).

    Worked out a strip of ``STRIP_ROWS`` at a time: over the whole image at once, the
    gradients and their products are five photo-sized temporaries, and getting fresh
    memory for them and streaming it through the cache cost three times the arithmetic
    (12 ms against 4 ms for a megapixel)."""
    height, width = work.shape[0] // CELL * CELL, work.shape[1] // CELL * CELL
    moments = np.empty((3, height // CELL, width // CELL), np.float32)
    for top in range(0, height, STRIP_ROWS):
        bottom = min(top + STRIP_ROWS, height)
        # A row of context on either side, so the strip's gradients are the whole image's.
        above, below = max(0, top - 1), min(work.shape[0], bottom + 1)
        rows = slice(top - above, bottom - above)
        strip = work[above:below]
        gx = cv2.Sobel(strip, cv2.CV_32F, 1, 0, ksize=3)[rows, :width]
        gy = cv2.Sobel(strip, cv2.CV_32F, 0, 1, ksize=3)[rows, :width]
        cells = (width // CELL, (bottom - top) // CELL)
        for index, (a, b) in enumerate(((gx, gx), (gy, gy), (gx, gy))):
            moments[index, top // CELL : bottom // CELL] = cv2.resize(
                cv2.multiply(a, b), cells, interpolation=cv2.INTER_AREA
            )
    return moments


def _working(gray: np.ndarray, scale: float) -> np.ndarray:
    """``gray`` resized by ``scale`` (at most 1), averaged down (area resizing: the fine
    modules of a small code must blur into grey, not alias into a coarser pattern), its
    sides rounded down to whole cells: the cells then fall where averaging the whole
    image's gradients cell by cell put them (:func:`_moments` only takes whole cells)."""
    size = (
        max(CELL, round(gray.shape[1] * scale) // CELL * CELL),
        max(CELL, round(gray.shape[0] * scale) // CELL * CELL),
    )
    if size == (gray.shape[1], gray.shape[0]):
        return gray
    # Unscaled, a side loses less than a cell's width: bilinear resizing does as well.
    shrink = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_LINEAR
    return cv2.resize(gray, size, interpolation=shrink)


def shrunk(image: np.ndarray, factor: int) -> np.ndarray:
    """``image`` averaged over ``factor`` x ``factor`` blocks (a partial block dropped).
    Whole blocks only: OpenCV's fast path for area resizing."""
    h, w = max(1, image.shape[0] // factor), max(1, image.shape[1] // factor)
    if factor == 1 or image.shape[0] < factor or image.shape[1] < factor:
        return image
    return cv2.resize(image[: h * factor, : w * factor], (w, h), interpolation=cv2.INTER_AREA)


def noise_floor(energy: np.ndarray) -> float:
    """The energy above which a cell holds print rather than noise."""
    median = percentile.of(energy.ravel(), 50.0)
    return min(MAX_FLOOR, max(MIN_ENERGY, NOISE_FACTOR * median))
