"""The fast path's plausibility rule: weak 1D reads need their length and quiet zones."""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np
import zxingcpp
from rendering import symbol

from imgqrcode import ScanOptions, scan
from imgqrcode.reader import band_vote, bar_box, decoder, geometry, plausibility, symbology
from imgqrcode.reader.result import Code

FAST = 0.0
"""No cascade: these tests are about the fast path alone."""


def only_read(pixels: np.ndarray) -> tuple[Code, geometry.Quad]:
    """The one code in ``pixels``, and the band zxing-cpp reported it at."""
    barcodes = decoder.read(pixels)
    assert len(barcodes) == 1
    frame = (pixels.shape[1], pixels.shape[0])
    return decoder.to_code(barcodes[0], pixels, frame), decoder.reported(barcodes[0])


def scan_line(band: geometry.Quad) -> geometry.Quad:
    """The middle line of ``band``, as zxing-cpp reports a code read on one scan line."""
    left, right = (band[0] + band[3]) / 2, (band[1] + band[2]) / 2
    return np.array([left, right, right, left])


def part(code: Code, pixels: np.ndarray, start: float, end: float, **changes: str) -> Code:
    """``code`` cut to the share ``start``..``end`` of its length, as a partial read is."""
    lt, rt, rb, lb = geometry.to_quad(code.position)
    quad = np.array(
        [lt + (rt - lt) * start, lt + (rt - lt) * end, lb + (rb - lb) * end, lb + (rb - lb) * start]
    )
    position = geometry.to_position(quad, pixels.shape[1], pixels.shape[0])
    return dataclasses.replace(code, position=position, **changes)


def test_a_four_digit_itf_is_not_reported_even_when_only_itf_is_asked_for():
    pixels = symbol("ITF", "1234")
    itf_only = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.ITF)
    assert [b.text for b in zxingcpp.read_barcodes(pixels, formats=itf_only)] == ["1234"]
    options = ScanOptions(formats=frozenset({symbology.ITF}), time_budget=FAST)
    assert scan(pixels, options).codes == ()


def test_a_six_digit_itf_is_reported():
    pixels = symbol("ITF", "070429")
    assert [c.data for c in scan(pixels, ScanOptions(time_budget=FAST)).codes] == ["070429"]
    options = ScanOptions(formats=frozenset({symbology.ITF}), time_budget=FAST)
    assert [c.data for c in scan(pixels, options).codes] == ["070429"]


def test_a_whole_itf_14_has_quiet_zones_and_a_part_of_it_has_not():
    pixels = symbol("ITF", "30712345000010", scale=3)
    whole, band = only_read(pixels)
    assert plausibility.plausible(pixels, whole, band, [whole])
    start = part(whole, pixels, 0.0, 0.6, data="30712345")
    assert not plausibility.plausible(pixels, start, band, [start])
    end = part(whole, pixels, 0.4, 1.0, data="45000010")
    assert not plausibility.plausible(pixels, end, band, [end])


def test_a_upc_e_is_reported_but_not_one_inside_an_ean_13():
    upce = symbol("UPCE", "01234565", scale=3)
    assert [c.data for c in scan(upce, ScanOptions(time_budget=FAST)).codes] == ["01234565"]
    ean = symbol("EAN13", "4006381333931", scale=3)
    code, band = only_read(ean)
    inner = part(code, ean, 0.25, 0.79, type_name=symbology.UPC_E, data="01234565")
    assert not plausibility.plausible(ean, inner, band, [inner])


def test_strong_symbologies_are_not_judged():
    pixels = symbol("Code128", "AB")
    code, band = only_read(pixels)
    partial = part(code, pixels, 0.2, 0.6)
    assert plausibility.plausible(pixels, partial, scan_line(band), [partial])


def test_an_ean_13_read_on_a_scan_line_and_outvoted_by_the_bands_of_its_box_is_not_trusted():
    pixels = symbol("EAN13", "4006381333931", scale=3)
    code, band = only_read(pixels)
    line = scan_line(band)
    assert band_vote.votes(pixels, code)["4006381333931"] == band_vote.BANDS
    assert plausibility.plausible(pixels, code, line, [code])
    misread = dataclasses.replace(code, data="5901234123457")
    assert band_vote.outvoted(pixels, misread)
    assert not plausibility.plausible(pixels, misread, line, [misread])


def test_an_ean_13_read_on_lines_across_its_bars_is_not_put_to_the_vote():
    pixels = symbol("EAN13", "4006381333931", scale=3)
    code, band = only_read(pixels)
    assert not bar_box.scan_line(band)
    assert bar_box.scan_line(scan_line(band))
    misread = dataclasses.replace(code, data="5901234123457")
    assert plausibility.plausible(pixels, misread, band, [misread])


def test_an_ean_13_read_beside_another_text_in_its_place_is_put_to_the_vote():
    pixels = symbol("EAN13", "4006381333931", scale=3)
    code, band = only_read(pixels)
    misread = dataclasses.replace(code, data="5901234123457")
    both = [code, misread]
    assert plausibility.contested(misread, band, both)
    assert not plausibility.plausible(pixels, misread, band, both)
    assert plausibility.plausible(pixels, code, band, both)


def test_bands_that_read_nothing_are_no_evidence_against_a_read():
    pixels = symbol("EAN13", "4006381333931", scale=3)
    blank = np.full_like(pixels, 255)
    assert not band_vote.outvoted(blank, only_read(pixels)[0])


def test_a_read_no_band_confirms_is_overruled_by_any_two_bands():
    assert band_vote.overruled(Counter({"4006381333931": 1, "4006381333948": 1}), "9780804816632")
    assert not band_vote.overruled(Counter({"4006381333931": 1}), "9780804816632")


def test_a_read_some_band_confirms_needs_an_agreeing_majority_against_it():
    read = "9780804816632"
    assert not band_vote.overruled(Counter({read: 1, "4006381333931": 1, "4006381333948": 1}), read)
    assert band_vote.overruled(Counter({read: 1, "4006381333931": 2}), read)
    assert not band_vote.overruled(Counter({read: 2, "4006381333931": 2}), read)
    assert not band_vote.overruled(Counter(), read)
