"""The request shapes real SDKs send, replayed through a real server on loopback, with
the response checked against the contract key by key.

The image is the contract's example: a 1000x900 JPEG holding one QR code whose symbol
(25 modules of 8 pixels) starts at (617, 410), inside its quiet zone pasted at (585, 378).
"""

from __future__ import annotations

import json

import httpx
import pytest
from contract_checks import assert_error, assert_square_at, assert_success
from service_support import qr_photo

TEXT = "https://www.qq.com"
CHINESE = "微信扫一扫 https://www.qq.com/二维码"
PHOTO = qr_photo(TEXT)
SIZE = (1000, 900)


@pytest.fixture(scope="module")
def server(module_live_server, image_host):
    return module_live_server("--fetch-allow-cidr", image_host.cidr)


@pytest.fixture(scope="module")
def token(server) -> str:
    return server.token()


def endpoint(server, token: str, **params: str) -> str:
    query = httpx.QueryParams({"access_token": token, **params})
    return f"{server.base_url}/cv/img/qrcode?{query}"


def assert_the_example(response: httpx.Response, text: str = TEXT) -> None:
    (code,) = assert_success(response, SIZE)
    assert code["type_name"] == "QR_CODE"
    assert code["data"] == text
    assert_square_at(code["pos"], 617, 410, 200)


def test_multipart_img_as_curl_sends_it(server, token):
    """curl -F 'img=@test.jpg' (the documented example)."""
    files = {"img": ("test.jpg", PHOTO, "image/jpeg")}
    assert_the_example(httpx.post(endpoint(server, token), files=files, timeout=30))


def test_multipart_file_as_the_java_sdk_sends_it(server, token):
    """WxJava posts the image as a `file` part, application/octet-stream, no img_url."""
    files = {"file": ("qrcode.jpg", PHOTO, "application/octet-stream")}
    assert_the_example(httpx.post(endpoint(server, token), files=files, timeout=30))


@pytest.mark.parametrize("name", ["media", "pic"])
def test_multipart_part_without_a_filename_or_type(server, token, name):
    """Named as WeChat's media upload names it, or any way: its bytes say it is an image."""
    boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + PHOTO
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    response = httpx.post(endpoint(server, token), content=body, headers=headers, timeout=30)
    assert_the_example(response)


@pytest.mark.parametrize("content_type", ["image/jpeg", "application/octet-stream", None])
def test_raw_image_body(server, token, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = httpx.post(endpoint(server, token), content=PHOTO, headers=headers, timeout=30)
    assert_the_example(response)


def test_get_with_img_url_as_the_java_sdk_sends_it(server, token, image_host):
    response = httpx.get(endpoint(server, token, img_url=image_host.url("/qr.jpg")), timeout=30)
    assert_the_example(response, "https://www.qq.com/img_url")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", None),
        (b"", "application/json"),
        (b'""', "application/json"),
        (b"null", "application/json"),
        (b"{}", "application/json"),
        (b"", "application/x-www-form-urlencoded"),
    ],
)
def test_post_with_an_empty_body_and_img_url_in_the_query(
    server, token, image_host, body, content_type
):
    headers = {"Content-Type": content_type} if content_type else {}
    url = endpoint(server, token, img_url=image_host.url("/qr.jpg"))
    response = httpx.post(url, content=body, headers=headers, timeout=30)
    assert_the_example(response, "https://www.qq.com/img_url")


@pytest.mark.parametrize("body", [b"--b0undary--\r\n", b"", b"not multipart at all"])
@pytest.mark.parametrize("boundary", ["; boundary=b0undary", ""])
def test_an_empty_or_malformed_multipart_body_with_img_url_in_the_query(
    server, token, image_host, body, boundary
):
    url = endpoint(server, token, img_url=image_host.url("/qr.jpg"))
    headers = {"Content-Type": f"multipart/form-data{boundary}"}
    response = httpx.post(url, content=body, headers=headers, timeout=30)
    assert_the_example(response, "https://www.qq.com/img_url")
    without_url = httpx.post(endpoint(server, token), content=body, headers=headers, timeout=30)
    assert_error(without_url, 41005, "media data missing")


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "text/plain",
        # curl -d's default, and what a client that sets none sends: still JSON by its {.
        "application/x-www-form-urlencoded",
        None,
    ],
)
def test_json_body_with_img_url(server, token, image_host, content_type):
    body = json.dumps({"img_url": image_host.url("/qr.jpg")}).encode()
    headers = {} if content_type is None else {"Content-Type": content_type}
    request = httpx.Request("POST", endpoint(server, token), content=body, headers=headers)
    assert request.headers.get("Content-Type") == content_type
    with httpx.Client(timeout=30) as client:
        response = client.send(request)
    assert_the_example(response, "https://www.qq.com/img_url")


def test_json_nested_past_the_parsers_depth_is_no_json(server, token):
    nested = b'{"img_url":' + b"[" * 7000
    headers = {"Content-Type": "application/json"}
    response = httpx.post(endpoint(server, token), content=nested, headers=headers, timeout=30)
    assert_error(response, 41005, "media data missing")


def test_form_body_with_img_url(server, token, image_host):
    response = httpx.post(
        endpoint(server, token), data={"img_url": image_host.url("/qr.jpg")}, timeout=30
    )
    assert_the_example(response, "https://www.qq.com/img_url")


def test_multipart_text_field_with_img_url(server, token, image_host):
    response = httpx.post(
        endpoint(server, token),
        files={"img_url": (None, image_host.url("/qr.jpg"))},
        timeout=30,
    )
    assert_the_example(response, "https://www.qq.com/img_url")


def test_an_uploaded_file_wins_over_img_url(server, token, image_host):
    url = endpoint(server, token, img_url=image_host.url("/qr.jpg"))
    assert_the_example(httpx.post(url, files={"img": ("a.jpg", PHOTO)}, timeout=30))


def test_non_ascii_text_is_sent_as_utf8_not_escaped(server, token):
    photo = qr_photo(CHINESE, scale=6)
    response = httpx.post(endpoint(server, token), files={"img": ("a.jpg", photo)}, timeout=30)
    (code,) = assert_success(response, SIZE)
    assert code["data"] == CHINESE
    assert CHINESE.encode("utf-8") in response.content


def test_an_image_without_codes_gives_an_empty_list(server, token):
    blank = qr_photo(size=(300, 200), at=(2000, 2000))
    response = httpx.post(endpoint(server, token), files={"img": ("a.jpg", blank)}, timeout=30)
    assert assert_success(response, (300, 200)) == []


def test_detail_only_when_asked(server, token):
    url = endpoint(server, token, detail="1")
    body = httpx.post(url, files={"img": ("a.jpg", PHOTO)}, timeout=30).json()
    assert "detail" in body["code_results"][0]


def test_formats_restricts_the_symbologies(server, token):
    url = endpoint(server, token, formats="EAN_13,CODE_128")
    response = httpx.post(url, files={"img": ("a.jpg", PHOTO)}, timeout=30)
    assert assert_success(response, SIZE) == []
    url = endpoint(server, token, formats="qr_code")
    assert_the_example(httpx.post(url, files={"img": ("a.jpg", PHOTO)}, timeout=30))


@pytest.mark.parametrize(
    "params", [{"formats": "QR_CODE,NOT_A_CODE"}, {"budget_ms": "soon"}, {"detail": "maybe"}]
)
def test_malformed_options_answer_invalid_args(server, token, params):
    url = endpoint(server, token, **params)
    response = httpx.post(url, files={"img": ("a.jpg", PHOTO)}, timeout=30)
    assert_error(response, 40097, "invalid args")
