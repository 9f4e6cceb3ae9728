"""The debug page in a real browser against a real server: a person's paths through it."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest
from debug_page import DebugPage
from rendered_images import (
    Corners,
    Scene,
    exif_rotated_qr_scene,
    qr_codes_image,
    qr_scene,
    rotated_barcode_scene,
    transparent_qr_scene,
)

QR_TEXT = "https://example.com/调试?id=42"
CORNERS = ("left_top", "right_top", "right_bottom", "left_bottom")
MODULE = 12  # pixels per QR module in the rendered scenes


def assert_corners_close(drawn: Corners, expected: Corners, tolerance: float) -> None:
    distances = np.linalg.norm(drawn - expected, axis=1)
    assert distances.max() <= tolerance, f"drawn {drawn.tolist()} vs {expected.tolist()}"


def assert_quad_covers(drawn: Corners, expected: Corners, tolerance: float) -> None:
    """The drawn quad lies on the expected one: inside it (give or take), centred, as long."""
    contour = expected.astype(np.float32).reshape(-1, 1, 2)
    for x, y in drawn:
        inside = cv2.pointPolygonTest(contour, (float(x), float(y)), measureDist=True)
        assert inside >= -tolerance, f"corner ({x:.0f}, {y:.0f}) off the code by {-inside:.0f} px"
    assert np.linalg.norm(drawn.mean(axis=0) - expected.mean(axis=0)) <= tolerance
    axis = expected[1] - expected[0]
    axis /= np.linalg.norm(axis)
    drawn_length = np.ptp(drawn @ axis)
    assert drawn_length >= 0.8 * np.linalg.norm(expected[1] - expected[0])


def drawn_quad(page: DebugPage) -> Corners:
    """The one quad the page drew, checked to be the API's own corners, scaled exactly."""
    assert page.overlay_matches_image()
    [quad] = page.quads_in_image_pixels()
    [code] = json.loads(page.text("#json"))["code_results"]
    answered = np.array([[code["pos"][corner][axis] for axis in "xy"] for corner in CORNERS])
    assert_corners_close(quad, answered, tolerance=0.5)
    return quad


def upload_and_check(page: DebugPage, scene: Scene, name: str) -> None:
    page.upload(scene.data, name)
    assert page.code_texts() == [scene.text]
    assert_corners_close(drawn_quad(page), scene.corners, tolerance=1.5 * MODULE)


def test_reads_a_large_photo_and_draws_the_code_where_it_is(open_page, no_auth_server) -> None:
    page = open_page(no_auth_server.base_url)
    scene = qr_scene(QR_TEXT)
    upload_and_check(page, scene, "photo.png")
    assert "QR_CODE" in page.text("#codes")
    assert re.search(r"HTTP 200 · image 2400×1600 px", page.text("#round-trip"))
    assert re.fullmatch(r"Found 1 code \(\d+ ms\)\.", page.text("#status"))
    answer = json.loads(page.text("#json"))
    assert answer["errcode"] == 0
    assert answer["code_results"][0]["data"] == QR_TEXT
    assert answer["img_size"] == {"w": 2400, "h": 1600}
    assert page.page.is_hidden("#error")


def test_draws_on_an_exif_rotated_photo_as_it_is_shown(open_page, no_auth_server) -> None:
    page = open_page(no_auth_server.base_url)
    scene = exif_rotated_qr_scene(QR_TEXT)
    upload_and_check(page, scene, "phone.jpg")
    shown = page.page.eval_on_selector("#image", "i => [i.naturalWidth, i.naturalHeight]")
    assert shown == list(scene.size)
    assert "image 1200×1800 px" in page.text("#round-trip")


@pytest.mark.parametrize("angle", [90, 10])
def test_reads_a_rotated_barcode_and_draws_its_box(open_page, no_auth_server, angle) -> None:
    page = open_page(no_auth_server.base_url)
    scene = rotated_barcode_scene(f"IMGQR-{angle:03d}", angle)
    page.upload(scene.data, f"barcode-{angle}.png")
    assert page.code_texts() == [scene.text]
    assert "CODE_128" in page.text("#codes")
    # A box around the bars: the turned box itself, or an upright box around it.
    assert_quad_covers(drawn_quad(page), scene.corners, tolerance=20)


def test_a_non_image_shows_its_errcode_and_message(open_page, no_auth_server) -> None:
    page = open_page(no_auth_server.base_url)
    page.upload(b"these are not the pixels you are looking for", "notes.txt", state="error")
    assert page.text("#error-title") == "Error 101002"
    assert re.fullmatch(
        r"invalid image data rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}", page.text("#error-message")
    )
    assert "not an image" in page.text("#error-hint")
    assert json.loads(page.text("#json"))["errcode"] == 101002
    assert page.page.is_hidden("#reading")
    assert page.text("#status").startswith("Error 101002")


def test_paste_and_drop_read_like_the_file_picker(open_page, no_auth_server) -> None:
    page = open_page(no_auth_server.base_url)
    pasted = qr_scene("pasted from the clipboard")
    page.paste(pasted.data, "image.png")
    assert page.code_texts() == [pasted.text]
    dropped = qr_scene("dropped from the desktop", at=(300, 300))
    page.drop(dropped.data, "dropped.png")
    assert page.code_texts() == [dropped.text]
    assert_corners_close(drawn_quad(page), dropped.corners, tolerance=1.5 * MODULE)


def test_the_drop_zone_is_a_button_the_keyboard_opens(open_page, no_auth_server) -> None:
    page = open_page(no_auth_server.base_url)
    page.page.focus("#drop-zone")
    with page.page.expect_file_chooser() as chooser:
        page.page.keyboard.press("Enter")
    chooser.value.set_files(
        {"name": "keyboard.png", "mimeType": "image/png", "buffer": qr_scene("by keyboard").data}
    )
    page.wait_for_reading("drawn")
    assert page.code_texts() == ["by keyboard"]
    outline = page.page.eval_on_selector("#drop-zone", "e => getComputedStyle(e).outlineStyle")
    assert outline == "solid"


def test_language_follows_the_browser_and_switches(open_page, no_auth_server) -> None:
    page = open_page(no_auth_server.base_url, locale="zh-CN")
    assert page.text("h1") == "imgqrcode 调试工具"
    assert page.page.get_attribute("html", "lang") == "zh-CN"
    page.upload(qr_scene(QR_TEXT).data, "photo.png")
    assert re.fullmatch(r"识别到 1 个码（\d+ 毫秒）。", page.text("#status"))
    page.page.click("#language")
    assert page.text("h1") == "imgqrcode debug tool"
    assert page.page.get_attribute("html", "lang") == "en"
    assert re.fullmatch(r"Found 1 code \(\d+ ms\)\.", page.text("#status"))
    assert page.page.get_attribute("#url", "placeholder") == "https://example.com/photo.jpg"
    page.reload()
    assert page.text("h1") == "imgqrcode debug tool"


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("photo.png", "'img=@photo.png'"),
        ("my qr's photo.png", """'img=@"my qr'\\''s photo.png"'"""),
        ('odd;name,"x".png', """'img=@"odd;name,\\"x\\".png"'"""),
    ],
)
def test_copy_as_curl_repeats_the_upload(
    open_page, no_auth_server, tmp_path: Path, name: str, quoted: str
) -> None:
    page = open_page(no_auth_server.base_url)
    scene = qr_scene(QR_TEXT, size=(800, 600), at=(100, 100))
    page.upload(scene.data, name)
    command = page.text("#curl")
    assert command == f"curl -sS -F {quoted} '{page.base_url}cv/img/qrcode'"
    page.page.click("#copy-curl")
    assert page.page.evaluate("navigator.clipboard.readText()") == command
    (tmp_path / name).write_bytes(scene.data)
    answer = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, capture_output=True, check=True, timeout=30
    )
    assert json.loads(answer.stdout)["code_results"][0]["data"] == QR_TEXT


def test_an_image_url_goes_through_the_guarded_fetch(open_page, no_auth_server) -> None:
    page = open_page(no_auth_server.base_url)
    address = "http://127.0.0.1:9/secret.png"
    page.read_url(address, state="error")
    assert page.text("#error-title") == "Error 101000"
    command = page.text("#curl")
    encoded = "http%3A%2F%2F127.0.0.1%3A9%2Fsecret.png"
    assert command == f"curl -sS -X POST '{page.base_url}cv/img/qrcode?img_url={encoded}'"
    answer = subprocess.run(["bash", "-c", command], capture_output=True, check=True, timeout=30)
    assert json.loads(answer.stdout)["errcode"] == 101000


def test_fits_a_phone_screen(open_page, no_auth_server) -> None:
    page = open_page(no_auth_server.base_url, viewport={"width": 390, "height": 844})
    scene = qr_scene(QR_TEXT)
    upload_and_check(page, scene, "photo.png")
    overflow = page.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_with_auth_gets_a_token_and_refreshes_a_stale_one(open_page, auth_server) -> None:
    page = open_page(auth_server.base_url)
    assert page.page.is_visible("#auth")
    scene = qr_scene(QR_TEXT)
    page.upload(scene.data, "photo.png", state="error")
    assert page.text("#error-title") == "Error 41001"

    page.page.get_by_label("appid").fill(auth_server.appid)
    page.page.get_by_label("secret").fill("not the secret")
    # The token endpoint's refusal is what the person needs to see, not "no token".
    page.upload(scene.data, "photo.png", state="error")
    assert page.text("#error-title") == "Error 40125"
    page.page.click("#get-token")
    page.page.wait_for_selector("#token-status:has-text('Error 40125')")
    page.page.get_by_label("secret").fill(auth_server.secret)
    page.page.click("#get-token")
    page.page.wait_for_selector("#token-status:has-text('Using token')")
    token = page.page.evaluate("JSON.parse(sessionStorage.getItem('imgqrcode.token')).token")
    assert page.page.input_value("#token") == token
    assert page.page.evaluate("localStorage.getItem('imgqrcode.token')") is None
    upload_and_check(page, scene, "photo.png")
    assert f"access_token={token}" in page.text("#curl")

    page.page.evaluate(
        "sessionStorage.setItem('imgqrcode.token', JSON.stringify({token: 'forged'}))"
    )
    upload_and_check(page, scene, "photo.png")
    assert "access_token=forged" not in page.text("#curl")


def test_a_pasted_token_is_used_and_can_be_forgotten(open_page, auth_server) -> None:
    page = open_page(auth_server.base_url)
    token = auth_server.token()
    page.page.get_by_label("access_token").fill(token)
    page.page.get_by_label("access_token").press("Tab")
    upload_and_check(page, qr_scene(QR_TEXT), "photo.png")
    assert f"access_token={token}" in page.text("#curl")
    page.page.click("#forget-token")
    assert page.page.evaluate("sessionStorage.getItem('imgqrcode.token')") is None
    assert page.text("#token-status") == "No token yet."
    # Pasted, then an image dropped straight away: the field still has the focus.
    page.page.get_by_label("access_token").fill(token)
    page.drop(qr_scene(QR_TEXT).data, "photo.png")
    assert f"access_token={token}" in page.text("#curl")


def test_a_token_past_its_expiry_is_no_token(open_page, auth_server) -> None:
    page = open_page(auth_server.base_url)
    page.page.evaluate(
        "sessionStorage.setItem('imgqrcode.token', "
        "JSON.stringify({token: 'old', expiresAt: Date.now() - 1000}))"
    )
    page.reload()
    assert page.text("#token-status") == "No token yet."
    page.page.get_by_label("appid").fill(auth_server.appid)
    page.page.get_by_label("secret").fill(auth_server.secret)
    upload_and_check(page, qr_scene(QR_TEXT), "photo.png")
    assert "access_token=old" not in page.text("#curl")
    # One that expires while the page shows it in its field: still no token, not one
    # taken for typed.
    page.page.evaluate(
        "sessionStorage.setItem('imgqrcode.token', "
        "JSON.stringify({token: 'soon', expiresAt: Date.now() + 1000}))"
    )
    page.reload()
    assert page.page.input_value("#token") == "soon"
    page.page.wait_for_timeout(1500)
    page.page.get_by_label("appid").fill(auth_server.appid)
    page.page.get_by_label("secret").fill(auth_server.secret)
    before = len(auth_server.access_log("/cv/img/qrcode"))
    upload_and_check(page, qr_scene(QR_TEXT), "photo.png")
    sent = auth_server.access_log("/cv/img/qrcode", at_least=before + 1)[before:]
    assert [line["errcode"] for line in sent] == [0]  # not first a 40001 for "soon"


def test_an_image_address_is_read_and_drawn(open_page, small_limit_server, image_host) -> None:
    host, images, requested = image_host
    scene = qr_scene(QR_TEXT, size=(1200, 900), at=(200, 300))
    images["/shelf/photo.png"] = scene.data
    page = open_page(small_limit_server.base_url)
    page.read_url(f"{host}/shelf/photo.png")
    assert page.code_texts() == [QR_TEXT]
    assert_corners_close(drawn_quad(page), scene.corners, tolerance=1.5 * MODULE)
    # The server downloaded it; the person's browser never reached the host itself.
    assert requested == ["/shelf/photo.png"]
    assert page.page.is_visible("#image-note") and page.page.is_hidden("#image")
    assert page.overlay_matches_image()
    port = host.rsplit(":", 1)[1]
    assert page.text("#curl") == (
        f"curl -sS -X POST '{page.base_url}cv/img/qrcode"
        f"?img_url=http%3A%2F%2F127.0.0.1%3A{port}%2Fshelf%2Fphoto.png'"
    )

    other = qr_scene("dragged from another page", size=(900, 700), at=(100, 100))
    images["/other.png"] = other.data
    page.drop(f"{host}/other.png")
    assert page.code_texts() == [other.text]
    page.paste(f"{host}/shelf/photo.png")
    assert page.code_texts() == [QR_TEXT]
    assert page.page.input_value("#url") == f"{host}/shelf/photo.png"


def test_a_photo_over_the_limit_is_shrunk_before_sending(open_page, small_limit_server) -> None:
    scene = qr_scene(QR_TEXT, size=(1200, 900), at=(600, 300), noisy=True)
    info = httpx.get(f"{small_limit_server.base_url}/info", timeout=10).json()
    assert len(scene.data) > info["max_image_bytes"]
    page = open_page(small_limit_server.base_url)
    page.upload(scene.data, "big.png")
    assert page.code_texts() == [QR_TEXT]
    note = page.text("#shrunk-note")
    assert note.startswith("big.png is ") and "over the server's 977 KB limit" in note
    sent = json.loads(page.text("#json"))["img_size"]
    scale = sent["w"] / scene.size[0]
    assert sent["h"] == round(scene.size[1] * scale)
    assert_corners_close(drawn_quad(page), scene.corners * scale, tolerance=1.5 * MODULE * scale)
    assert page.text("#curl").startswith("# the page sent a shrunk copy")


def test_a_transparent_photo_over_the_limit_is_shrunk_onto_white(
    open_page, small_limit_server
) -> None:
    """The copy is a JPEG, which has no transparency: black ink on transparent pixels
    would otherwise turn into black on black."""
    scene = transparent_qr_scene(QR_TEXT)
    page = open_page(small_limit_server.base_url)
    page.upload(scene.data, "transparent.png")
    assert page.code_texts() == [QR_TEXT]


def test_an_image_the_browser_turns_otherwise_is_drawn_on_a_blank(
    open_page, no_auth_server
) -> None:
    """Chromium ignores a WebP's EXIF orientation, which the server applies: drawn on the
    picture as the browser shows it, the box would miss the code."""
    scene = exif_rotated_qr_scene(QR_TEXT, kind="WEBP")
    page = open_page(no_auth_server.base_url)
    page.upload(scene.data, "turned.webp")
    assert page.code_texts() == [QR_TEXT]
    assert "orientation" in page.text("#image-note")
    assert page.overlay_matches_image()
    assert_corners_close(drawn_quad(page), scene.corners, tolerance=1.5 * MODULE)


def test_switching_language_while_reading_keeps_saying_so(open_page, no_auth_server) -> None:
    page = open_page(no_auth_server.base_url)
    upload_and_check(page, qr_scene(QR_TEXT), "photo.png")
    # Noise and no code: the server spends its whole time budget looking.
    slow = qr_codes_image({}, (800, 600), noisy=True)[0]
    with page.page.expect_file_chooser() as chooser:
        page.page.click("#drop-zone")
    chooser.value.set_files({"name": "noise.png", "mimeType": "image/png", "buffer": slow})
    page.page.wait_for_selector("body[data-state=busy][data-ticket='2']")
    page.page.click("#language")
    assert page.text("#status") == "正在识别 noise.png……"
    assert page.page.evaluate("document.body.dataset.state") == "busy"
    page.wait_for_reading("drawn")
    assert page.text("#status").startswith("未识别到码")


def test_an_image_the_browser_cannot_show_is_drawn_on_a_blank(open_page, no_auth_server) -> None:
    scene = qr_scene(QR_TEXT, size=(800, 600), at=(400, 150), kind="TIFF")
    page = open_page(no_auth_server.base_url)
    page.upload(scene.data, "scan.tif")
    assert page.code_texts() == [QR_TEXT]
    assert page.page.is_visible("#image-note")
    assert_corners_close(drawn_quad(page), scene.corners, tolerance=1.5 * MODULE)


def test_detail_shows_what_the_server_adds(open_page, no_auth_server) -> None:
    page = open_page(no_auth_server.base_url)
    page.page.check("#detail")
    page.upload(qr_scene(QR_TEXT).data, "photo.png")
    assert "?detail=1'" in page.text("#curl")
    [code] = json.loads(page.text("#json"))["code_results"]
    assert "detail" in code
    assert re.search(r"ec_level: [LMQH]\n", page.text("#codes"))
    assert re.search(r" · \d+ ms in the server$", page.text("#round-trip"))


def test_a_server_that_went_away_is_reported(open_page, live_server) -> None:
    server = live_server("--no-auth")
    page = open_page(server.base_url)
    server.stop()
    page.upload(qr_scene(QR_TEXT).data, "photo.png", state="error")
    assert page.text("#error-title").startswith("Could not reach the server: ")
    assert page.text("#status").startswith("Could not reach the server: ")


def test_several_codes_are_numbered_in_reading_order(open_page, no_auth_server) -> None:
    placements = {"first, top left": (200, 150), "second, lower right": (1100, 700)}
    data, corners = qr_codes_image(placements, size=(1600, 1200))
    page = open_page(no_auth_server.base_url)
    page.upload(data, "two.png")
    assert page.code_texts() == list(placements)
    quads = page.quads_in_image_pixels()
    for quad, text in zip(quads, placements, strict=True):
        assert_corners_close(quad, corners[text], tolerance=1.5 * MODULE)
    badges = page.page.eval_on_selector_all(
        "#overlay .badge-number", "els => els.map(e => e.textContent)"
    )
    assert badges == ["1", "2"]
    page.page.hover(".code-item[data-index='1']")
    assert page.page.get_attribute("#overlay g.active", "data-index") == "1"
    assert re.fullmatch(r"Found 2 codes \(\d+ ms\)\.", page.text("#status"))
