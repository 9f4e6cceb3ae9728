"""``scan()`` as the service uses it: from many threads at once, with options."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from rendering import encoded, symbol

import imgqrcode
from imgqrcode import ScanOptions, scan
from imgqrcode.reader import symbology


def test_concurrent_scans_give_the_serial_results():
    images = [
        encoded(symbol(fmt, f"{fmt} {i}"), "PNG")
        for i in range(6)
        for fmt in ("QRCode", "DataMatrix", "Code128", "PDF417")
    ]
    serial = [scan(image) for image in images]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(scan, images))
    assert [r.codes for r in parallel] == [r.codes for r in serial]
    assert [c.data for r in parallel for c in r.codes] == [
        f"{fmt} {i}" for i in range(6) for fmt in ("QRCode", "DataMatrix", "Code128", "PDF417")
    ]


def test_formats_option_accepts_any_case_and_refuses_unknown_names():
    pixels = symbol("QRCode", "case")
    assert scan(pixels, ScanOptions(formats=frozenset({"qr_code"}))).codes[0].data == "case"
    with pytest.raises(symbology.UnknownSymbologyError):
        scan(pixels, ScanOptions(formats=frozenset({"QR"})))


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"formats": "QR_CODE"}, TypeError),  # would be the names Q, R, _, C, O, D, E
        ({"formats": {1}}, TypeError),
        ({"time_budget": float("nan")}, ValueError),  # would be no deadline at all
        ({"time_budget": -1.0}, ValueError),
        ({"time_budget": None}, TypeError),
        ({"max_pixels": 0}, ValueError),
        ({"max_pixels": None}, TypeError),
    ],
)
def test_options_are_checked_where_they_are_made(options, error):
    with pytest.raises(error):
        ScanOptions(**options)


def test_formats_may_be_any_collection_of_names():
    assert ScanOptions(formats=["QR_CODE", "EAN_13"]).formats == {"QR_CODE", "EAN_13"}
    assert isinstance(ScanOptions(formats=("QR_CODE",)).formats, frozenset)
    assert ScanOptions(time_budget=float("inf")).time_budget == float("inf")


def test_public_api():
    names = set(dir(imgqrcode))
    for name in (
        "scan",
        "ScanResult",
        "Code",
        "Position",
        "Point",
        "ScanOptions",
        "InvalidImageError",
        "UnknownSymbologyError",
        "Client",
        "ApiError",
    ):
        assert hasattr(imgqrcode, name) and name in names, name
    assert issubclass(imgqrcode.InvalidImageError, ValueError)
    assert imgqrcode.UnknownSymbologyError is symbology.UnknownSymbologyError
    with pytest.raises(AttributeError):
        _ = imgqrcode.not_a_name
