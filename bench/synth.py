"""Camera-like synthetic scenes with their ground truth: the yardstick of the hard-image cascade.

Real phone photos of codes are rotated at any angle, seen in perspective, small, soft,
noisy, JPEG-compressed, in shadow or glare and surrounded by clutter; the rendered test
images of the decoders are none of these. This script renders such scenes, reproducibly,
with the symbology, the exact text and the four corners of every code, so that a stage of
the cascade can be measured against plain zxing-cpp on images where the two differ.

Usage::

    python bench/synth.py OUT_DIR --count 300 --seed 1 [--level easy|medium|hard|mixed]

Each image ``synth-<seed>-<index>.jpg`` gets a JSON file with the same stem, in the layout of
the shared corpus plus the corners::

    {"image": "synth-1-00000.jpg", "difficulty": "synth-medium",
     "codes": [{"format": "QRCode", "text": "...", "module_px": 2.7,
                "corners": [[x, y], [x, y], [x, y], [x, y]]}]}

``format`` uses zxing-cpp's names and ``text`` is what zxing-cpp reads from the clean
symbol in ``TextMode.Plain`` (so UPC-A is 13 digits with a leading 0, GS1 separators are
``\\x1d``), exactly as the shared corpus labels them. ``corners`` are the symbol's outer
corners (quiet zone and human-readable digits excluded) in the code's own orientation:
left_top, right_top, right_bottom, left_bottom. They are in zxing-cpp's pixel-edge
convention (the left edge of pixel column 0 is x = 0), so they compare directly with what
zxing-cpp reports. For a 1D barcode they are the box around its bars. ``module_px`` is the
size of a module (a narrow bar) in pixels before the tilt foreshortens it.

Each image draws its own ``numpy.random.Generator`` from ``(seed, index)``: the same seed
gives the same bytes whatever ``--count`` or ``--jobs`` is, and an image can be re-rendered
alone. Per image: long side 640-1600 px; 0 codes with probability 5%, otherwise 1-4 codes
placed without overlap. Symbology mix: QR 35%, EAN-13 13%, Code 128 10%, DataMatrix 10%,
PDF417 7%, Code 39, ITF, UPC-A and Aztec 4% each, Codabar, EAN-8 and Code 93 3% each.

Difficulty levels (``mixed`` draws easy 15%, medium 45%, hard 40% per image, so that plain
zxing-cpp reads only about three codes in five: the photos a reader is judged on are the
ones a plain reader struggles with):

=========================  ===========  ===========  ===========
factor                     easy         medium       hard
=========================  ===========  ===========  ===========
px per module, 2D          3.5-7        2.2-4        1.5-2.6
px per module, 1D/PDF417   2.5-5        1.8-3.2      1.5-2.2
rotation 1D/PDF417         ±8° of axes  any          any
rotation 2D                any          any          any
tilt (3D, degrees)         0-15         0-40         25-55
Gaussian blur sigma, px    0-0.5        0-1.0        0.6-1.6
motion blur length, px     none         0-4 (30%)    2-7
noise sigma, grey levels   0-3          2-7          6-14
JPEG quality               85-95        60-90        35-60
uneven light depth         0-0.2        0.1-0.45     0.4-0.7
glare probability          0            25%          60%
ink/paper contrast         0.75-0.95    0.5-0.9      0.3-0.55
=========================  ===========  ===========  ===========

A hard image takes the hard range for three of these factors drawn at random and the
medium range for the rest: a real bad photo is usually bad in two or three ways, and a
scene bad in every way at once is unreadable by anyone, which measures nothing. Whatever
the level, a symbol is made large enough that blur stays below about half a module, motion
blur below about one module, and tilt never squeezes a module below the level's minimum.
"""

from __future__ import annotations

import argparse
import json
import math
import string
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any, TypeVar

import cv2
import numpy as np
import zxingcpp

Range = tuple[float, float]
K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Level:
    """Parameter ranges of one difficulty level; see the module docstring's table."""

    name: str
    module_px_2d: Range
    module_px_1d: Range
    skew_1d: float | None
    tilt: Range
    blur: Range
    motion: Range
    motion_prob: float
    noise: Range
    jpeg: Range
    shade: Range
    glare_prob: float
    contrast: Range


LEVELS: dict[str, Level] = {
    "easy": Level(
        name="easy",
        module_px_2d=(3.5, 7.0),
        module_px_1d=(2.5, 5.0),
        skew_1d=8.0,
        tilt=(0, 15),
        blur=(0, 0.5),
        motion=(0, 0),
        motion_prob=0.0,
        noise=(0, 3),
        jpeg=(85, 95),
        shade=(0, 0.2),
        glare_prob=0.0,
        contrast=(0.75, 0.95),
    ),
    "medium": Level(
        name="medium",
        module_px_2d=(2.2, 4.0),
        module_px_1d=(1.8, 3.2),
        skew_1d=None,
        tilt=(0, 40),
        blur=(0, 1.0),
        motion=(0, 4),
        motion_prob=0.3,
        noise=(2, 7),
        jpeg=(60, 90),
        shade=(0.1, 0.45),
        glare_prob=0.25,
        contrast=(0.5, 0.9),
    ),
    "hard": Level(
        name="hard",
        module_px_2d=(1.5, 2.6),
        module_px_1d=(1.5, 2.2),
        skew_1d=None,
        tilt=(25, 55),
        blur=(0.6, 1.6),
        motion=(2, 7),
        motion_prob=1.0,
        noise=(6, 14),
        jpeg=(35, 60),
        shade=(0.4, 0.7),
        glare_prob=0.6,
        contrast=(0.3, 0.55),
    ),
}
MIXED_WEIGHTS = {"easy": 0.15, "medium": 0.45, "hard": 0.4}
HARD_FACTORS = ("scale", "tilt", "blur", "motion", "noise", "jpeg", "shade", "contrast")
HARD_FACTOR_COUNT = 3

LINEAR_FORMATS = frozenset(
    {"EAN13", "EAN8", "UPCA", "Code128", "Code39", "Code93", "ITF", "Codabar"}
)
# Stacked PDF417 behaves like a 1D code for placement: plain readers need it near an axis.
AXIS_BOUND_FORMATS = LINEAR_FORMATS | {"PDF417"}
FORMAT_WEIGHTS = {
    "QRCode": 35,
    "EAN13": 13,
    "Code128": 10,
    "DataMatrix": 10,
    "PDF417": 7,
    "Code39": 4,
    "ITF": 4,
    "UPCA": 4,
    "Aztec": 4,
    "Codabar": 3,
    "EAN8": 3,
    "Code93": 3,
}
# Quiet zone in modules, (least, most): scenes print them as tight as real labels do.
QUIET_ZONE = {
    "QRCode": (2, 4),
    "DataMatrix": (1, 3),
    "Aztec": (1, 3),
    "PDF417": (2, 3),
    "EAN13": (9, 12),
    "EAN8": (7, 10),
    "UPCA": (9, 12),
}
LINEAR_QUIET_ZONE = (8, 12)
EMPTY_SCENE_PROB = 0.05
CODE_COUNT_WEIGHTS = {1: 0.6, 2: 0.22, 3: 0.1, 4: 0.08}
FOCAL_FACTOR = 1.2  # focal length over the image's long side: a phone's ~65° field of view


@dataclass(frozen=True, slots=True)
class Symbol:
    """A symbol in module units: 0 is ink, 255 is paper; no quiet zone."""

    format: str
    text: str
    modules: np.ndarray
    quiet: int
    caption: str


@dataclass(slots=True)
class Scene:
    """What one image's factors came out as; the ground truth is filled in while placing."""

    level: Level
    strong: frozenset[str]
    blur: float
    motion: float
    codes: list[dict[str, object]] = field(default_factory=list)
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)


def _uniform(rng: np.random.Generator, bounds: Range) -> float:
    return float(rng.uniform(bounds[0], bounds[1]))


def _level_for(scene: Scene, factor: str) -> Level:
    """A hard image takes the hard range only for its strong factors, medium for the rest."""
    if scene.level.name == "hard" and factor not in scene.strong:
        return LEVELS["medium"]
    return scene.level


def _factor(rng: np.random.Generator, scene: Scene, factor: str, attr: str) -> float:
    return _uniform(rng, getattr(_level_for(scene, factor), attr))


# ---------------------------------------------------------------- payloads


def _check_digit(digits: str) -> str:
    """GS1 mod-10 check digit (EAN, UPC, GTIN, ITF-14)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _digits(rng: np.random.Generator, n: int) -> str:
    return "".join(str(d) for d in rng.integers(0, 10, n))


def _word(rng: np.random.Generator, alphabet: str, lo: int, hi: int) -> str:
    n = int(rng.integers(lo, hi + 1))
    return "".join(alphabet[i] for i in rng.integers(0, len(alphabet), n))


DOMAINS = ("example.com", "shop.example.cn", "pay.example.org", "t.example.net", "m.example.com")
CHINESE = (
    "微信支付",
    "扫码关注公众号",
    "订单号",
    "欢迎光临",
    "会员卡",
    "优惠券",
    "领取红包",
    "收款码",
    "停车缴费",
    "扫一扫",
    "北京市朝阳区",
    "电子发票",
    "快递单号",
    "门店",
)
WORDS = ("SERIAL", "LOT", "BATCH", "PART", "ORDER", "TICKET", "SEAT", "GATE", "ROOM", "BOX")
ALNUM = string.ascii_uppercase + string.digits


def _gs1(rng: np.random.Generator) -> str:
    """A GS1 element string in HRI form, which zxing-cpp's creator takes with gs1=True."""
    gtin = _digits(rng, 13)
    parts = [f"(01){gtin}{_check_digit(gtin)}"]
    if rng.random() < 0.7:
        parts.append(f"(17){int(rng.integers(24, 31))}{int(rng.integers(1, 13)):02d}28")
    if rng.random() < 0.7:
        parts.append(f"(10){_word(rng, ALNUM, 3, 8)}")
    if rng.random() < 0.4:
        parts.append(f"(21){_digits(rng, int(rng.integers(4, 10)))}")
    return "".join(parts)


def _url(rng: np.random.Generator) -> str:
    domain = DOMAINS[int(rng.integers(len(DOMAINS)))]
    path = _word(rng, string.ascii_lowercase + string.digits, 3, 12)
    query = _word(rng, string.ascii_letters + string.digits, 4, 40)
    return f"https://{domain}/{path}?id={query}"


def _chinese(rng: np.random.Generator) -> str:
    n = int(rng.integers(1, 4))
    picks = [CHINESE[i] for i in rng.integers(0, len(CHINESE), n)]
    return "，".join(picks) + " " + _digits(rng, int(rng.integers(4, 12)))


def _wifi(rng: np.random.Generator) -> str:
    ssid = _word(rng, string.ascii_letters + string.digits, 4, 12)
    return f"WIFI:S:{ssid};T:WPA;P:{_word(rng, string.ascii_letters + string.digits, 8, 16)};;"


def _label(rng: np.random.Generator) -> str:
    word = WORDS[int(rng.integers(len(WORDS)))]
    return f"{word} {_word(rng, ALNUM, 4, 10)} {_digits(rng, int(rng.integers(2, 8)))}"


def _long_text(rng: np.random.Generator) -> str:
    fields = [_label(rng) for _ in range(int(rng.integers(2, 6)))]
    return ";".join(fields)


def _choice(
    rng: np.random.Generator, makers: tuple[Callable[[np.random.Generator], str], ...]
) -> str:
    return makers[int(rng.integers(len(makers)))](rng)


def _payload(rng: np.random.Generator, fmt: str) -> tuple[str, bool]:
    """A realistic content for the symbology, and whether it is GS1 (HRI form)."""
    gs1 = fmt in ("Code128", "DataMatrix", "QRCode") and rng.random() < 0.15
    if gs1:
        return _gs1(rng), True
    if fmt in ("EAN13", "UPCA", "EAN8"):
        n = {"EAN13": 12, "UPCA": 11, "EAN8": 7}[fmt]
        body = _digits(rng, n)
        return body + _check_digit(body), False
    if fmt == "ITF":
        body = _digits(rng, 13)
        return body + _check_digit(body), False
    if fmt == "Codabar":
        ends = "ABCD"
        middle = _word(rng, string.digits + "-$:/.+", 4, 12)
        return f"{ends[int(rng.integers(4))]}{middle}{ends[int(rng.integers(4))]}", False
    if fmt in ("Code39", "Code93"):
        return _word(rng, ALNUM + "-. ", 4, 12).strip() or "A1", False
    if fmt == "Code128":
        return _choice(rng, (_label, lambda r: _digits(r, int(r.integers(8, 20))))), False
    if fmt == "QRCode":
        return _choice(rng, (_url, _url, _chinese, _wifi, _label, _long_text)), False
    if fmt == "PDF417":
        return _long_text(rng), False
    return _choice(rng, (_url, _label, _long_text)), False


def _render(rng: np.random.Generator, fmt: str) -> Symbol:
    """Create the symbol and read it back cleanly: the read text is the ground truth."""
    content, gs1 = _payload(rng, fmt)
    zformat = getattr(zxingcpp.BarcodeFormat, fmt)
    kwargs: dict[str, object] = {"gs1": True} if gs1 else {}
    if fmt in ("QRCode", "Aztec", "PDF417"):
        kwargs["ec_level"] = "LMQH"[int(rng.integers(4))] if fmt == "QRCode" else "5"
    barcode = zxingcpp.create_barcode(content, zformat, **kwargs)
    clean = np.asarray(barcode.to_image(scale=2))
    found = zxingcpp.read_barcodes(clean, formats=zformat, text_mode=zxingcpp.TextMode.Plain)
    if len(found) != 1:
        raise RuntimeError(f"zxing-cpp cannot read its own {fmt} symbol {content!r}")
    modules = np.asarray(barcode.to_image(scale=1, add_quiet_zones=False))
    caption = ""
    if fmt in LINEAR_FORMATS:
        # zxing-cpp's Codabar writer ends on a space module, which is quiet zone, not symbol.
        inked = np.flatnonzero(modules[0] < 128)
        modules = modules[:, inked[0] : inked[-1] + 1]
        width = modules.shape[1]
        ratio = _uniform(rng, (0.6, 0.75) if fmt in ("EAN13", "UPCA", "EAN8") else (0.15, 0.4))
        height = max(12, round(width * ratio))
        modules = np.repeat(modules[:1], height, axis=0)
        caption = content if not gs1 else barcode.text
    quiet = QUIET_ZONE.get(fmt, LINEAR_QUIET_ZONE)
    return Symbol(fmt, found[0].text, modules, int(rng.integers(quiet[0], quiet[1] + 1)), caption)


# ---------------------------------------------------------------- geometry


def _rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    cy, sy, cp, sp, cr, sr = (
        math.cos(yaw),
        math.sin(yaw),
        math.cos(pitch),
        math.sin(pitch),
        math.cos(roll),
        math.sin(roll),
    )
    about_y = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    about_x = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    about_z = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    return about_z @ about_x @ about_y


def _project(
    points: np.ndarray, rotation: np.ndarray, centre: np.ndarray, focal: float
) -> np.ndarray:
    """Pinhole projection of plane points (pixels at the focal distance) around ``centre``."""
    xyz = np.column_stack([points, np.zeros(len(points))]) @ rotation.T
    return centre + focal * xyz[:, :2] / (focal + xyz[:, 2:3])


def _edge_corners(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    """Corners of a pixel-edge rectangle, clockwise from the top left."""
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)


# ---------------------------------------------------------------- drawing


def _colour(rng: np.random.Generator, lo: int, hi: int) -> np.ndarray:
    return rng.uniform(lo, hi, 3).astype(np.float32)


def _smooth_field(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Low-frequency noise in [-1, 1]: paper fibres, fabric, uneven paint."""
    small = rng.uniform(-1, 1, (cells, cells)).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def _background(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    base = _colour(rng, 40, 230)
    img = np.empty((h, w, 3), np.float32)
    img[:] = base
    img += _smooth_field(rng, h, w, int(rng.integers(3, 9)))[..., None] * rng.uniform(10, 50)
    kind = rng.integers(3)
    if kind == 1:  # wood or fabric: a stretched sine pattern
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        angle = rng.uniform(0, math.pi)
        phase = (xx * math.cos(angle) + yy * math.sin(angle)) / rng.uniform(6, 40)
        warp = _smooth_field(rng, h, w, 5) * rng.uniform(1, 6)
        img += (np.sin(phase + warp) * rng.uniform(8, 25))[..., None]
    elif kind == 2:  # grain
        grain = rng.normal(0, rng.uniform(4, 12), (h, w)).astype(np.float32)
        img += cv2.GaussianBlur(grain, (0, 0), rng.uniform(0.7, 2.0))[..., None]
    return img


def _clutter(rng: np.random.Generator, img: np.ndarray, speckles: bool) -> None:
    """Shapes, lines and text around the codes, as on a desk, a shelf or a poster."""
    h, w = img.shape[:2]
    mean = img.reshape(-1, 3).mean(axis=0)
    for _ in range(int(rng.integers(4, 20))):
        muted = 0.5 * mean + 0.5 * _colour(rng, 0, 255)
        colour = tuple(float(c) for c in muted)
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        size = int(rng.integers(10, max(11, min(h, w) // 3)))
        kind = rng.integers(4)
        if kind == 0:
            cv2.rectangle(
                img, (x, y), (x + size, y + int(size * rng.uniform(0.3, 1.5))), colour, -1
            )
        elif kind == 1:
            cv2.circle(img, (x, y), size // 2, colour, int(rng.choice([-1, 2, 5])), cv2.LINE_AA)
        elif kind == 2:
            end = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            cv2.line(img, (x, y), end, colour, int(rng.integers(1, 6)), cv2.LINE_AA)
        else:
            offsets = rng.uniform(-size, size, (int(rng.integers(3, 7)), 2))
            pts = (offsets + np.array([x, y])).astype(np.int32)
            cv2.fillPoly(img, [pts], colour, cv2.LINE_AA)
    _text_layer(rng, img)
    if speckles:
        _speckles(rng, img)


FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX,
    cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_COMPLEX,
    cv2.FONT_HERSHEY_PLAIN,
    cv2.FONT_HERSHEY_TRIPLEX,
)


def _text_layer(rng: np.random.Generator, img: np.ndarray) -> None:
    """Printed text at one random angle: prices, words, digit runs that look like HRI."""
    h, w = img.shape[:2]
    layer = np.zeros((h, w), np.uint8)
    colours = np.zeros((h, w, 3), np.float32)
    for _ in range(int(rng.integers(3, 16))):
        text = _choice(
            rng, (_label, lambda r: _digits(r, 13), lambda r: f"¥{r.integers(1, 999)}.00")
        )
        text = text.replace("¥", "RMB ")
        font = FONTS[int(rng.integers(len(FONTS)))]
        scale = rng.uniform(0.4, 2.2)
        thick = int(rng.integers(1, 4))
        org = (int(rng.integers(-50, w)), int(rng.integers(10, h + 20)))
        cv2.putText(layer, text, org, font, scale, 255, thick, cv2.LINE_AA)
        cv2.putText(
            colours,
            text,
            org,
            font,
            scale,
            tuple(float(c) for c in _colour(rng, 0, 120)),
            thick,
            cv2.LINE_AA,
        )
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-30, 30), 1.0)
    layer = cv2.warpAffine(layer, matrix, (w, h))
    colours = cv2.warpAffine(colours, matrix, (w, h))
    alpha = (layer.astype(np.float32) / 255)[..., None]
    img[:] = img * (1 - alpha) + colours * alpha


def _speckles(rng: np.random.Generator, img: np.ndarray) -> None:
    """Random module grids without finder patterns: things that look like codes and are not."""
    h, w = img.shape[:2]
    for _ in range(int(rng.integers(1, 4))):
        n = int(rng.integers(10, 26))
        cell = int(rng.integers(2, 6))
        grid = (rng.random((n, n)) < 0.5).astype(np.float32)
        patch = cv2.resize(grid, (n * cell, n * cell), interpolation=cv2.INTER_NEAREST)
        y, x = (
            int(rng.integers(0, max(1, h - n * cell))),
            int(rng.integers(0, max(1, w - n * cell))),
        )
        region = img[y : y + n * cell, x : x + n * cell]
        patch = patch[: region.shape[0], : region.shape[1], None]
        region[:] = region * (1 - patch) + 30 * patch


# ---------------------------------------------------------------- placing symbols


def _label_canvas(
    rng: np.random.Generator, symbol: Symbol, px: int, contrast: float
) -> tuple[np.ndarray, np.ndarray]:
    """The printed label at ``px`` pixels a module, and the symbol's edge corners on it."""
    rows, cols = symbol.modules.shape
    margin = int(rng.integers(0, 4))
    caption_rows = max(8, cols // 9) if symbol.caption else 0
    left = top = symbol.quiet + margin
    height = rows + 2 * top + caption_rows
    width = cols + 2 * left
    ink = np.ones((height * px, width * px), np.float32)
    bars = cv2.resize(symbol.modules, (cols * px, rows * px), interpolation=cv2.INTER_NEAREST)
    ink[top * px : (top + rows) * px, left * px : (left + cols) * px] = bars / 255.0
    if symbol.caption:
        size = caption_rows * px * 0.7
        scale = cv2.getFontScaleFromHeight(cv2.FONT_HERSHEY_SIMPLEX, int(size))
        text_w = cv2.getTextSize(symbol.caption, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)[0][0]
        scale *= min(1.0, cols * px / max(text_w, 1))
        org = (left * px, int((top + rows + caption_rows * 0.85) * px))
        cv2.putText(
            ink,
            symbol.caption,
            org,
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            0.0,
            max(1, px // 2),
            cv2.LINE_AA,
        )
    paper = _colour(rng, 200, 255) if rng.random() < 0.8 else _colour(rng, 150, 240)
    dark = _colour(rng, 0, 60)
    ink_colour = paper - contrast * (paper - dark)
    label = ink[..., None] * paper + (1 - ink[..., None]) * ink_colour
    corners = _edge_corners(left * px, top * px, (left + cols) * px, (top + rows) * px)
    return label, corners


def _place(rng: np.random.Generator, img: np.ndarray, scene: Scene, symbol: Symbol) -> bool:
    """Project the label into the scene at a free spot; record the ground truth."""
    h, w = img.shape[:2]
    level = scene.level
    axis_bound = symbol.format in AXIS_BOUND_FORMATS
    sizes = _level_for(scene, "scale")
    module_range = sizes.module_px_1d if axis_bound else sizes.module_px_2d
    tilt = math.radians(_factor(rng, scene, "tilt", "tilt"))
    module = _uniform(rng, module_range)
    module = max(module, scene.blur * 2.2, scene.motion / 1.2, module_range[0] / math.cos(tilt))
    contrast = _factor(rng, scene, "contrast", "contrast")
    px = max(3, math.ceil(module * 1.5))
    label, symbol_corners = _label_canvas(rng, symbol, px, contrast)
    lh, lw = label.shape[:2]
    fitting = 0.85 * min(w, h) * px / max(lw, lh)
    if fitting < module_range[0]:
        return False
    module = min(module, fitting)
    if axis_bound and level.skew_1d is not None:
        roll = rng.integers(4) * 90 + rng.uniform(-level.skew_1d, level.skew_1d)
    else:
        roll = rng.uniform(0, 360)
    direction = rng.uniform(0, 2 * math.pi)
    rotation = _rotation(tilt * math.cos(direction), tilt * math.sin(direction), math.radians(roll))
    plane = (_edge_corners(0, 0, lw, lh) - [lw / 2, lh / 2]) * (module / px)
    focal = FOCAL_FACTOR * max(w, h)
    for _ in range(30):
        centre = rng.uniform([0, 0], [w, h])
        quad = _project(plane, rotation, centre, focal)
        x0, y0 = quad.min(axis=0)
        x1, y1 = quad.max(axis=0)
        if x0 < 2 or y0 < 2 or x1 > w - 2 or y1 > h - 2:
            continue
        if any(
            x0 < bx1 and bx0 < x1 and y0 < by1 and by0 < y1 for bx0, by0, bx1, by1 in scene.boxes
        ):
            continue
        _composite(img, label, quad, module / px)
        homography = cv2.getPerspectiveTransform(
            _edge_corners(0, 0, lw, lh).astype(np.float32), quad.astype(np.float32)
        )
        truth = cv2.perspectiveTransform(symbol_corners[None].astype(np.float64), homography)[0]
        scene.boxes.append((x0 - 6, y0 - 6, x1 + 6, y1 + 6))
        scene.codes.append(
            {
                "format": symbol.format,
                "text": symbol.text,
                "module_px": round(module, 2),
                "corners": [[round(float(x), 2), round(float(y), 2)] for x, y in truth],
            }
        )
        return True
    return False


def _composite(img: np.ndarray, label: np.ndarray, quad: np.ndarray, scale: float) -> None:
    """Warp the label (pre-filtered against aliasing) onto the scene inside ``quad``'s box.

    The homography maps pixel edges; OpenCV samples at pixel centres, hence the half-pixel
    shifts on both sides.
    """
    lh, lw = label.shape[:2]
    sigma = 0.5 * math.sqrt(max(1 / scale**2 - 1, 0))
    if sigma > 0.3:
        label = cv2.GaussianBlur(label, (0, 0), sigma)
    x0, y0 = np.floor(quad.min(axis=0)).astype(int)
    x1, y1 = np.ceil(quad.max(axis=0)).astype(int)
    src = _edge_corners(0, 0, lw, lh) - 0.5
    dst = quad - [x0, y0] - 0.5
    matrix = cv2.getPerspectiveTransform(src.astype(np.float32), dst.astype(np.float32))
    box = (int(x1 - x0), int(y1 - y0))
    warped = cv2.warpPerspective(label, matrix, box, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones((lh, lw), np.float32), matrix, box, flags=cv2.INTER_LINEAR)
    region = img[y0:y1, x0:x1]
    region[:] = region * (1 - mask[..., None]) + warped * mask[..., None]


# ---------------------------------------------------------------- camera effects


def _light(rng: np.random.Generator, img: np.ndarray, scene: Scene) -> None:
    """Uneven light (a gradient and a falloff), a colour cast, and sometimes a glare spot."""
    h, w = img.shape[:2]
    depth = _factor(rng, scene, "shade", "shade")
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * math.pi)
    ramp = xx / w * math.cos(angle) + yy / h * math.sin(angle)
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    falloff = np.hypot(xx - cx, yy - cy) / math.hypot(w, h)
    shade = 1 - depth * np.clip(0.6 * ramp + 0.8 * falloff, 0, 1)
    img *= shade[..., None] * rng.uniform(0.92, 1.08, 3).astype(np.float32)
    if rng.random() < scene.level.glare_prob:
        gx, gy = rng.uniform(0, w), rng.uniform(0, h)
        sx, sy = rng.uniform(0.03, 0.12, 2) * max(w, h)
        spot = np.exp(-(((xx - gx) / sx) ** 2 + ((yy - gy) / sy) ** 2) / 2)
        img += (spot * rng.uniform(60, 150))[..., None]


def _motion_kernel(length: float, angle: float) -> np.ndarray:
    size = math.ceil(length) | 1
    kernel = np.zeros((size, size), np.float32)
    c = size / 2 - 0.5
    dx, dy = math.cos(angle) * length / 2, math.sin(angle) * length / 2
    cv2.line(
        kernel,
        (round((c - dx) * 8), round((c - dy) * 8)),
        (round((c + dx) * 8), round((c + dy) * 8)),
        1.0,
        1,
        cv2.LINE_AA,
        shift=3,
    )
    return kernel / max(float(kernel.sum()), 1e-6)


def _camera(rng: np.random.Generator, img: np.ndarray, scene: Scene) -> bytes:
    """Optics, sensor and encoder, in that order; returns the JPEG file."""
    if scene.blur > 0.05:
        img = cv2.GaussianBlur(img, (0, 0), scene.blur)
    if scene.motion > 0.5:
        img = cv2.filter2D(img, -1, _motion_kernel(scene.motion, rng.uniform(0, math.pi)))
    sigma = _factor(rng, scene, "noise", "noise")
    img = img + rng.normal(0, 1, img.shape).astype(np.float32) * sigma
    quality = round(_factor(rng, scene, "jpeg", "jpeg"))
    pixels = np.clip(img, 0, 255).astype(np.uint8)
    ok, encoded = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return encoded.tobytes()


# ---------------------------------------------------------------- one image


def _pick(rng: np.random.Generator, weights: dict[K, float]) -> K:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=np.float64)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def render_scene(seed: int, index: int, level: str = "mixed") -> tuple[bytes, dict[str, Any]]:
    """One image (JPEG bytes) and its ground truth, a pure function of its arguments."""
    rng = np.random.default_rng([seed, index])
    name = _pick(rng, MIXED_WEIGHTS) if level == "mixed" else level
    chosen = LEVELS[name]
    strong = frozenset(str(f) for f in rng.choice(HARD_FACTORS, HARD_FACTOR_COUNT, replace=False))
    scene = Scene(chosen, strong, 0.0, 0.0)
    scene.blur = _factor(rng, scene, "blur", "blur")
    if rng.random() < _level_for(scene, "motion").motion_prob:
        scene.motion = _factor(rng, scene, "motion", "motion")
    long_side = int(rng.integers(640, 1601))
    aspect = float(rng.choice([1.0, 4 / 3, 16 / 9]))
    short_side = int(long_side / aspect)
    h, w = (long_side, short_side) if rng.random() < 0.5 else (short_side, long_side)
    img = _background(rng, h, w)
    _clutter(rng, img, speckles=name != "easy")
    count = 0 if rng.random() < EMPTY_SCENE_PROB else _pick(rng, CODE_COUNT_WEIGHTS)
    for _ in range(count):
        symbol = _render(rng, _pick(rng, FORMAT_WEIGHTS))
        _place(rng, img, scene, symbol)
    _light(rng, img, scene)
    data = _camera(rng, img, scene)
    stem = f"synth-{seed}-{index:05d}"
    truth = {"image": f"{stem}.jpg", "difficulty": f"synth-{name}", "codes": scene.codes}
    return data, truth


def write_scene(out_dir: Path, seed: int, index: int, level: str) -> int:
    """Render and write one image and its JSON; returns how many codes it holds."""
    data, truth = render_scene(seed, index, level)
    image = out_dir / str(truth["image"])
    image.write_bytes(data)
    text = json.dumps(truth, ensure_ascii=False, indent=None)
    image.with_suffix(".json").write_text(text + "\n", encoding="utf-8")
    return len(truth["codes"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--level", choices=[*LEVELS, "mixed"], default="mixed")
    parser.add_argument("--jobs", type=int, default=1, help="processes (output is the same)")
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    indices = range(args.count)
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            counts = list(
                pool.map(
                    write_scene,
                    repeat(args.out_dir),
                    repeat(args.seed),
                    indices,
                    repeat(args.level),
                )
            )
    else:
        counts = [write_scene(args.out_dir, args.seed, i, args.level) for i in indices]
    elapsed = time.monotonic() - started
    print(
        f"{args.count} images, {sum(counts)} codes in {args.out_dir} ({elapsed:.1f} s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
