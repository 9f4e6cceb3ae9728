"""How a cascade stage spends its time over its candidates: everything on an image that
has yielded nothing yet, a few misses' worth once it has yielded a code."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from rendering import symbol

from imgqrcode.reader import decoder, geometry
from imgqrcode.reader.cascade import reading
from imgqrcode.reader.cascade.warp import Warped
from imgqrcode.reader.image_view import ImageView
from imgqrcode.reader.options import ScanOptions
from imgqrcode.reader.stage import StageContext


@dataclass(frozen=True)
class Spot:
    center: tuple[float, float]
    pixels: np.ndarray = field(compare=False)


@dataclass(frozen=True)
class Counted:
    """Five renditions of a spot's pixels, each recorded in ``tried`` as it is made."""

    tried: list[Spot] = field(compare=False)

    def __call__(self, view: ImageView, spot: Spot) -> Iterator[Warped]:
        for _ in range(5):
            self.tried.append(spot)
            yield Warped(spot.pixels, geometry.translation(*spot.center))


def spots(count: int, code_at: int | None = None) -> list[Spot]:
    """``count`` blank candidates far apart, one of them (``code_at``) holding a QR code."""
    blank = np.full((120, 120), 255, np.uint8)
    qr = symbol("QRCode", "the code among the candidates", scale=4, margin=4)
    return [Spot((1000.0 * i, 0.0), qr if i == code_at else blank) for i in range(count)]


def read(
    candidates: list[Spot],
    found: tuple,
    light_renditions: int = reading.LIGHT_RENDITIONS,
    view: ImageView | None = None,
    **options,
) -> tuple[list[str], int]:
    """The texts read over ``candidates`` and how many renditions were made."""
    renditions = Counted([])

    def spot_reading(spot: Spot, yielded: bool, setting: reading.Setting) -> reading.Reading[Spot]:
        limit = reading.rendition_limit(yielded, light_renditions)
        return reading.Reading(spot, renditions, limit, "test", setting)

    view = view or ImageView(np.zeros((10, 10), np.uint8))
    context = StageContext(ScanOptions(), found, time.monotonic() + 10)
    codes = reading.read_candidates(
        candidates, spot_reading, view, context, (), type_names=None, **options
    )
    return [code.data for code in codes], len(renditions.tried)


def an_earlier_code() -> tuple:
    qr = symbol("QRCode", "read by the fast path", scale=4, margin=4)
    return tuple(decoder.decode(qr, (qr.shape[1], qr.shape[0]), stage="fast"))


def test_every_candidate_is_tried_while_nothing_was_read():
    assert read(spots(9, code_at=8), ()) == (["the code among the candidates"], 8 * 5 + 1)


def test_a_few_empty_candidates_end_the_search_once_a_code_was_read():
    earlier = an_earlier_code()
    assert earlier
    light = reading.LIGHT_MISSES * reading.LIGHT_RENDITIONS
    assert read(spots(9, code_at=8), earlier) == ([], light)
    assert read(spots(9, code_at=8), earlier, light_renditions=2) == ([], 2 * reading.LIGHT_MISSES)


def test_the_search_goes_light_at_the_stages_own_first_code():
    """Three empty candidates before the code, three after it, each after it with the
    light number of renditions."""
    texts, tried = read(spots(12, code_at=3), ())
    assert texts == ["the code among the candidates"]
    assert tried == 3 * 5 + 1 + reading.LIGHT_MISSES * reading.LIGHT_RENDITIONS


def test_a_read_does_not_count_as_a_miss():
    earlier = an_earlier_code()
    code_at = reading.LIGHT_MISSES - 1
    texts, tried = read(spots(9, code_at=code_at), earlier)
    assert texts == ["the code among the candidates"]
    assert tried == reading.LIGHT_MISSES * reading.LIGHT_RENDITIONS + 1


def damaged_qr() -> np.ndarray:
    """A QR code with its middle third inverted: its finder patterns stand, its error
    correction cannot repair it."""
    pixels = symbol("QRCode", "a code too damaged to read", scale=4, margin=4).copy()
    h, w = pixels.shape
    pixels[h // 3 : 2 * h // 3, w // 4 : 3 * w // 4] ^= 255
    return pixels


def test_attempt_tells_an_undecodable_symbol_from_nothing():
    frame = (10, 10)
    assert decoder.attempt(damaged_qr(), frame) == decoder.Attempt([], frozenset(), True)
    blank = np.full((120, 120), 255, np.uint8)
    assert decoder.attempt(blank, frame) == decoder.Attempt([], frozenset(), False)
    qr = symbol("QRCode", "whole", scale=4, margin=4)
    attempt = decoder.attempt(qr, frame)
    assert [code.data for code in attempt.codes] == ["whole"]
    assert not attempt.spent
    assert not attempt.undecoded


def test_a_decode_that_used_up_the_error_correction_is_spent():
    """Version 1-M corrects five codewords: module flips (in its data area) add errors
    one codeword at a time until the fifth leaves no correction to spare."""
    modules = symbol("QRCode", "spent", scale=1, margin=0, ec_level="M")
    rng = np.random.default_rng(2)
    reads = []
    while not reads or not decoder.correction_spent(reads[-1]):
        y, x = rng.integers(13, modules.shape[0] - 4, size=2)
        modules[y, x] ^= 255
        barcodes = decoder.read(np.kron(modules, np.ones((4, 4), np.uint8)))
        assert [barcode.text for barcode in barcodes] == ["spent"]
        reads.append(barcodes[0])
    assert len(reads) >= 5


def read_series(series: list[np.ndarray], limit: int) -> list[str]:
    view = ImageView(np.zeros((10, 10), np.uint8))
    renditions = (Warped(pixels, np.eye(3)) for pixels in series)
    codes = reading.read_renditions(renditions, limit, view, math.inf, stage="t", type_names=None)
    return [code.data for code in codes]


def test_a_located_symbol_earns_every_rendition():
    """Past the limit, renditions go on only where zxing-cpp saw a symbol it could not
    decode: a code is there, and a later rendition (here, the undamaged one) may read it."""
    qr = symbol("QRCode", "read at the last rendition", scale=4, margin=4)
    blank = np.full(qr.shape, 255, np.uint8)
    assert read_series([blank, blank, qr], limit=2) == []
    assert read_series([blank, damaged_qr(), qr], limit=2) == ["read at the last rendition"]
    assert read_series([blank, blank, qr], limit=None) == ["read at the last rendition"]


def test_no_rendition_is_made_beyond_the_limit():
    """Renditions are made lazily, and some cost a decode's time to make: the one past
    the limit is never asked for."""
    blank = np.full((120, 120), 255, np.uint8)
    made: list[int] = []

    def renditions() -> Iterator[Warped]:
        for index in range(5):
            made.append(index)
            yield Warped(blank, np.eye(3))

    view = ImageView(np.zeros((10, 10), np.uint8))
    assert (
        reading.read_renditions(renditions(), 2, view, math.inf, stage="t", type_names=None) == []
    )
    assert made == [0, 1]


def test_a_stage_may_stop_at_its_first_empty_candidate_once_a_code_was_read():
    earlier = an_earlier_code()
    assert read(spots(9, code_at=1), earlier, light_misses=1) == ([], reading.LIGHT_RENDITIONS)
    texts, _ = read(spots(9, code_at=0), earlier, light_misses=1)
    assert texts == ["the code among the candidates"]


def test_a_reading_made_ahead_is_not_made_again():
    """What the helper thread read ahead (the same reading, by value) the stage finds."""
    spots_ = spots(4, code_at=2)
    view = ImageView(np.zeros((10, 10), np.uint8))
    ahead = Counted([])
    light = reading.Setting(found=True, type_names=None)
    for spot in spots_:
        view.derive_ahead(
            reading.Reading(spot, ahead, reading.rendition_limit(True), "test", light)
        )
    texts, tried = read(spots_, an_earlier_code(), view=view)
    assert texts == ["the code among the candidates"]
    assert tried == 0 and len(ahead.tried) == 3 * reading.LIGHT_RENDITIONS + 1


@dataclass(frozen=True)
class Held:
    """Blank renditions, the ``first`` spot's held back until those of ``second`` are all
    made: only a reader that went on to the second while the first was held releases
    it."""

    first: Spot
    second: Spot
    started: threading.Event = field(compare=False, default_factory=threading.Event)
    release: threading.Event = field(compare=False, default_factory=threading.Event)
    made: list[Spot] = field(compare=False, default_factory=list)

    def __call__(self, view: ImageView, spot: Spot) -> Iterator[Warped]:
        if spot == self.first:
            self.started.set()
            assert self.release.wait(5)
        for count in range(1, reading.LIGHT_RENDITIONS + 1):
            self.made.append(spot)
            if spot == self.second and count == reading.LIGHT_RENDITIONS:
                self.release.set()
            yield Warped(spot.pixels, geometry.translation(*spot.center))


def test_the_stage_reads_the_next_candidate_while_the_helper_reads_one_ahead():
    spots_ = spots(3)
    view = ImageView(np.zeros((10, 10), np.uint8))
    held = Held(spots_[0], spots_[1])

    def spot_reading(spot: Spot, yielded: bool, setting: reading.Setting) -> reading.Reading[Spot]:
        return reading.Reading(spot, held, reading.rendition_limit(yielded), "test", setting)

    ahead = reading.Setting(found=True, type_names=None)
    helper = threading.Thread(target=view.derived, args=(spot_reading(spots_[0], True, ahead),))
    helper.start()
    assert held.started.wait(5)
    context = StageContext(ScanOptions(), an_earlier_code(), time.monotonic() + 10)
    assert reading.read_candidates(spots_, spot_reading, view, context, (), type_names=None) == []
    helper.join(5)
    # The second spot was read while the helper still held the first.
    assert held.made == [spots_[1]] * 3 + [spots_[0]] * 3 + [spots_[2]] * 3
