"""The hard-image cascade, end to end through ``scan()``: what the fast path misses is read,
at the right place, and nothing is read where there is no code."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest
from rendering import quad, rotated, symbol

from imgqrcode import scan
from imgqrcode.reader import geometry, image_loader, pipeline
from imgqrcode.reader.cascade import bars, patches
from imgqrcode.reader.cascade.bar_locator import BarRegion, locate_bars
from imgqrcode.reader.cascade.patch_locator import Patch
from imgqrcode.reader.cascade.upright import bar_count, upright
from imgqrcode.reader.image_view import ImageView
from imgqrcode.reader.options import ScanOptions
from imgqrcode.reader.stage import StageContext

ANGLES = [15, 30, 45, 60, 75, 105, 120, 135, 150, 165, 195, 225, 255, 285, 315, 345]

LINEAR = [
    ("Code128", "CASCADE-128", "CODE_128", "CASCADE-128"),
    ("EAN13", "9780804816632", "EAN_13", "9780804816632"),
]


def fast_path_only(pixels: np.ndarray) -> list[str]:
    """What the pipeline reads without the cascade: proves an image needs it."""
    view = image_loader.load(pixels, 10**8)
    codes, _ = pipeline.run(view, ScanOptions(), stages=[])
    return [code.data for code in codes]


def bar_box(pixels: np.ndarray, transform: np.ndarray) -> np.ndarray:
    """The true corners of the bars of an upright rendering, carried into the rotated image.

    The height is that of the data bars (EAN's guard bars reach lower)."""
    xs = np.nonzero(pixels < 128)[1]
    left, right = xs.min(), xs.max() + 1
    middle = pixels[:, left + (right - left) // 4 : left + (right - left) // 3] < 128
    rows = np.nonzero(middle.any(axis=1))[0]
    top, bottom = rows.min(), rows.max() + 1
    corners = np.array([[left, top], [right, top], [right, bottom], [left, bottom]], float)
    return geometry.apply(transform, corners)


@pytest.mark.parametrize(("fmt", "content", "type_name", "data"), LINEAR)
@pytest.mark.parametrize("degrees", ANGLES)
def test_linear_codes_at_any_angle(fmt, content, type_name, data, degrees):
    upright = symbol(fmt, content, scale=3, margin=40)
    pixels, transform = rotated(upright, degrees)
    result = scan(pixels)
    assert [(c.type_name, c.data) for c in result.codes] == [(type_name, data)]
    corners = quad(result.codes[0])
    truth = bar_box(upright, transform)
    # Corners in the code's own orientation: each lies near its true counterpart.
    assert np.abs(corners - truth).max() <= 4.0, (corners, truth)


@pytest.mark.parametrize("degrees", [30, 45, 60])
def test_the_fast_path_alone_misses_rotated_bars(degrees):
    pixels, _ = rotated(symbol("Code128", "CASCADE-128", scale=3, margin=40), degrees)
    assert fast_path_only(pixels) == []
    assert [c.data for c in scan(pixels).codes] == ["CASCADE-128"]


def perspective(pixels: np.ndarray, pull: float, degrees: float) -> tuple[np.ndarray, np.ndarray]:
    """``pixels`` seen in perspective (its right side ``pull`` of its height shorter) and
    turned by ``degrees``, on a white canvas; and the map from old to new coordinates."""
    h, w = pixels.shape
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    squeeze = pull * h / 2
    target = np.array([[0, 0], [w, squeeze], [w, h - squeeze], [0, h]], np.float32)
    matrix = cv2.getPerspectiveTransform(source, target)
    rotation = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    full = np.vstack([rotation, [0, 0, 1]]) @ matrix
    corners = cv2.perspectiveTransform(source.reshape(-1, 1, 2), full).reshape(-1, 2)
    shift = np.array(
        [[1, 0, 60 - corners[:, 0].min()], [0, 1, 60 - corners[:, 1].min()], [0, 0, 1]]
    )
    full = shift @ full
    size = (int(np.ptp(corners[:, 0])) + 120, int(np.ptp(corners[:, 1])) + 120)
    out = cv2.warpPerspective(pixels, full, size, flags=cv2.INTER_AREA, borderValue=255)
    return out, full


def test_a_hard_code_beside_an_easy_one():
    page = np.full((800, 1100), 255, np.uint8)
    qr = symbol("QRCode", "easy QR beside a hard barcode", scale=5, margin=0)
    page[40 : 40 + qr.shape[0], 40 : 40 + qr.shape[1]] = qr
    bars, _ = rotated(symbol("Code128", "HARD-128", scale=3, margin=30), 40)
    page[300 : 300 + bars.shape[0], 520 : 520 + bars.shape[1]] = bars
    assert fast_path_only(page) == ["easy QR beside a hard barcode"]
    data = sorted(c.data for c in scan(page).codes)
    assert data == ["HARD-128", "easy QR beside a hard barcode"]


def test_a_light_code_on_dark_is_read_by_the_fast_path():
    """zxing-cpp's inverted pass runs where the plain pass read nothing, and its reads are
    checked on the inverted pixels: a light ITF's quiet zones are dark in the original."""
    assert fast_path_only(255 - symbol("QRCode", "light on dark", scale=4)) == ["light on dark"]
    assert fast_path_only(255 - symbol("ITF", "12345678901231", scale=3)) == ["12345678901231"]


def dark_and_light(dark: np.ndarray, light: np.ndarray) -> np.ndarray:
    """A page with ``dark`` on the left and ``light`` (inverted, on its own dark ground) on
    the right."""
    light = 255 - light
    page = np.full((40 + max(dark.shape[0], light.shape[0]) + 40, 900), 255, np.uint8)
    page[40 : 40 + dark.shape[0], 40 : 40 + dark.shape[1]] = dark
    page[40 : 40 + light.shape[0], 480 : 480 + light.shape[1]] = light
    return page


def test_a_light_code_beside_a_dark_one_is_left_to_the_cascade():
    page = dark_and_light(
        symbol("QRCode", "dark on light", scale=4, margin=0),
        symbol("QRCode", "light on dark", scale=4, margin=16),
    )
    assert fast_path_only(page) == ["dark on light"]
    assert sorted(c.data for c in scan(page).codes) == ["dark on light", "light on dark"]
    # Without a cascade, the fast path reads all that plain zxing-cpp does.
    alone = scan(page, ScanOptions(time_budget=0)).codes
    assert sorted(c.data for c in alone) == ["dark on light", "light on dark"]


def test_a_code_the_caller_did_not_ask_for_does_not_skip_the_inverted_pass():
    page = dark_and_light(
        symbol("EAN13", "4006381333931", scale=3, margin=0),
        symbol("UPCA", "036000291452", scale=3, margin=30),
    )
    upc_only = ScanOptions(formats=frozenset({"UPC_A"}))
    codes, _ = pipeline.run(image_loader.load(page, 10**8), upc_only, stages=[])
    assert [c.data for c in codes] == ["036000291452"]


def stage_calls(monkeypatch, module, keyword: str) -> list:
    """The ``keyword`` each call of ``module.renditions`` gets, and how many renditions it
    gave, recorded around the real function."""
    calls: list = []
    real = module.renditions

    def spy(*args, **kwargs):
        calls.append([kwargs.get(keyword), 0])
        for rendition in real(*args, **kwargs):
            calls[-1][1] += 1
            yield rendition

    monkeypatch.setattr(module, "renditions", spy)
    return calls


def read_earlier() -> tuple:
    qr = symbol("QRCode", "read earlier", scale=4, margin=4)
    return tuple(pipeline.FastPath()(image_loader.load(qr, 10**8), context(())))


def context(found: tuple) -> StageContext:
    return StageContext(ScanOptions(), found, time.monotonic() + 10)


def test_few_bars_are_tried_only_until_a_code_is_read(monkeypatch):
    """Once an image has yielded a code, a candidate with fewer bars than the shortest
    common symbol (printed words and figures, mostly) is not decoded."""
    page = np.full((200, 280), 255, np.uint8)
    for x in range(60, 220, 16):
        page[60:140, x : x + 6] = 0
    [region] = locate_bars(ImageView(page))
    assert bar_count(upright(page, region, bars.TARGET_LENGTHS[0]).image) == 10
    calls = stage_calls(monkeypatch, bars, "min_bars")
    view = image_loader.load(page, 10**8)
    assert bars.RotatedBars()(view, context(())) == []
    assert calls[0][0] == bars.MIN_BARS and calls[0][1] > 0
    calls.clear()
    assert bars.RotatedBars()(view, context(read_earlier())) == []
    assert calls[0] == [bars.LIGHT_MIN_BARS, 0]
    ean8 = symbol("EAN8", "9638507", scale=3, margin=30)
    shortest = BarRegion((ean8.shape[1] / 2, ean8.shape[0] / 2), 0.0, 200.0, 60.0, 1.0)
    assert next(bars.renditions(ean8, shortest, min_bars=bars.LIGHT_MIN_BARS), None) is not None


@pytest.mark.parametrize("degrees", [25, 40, 130])
def test_pdf417_in_perspective(degrees):
    upright = symbol("PDF417", "PDF417 in perspective, cascade test", scale=3, margin=10)
    pixels, _ = perspective(upright, 0.25, degrees)
    assert "PDF417 in perspective, cascade test" not in fast_path_only(pixels)
    codes = scan(pixels).codes
    assert [(c.type_name, c.data) for c in codes] == [
        ("PDF_417", "PDF417 in perspective, cascade test")
    ]


def small_soft_qr() -> np.ndarray:
    """A QR code at 1.6 pixels a module, softened, on a larger noisy page."""
    big = symbol("QRCode", "https://example.com/small-and-soft", scale=8, margin=0)
    size = round(big.shape[0] * 1.6 / 8)
    small = cv2.resize(big, (size, size), interpolation=cv2.INTER_AREA)
    page = np.full((480, 640), 235, np.uint8)
    page[200 : 200 + size, 300 : 300 + size] = small
    page = cv2.GaussianBlur(page, (0, 0), 0.7)
    noise = np.random.default_rng(7).normal(0, 3, page.shape)
    return np.clip(page + noise, 0, 255).astype(np.uint8)


def test_small_blurred_qr():
    pixels = small_soft_qr()
    assert fast_path_only(pixels) == []
    codes = scan(pixels).codes
    assert [c.data for c in codes] == ["https://example.com/small-and-soft"]
    centre = quad(codes[0]).mean(axis=0)
    assert np.abs(centre - (300 + 26, 200 + 26)).max() < 10


def test_small_blurred_qr_beside_an_easy_one(monkeypatch):
    """Once the image has yielded a code, patches are enlarged less and tried in fewer
    renditions, and a small soft code still reads."""
    page = small_soft_qr()
    easy = symbol("QRCode", "easy", scale=4, margin=0)
    page[20 : 20 + easy.shape[0], 20 : 20 + easy.shape[1]] = easy
    assert fast_path_only(page) == ["easy"]
    calls = stage_calls(monkeypatch, patches, "target_side")
    assert sorted(c.data for c in scan(page).codes) == [
        "easy",
        "https://example.com/small-and-soft",
    ]
    assert calls and all(side == patches.LIGHT_TARGET_SIDE for side, _ in calls)
    assert all(made <= patches.LIGHT_RENDITIONS for _, made in calls)
    patch = Patch((290.0, 190.0, 360.0, 260.0), 70.0, 1.0)
    light = next(patches.renditions(ImageView(page), patch, target_side=patches.LIGHT_TARGET_SIDE))
    full = next(patches.renditions(ImageView(page), patch))
    assert max(light.image.shape) <= patches.LIGHT_TARGET_SIDE < max(full.image.shape)


def clutter(seed: int) -> np.ndarray:
    """Lines, rectangles, circles, text and noise: structure that is no code."""
    rng = np.random.default_rng(seed)
    page = np.full((600, 800), 200, np.uint8)
    for _ in range(40):
        x0, y0, x1, y1 = (int(v) for v in rng.integers(0, 800, 4))
        shade = int(rng.integers(0, 255))
        kind = int(rng.integers(0, 3))
        if kind == 0:
            cv2.line(page, (x0, y0), (x1, y1 % 600), shade, int(rng.integers(1, 6)))
        elif kind == 1:
            cv2.rectangle(page, (x0, y0 % 600), (x1, y1 % 600), shade, -1)
        else:
            cv2.circle(page, (x0, y0 % 600), int(rng.integers(5, 80)), shade, 2)
    for row in range(12):
        text = "".join(chr(int(c)) for c in rng.integers(33, 122, 24))
        cv2.putText(page, text, (10, 40 + 45 * row), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 20, 2)
    # Fine stripes: the bar-like structure the bar locator looks for.
    stripes = ((np.arange(300) // int(rng.integers(2, 5))) % 2 * 180).astype(np.uint8)
    page[450:520, 400:700] = stripes
    noise = rng.normal(0, 8, page.shape)
    return np.clip(page + noise, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("seed", range(6))
def test_nothing_read_in_clutter(seed):
    assert scan(clutter(seed)).codes == ()


@pytest.mark.parametrize("budget", [0.001, 0.2])
def test_budget_is_respected(budget):
    # Large and all texture: every locator finds candidates, every decode is slow.
    pixels = (np.random.default_rng(3).random((1500, 2000)) * 255).astype(np.uint8)
    result = scan(pixels, ScanOptions(time_budget=budget))
    cascade = result.timings["total"] - result.timings["fast"] - result.timings["load"]
    # A piece of work already started (one decode) may finish after the deadline.
    assert cascade < budget + 0.25, result.timings


def test_formats_restrict_the_cascade():
    pixels, _ = rotated(symbol("Code128", "CASCADE-128", scale=3, margin=40), 45)
    assert scan(pixels, ScanOptions(formats=frozenset({"QR_CODE"}))).codes == ()
    assert len(scan(pixels, ScanOptions(formats=frozenset({"CODE_128"}))).codes) == 1


def test_a_patch_streak_is_measured_once_per_patch():
    view = ImageView(small_soft_qr())
    patch = Patch((290.0, 190.0, 360.0, 260.0), 70.0, 1.0)
    first = view.derived(patches.PatchStreak(patch))
    assert view.derived(patches.PatchStreak(patch)) is first
    other = Patch((20.0, 20.0, 90.0, 90.0), 70.0, 1.0)
    assert view.derived(patches.PatchStreak(other)) is not first
