"""Pixel-level renditions that make a soft, dim or noisy symbol decodable.

Each keeps the geometry of its input (same size, same frame), so a rendition of a
:class:`~imgqrcode.reader.cascade.warp.Warped` image keeps its transform.
"""

from __future__ import annotations

import cv2
import numpy as np

from imgqrcode.reader.cascade.warp import Warped


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


def rendition(base: Warped, image: np.ndarray) -> Warped:
    """``image``, a same-geometry rendition of ``base``, with ``base``'s transform."""
    return Warped(image, base.transform)
