"""Every symbology of the contract's vocabulary round-trips: rendered, encoded, read back."""

from __future__ import annotations

import numpy as np
import pytest
import segno
from rendering import encoded, ink_box, quad, symbol

from imgqrcode import ScanOptions, scan
from imgqrcode.reader import symbology

# type_name -> (zxing-cpp format to render, content, data the contract expects)
CASES: dict[str, tuple[str, str, str]] = {
    "QR_CODE": ("QRCode", "https://www.qq.com", "https://www.qq.com"),
    "MICRO_QR_CODE": ("MicroQRCode", "12345", "12345"),
    "RMQR_CODE": ("RMQRCode", "rMQR text", "rMQR text"),
    "DATA_MATRIX": ("DataMatrix", "DataMatrix 123", "DataMatrix 123"),
    "PDF_417": ("PDF417", "PDF417 content", "PDF417 content"),
    "MICRO_PDF_417": ("MicroPDF417", "micro pdf", "micro pdf"),
    "AZTEC": ("Aztec", "Aztec content", "Aztec content"),
    "MAXICODE": ("MaxiCode", "MAXICODE 1", "MAXICODE 1"),
    "EAN_13": ("EAN13", "5901234123457", "5901234123457"),
    "EAN_8": ("EAN8", "96385074", "96385074"),
    "UPC_A": ("UPCA", "036000291452", "036000291452"),
    "UPC_E": ("UPCE", "01234565", "01234565"),
    "CODE_39": ("Code39", "CODE39-TEST", "CODE39-TEST"),
    "CODE_32": ("Code32", "12345678", "A123456788"),
    "PZN": ("PZN", "1234562", "-12345626"),
    "CODE_93": ("Code93", "CODE93", "CODE93"),
    "CODE_128": ("Code128", "Code 128 text", "Code 128 text"),
    "ITF": ("ITF", "12345678901231", "12345678901231"),
    "CODABAR": ("Codabar", "A123456B", "A123456B"),
    "RSS_14": ("DataBar", "0100012345678905", "0100012345678905"),
    "RSS_EXPANDED": ("DataBarExp", "[01]00012345678905[10]ABC", "010001234567890510ABC"),
    "RSS_LIMITED": ("DataBarLtd", "0100012345678905", "0100012345678905"),
    "TELEPEN": ("Telepen", "TELEPEN", "TELEPEN"),
    "DX_FILM_EDGE": ("DXFilmEdge", "77-1/2", "77-1/2"),
}


def test_cases_cover_the_whole_vocabulary():
    assert set(CASES) == symbology.ALL_TYPE_NAMES
    for name in ("QR_CODE", "UPC_A", "RSS_EXPANDED", "MAXICODE", "DX_FILM_EDGE"):
        assert name in symbology.ALL_TYPE_NAMES


@pytest.mark.parametrize("type_name", sorted(CASES))
def test_round_trip_through_png(type_name):
    fmt, content, expected = CASES[type_name]
    pixels = symbol(fmt, content, gs1=fmt == "DataBarExp")
    result = scan(encoded(pixels, "PNG"))
    assert [(c.type_name, c.data) for c in result.codes] == [(type_name, expected)]
    assert (result.width, result.height) == (pixels.shape[1], pixels.shape[0])
    corners = quad(result.codes[0])
    left, top, right, bottom = ink_box(pixels)
    # The box covers the symbol's ink (within two modules; EAN/UPC guard bars reach five
    # modules below the others) and is upright.
    below = 24 if type_name in {"EAN_13", "EAN_8", "UPC_A", "UPC_E"} else 8
    assert corners[:, 0].min() <= left + 8 and corners[:, 0].max() >= right - 8
    assert corners[:, 1].min() <= top + 8 and corners[:, 1].max() >= bottom - below
    lt, rt, rb, lb = corners
    assert lt[0] < rt[0] and lb[0] < rb[0] and lt[1] < lb[1] and rt[1] < rb[1]


@pytest.mark.parametrize("type_name", sorted(CASES))
def test_restricting_formats_reads_only_those(type_name):
    fmt, content, expected = CASES[type_name]
    pixels = symbol(fmt, content, gs1=fmt == "DataBarExp")
    only = scan(pixels, ScanOptions(formats=frozenset({type_name})))
    assert [c.data for c in only.codes] == [expected]
    other = "QR_CODE" if type_name != "QR_CODE" else "AZTEC"
    assert scan(pixels, ScanOptions(formats=frozenset({other}))).codes == ()


@pytest.mark.parametrize(
    ("make", "type_name"),
    [
        (lambda: segno.make_qr("segno QR code", error="m"), "QR_CODE"),
        (lambda: segno.make_micro("MICRO"), "MICRO_QR_CODE"),
    ],
)
def test_segno_renderings(make, type_name):
    qr = make()
    pixels = np.array(qr.matrix, dtype=np.uint8)
    image = np.kron(np.where(pixels > 0, 0, 255).astype(np.uint8), np.ones((6, 6), np.uint8))
    image = np.pad(image, 40, constant_values=255)
    codes = scan(image).codes
    assert [(c.type_name, c.data) for c in codes] == [
        (type_name, "segno QR code" if type_name == "QR_CODE" else "MICRO")
    ]


def test_upc_a_is_reported_with_twelve_digits_unless_only_ean_13_is_wanted():
    pixels = symbol("UPCA", "036000291452")
    assert [(c.type_name, c.data) for c in scan(pixels).codes] == [("UPC_A", "036000291452")]
    only_ean = scan(pixels, ScanOptions(formats=frozenset({"EAN_13"})))
    assert [(c.type_name, c.data) for c in only_ean.codes] == [("EAN_13", "0036000291452")]


def test_an_ean_13_starting_with_zero_is_a_upc_a_as_zxing_reports_it():
    pixels = symbol("EAN13", "0012345678905")
    assert [(c.type_name, c.data) for c in scan(pixels).codes] == [("UPC_A", "012345678905")]


def test_upc_e_expands_to_its_upc_a():
    assert symbology.upce_to_upca("01234565") == "012345000065"
    assert symbology.upce_to_upca("04252614") == "042100005264"


def test_unknown_type_names_are_refused():
    with pytest.raises(symbology.UnknownSymbologyError):
        symbology.parse_type_names(["QR_CODE", "NOT_A_CODE"])
    assert symbology.parse_type_names(["qr-code", " ean_13 "]) == {"QR_CODE", "EAN_13"}
    formats = symbology.barcode_formats(frozenset({"UPC_A"}))
    assert "UPC-A" in str(formats) and "EAN-13" in str(formats)


# zxing-cpp variant -> (content, contract type_name, data)
VARIANTS = {
    "Code39Ext": ("ext+lower", "CODE_39", "ext+lower"),
    "ITF14": ("1234567890123", "ITF", "12345678901231"),
    "ISBN": ("9780306406157", "EAN_13", "9780306406157"),
    "DataBarStk": ("0100012345678905", "RSS_14", "0100012345678905"),
    "DataBarStkOmni": ("0100012345678905", "RSS_14", "0100012345678905"),
    "DataBarExpStk": (
        "[01]00012345678905[10]ABCDEFGHIJKL[21]1234567890",
        "RSS_EXPANDED",
        "010001234567890510ABCDEFGHIJKL\x1d211234567890",
    ),
    "AztecRune": ("25", "AZTEC", "025"),
    "TelepenAlpha": ("TEL", "TELEPEN", "TEL"),
    "CompactPDF417": ("compact", "PDF_417", "compact"),
}


GUARDED = {"ITF14", "ISBN"}


@pytest.mark.parametrize("fmt", sorted(VARIANTS))
@pytest.mark.parametrize("quarter_turns", [0, 2])
def test_variants_report_their_family_with_a_box_around_the_whole_symbol(fmt, quarter_turns):
    content, type_name, expected = VARIANTS[fmt]
    pixels = np.ascontiguousarray(
        np.rot90(symbol(fmt, content, scale=3, gs1=fmt.startswith("DataBarExp")), quarter_turns)
    )
    (code,) = scan(pixels).codes
    assert (code.type_name, code.data) == (type_name, expected)
    corners = quad(code)
    left, top, right, bottom = ink_box(pixels)
    box = (corners[:, 0].min(), corners[:, 1].min(), corners[:, 0].max(), corners[:, 1].max())
    if fmt in GUARDED:
        # The box holds the bars, not ITF-14's bearer frame nor EAN's longer guard bars;
        # in pixel-edge coordinates, where the last ink pixel ``right`` ends at ``right + 1``.
        assert left <= box[0] and top <= box[1] and box[2] <= right + 1 and box[3] <= bottom + 1
    else:
        assert np.abs(np.array(box) - (left, top, right, bottom)).max() <= 6
    # Upright: left-top is the top-left corner; upside down: the bottom-right one.
    lt = corners[0]
    assert (lt[1] - top < bottom - lt[1]) == (quarter_turns == 0)
    assert (lt[0] - left < right - lt[0]) == (quarter_turns == 0)
