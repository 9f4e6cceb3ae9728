"""Find compact, densely printed patches: where a small or soft 2D code may be.

A QR code, DataMatrix or Aztec symbol is a roughly square patch of strong gradients in
every direction. On the structure grid such a patch is a solid, compact blob of
high-energy cells; a line of text is a thin one, a photo edge a line, a flat label none.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from imgqrcode.reader.cascade import structure
from imgqrcode.reader.image_view import ImageView

MAX_COHERENCE = 0.6
"""Cells whose gradients mostly point one way are edges, lines or bars, not 2D modules."""

MIN_CELLS = 30
"""Smallest patch in cells: a 21 x 21 module QR code at 1.5 pixels a module is ~64."""

MAX_ASPECT = 3.0
"""Longest over shortest side of a patch: 2D codes are square or, for rectangular
DataMatrix, a few times longer than high."""

MIN_FILL = 0.55

SPLIT_CELLS = 3 * MIN_CELLS
SPLIT_KERNEL = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
"""A second, wider opening for blobs that fail the shape test: it parts a code from a
line of text it touches, which the first 3 x 3 opening leaves joined."""


@dataclass(frozen=True, slots=True)
class Patch:
    """An axis-aligned box ``(left, top, right, bottom)`` in the original frame around a
    candidate 2D code, and its side in original pixels (for choosing a zoom)."""

    box: tuple[float, float, float, float]
    side: float
    score: float

    @property
    def center(self) -> tuple[float, float]:
        return (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2


def locate_patches(view: ImageView, max_patches: int = 6) -> list[Patch]:
    """Boxes around compact high-energy blobs, largest and most solid first."""
    grid = structure.analyse(view)
    if grid is None:
        return []
    mask = (grid.printed & (grid.coherence < MAX_COHERENCE)).astype(np.uint8)
    # Closing fills the odd quiet cell inside a code; opening then cuts the thin bridges
    # (a line, a stroke of text) that would join it to its neighbours.
    kernel = np.ones((3, 3), np.uint8)
    mask = cv2.morphologyEx(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel), cv2.MORPH_OPEN, kernel)
    patches = _blobs(mask, grid, split=True)
    patches.sort(key=lambda p: p.score, reverse=True)
    return patches[:max_patches]


def _blobs(mask: np.ndarray, grid: structure.Structure, split: bool) -> list[Patch]:
    """The compact blobs of ``mask``; with ``split``, a blob too long or too hollow to be a
    code is opened further once, to part a code from the text line it touches."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    patches = []
    for label in np.nonzero(stats[1:, cv2.CC_STAT_AREA] >= MIN_CELLS)[0] + 1:
        x, y, w, h = (int(v) for v in stats[label, :4])
        member = labels[y : y + h, x : x + w] == label
        points = np.column_stack(np.nonzero(member)[::-1])
        (_, _), (rw, rh), _ = cv2.minAreaRect(points.astype(np.float32))
        rw, rh = rw + 1, rh + 1
        area = int(stats[label, cv2.CC_STAT_AREA])
        fill = area / (rw * rh)
        if max(rw, rh) > MAX_ASPECT * min(rw, rh) or fill < MIN_FILL:
            if split and area >= SPLIT_CELLS:
                opened = cv2.morphologyEx(member.astype(np.uint8), cv2.MORPH_OPEN, SPLIT_KERNEL)
                patches += _shifted(_blobs(opened, grid, split=False), grid, (x, y))
            continue
        left, top = grid.to_original(x - 0.5, y - 0.5)
        right, bottom = grid.to_original(x + w - 0.5, y + h - 0.5)
        patches.append(Patch((left, top, right, bottom), max(rw, rh) * grid.cell_size, area * fill))
    return patches


def _shifted(
    patches: list[Patch], grid: structure.Structure, cells: tuple[int, int]
) -> list[Patch]:
    """``patches`` found in a window starting ``cells`` into the grid, in the full frame."""
    dx, dy = cells[0] * grid.cell_size, cells[1] * grid.cell_size
    return [
        Patch((p.box[0] + dx, p.box[1] + dy, p.box[2] + dx, p.box[3] + dy), p.side, p.score)
        for p in patches
    ]
