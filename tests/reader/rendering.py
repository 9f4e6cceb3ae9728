"""Images the reader tests draw for themselves: symbols, rotations, scenes, encodings."""

from __future__ import annotations

import io

import cv2
import numpy as np
import zxingcpp
from PIL import Image

from imgqrcode.reader.result import Code


def symbol(fmt: str, content: str | bytes, scale: int = 4, margin: int = 20, **kw) -> np.ndarray:
    """A zxing-cpp rendering of one symbol on white, with a margin around its quiet zone."""
    barcode = zxingcpp.create_barcode(content, getattr(zxingcpp.BarcodeFormat, fmt), **kw)
    pixels = np.asarray(barcode.to_image(scale=scale))
    return np.pad(pixels, margin, constant_values=255)


def ink_box(gray: np.ndarray) -> tuple[int, int, int, int]:
    """``(left, top, right, bottom)`` of the dark pixels, inclusive."""
    ys, xs = np.nonzero(gray < 128)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def rotated(gray: np.ndarray, degrees: float) -> tuple[np.ndarray, np.ndarray]:
    """``gray`` turned counter-clockwise on a canvas that holds it all, and the 3x3 map
    from old pixel coordinates to new ones."""
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    corners = np.array([[0, 0, 1], [width, 0, 1], [width, height, 1], [0, height, 1]]) @ matrix.T
    new_w = int(np.ceil(corners[:, 0].max() - corners[:, 0].min()))
    new_h = int(np.ceil(corners[:, 1].max() - corners[:, 1].min()))
    matrix[0, 2] -= corners[:, 0].min()
    matrix[1, 2] -= corners[:, 1].min()
    out = cv2.warpAffine(gray, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR, borderValue=255)
    return out, np.vstack([matrix, [0, 0, 1]])


def quad(code: Code) -> np.ndarray:
    return np.array([[p.x, p.y] for p in code.position.corners], dtype=float)


def encoded(pixels: np.ndarray | Image.Image, fmt: str, **save_options) -> bytes:
    image = pixels if isinstance(pixels, Image.Image) else Image.fromarray(pixels)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save_options)
    return buffer.getvalue()


def canvas(width: int, height: int) -> np.ndarray:
    return np.full((height, width), 255, dtype=np.uint8)


def paste(target: np.ndarray, pixels: np.ndarray, x: int, y: int) -> tuple[int, int, int, int]:
    """Put ``pixels`` at ``(x, y)``; returns its ink box in ``target``'s frame."""
    target[y : y + pixels.shape[0], x : x + pixels.shape[1]] = pixels
    left, top, right, bottom = ink_box(pixels)
    return x + left, y + top, x + right, y + bottom
