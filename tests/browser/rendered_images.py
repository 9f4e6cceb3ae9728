"""Images the browser tests upload, rendered here with the places of their codes known.

Each scene is a large, plain "photo" with one code pasted at a known place, so a test can
check that the page drew its quadrilateral there (not just that some text came back).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
import segno
import zxingcpp
from PIL import Image

# EXIF tag 0x0112: 6 means "turn the stored pixels 90° clockwise to show them".
ORIENTATION_TAG = 0x0112
ROTATE_CLOCKWISE = 6

Corners = np.ndarray  # 4x2 float array: left top, right top, right bottom, left bottom


@dataclass(frozen=True)
class Scene:
    """An encoded image, the text of its code, where the code lies as a person sees it."""

    data: bytes
    text: str
    corners: Corners
    size: tuple[int, int]  # (w, h) as a person sees it, i.e. after EXIF orientation


def _background(width: int, height: int) -> np.ndarray:
    """A soft gradient, so the page's overlay sits on something photo-like."""
    ramp = np.linspace(150, 225, width, dtype=np.float32)
    shade = np.linspace(0.9, 1.0, height, dtype=np.float32)[:, None]
    grey = (ramp[None, :] * shade).astype(np.uint8)
    return np.dstack([grey, (grey * 0.95).astype(np.uint8), (grey * 0.85).astype(np.uint8)])


def _encode(rgb: np.ndarray, kind: str, exif: Image.Exif | None = None) -> bytes:
    buffer = io.BytesIO()
    image = Image.fromarray(rgb)
    if kind == "JPEG":
        image.save(buffer, kind, quality=92, exif=exif or Image.Exif())
    elif kind == "WEBP":
        image.save(buffer, kind, lossless=True, exif=exif or Image.Exif())
    else:
        image.save(buffer, kind)  # PNG, or TIFF, which the server reads and browsers do not show
    return buffer.getvalue()


def _box(left: float, top: float, width: float, height: float) -> Corners:
    return np.array(
        [[left, top], [left + width, top], [left + width, top + height], [left, top + height]],
        dtype=np.float64,
    )


def _qr_pixels(text: str, scale: int) -> np.ndarray:
    """The QR symbol alone (no quiet zone), dark on white, as an RGB array."""
    matrix = np.array(segno.make(text, error="m", micro=False).matrix, dtype=bool)
    modules = np.where(matrix, 0, 255).astype(np.uint8)
    grey = np.kron(modules, np.ones((scale, scale), dtype=np.uint8))
    return np.dstack([grey] * 3)


def _paste(canvas: np.ndarray, symbol: np.ndarray, left: int, top: int, quiet: int) -> np.ndarray:
    """Pastes `symbol` with a white quiet zone of `quiet` pixels around it."""
    height, width = symbol.shape[:2]
    canvas[top - quiet : top + height + quiet, left - quiet : left + width + quiet] = 255
    canvas[top : top + height, left : left + width] = symbol
    return canvas


def _noise(width: int, height: int) -> np.ndarray:
    """Pixels no encoder can squeeze: a small picture that is a big file."""
    return np.random.default_rng(5).integers(0, 256, (height, width, 3), dtype=np.uint8)


def qr_codes_image(
    placements: dict[str, tuple[int, int]],
    size: tuple[int, int],
    noisy: bool = False,
    kind: str = "PNG",
) -> tuple[bytes, dict[str, Corners]]:
    """An image with a QR code of each text at its (left, top), and each code's corners."""
    canvas = (_noise if noisy else _background)(*size)
    corners = {}
    for text, at in placements.items():
        symbol = _qr_pixels(text, scale=12)
        canvas = _paste(canvas, symbol, *at, quiet=48)
        corners[text] = _box(*at, symbol.shape[1], symbol.shape[0])
    return _encode(canvas, kind), corners


def qr_scene(
    text: str,
    size: tuple[int, int] = (2400, 1600),
    at: tuple[int, int] = (1500, 420),
    noisy: bool = False,
    kind: str = "PNG",
) -> Scene:
    """By default a PNG larger than any screen, so the page has to scale its drawing down."""
    data, corners = qr_codes_image({text: at}, size, noisy, kind)
    return Scene(data, text, corners[text], size)


def exif_rotated_qr_scene(text: str, kind: str = "JPEG") -> Scene:
    """A JPEG (or WebP) whose pixels are stored sideways with EXIF orientation 6 to stand
    them up.

    The server measures the upright picture, and the browser shows it upright (a JPEG;
    Chromium leaves a WebP's pixels as they are stored); the corners are given in that
    upright frame.
    """
    upright = qr_scene(text, size=(1200, 1800), at=(640, 1100))
    pixels = np.array(Image.open(io.BytesIO(upright.data)).convert("RGB"))
    stored = np.ascontiguousarray(np.rot90(pixels, k=1))  # counter-clockwise: EXIF 6 undoes it
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = ROTATE_CLOCKWISE
    return Scene(_encode(stored, kind, exif), text, upright.corners, upright.size)


def transparent_qr_scene(text: str, size: tuple[int, int] = (1200, 900)) -> Scene:
    """A PNG of black QR modules on a transparent background whose hidden colours are
    noise: several megabytes, over a small upload limit, for the page to shrink."""
    symbol = _qr_pixels(text, scale=12)
    left, top = 300, 200
    rgba = np.dstack([_noise(*size), np.zeros(size[::-1], dtype=np.uint8)])
    height, width = symbol.shape[:2]
    ink = symbol[:, :, 0] == 0
    rgba[top : top + height, left : left + width][ink] = (0, 0, 0, 255)
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, "PNG")
    return Scene(buffer.getvalue(), text, _box(left, top, width, height), size)


def rotated_barcode_scene(text: str, angle: float, size: tuple[int, int] = (1600, 1200)) -> Scene:
    """A Code 128 symbol turned `angle` degrees counter-clockwise, its bars' box known."""
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128)
    grey = np.array(zxingcpp.write_barcode_to_image(barcode, scale=3, add_quiet_zones=True))
    dark_columns = np.flatnonzero((grey < 128).any(axis=0))
    height, width = grey.shape
    bars = _box(dark_columns[0], 0, dark_columns[-1] + 1 - dark_columns[0], height)
    rotation = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    cos, sin = abs(rotation[0, 0]), abs(rotation[0, 1])
    turned_width = int(np.ceil(width * cos + height * sin))
    turned_height = int(np.ceil(width * sin + height * cos))
    rotation[:, 2] += [(turned_width - width) / 2, (turned_height - height) / 2]
    turned = cv2.warpAffine(
        grey, rotation, (turned_width, turned_height), flags=cv2.INTER_LINEAR, borderValue=255
    )
    left, top = (size[0] - turned_width) // 2, (size[1] - turned_height) // 2
    symbol = np.dstack([turned] * 3)
    canvas = _paste(_background(*size), symbol, left, top, quiet=24)
    corners = cv2.transform(bars[None, :, :], rotation)[0] + [left, top]
    return Scene(_encode(canvas, "PNG"), text, corners, size)
