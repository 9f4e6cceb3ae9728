"""Every supported encoding reads; every kind of bad input is InvalidImageError, fast."""

from __future__ import annotations

import contextlib
import io
import struct
import time
import tracemalloc
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image
from rendering import encoded, quad, symbol

from imgqrcode import InvalidImageError, ScanOptions, scan
from imgqrcode.reader import image_loader
from imgqrcode.reader.image_loader import MAX_SIDE

TEXT = "image loading"


@pytest.fixture(scope="module")
def qr() -> np.ndarray:
    return symbol("QRCode", TEXT, scale=4)


def rgb(gray: np.ndarray) -> Image.Image:
    return Image.fromarray(gray).convert("RGB")


ENCODINGS = {
    "jpeg baseline": lambda g: encoded(rgb(g), "JPEG", quality=90),
    "jpeg progressive": lambda g: encoded(rgb(g), "JPEG", quality=90, progressive=True),
    "jpeg cmyk": lambda g: encoded(rgb(g).convert("CMYK"), "JPEG", quality=90),
    "jpeg grey": lambda g: encoded(g, "JPEG", quality=90),
    "png grey": lambda g: encoded(g, "PNG"),
    "png rgb": lambda g: encoded(rgb(g), "PNG"),
    "png palette": lambda g: encoded(rgb(g).convert("P"), "PNG"),
    "png 16-bit": lambda g: encoded(Image.fromarray(g.astype(np.uint16) * 257), "PNG"),
    "png 1-bit": lambda g: encoded(Image.fromarray(g).convert("1"), "PNG"),
    "gif": lambda g: encoded(rgb(g), "GIF"),
    "bmp": lambda g: encoded(rgb(g), "BMP"),
    "webp lossless": lambda g: encoded(rgb(g), "WEBP", lossless=True),
    "webp lossy": lambda g: encoded(rgb(g), "WEBP", quality=90),
    "tiff": lambda g: encoded(rgb(g), "TIFF"),
    "tiff compressed": lambda g: encoded(g, "TIFF", compression="tiff_deflate"),
    "mpo (phone camera jpeg)": lambda g: encoded(
        rgb(g), "MPO", save_all=True, append_images=[rgb(g).rotate(90)]
    ),
}


@pytest.mark.parametrize("name", sorted(ENCODINGS))
def test_supported_encodings(qr, name):
    result = scan(ENCODINGS[name](qr))
    assert [c.data for c in result.codes] == [TEXT]
    assert (result.width, result.height) == (qr.shape[1], qr.shape[0])


def test_black_code_on_transparent_background_reads(qr):
    rgba = np.zeros((*qr.shape, 4), dtype=np.uint8)
    rgba[..., 3] = np.where(qr < 128, 255, 0)  # black ink, everything else transparent
    data = encoded(Image.fromarray(rgba, "RGBA"), "PNG")
    assert [c.data for c in scan(data).codes] == [TEXT]
    # A palette whose background entry is black too, but transparent.
    palette = Image.fromarray(np.where(qr < 128, 0, 1).astype(np.uint8), "P")
    palette.putpalette([0, 0, 0, 0, 0, 0])
    data = encoded(palette, "PNG", transparency=1)
    assert [c.data for c in scan(data).codes] == [TEXT]
    la = Image.fromarray(np.dstack([np.zeros_like(qr), rgba[..., 3]]), "LA")
    assert [c.data for c in scan(encoded(la, "PNG")).codes] == [TEXT]


def test_gif_first_frame_is_read(qr):
    blank = Image.new("L", (qr.shape[1], qr.shape[0]), 255)
    buffer = io.BytesIO()
    Image.fromarray(qr).save(buffer, format="GIF", save_all=True, append_images=[blank])
    assert [c.data for c in scan(buffer.getvalue()).codes] == [TEXT]


@pytest.mark.parametrize("fmt", ["JPEG", "TIFF", "PNG", "WEBP"])
@pytest.mark.parametrize(("orientation", "quarter_turns"), [(3, 2), (6, 1), (8, 3)])
def test_exif_orientation_gives_the_displayed_frame(orientation, quarter_turns, fmt):
    """Pillow turns a TIFF's pixels itself as it loads them: they are turned once."""
    displayed = np.pad(symbol("QRCode", "exif", scale=4), ((10, 60), (30, 10)), constant_values=255)
    upright = scan(displayed).codes[0]
    # A camera stores the pixels turned and says in EXIF how to show them.
    stored = np.ascontiguousarray(np.rot90(displayed, quarter_turns))
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encoded(Image.fromarray(stored).convert("RGB"), fmt, exif=exif)
    result = scan(data)
    assert (result.width, result.height) == (displayed.shape[1], displayed.shape[0])
    assert [c.data for c in result.codes] == ["exif"]
    assert np.abs(quad(result.codes[0]) - quad(upright)).max() <= 3


def test_paths_pil_images_and_arrays(tmp_path, qr):
    path = tmp_path / "code.png"
    path.write_bytes(encoded(qr, "PNG"))
    bgr = cv2.cvtColor(qr, cv2.COLOR_GRAY2BGR)
    bgra = np.dstack([bgr, np.where(qr < 128, 255, 0).astype(np.uint8)])
    bgra[..., :3] = 0
    sources = [
        path,
        str(path),
        bytearray(path.read_bytes()),
        memoryview(path.read_bytes()),
        Image.open(path),
        rgb(qr),
        qr,
        bgr,
        bgra,
        qr[:, :, None],
        qr.astype(np.uint16) * 257,
        qr > 128,
        np.dstack([np.zeros_like(qr), np.where(qr < 128, 255, 0).astype(np.uint8)]),
    ]
    for source in sources:
        assert [c.data for c in scan(source).codes] == [TEXT], type(source)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size: decoding it would cost gigabytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def bad_inputs() -> dict[str, object]:
    qr = symbol("QRCode", TEXT)
    jpeg, png = encoded(rgb(qr), "JPEG"), encoded(qr, "PNG")
    return {
        "empty bytes": b"",
        "garbage": bytes(range(256)) * 20,
        "text": b"hello, this is not an image\n" * 10,
        "jpeg magic only": b"\xff\xd8\xff\xe0",
        "truncated jpeg": jpeg[: len(jpeg) // 2],
        "truncated png": png[: len(png) // 2],
        "truncated gif": encoded(rgb(qr), "GIF")[:200],
        "truncated webp": encoded(rgb(qr), "WEBP")[:100],
        "truncated tiff": encoded(rgb(qr), "TIFF")[:300],
        "truncated bmp": encoded(rgb(qr), "BMP")[:500],
        "png bomb": png_header_only(100_000, 100_000),
        "pdf": b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
        "eps": b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n",
        "svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
        "ico": encoded(rgb(qr).resize((64, 64)), "ICO"),
        "tga": encoded(rgb(qr), "TGA"),
        "pcx": encoded(rgb(qr), "PCX"),
        "empty array": np.zeros((0, 0), dtype=np.uint8),
        "array of strings": np.array([["a", "b"]]),
        "array with 5 channels": np.zeros((10, 10, 5), dtype=np.uint8),
        "an int": 42,
        "missing file": "/nonexistent/image.png",
        "a path with a NUL byte": "code\x00.png",
        "a directory": "/",
        "a device with no end": "/dev/zero",
    }


@pytest.mark.parametrize("name", sorted(bad_inputs()))
def test_bad_input_is_invalid_image_error_within_a_second(name):
    source = bad_inputs()[name]
    started = time.monotonic()
    with pytest.raises(InvalidImageError):
        scan(source)
    assert time.monotonic() - started < 1.0


def test_pixel_limit_is_checked_before_decoding():
    qr = symbol("QRCode", TEXT)
    pixels = qr.shape[0] * qr.shape[1]
    data = encoded(qr, "PNG")
    assert scan(data, ScanOptions(max_pixels=pixels)).codes
    for source in (data, qr, Image.fromarray(qr)):
        with pytest.raises(InvalidImageError, match="too large"):
            scan(source, ScanOptions(max_pixels=pixels - 1))
    started = time.monotonic()
    with pytest.raises(InvalidImageError, match="too large"):
        scan(png_header_only(8000, 8000))  # 64 MP: over the 40 MP default, under Pillow's
    assert time.monotonic() - started < 0.1


def test_a_file_is_refused_from_its_header_without_being_read(tmp_path):
    path = tmp_path / "huge.png"
    with path.open("wb") as file:
        file.write(png_header_only(8000, 8000))
        file.truncate(256 * 1024 * 1024)  # sparse: 256 MB of nothing after the header
    tracemalloc.start()
    try:
        with pytest.raises(InvalidImageError, match="too large"):
            scan(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024


def test_floating_point_pixels_from_0_to_1_are_read(qr):
    """OpenCV's and scikit-image's convention for floats; on a 0..255 scale such an
    image would be black, and its alpha transparent."""
    grey = np.where(qr < 128, 0.3, 0.7).astype(np.float32)
    bgra = np.dstack([grey, grey, grey, np.ones_like(grey)])
    for source in (grey, grey.astype(np.float64), bgra, Image.fromarray(grey), grey * 255):
        assert [c.data for c in scan(source).codes] == [TEXT], type(source)
    grey[0, 0] = np.nan  # whose brightest pixel is no number at all
    with pytest.raises(InvalidImageError, match="not finite"):
        scan(grey)


def test_pillow_modes_without_a_conversion_to_grey(qr):
    """Premultiplied LA converts only to LA, LAB to nothing: its lightness is the grey."""
    la = Image.fromarray(qr).convert("LA").convert("La")
    lab = Image.fromarray(qr).convert("RGB").convert("LAB")
    for image in (la, lab):
        assert [c.data for c in scan(image).codes] == [TEXT], image.mode


def test_a_side_longer_than_opencv_transforms_take_is_refused():
    # A strip of a barcode 33,000 pixels long, well under the pixel limit: the box's
    # remap would raise cv2.error half way through the scan.
    code = symbol("EAN13", "9780201379624", scale=3)
    strip = np.full((code.shape[0] + 20, MAX_SIDE + 1), 255, dtype=np.uint8)
    strip[10 : 10 + code.shape[0], 100 : 100 + code.shape[1]] = code
    for source in (strip, encoded(strip, "PNG")):
        with pytest.raises(InvalidImageError, match=f"side longer than {MAX_SIDE}"):
            scan(source)
    assert [c.data for c in scan(strip[:, :MAX_SIDE]).codes] == ["9780201379624"]


def test_a_16_bit_image_is_read_without_wide_temporaries():
    qr = symbol("QRCode", TEXT, scale=24)  # some 0.7 megapixels
    data = encoded(Image.fromarray(qr.astype(np.uint16) * 257), "PNG")
    tracemalloc.start()
    try:
        codes = scan(data, ScanOptions(time_budget=0)).codes
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [c.data for c in codes] == [TEXT]
    # Its 16-bit pixels, their quotient by 257 and the 8-bit result: 5 bytes a pixel
    # (float64 copies took 26).
    assert peak < 10 * qr.size


def test_what_is_not_an_image_is_said_the_same_way_every_time():
    messages = set()
    for _ in range(2):
        with pytest.raises(InvalidImageError) as raised:
            scan(b"plain text, not an image")
        messages.add(str(raised.value))
    (message,) = messages
    assert "0x" not in message and "BytesIO" not in message


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow warns about the broken TIFF tags
def test_corrupted_files_give_a_result_or_invalid_image_error_only():
    image = rgb(symbol("QRCode", TEXT, scale=2))
    originals = [encoded(image, fmt) for fmt in ("JPEG", "PNG", "GIF", "BMP", "WEBP", "TIFF")]
    rng = np.random.default_rng(2024)
    for index in range(300):
        data = bytearray(originals[index % len(originals)])
        for _ in range(int(rng.integers(1, 8))):
            data[int(rng.integers(0, len(data)))] = int(rng.integers(0, 256))
        if index % 3 == 0:
            data = data[: int(rng.integers(1, len(data)))]
        started = time.monotonic()
        with contextlib.suppress(InvalidImageError):
            scan(bytes(data))
        assert time.monotonic() - started < 1.0


def colour_jpeg() -> bytes:
    y, x = np.mgrid[0:240, 0:320]
    colours = np.stack([x * 255 // 319, y * 255 // 239, (x + y) * 255 // 558], axis=-1)
    return encoded(Image.fromarray(colours.astype(np.uint8)), "JPEG", quality=90)


def test_colour_jpeg_is_decoded_straight_to_its_luma():
    """A colour JPEG is decoded straight to greyscale (its luma, without making the
    colours first): the greys of Pillow's greyscale decoding, to the bit, and within
    rounding of its full colour decoding converted."""
    data = colour_jpeg()
    loaded = image_loader.load(data, 10**6).gray.astype(int)
    straight = Image.open(io.BytesIO(data))
    straight.draft("L", straight.size)
    full = np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=int)
    assert (loaded == np.asarray(straight, dtype=int)).all()
    assert (loaded != full).any()
    assert np.abs(loaded - full).mean() < 1.0


def test_a_callers_own_image_is_left_as_it_was():
    image = Image.open(io.BytesIO(colour_jpeg()))
    scan(image)
    assert image.mode == "RGB"
