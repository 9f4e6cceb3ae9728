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


@dataclass(frozen=True, slots=True)
class Structure:
    """Per-cell ``energy`` (mean squared Sobel response), ``coherence`` in [0, 1] and
    ``angle`` of the dominant gradient (radians, in [-pi/2, pi/2)); ``cell_size`` is the
    side of a cell in original pixels; ``printed`` marks cells whose energy stands out
    from the image's noise."""

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
    gray = view.gray
    scale = min(1.0, WORK_SIDE / max(gray.shape))
    work = gray
    if scale < 1.0:
        size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
        work = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    if min(work.shape) < 3 * CELL:
        return None
    # Gradients straight from the 8-bit pixels and OpenCV's products: the same numbers
    # as through a float copy of the image and numpy's products, without the temporaries
    # (a photo's worth each), which cost more than the arithmetic.
    gx = cv2.Sobel(work, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(work, cv2.CV_32F, 0, 1, ksize=3)
    size = (work.shape[1] // CELL, work.shape[0] // CELL)
    jxx, jyy, jxy = (
        cv2.blur(cv2.resize(cv2.multiply(a, b), size, interpolation=cv2.INTER_AREA), (3, 3))
        for a, b in ((gx, gx), (gy, gy), (gx, gy))
    )
    energy = jxx + jyy
    coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy * jxy) / (energy + 1e-3)
    angle = 0.5 * np.arctan2(2 * jxy, jxx - jyy)
    return Structure(energy, coherence, angle, CELL / scale, energy > noise_floor(energy))


def noise_floor(energy: np.ndarray) -> float:
    """The energy above which a cell holds print rather than noise."""
    return min(MAX_FLOOR, max(MIN_ENERGY, NOISE_FACTOR * float(np.median(energy))))
