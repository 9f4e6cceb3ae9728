"""zxing-cpp results as contract :class:`Code` objects, in the original image's frame.

Every stage decodes through here, whatever pixels it hands to zxing-cpp (the whole
image, a crop, a rescaled or rectified patch): it passes the homography from those
pixels to the original image and gets codes whose corners are right in the original.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import zxingcpp

from imgqrcode.reader import bar_box, geometry, symbology
from imgqrcode.reader.result import Code


def read(
    pixels: np.ndarray,
    type_names: frozenset[str] | None = None,
    **zxing_options: object,
) -> list[zxingcpp.Barcode]:
    """zxing-cpp's ``read_barcodes`` with plain text (``\\x1d`` kept, no GS1 parentheses).

    ``zxing_options`` are passed on (``try_rotate``, ``binarizer``, ``is_pure``...). With
    no ``type_names`` zxing-cpp gets no format list, exactly as its defaults read.
    """
    if type_names is not None:
        zxing_options["formats"] = symbology.barcode_formats(type_names)
    return zxingcpp.read_barcodes(pixels, text_mode=zxingcpp.TextMode.Plain, **zxing_options)


def reported(barcode: zxingcpp.Barcode) -> geometry.Quad:
    """zxing-cpp's corners of ``barcode`` in the pixels it was read from: for a linear
    symbol, the ends of its first and last decoded scan lines."""
    position = barcode.position
    return np.array(
        [
            [position.top_left.x, position.top_left.y],
            [position.top_right.x, position.top_right.y],
            [position.bottom_right.x, position.bottom_right.y],
            [position.bottom_left.x, position.bottom_left.y],
        ],
        dtype=float,
    )


def to_code(
    barcode: zxingcpp.Barcode,
    pixels: np.ndarray,
    frame: tuple[int, int],
    *,
    transform: np.ndarray | None = None,
    stage: str = "",
    type_names: frozenset[str] | None = None,
) -> Code:
    """One zxing-cpp result as a Code in the original image.

    ``pixels`` are the greyscale pixels the barcode was read from (the bars of a 1D code
    are measured there), ``transform`` the 3x3 homography from their frame to the
    original image's (``None``: the same frame), ``frame`` the original's
    ``(width, height)``, ``type_names`` what the caller asked for (it decides whether an
    EAN-13 starting with 0 is reported as UPC-A).
    """
    name = symbology.type_name(barcode, type_names)
    quad = reported(barcode)
    if name in symbology.LINEAR_TYPE_NAMES:
        quad = bar_box.measure(pixels, quad, stacked=barcode.format in symbology.STACKED)
    if name == symbology.DX_FILM_EDGE:
        quad = bar_box.with_clock_track(quad)
    if transform is not None:
        # The corners are pixel edges (zxing-cpp's convention, and the box's), the warps'
        # homographies map pixel centres (OpenCV's): a crop enlarged 3x would otherwise
        # shift every corner by a third of a pixel.
        quad = geometry.apply(transform, quad - 0.5) + 0.5
    return Code(
        type_name=name,
        data=symbology.data(barcode, name),
        position=geometry.to_position(quad, *frame),
        raw=bytes(barcode.bytes),
        ec_level=barcode.ec_level,
        symbology_identifier=barcode.symbology_identifier,
        stage=stage,
    )


def decode(
    pixels: np.ndarray,
    frame: tuple[int, int],
    *,
    transform: np.ndarray | None = None,
    stage: str = "",
    type_names: frozenset[str] | None = None,
    **zxing_options: object,
) -> list[Code]:
    """:func:`read` then :func:`to_code` on each result: the one call a stage needs."""
    return to_codes(
        read(pixels, type_names, **zxing_options),
        pixels,
        frame,
        transform=transform,
        stage=stage,
        type_names=type_names,
    )


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one decode of a rendition gave (:func:`attempt`)."""

    codes: list[Code]
    spent: frozenset[tuple[str, str]]
    """The ``(type_name, data)`` of the codes whose decode used up all of the symbol's
    error correction (:func:`correction_spent`)."""
    undecoded: bool
    """Whether zxing-cpp also located a symbol it could not decode."""


def attempt(
    pixels: np.ndarray,
    frame: tuple[int, int],
    *,
    transform: np.ndarray | None = None,
    stage: str = "",
    type_names: frozenset[str] | None = None,
    **zxing_options: object,
) -> Attempt:
    """:func:`decode`, telling which codes spent all their error correction and whether
    zxing-cpp also located a symbol it could not decode.

    A symbol whose checksum or error correction failed is no result, but it tells that a
    code is there: a rendition that undoes what spoilt it may read it.
    """
    barcodes = read(pixels, type_names, return_errors=True, **zxing_options)
    valid = [barcode for barcode in barcodes if barcode.valid]
    codes = to_codes(valid, pixels, frame, transform=transform, stage=stage, type_names=type_names)
    exhausted = frozenset(
        (code.type_name, code.data)
        for code, barcode in zip(codes, valid, strict=True)
        if correction_spent(barcode)
    )
    return Attempt(codes, exhausted, len(valid) < len(barcodes))


def correction_spent(barcode: zxingcpp.Barcode) -> bool:
    """Whether decoding ``barcode`` used up all of its symbol's error correction
    (zxing-cpp's unused share of it, ``UEC``, is zero; symbologies without error
    correction report none). A word too damaged to repair can land within reach of
    another valid one and be "corrected" into it: such a misread always uses up the
    correction, so a decode that did is where one would be."""
    extra = barcode.extra or {}
    return extra.get("UEC") == 0.0


def to_codes(
    barcodes: list[zxingcpp.Barcode],
    pixels: np.ndarray,
    frame: tuple[int, int],
    *,
    transform: np.ndarray | None = None,
    stage: str = "",
    type_names: frozenset[str] | None = None,
) -> list[Code]:
    """:func:`to_code` over ``barcodes``: one conversion for every way of reading (the
    fast path keeps zxing-cpp's results beside the codes, to judge them)."""
    return [
        to_code(barcode, pixels, frame, transform=transform, stage=stage, type_names=type_names)
        for barcode in barcodes
    ]
