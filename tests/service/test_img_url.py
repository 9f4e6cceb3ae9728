"""img_url through a real server: allowed only by an explicit setting, and never to
loopback, private or metadata addresses, whether named directly or behind a redirect."""

from __future__ import annotations

import httpx
import pytest

LOOPBACK_FORMS = [
    "127.0.0.1",
    "localhost",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
]
NON_LOOPBACK = ["10.0.0.1", "169.254.169.254"]


@pytest.fixture(scope="module")
def guarded(module_live_server):
    """A server with the default guard: nothing but public addresses."""
    return module_live_server("--no-auth", "--fetch-timeout", "2")


@pytest.fixture(scope="module")
def allowing(module_live_server, image_host):
    """A server allowed to reach the image host on 127.0.0.2, and nothing else local."""
    return module_live_server(
        "--no-auth", "--fetch-timeout", "2", "--fetch-allow-cidr", image_host.cidr
    )


def scan_url(server, url: str, method: str = "GET") -> tuple[dict, str]:
    response = httpx.request(
        method, f"{server.base_url}/cv/img/qrcode", params={"img_url": url}, timeout=30
    )
    return response.json(), response.headers["x-request-id"]


@pytest.mark.parametrize("host", LOOPBACK_FORMS)
def test_loopback_in_any_spelling_is_refused_without_a_connection(guarded, trap, host):
    body, rid = scan_url(guarded, f"http://{host}:{trap.port}/qr.jpg")
    assert body["errcode"] == 101000
    assert trap.accepted == 0
    detail = guarded.log_for(rid).get("detail", "")
    assert "loopback" in detail or "Invalid IPv4" in detail


@pytest.mark.parametrize("host", NON_LOOPBACK)
def test_private_and_metadata_hosts_are_refused_before_connecting(guarded, host):
    body, rid = scan_url(guarded, f"http://{host}/latest/meta-data/")
    assert body["errcode"] == 101000
    assert "ForbiddenAddressError" in guarded.log_for(rid)["detail"]


def test_the_image_host_is_refused_without_the_allow_setting(guarded, image_host):
    body, _ = scan_url(guarded, image_host.url("/qr.jpg"))
    assert body["errcode"] == 101000


def test_the_image_host_is_read_with_the_allow_setting(allowing, image_host):
    body, _ = scan_url(allowing, image_host.url("/qr.jpg"))
    assert body["errcode"] == 0
    assert [c["data"] for c in body["code_results"]] == ["https://www.qq.com/img_url"]


@pytest.mark.parametrize("host", LOOPBACK_FORMS)
def test_a_redirect_to_loopback_is_refused_without_a_connection(allowing, image_host, trap, host):
    target = f"http://{host}:{trap.port}/qr.jpg"
    body, _ = scan_url(allowing, image_host.url(f"/redirect?to={target}"))
    assert body["errcode"] == 101000
    assert trap.accepted == 0


@pytest.mark.parametrize("host", NON_LOOPBACK)
def test_a_redirect_to_a_private_host_is_refused_before_connecting(allowing, image_host, host):
    target = f"http://{host}/latest/meta-data/"
    body, rid = scan_url(allowing, image_host.url(f"/redirect?to={target}&status=301"))
    assert body["errcode"] == 101000
    assert "ForbiddenAddressError" in allowing.log_for(rid)["detail"]


@pytest.mark.parametrize(
    ("path", "errcode"),
    [
        ("/chain/3", 0),
        ("/chain/4", 101000),
        ("/qr-labelled-text", 0),
        ("/not-an-image.jpg", 101002),
        ("/missing.jpg", 101000),
        ("/endless", 101000),
        ("/oversize-declared", 101000),
        ("/slow", 101000),
    ],
)
def test_what_the_image_host_serves_is_judged_by_its_bytes(allowing, image_host, path, errcode):
    body, _ = scan_url(allowing, image_host.url(path), method="POST")
    assert body["errcode"] == errcode
