"""The WeChat QR stage reads QR codes plain zxing-cpp misses, with corners in the code's
own orientation, and reads nothing where there is nothing."""

import io
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
import segno
import zxingcpp

from imgqrcode.reader import decoder
from imgqrcode.reader.cascade import wechat_qr
from imgqrcode.reader.cascade.gated import GatedWeChatQr
from imgqrcode.reader.cascade.wechat_qr import WeChatQr
from imgqrcode.reader.image_view import ImageView
from imgqrcode.reader.options import ScanOptions
from imgqrcode.reader.stage import StageContext

TEXT = "https://example.com/p/8472?id=XJ2K"
QUIET = 4
SUPERSAMPLE = 8


def context(budget: float = 2.0, formats: frozenset[str] | None = None) -> StageContext:
    return StageContext(ScanOptions(formats=formats), (), time.monotonic() + budget)


def photographed(
    symbol: np.ndarray, module: float, blur: float, degrees: float
) -> tuple[np.ndarray, np.ndarray]:
    """``symbol`` (rendered at SUPERSAMPLE px a module with a QUIET quiet zone) seen
    small, in perspective, turned by ``degrees`` and out of focus on a grey table; and
    the symbol's true corners (left_top first, in its own orientation)."""
    n = symbol.shape[0] / SUPERSAMPLE
    src = np.float32(
        [[QUIET, QUIET], [n - QUIET, QUIET], [n - QUIET, n - QUIET], [QUIET, n - QUIET]]
    )
    side = (n - 2 * QUIET) * module
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    square = np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]]) * side / 2
    keystone = square * np.array([[1.0], [1.15], [1.0], [0.85]])
    truth = keystone @ np.array([[c, s], [-s, c]]) + [300, 250]
    matrix = cv2.getPerspectiveTransform(src * SUPERSAMPLE - 0.5, np.float32(truth - 0.5))
    antialiased = cv2.GaussianBlur(symbol.astype(np.float32), (0, 0), SUPERSAMPLE / module / 2)
    warped = cv2.warpPerspective(antialiased, matrix, (600, 500), borderValue=-1)
    image = np.full((500, 600), 170, np.float32)
    inside = warped >= 0
    image[inside] = 40 + warped[inside] * 0.7
    image = cv2.GaussianBlur(image, (0, 0), blur)
    image += np.random.default_rng(0).normal(0, 4, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8), truth


def qr(text: str) -> np.ndarray:
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    return np.asarray(barcode.to_image(scale=SUPERSAMPLE))


def corners(code) -> np.ndarray:
    return np.array([[p.x, p.y] for p in code.position.corners], dtype=float)


def assert_reads_hard_code(stage: WeChatQr, module: float, blur: float) -> None:
    gray, truth = photographed(qr(TEXT), module, blur, degrees=200)
    assert not zxingcpp.read_barcodes(gray), "the scene should defeat plain zxing-cpp"
    codes = stage(ImageView(gray), context())
    assert [code.data for code in codes] == [TEXT]
    assert codes[0].type_name == "QR_CODE"
    assert codes[0].stage == "wechat_qr"
    # Turned 200°: the code's own left_top lies low and right in the image.
    assert np.abs(corners(codes[0]) - truth).max() <= 3.0


def test_classic_detector_reads_a_blurred_tilted_upside_down_code():
    assert_reads_hard_code(WeChatQr(classic=True), module=3.0, blur=1.0)


@pytest.mark.skipif(
    wechat_qr.installed_models() is None, reason="WeChat's CNN models are not installed"
)
def test_cnn_models_read_a_tiny_tilted_upside_down_code():
    assert_reads_hard_code(WeChatQr(), module=1.8, blur=0.6)


@pytest.mark.parametrize("degrees", [0, 33, 90, 180, 270])
def test_wechat_corners_are_in_zxing_cpps_order(degrees):
    """WeChat lists the corners from the code's own top left, clockwise, as zxing-cpp does."""
    gray, truth = photographed(qr(TEXT), module=4.0, blur=0.3, degrees=degrees)
    reads = wechat_qr.wechat_read(gray, None)
    assert [text for text, _ in reads] == [TEXT]
    (barcode,) = zxingcpp.read_barcodes(gray)
    p = barcode.position
    zxing = [[q.x, q.y] for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]
    assert np.abs(reads[0][1] - np.array(zxing, dtype=float)).max() <= 3.0
    assert np.abs(reads[0][1] - truth).max() <= 3.0


def test_a_large_image_is_read_shrunk_and_its_corners_mapped_back():
    symbol = np.asarray(
        zxingcpp.create_barcode(TEXT, zxingcpp.BarcodeFormat.QRCode).to_image(scale=12)
    )
    gray = np.full((3600, 5000), 255, np.uint8)  # 18 megapixels, shrunk to 1600 x 1152
    gray[2100 : 2100 + symbol.shape[0], 3300 : 3300 + symbol.shape[1]] = symbol
    codes = WeChatQr(classic=True)(ImageView(gray), context())
    assert [code.data for code in codes] == [TEXT]
    (barcode,) = zxingcpp.read_barcodes(gray)
    p = barcode.position
    truth = [[q.x, q.y] for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]
    assert np.abs(corners(codes[0]) - np.array(truth, dtype=float)).max() <= 2.0


def test_codes_already_found_are_not_reported_again():
    left, _ = photographed(qr("first code"), module=4.0, blur=0.3, degrees=15)
    right, _ = photographed(qr("second code"), module=4.0, blur=0.3, degrees=180)
    view = ImageView(np.hstack([left, right]))
    found = decoder.decode(view.gray, (view.width, view.height), stage="fast")
    assert sorted(code.data for code in found) == ["first code", "second code"]
    stage = WeChatQr(classic=True)
    first = tuple(code for code in found if code.data == "first code")
    after_first = StageContext(ScanOptions(), first, time.monotonic() + 2.0)
    assert [code.data for code in stage(view, after_first)] == ["second code"]
    after_both = StageContext(ScanOptions(), tuple(found), time.monotonic() + 2.0)
    assert stage(view, after_both) == []


def test_nothing_on_an_image_without_codes():
    rng = np.random.default_rng(3)
    gray = cv2.GaussianBlur(rng.integers(0, 256, (400, 500), dtype=np.uint8), (0, 0), 2)
    cv2.putText(gray, "RMB 520.00 ORDER 4471", (20, 200), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 2)
    assert WeChatQr(classic=True)(ImageView(gray), context()) == []


def test_content_outside_utf8_yields_nothing_instead_of_raising():
    """WeChat's binding raises UnicodeDecodeError on Shift_JIS (Kanji mode) content."""
    buffer = io.BytesIO()
    segno.make("微信支付", micro=False).save(buffer, kind="png", scale=6, border=4)
    gray = cv2.imdecode(np.frombuffer(buffer.getvalue(), np.uint8), cv2.IMREAD_GRAYSCALE)
    assert WeChatQr(classic=True)(ImageView(gray), context()) == []


def test_skipped_when_qr_is_not_wanted_or_the_budget_is_spent():
    gray, _ = photographed(qr(TEXT), module=4.0, blur=0.5, degrees=10)
    stage = WeChatQr(classic=True)
    assert [c.data for c in stage(ImageView(gray), context())] == [TEXT]
    assert stage(ImageView(gray), context(formats=frozenset({"EAN_13"}))) == []
    assert stage(ImageView(gray), context(budget=0.01)) == []


def test_model_files_must_match_the_pinned_digests(tmp_path: Path):
    for name in wechat_qr.MODEL_MD5:
        (tmp_path / name).write_bytes(b"not a model")
    assert not wechat_qr.verified(tmp_path)
    assert not wechat_qr.verified(tmp_path / "missing")


def test_the_cascade_asks_wechat_only_where_nothing_was_read():
    hard, _ = photographed(qr(TEXT), module=4.0, blur=0.5, degrees=10)
    easy, _ = photographed(qr("another code"), module=4.0, blur=0.3, degrees=15)
    view = ImageView(np.hstack([hard, easy]))
    found = decoder.decode(view.gray, (view.width, view.height), stage="fast")
    another = tuple(code for code in found if code.data == "another code")
    assert another
    after_another = StageContext(ScanOptions(), another, time.monotonic() + 2.0)
    assert [c.data for c in WeChatQr(classic=True)(view, after_another)] == [TEXT]
    assert GatedWeChatQr(classic=True)(view, after_another) == []
    assert [c.data for c in GatedWeChatQr(classic=True)(ImageView(hard), context())] == [TEXT]
