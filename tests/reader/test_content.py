"""``data`` is the content as plain text: charsets and ECI honoured, control characters kept."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
import segno
from rendering import encoded, symbol

from imgqrcode import scan


def segno_pixels(qr: segno.QRCode) -> np.ndarray:
    matrix = np.where(np.array(qr.matrix, dtype=np.uint8) > 0, 0, 255).astype(np.uint8)
    return np.pad(np.kron(matrix, np.ones((5, 5), np.uint8)), 40, constant_values=255)


def only_code(pixels: np.ndarray):
    codes = scan(encoded(pixels, "PNG")).codes
    assert len(codes) == 1
    return codes[0]


@pytest.mark.parametrize("text", ["微信扫一扫 二维码识别", "日本語のテキスト", "Ünïcødé ✓ 😀"])
def test_utf8_qr(text):
    assert only_code(segno_pixels(segno.make_qr(text, encoding="utf-8"))).data == text
    assert only_code(symbol("QRCode", text)).data == text


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Γειά σου κόσμε", "iso-8859-7"),
        ("Привет, мир", "cp1251"),
        ("中文内容", "gb18030"),
        ("中文内容", "gbk"),
        ("ショップ", "shift_jis"),
        ("Grüße", "utf-8"),
    ],
)
def test_eci_tagged_content(text, encoding):
    code = only_code(segno_pixels(segno.make_qr(text, encoding=encoding, eci=True)))
    assert code.data == text
    assert code.raw == text.encode(encoding)


def test_binary_content_maps_each_byte_to_one_character_and_keeps_raw_bytes():
    payload = bytes(range(256))
    code = only_code(symbol("QRCode", payload, scale=3))
    assert code.raw == payload
    assert code.data == payload.decode("latin-1")
    detail = code.to_contract(detail=True)["detail"]
    assert base64.b64decode(detail["raw_base64"]) == payload
    assert detail["ec_level"] in {"L", "M", "Q", "H"}


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("DataMatrix", "010001234567890510ABC\x1d21XYZ"),
        ("Code128", "010001234567890510ABC\x1d21XYZ"),
        ("QRCode", "010001234567890510ABC\x1d21XYZ"),
    ],
)
def test_gs1_keeps_group_separators_without_parentheses(fmt, expected):
    code = only_code(symbol(fmt, "[01]00012345678905[10]ABC[21]XYZ", gs1=True))
    assert code.data == expected
    assert "(" not in code.data


def test_control_characters_are_kept():
    text = "line one\nline two\ttab\x1dgs\x1erecord"
    assert only_code(symbol("DataMatrix", text)).data == text


def test_contract_json_shape():
    result = scan(encoded(symbol("QRCode", "https://www.qq.com"), "PNG"))
    body = result.to_contract()
    assert list(body) == ["errcode", "errmsg", "code_results", "img_size"]
    assert body["errcode"] == 0 and body["errmsg"] == "ok"
    (entry,) = body["code_results"]
    assert list(entry) == ["type_name", "data", "pos"]
    assert list(entry["pos"]) == ["left_top", "right_top", "right_bottom", "left_bottom"]
    assert all(isinstance(v, int) for p in entry["pos"].values() for v in p.values())
    assert body["img_size"] == {"w": result.width, "h": result.height}
    detailed = result.to_contract(detail=True)
    assert "detail" in detailed["code_results"][0] and "timings_ms" in detailed
    assert json.loads(json.dumps(body, ensure_ascii=False)) == body
