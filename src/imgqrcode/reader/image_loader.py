"""Turn whatever a caller holds (bytes, a path, a PIL image, an array) into an ImageView.

Everything an attacker controls passes through here, so the order matters: only the
formats we document are opened (Pillow would otherwise also run e.g. its EPS plugin),
the pixel count is checked from the header before any pixel is decoded, and every
decoder failure, truncation included, becomes :class:`InvalidImageError`. Pillow's own
bomb guard stays in place behind ours: past ``Image.MAX_IMAGE_PIXELS`` (about 89
megapixels) it warns, past twice that it refuses, whatever ``max_pixels`` says. We do
not turn its warning into an error with ``warnings.catch_warnings``: that changes
process-wide state and is not thread-safe, and ``scan`` runs in many threads at once.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import zlib
from typing import BinaryIO

import cv2
import numpy as np
from PIL import (
    BmpImagePlugin,
    GifImagePlugin,
    Image,
    JpegImagePlugin,
    PngImagePlugin,
    TiffImagePlugin,
    WebPImagePlugin,
)

from imgqrcode.reader.errors import InvalidImageError
from imgqrcode.reader.image_view import ImageView

ImageSource = bytes | bytearray | memoryview | str | os.PathLike[str] | Image.Image | np.ndarray

FORMATS: tuple[str, ...] = ("JPEG", "PNG", "GIF", "BMP", "WEBP", "TIFF")
"""Pillow format names we open (the JPEG opener also opens the MPO files of many cameras)."""

MAX_SIDE = 32_766
"""Longest side we read. OpenCV's geometric transforms (``remap``, ``warpAffine``), which
the bars' box and the cascade apply to the whole image, refuse images from 32,767
pixels a side (``SHRT_MAX``), and zxing-cpp from 65,536: a strip that long and the
pixel limit's worth of area is refused up front, not half way through a scan."""

# Importing a plugin registers it; ``Image.open(formats=...)`` needs them registered.
_PLUGINS = (
    BmpImagePlugin,
    GifImagePlugin,
    JpegImagePlugin,
    PngImagePlugin,
    TiffImagePlugin,
    WebPImagePlugin,
)

# What Pillow's decoders raise on malformed input; each is a symptom of bad bytes here.
_DECODER_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    ZeroDivisionError,
    struct.error,
    zlib.error,
    Image.DecompressionBombError,
)

# EXIF orientation -> the Pillow transpose that shows the image as a person sees it.
_ORIENTATION: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_EXIF_ORIENTATION_TAG = 0x0112


def load(source: ImageSource, max_pixels: int) -> ImageView:
    """Decode ``source`` into greyscale in its displayed frame, or raise InvalidImageError."""
    if isinstance(source, np.ndarray):
        return _from_array(source, max_pixels)
    if isinstance(source, Image.Image):
        _check_size(source.size, max_pixels)
        return _decode(source)
    if isinstance(source, bytes | bytearray | memoryview):
        if not source:
            raise InvalidImageError("empty image data")
        return _open(io.BytesIO(source), max_pixels)
    if isinstance(source, str | os.PathLike):
        return _from_path(source, max_pixels)
    raise InvalidImageError(f"unsupported image source type {type(source).__name__}")


def _from_path(path: str | os.PathLike[str], max_pixels: int) -> ImageView:
    """The file is handed to Pillow to open, not read first: its header is checked before
    the rest is read, so a huge file costs no more than a small one to refuse. Only a
    regular file: a device (``/dev/zero``) has no end to read to, a pipe may never open."""
    try:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode):
            raise InvalidImageError(f"not a regular file: {os.fspath(path)!r}")
        if not status.st_size:
            raise InvalidImageError("empty image data")
        with open(path, "rb") as file:
            return _open(file, max_pixels)
    except InvalidImageError:
        raise
    except (OSError, ValueError) as error:
        # ValueError: a path with a NUL byte, which no file has.
        raise InvalidImageError(f"cannot read {os.fspath(path)!r}: {error}") from error


def _open(stream: BinaryIO, max_pixels: int) -> ImageView:
    try:
        image = Image.open(stream, formats=FORMATS)
        _check_size(image.size, max_pixels)
        # A colour (YCbCr) JPEG stores luma apart from colour: decoded straight to
        # greyscale it skips the chroma and the colour conversion, half the decoding time
        # of a photo (a no-op for other formats). Only on an image opened here: a
        # caller's own image would turn grey under its feet.
        image.draft("L", image.size)
        return _decode(image)
    except InvalidImageError:
        raise
    except Image.UnidentifiedImageError as error:
        # Pillow names the stream object (and its address) in this one: say what it means.
        kinds = ", ".join(FORMATS)
        raise InvalidImageError(f"not a supported image (not {kinds})") from error
    except _DECODER_ERRORS as error:
        raise InvalidImageError(f"not a supported image: {error}") from error


def _check_size(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise InvalidImageError(f"empty image ({width}x{height})")
    if width * height > max_pixels:
        raise InvalidImageError(
            f"image too large: {width}x{height} is more than {max_pixels} pixels"
        )
    if max(width, height) > MAX_SIDE:
        raise InvalidImageError(
            f"image too large: {width}x{height} has a side longer than {MAX_SIDE} pixels"
        )


def _decode(image: Image.Image) -> ImageView:
    """Pixels of a Pillow image as greyscale ink on white, in the displayed frame.

    The orientation is read once the image is loaded: Pillow's TIFF plugin turns the
    pixels itself as it loads them and drops the tag, which read before would turn
    them a second time."""
    try:
        image.load()
        orientation = _orientation(image)
        gray = _to_gray(image)
    except _DECODER_ERRORS as error:
        raise InvalidImageError(f"cannot decode image: {error}") from error
    transpose = _ORIENTATION.get(orientation)
    if transpose is not None:
        gray = gray.transpose(transpose)
    return ImageView(np.ascontiguousarray(np.asarray(gray, dtype=np.uint8)))


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_EXIF_ORIENTATION_TAG, 1)
    except _DECODER_ERRORS:
        return 1
    return value if isinstance(value, int) else 1


def _to_gray(image: Image.Image) -> Image.Image:
    mode = image.mode
    if mode == "L":
        return image
    if mode.startswith("I") or mode == "F":
        return Image.fromarray(_deep_to_8bit(np.asarray(image)))
    if mode == "LAB":
        return image.getchannel("L")  # its lightness: Pillow converts LAB to nothing else
    if mode == "La":
        image = image.convert("LA")  # premultiplied: Pillow converts it to LA only
    has_alpha = mode in {"RGBA", "LA", "PA", "RGBa", "La"} or (
        mode == "P" and "transparency" in image.info
    )
    if not has_alpha:
        return image.convert("L")
    rgba = image.convert("RGBA")
    alpha = rgba.getchannel("A")
    gray = rgba.convert("L")
    if alpha.getextrema() == (255, 255):
        return gray
    return Image.composite(gray, Image.new("L", rgba.size, 255), alpha)


def _deep_to_8bit(pixels: np.ndarray) -> np.ndarray:
    """16-bit (or wider) greyscale to 8 bits by its full range, not by clipping at 255;
    floating-point pixels no brighter than 1.0 by the range 0..1, OpenCV's and
    scikit-image's convention for them (on a 0..255 scale they would be black anyway).

    In the pixels' own integers where they are integers (65,535 is 255 times 257, so the
    division is exact), in float32 where they are not: float64 temporaries made a
    40-megapixel 16-bit PNG of 90 KB cost a gigabyte to read.
    """
    integer = np.issubdtype(pixels.dtype, np.integer)
    if not integer and not np.isfinite(pixels).all():
        raise InvalidImageError("pixels that are not finite numbers (NaN, infinity)")
    brightest = float(pixels.max(initial=0))
    if integer:
        scaled = pixels // 257 if brightest > 255.0 else pixels.copy()
    else:
        scale = 1.0 / 257.0 if brightest > 255.0 else 255.0 if brightest <= 1.0 else 1.0
        scaled = pixels.astype(np.float32) * np.float32(scale)
    return np.clip(scaled, 0, 255, out=scaled).astype(np.uint8)


def _from_array(pixels: np.ndarray, max_pixels: int) -> ImageView:
    """An array as OpenCV and zxing-cpp take it: greyscale (with alpha), BGR or BGRA."""
    if pixels.ndim not in (2, 3) or pixels.shape[0] == 0 or pixels.shape[1] == 0:
        raise InvalidImageError(f"unsupported array shape {pixels.shape}")
    _check_size((pixels.shape[1], pixels.shape[0]), max_pixels)
    if pixels.dtype == np.bool_:
        pixels = pixels.astype(np.uint8) * 255
    elif pixels.dtype != np.uint8:
        if not np.issubdtype(pixels.dtype, np.number):
            raise InvalidImageError(f"unsupported array dtype {pixels.dtype}")
        pixels = _deep_to_8bit(pixels)
    if pixels.ndim == 2:
        return ImageView(np.ascontiguousarray(pixels))
    channels = pixels.shape[2]
    if channels not in (1, 2, 3, 4):
        raise InvalidImageError(f"unsupported number of channels {channels}")
    colour = pixels[:, :, : 1 if channels < 3 else 3]
    gray = colour[:, :, 0] if channels < 3 else cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY)
    if channels in (1, 3):
        return ImageView(np.ascontiguousarray(gray))
    alpha = pixels[:, :, -1].astype(np.float32) / 255.0
    return ImageView((gray * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8))
