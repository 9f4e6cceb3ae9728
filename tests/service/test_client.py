"""imgqrcode.Client against real servers on loopback."""

from __future__ import annotations

import pytest
from service_support import PHOTO, stable_token

import imgqrcode
from imgqrcode.client import ApiError, Client


def texts(result: dict) -> list[str]:
    return [code["data"] for code in result["code_results"]]


def test_it_is_exported_as_imgqrcode_client():
    assert imgqrcode.Client is Client


def test_files_bytes_and_urls(live_server, image_host, tmp_path):
    server = live_server("--fetch-allow-cidr", image_host.cidr)
    path = tmp_path / "photo.jpg"
    path.write_bytes(PHOTO)
    with Client(server.base_url, server.appid, server.secret) as client:
        assert texts(client.scan_file(path)) == ["https://www.qq.com"]
        assert texts(client.scan_file(str(path))) == ["https://www.qq.com"]
        assert texts(client.scan_file(PHOTO)) == ["https://www.qq.com"]
        assert texts(client.scan_url(image_host.url("/qr.jpg"))) == ["https://www.qq.com/img_url"]
        with pytest.raises(ApiError) as refused:
            client.scan_url("http://169.254.169.254/")
        assert refused.value.errcode == 101000


def test_a_refused_token_is_refreshed_once_and_the_call_retried(live_server):
    server = live_server()
    with Client(server.base_url, server.appid, server.secret) as client:
        client.scan_file(PHOTO)
        cached = client.access_token()
        stable_token(server, force_refresh=True)  # ends `cached`
        assert texts(client.scan_file(PHOTO)) == ["https://www.qq.com"]
        assert client.access_token() != cached
    errcodes = [line["errcode"] for line in server.access_log("/cv/img/qrcode", at_least=3)]
    assert errcodes == [0, 40001, 0]


def test_without_credentials_for_a_no_auth_server(live_server):
    server = live_server("--no-auth")
    with Client(server.base_url) as client:
        assert texts(client.scan_file(PHOTO)) == ["https://www.qq.com"]


def test_system_errors_are_retried_with_backoff_then_raised(live_server, disposable_redis):
    server = live_server("--store", f"{disposable_redis.url}/0")
    with Client(server.base_url, server.appid, server.secret, retries=2, backoff=0.05) as client:
        client.access_token()
        disposable_redis.stop()
        with pytest.raises(ApiError) as failed:
            client.scan_file(PHOTO)
    assert failed.value.errcode == -1
    errcodes = [line["errcode"] for line in server.access_log("/cv/img/qrcode", at_least=3)]
    assert errcodes == [-1, -1, -1]


def test_the_default_host_is_wechats():
    client = Client(appid="wx0", secret="s")
    assert client.base_url == "https://api.weixin.qq.com"
    client.close()
