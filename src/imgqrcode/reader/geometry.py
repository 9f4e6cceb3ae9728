"""Quadrilaterals and the transforms that carry them between image frames.

Stages decode rescaled, rotated or rectified crops; a 3x3 homography from the crop's
pixel frame to the original image's is the one representation that covers all of them
(an affine or a scale is a homography whose last row is ``0 0 1``).
"""

from __future__ import annotations

import numpy as np

from imgqrcode.reader.result import Point, Position

Quad = np.ndarray
"""A ``(4, 2)`` float array of corners: left-top, right-top, right-bottom, left-bottom."""

IDENTITY: np.ndarray = np.eye(3)


def scaling(factor_x: float, factor_y: float | None = None) -> np.ndarray:
    """The homography that multiplies x by ``factor_x`` and y by ``factor_y`` (the same by
    default): crop -> original for a crop that was shrunk by ``1 / factor``."""
    return np.diag([factor_x, factor_x if factor_y is None else factor_y, 1.0])


def translation(dx: float, dy: float) -> np.ndarray:
    """The homography that shifts coordinates (crop -> original for a crop cut at dx, dy)."""
    return np.array([[1.0, 0.0, dx], [0.0, 1.0, dy], [0.0, 0.0, 1.0]])


def apply(transform: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Map ``(n, 2)`` points through a 3x3 homography."""
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    homogeneous = np.hstack([pts, np.ones((len(pts), 1))]) @ np.asarray(transform).T
    return homogeneous[:, :2] / homogeneous[:, 2:3]


def to_position(quad: Quad, width: int, height: int) -> Position:
    """Round corners to integer pixels, clamped into the ``width`` x ``height`` frame."""
    right, bottom = max(width - 1, 0), max(height - 1, 0)
    lt, rt, rb, lb = (
        Point(min(max(round(x), 0), right), min(max(round(y), 0), bottom)) for x, y in quad.tolist()
    )
    return Position(lt, rt, rb, lb)


def to_quad(position: Position) -> Quad:
    return np.array([[p.x, p.y] for p in position.corners], dtype=float)


def area(quad: Quad) -> float:
    """Unsigned area (shoelace); near zero for the line zxing-cpp gives a 1D scan."""
    x, y = quad[:, 0], quad[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2.0)


def bounds(quad: Quad) -> tuple[float, float, float, float]:
    """Axis-aligned ``(left, top, right, bottom)``."""
    return (
        float(quad[:, 0].min()),
        float(quad[:, 1].min()),
        float(quad[:, 0].max()),
        float(quad[:, 1].max()),
    )


def side(quad: Quad) -> float:
    """The longest side: the symbol's size, whatever its rotation."""
    return float(np.linalg.norm(quad - np.roll(quad, -1, axis=0), axis=1).max())


def same_place(a: Quad, b: Quad) -> bool:
    """Whether two reads sit on the same symbol, rather than on two copies of it.

    Two printed symbols cannot overlap, so their centres are at least about one symbol
    apart; two reads of one symbol (a scan line and the box around the same bars, or
    two corner estimates) have centres within half a symbol of each other.
    """
    distance = float(np.linalg.norm(a.mean(axis=0) - b.mean(axis=0)))
    return distance <= 0.5 * max(side(a), side(b)) + 1.0
