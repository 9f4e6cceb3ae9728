"""Every row of the contract's error table, produced through a real server on loopback.

(-1 from a store that stops answering is in test_redis_store.py; -1 from the request
time limit is here.) Each error body is exactly {"errcode", "errmsg"} with HTTP 200, the
message ending in the rid that is also in the X-Request-Id header and the access log.
"""

from __future__ import annotations

import time

import httpx
import pytest
from contract_checks import assert_error
from service_support import PHOTO, RawUpload

LIMIT = 2 * 1024 * 1024


@pytest.fixture(scope="module")
def server(module_live_server):
    return module_live_server("--request-timeout", "2")


@pytest.fixture(scope="module")
def token(server) -> str:
    return server.token()


def qrcode_url(server, token: str | None = None, **params: str) -> str:
    query = httpx.QueryParams({**({"access_token": token} if token else {}), **params})
    return f"{server.base_url}/cv/img/qrcode?{query}"


def test_41001_access_token_missing(server):
    response = httpx.post(qrcode_url(server), files={"img": ("a.jpg", PHOTO)})
    assert_error(response, 41001, "access_token missing")


@pytest.mark.parametrize("forged", ["forged", "A" * 136, "x" * 5000])
def test_40001_unknown_or_forged_token(server, forged):
    response = httpx.post(qrcode_url(server, forged), files={"img": ("a.jpg", PHOTO)})
    assert_error(response, 40001, "invalid credential, access_token is invalid or not latest")


def test_41005_media_data_missing(server, token):
    assert_error(httpx.post(qrcode_url(server, token)), 41005, "media data missing")
    assert_error(httpx.get(qrcode_url(server, token)), 41005, "media data missing")
    empty_upload = httpx.post(qrcode_url(server, token), files={"img": ("a.jpg", b"")})
    assert_error(empty_upload, 41005, "media data missing")


def test_40009_one_byte_over_two_megabytes(server, token):
    exactly = b"\xff\xd8" + b"\0" * (LIMIT - 2)
    response = httpx.post(qrcode_url(server, token), files={"img": ("a.jpg", exactly)})
    assert response.json()["errcode"] == 101002  # at the limit: read, and not an image
    over = exactly + b"\0"
    response = httpx.post(qrcode_url(server, token), files={"img": ("a.jpg", over)})
    assert_error(response, 40009, "invalid image size")
    raw = httpx.post(
        qrcode_url(server, token), content=over, headers={"Content-Type": "image/jpeg"}
    )
    assert_error(raw, 40009, "invalid image size")


def test_101000_invalid_image_url(server, token):
    for url in ["ftp://example.com/a.jpg", "http://169.254.169.254/", "not a url"]:
        assert_error(httpx.get(qrcode_url(server, token, img_url=url)), 101000, "invalid image url")


@pytest.mark.parametrize("data", [b"GIF89a", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, PHOTO[:5000]])
def test_101002_invalid_image_data(server, token, data):
    response = httpx.post(qrcode_url(server, token), files={"img": ("a.jpg", data)})
    assert_error(response, 101002, "invalid image data")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/cv/img/nothing"),
        ("POST", "/cv/img/qrcode/extra"),
        ("POST", "/cv/img/qrcode/"),
        ("GET", "/cgi-bin/unknown"),
        ("GET", "/cgi-bin/stable_token"),
        ("PUT", "/cv/img/qrcode"),
        ("GET", "/no/such/path"),
        ("GET", "/static/no-such-file.js"),
    ],
)
def test_40066_invalid_url(server, method, path):
    assert_error(httpx.request(method, f"{server.base_url}{path}"), 40066, "invalid url")


@pytest.mark.parametrize("endpoint", ["/cv/img/qrcode", "/cgi-bin/stable_token"])
def test_minus_1_when_the_request_time_limit_passes(server, token, endpoint):
    """A client that sends its body too slowly is cut off at --request-timeout (2 s)."""
    upload = RawUpload(
        server.base_url,
        f"{endpoint}?access_token={token}",
        {"Content-Type": "application/octet-stream", "Content-Length": "2000"},
    )
    upload.send(PHOTO[:1000])
    started = time.monotonic()
    response = upload.response()
    upload.close()
    assert 1.5 < time.monotonic() - started < 6
    assert response.startswith("HTTP/1.1 200")
    assert '{"errcode":-1,"errmsg":"system error rid: ' in response
    assert "Traceback" not in response
