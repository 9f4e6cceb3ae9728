"""The contract's ``type_name`` vocabulary and its mapping to and from zxing-cpp formats.

WeChat's API speaks ZXing's (Java) upper snake-case names; zxing-cpp 3 has its own format
tree, where a format may be a variant (``DataBarExpStk``, ``Code39Ext``, ``ISBN``...) of a
family. This module is the one place that translates between the two, including the
retail quirks where zxing-cpp 3 and ZXing disagree: zxing-cpp reads a UPC-A symbol as an
EAN-13 whose text starts with ``0`` (and even a ``UPC-A`` result carries 13 digits),
and a UPC-E as its 13-digit EAN-13 expansion with the 8 printed digits in ``extra``.
ZXing reports ``UPC_A`` with 12 digits and ``UPC_E`` with 8, so we do too.
"""

from __future__ import annotations

from collections.abc import Iterable

import zxingcpp

QR_CODE = "QR_CODE"
MICRO_QR_CODE = "MICRO_QR_CODE"
RMQR_CODE = "RMQR_CODE"
DATA_MATRIX = "DATA_MATRIX"
PDF_417 = "PDF_417"
MICRO_PDF_417 = "MICRO_PDF_417"
AZTEC = "AZTEC"
MAXICODE = "MAXICODE"
EAN_13 = "EAN_13"
EAN_8 = "EAN_8"
UPC_A = "UPC_A"
UPC_E = "UPC_E"
CODE_39 = "CODE_39"
CODE_32 = "CODE_32"
PZN = "PZN"
CODE_93 = "CODE_93"
CODE_128 = "CODE_128"
ITF = "ITF"
CODABAR = "CODABAR"
RSS_14 = "RSS_14"
RSS_EXPANDED = "RSS_EXPANDED"
RSS_LIMITED = "RSS_LIMITED"
TELEPEN = "TELEPEN"
DX_FILM_EDGE = "DX_FILM_EDGE"

_F = zxingcpp.BarcodeFormat

# Every zxing-cpp format a reader may report, by the contract name it belongs to. The
# first format of each tuple is the one handed to zxing-cpp when a caller restricts the
# scan to that name; it covers its variants (zxing-cpp's formats form a tree).
_FORMATS: dict[str, tuple[zxingcpp.BarcodeFormat, ...]] = {
    QR_CODE: (_F.QRCode, _F.QRCodeModel1, _F.QRCodeModel2),
    MICRO_QR_CODE: (_F.MicroQRCode,),
    RMQR_CODE: (_F.RMQRCode,),
    DATA_MATRIX: (_F.DataMatrix,),
    PDF_417: (_F.PDF417, _F.CompactPDF417),
    MICRO_PDF_417: (_F.MicroPDF417,),
    AZTEC: (_F.Aztec, _F.AztecCode, _F.AztecRune),
    MAXICODE: (_F.MaxiCode,),
    EAN_13: (_F.EAN13, _F.ISBN),
    EAN_8: (_F.EAN8,),
    UPC_A: (_F.UPCA,),
    UPC_E: (_F.UPCE,),
    CODE_39: (_F.Code39, _F.Code39Std, _F.Code39Ext),
    CODE_32: (_F.Code32,),
    PZN: (_F.PZN,),
    CODE_93: (_F.Code93,),
    CODE_128: (_F.Code128,),
    ITF: (_F.ITF, _F.ITF14),
    CODABAR: (_F.Codabar,),
    RSS_14: (_F.DataBarOmni, _F.DataBar, _F.DataBarStk, _F.DataBarStkOmni),
    RSS_EXPANDED: (_F.DataBarExp, _F.DataBarExpStk),
    RSS_LIMITED: (_F.DataBarLtd,),
    TELEPEN: (_F.Telepen, _F.TelepenAlpha, _F.TelepenNumeric),
    DX_FILM_EDGE: (_F.DXFilmEdge,),
}

ALL_TYPE_NAMES: frozenset[str] = frozenset(_FORMATS)
LINEAR_TYPE_NAMES: frozenset[str] = frozenset(
    {EAN_13, EAN_8, UPC_A, UPC_E, CODE_39, CODE_32, PZN, CODE_93, CODE_128, ITF, CODABAR}
    | {RSS_14, RSS_EXPANDED, RSS_LIMITED, TELEPEN, DX_FILM_EDGE}
)
"""Symbologies made of bars whose height zxing-cpp does not report: their box is measured."""

STACKED: frozenset[zxingcpp.BarcodeFormat] = frozenset(
    {_F.DataBarStk, _F.DataBarStkOmni, _F.DataBarExpStk}
)
"""Linear symbologies printed as several rows of different bars."""

_TYPE_NAME_OF_FORMAT: dict[zxingcpp.BarcodeFormat, str] = {
    fmt: name for name, formats in _FORMATS.items() for fmt in formats
}
# A UPC-A symbol is found by the EAN-13 reader (zxing-cpp has no separate UPC-A scan).
_EXTRA: dict[str, tuple[zxingcpp.BarcodeFormat, ...]] = {UPC_A: (_F.EAN13,)}


class UnknownSymbologyError(ValueError):
    """A ``type_name`` outside :data:`ALL_TYPE_NAMES`."""


def parse_type_names(names: Iterable[str]) -> frozenset[str]:
    """Normalise user-given names (any case, ``-`` for ``_``) and reject unknown ones."""
    parsed = frozenset(name.strip().upper().replace("-", "_") for name in names if name.strip())
    unknown = sorted(parsed - ALL_TYPE_NAMES)
    if unknown:
        raise UnknownSymbologyError(
            f"unknown symbology {', '.join(unknown)}; known: {', '.join(sorted(ALL_TYPE_NAMES))}"
        )
    return parsed


def barcode_formats(type_names: frozenset[str] | None) -> zxingcpp.BarcodeFormats:
    """The zxing-cpp formats that read ``type_names`` (all readable ones for ``None``)."""
    if type_names is None:
        return zxingcpp.BarcodeFormats(_F.AllReadable)
    parsed = parse_type_names(type_names)
    chosen = [fmt for name in sorted(parsed) for fmt in _FORMATS[name][:1] + _EXTRA.get(name, ())]
    return zxingcpp.BarcodeFormats(chosen) if chosen else zxingcpp.BarcodeFormats(_F.NONE)


def type_name_of_format(fmt: zxingcpp.BarcodeFormat) -> str:
    """The contract name of a zxing-cpp format or variant (``UPCA`` -> ``UPC_A``)."""
    return _TYPE_NAME_OF_FORMAT.get(fmt, fmt.name.upper())


def type_name(barcode: zxingcpp.Barcode, allowed: frozenset[str] | None = None) -> str:
    """The contract name of a zxing-cpp result.

    An EAN-13 starting with ``0`` is a UPC-A when the caller accepts UPC-A (as ZXing's
    multi-format reader decides), otherwise it stays an EAN-13.
    """
    name = _TYPE_NAME_OF_FORMAT.get(barcode.format) or type_name_of_format(barcode.symbology)
    if name == EAN_13 and barcode.text.startswith("0") and (allowed is None or UPC_A in allowed):
        return UPC_A
    return name


def data(barcode: zxingcpp.Barcode, name: str) -> str:
    """The ``data`` of a result read with ``TextMode.Plain``, digits as ZXing gives them."""
    text: str = barcode.text
    if name == UPC_A and len(text) == 13 and text.startswith("0"):
        return text[1:]
    if name == UPC_E:
        extra = barcode.extra or {}
        printed = extra.get("UPCE")
        if isinstance(printed, str) and printed:
            return printed
    return text


def upce_to_upca(digits: str) -> str:
    """Expand 8 UPC-E digits (number system, 6 data, check) to the 12 of its UPC-A."""
    system, body, check = digits[0], digits[1:7], digits[7]
    last = body[5]
    if last in "012":
        middle = f"{body[:2]}{last}0000{body[2:5]}"
    elif last == "3":
        middle = f"{body[:3]}00000{body[3:5]}"
    elif last == "4":
        middle = f"{body[:4]}00000{body[4]}"
    else:
        middle = f"{body[:5]}0000{last}"
    return system + middle + check
