"""Operations endpoints and the access log, through a real server."""

from __future__ import annotations

import re
import subprocess
import sys

import httpx
import pytest
from contract_checks import RID
from service_support import upload
from starlette.routing import Route

from imgqrcode.service.app import create_app
from imgqrcode.service.config import ServiceConfig
from imgqrcode.service.openapi import openapi_document
from imgqrcode.service.operations import STATIC_DIR


@pytest.fixture(scope="module")
def server(module_live_server):
    return module_live_server()


@pytest.fixture(scope="module")
def token(server) -> str:
    return server.token()


def test_healthz_checks_the_store(server):
    response = httpx.get(f"{server.base_url}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "store": "ok"}


def test_info_tells_the_page_whether_it_needs_credentials(server):
    info = httpx.get(f"{server.base_url}/info").json()
    assert info["auth_required"] is True
    assert info["max_image_bytes"] == 2 * 1024 * 1024
    assert re.match(r"^\d+\.\d+", info["version"])


def test_metrics_count_requests_by_errcode_decode_time_and_codes_by_type(server, token):
    upload(server, token)
    upload(server, "forged")
    text = httpx.get(f"{server.base_url}/metrics").text
    assert re.search(
        r'^imgqrcode_requests_total\{endpoint="qrcode",errcode="0"\} [1-9]', text, re.M
    )
    assert re.search(
        r'^imgqrcode_requests_total\{endpoint="qrcode",errcode="40001"\} 1', text, re.M
    )
    assert re.search(r"^imgqrcode_decode_seconds_count [1-9]", text, re.M)
    assert re.search(r'^imgqrcode_codes_total\{type_name="QR_CODE"\} [1-9]', text, re.M)


def test_the_openapi_document_describes_served_endpoints(server):
    document = httpx.get(f"{server.base_url}/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) >= {"/cv/img/qrcode", "/cgi-bin/token", "/cgi-bin/stable_token"}
    for path, operations in document["paths"].items():
        for method in operations:
            response = httpx.request(method.upper(), f"{server.base_url}{path}")
            answer = response.json() if "json" in response.headers["content-type"] else {}
            assert not (isinstance(answer, dict) and answer.get("errcode") == 40066), path


def test_the_openapi_document_lists_every_method_the_api_takes(tmp_path):
    app = create_app(ServiceConfig(data_dir=tmp_path))
    document = openapi_document(ServiceConfig(data_dir=tmp_path), "test")
    for route in app.routes:
        if isinstance(route, Route) and route.path in document["paths"]:
            listed = {method.upper() for method in document["paths"][route.path]}
            assert listed == route.methods - {"HEAD"}, route.path  # HEAD: as GET, or none


def test_one_json_access_log_line_per_request_with_its_rid(server, token):
    response = httpx.post(
        f"{server.base_url}/cv/img/qrcode",
        params={"access_token": token, "img_url": "http://10.0.0.1/a.jpg"},
    )
    rid = response.headers["x-request-id"]
    assert RID.match(rid) and response.json()["errmsg"].endswith(f" rid: {rid}")
    line = server.log_for(rid)
    assert line["method"] == "POST" and line["path"] == "/cv/img/qrcode"
    assert line["status"] == 200 and line["errcode"] == 101000
    assert line["appid"] == server.appid
    assert isinstance(line["duration_ms"], float) and line["client"].startswith("127.0.0.1:")
    assert token not in server.stderr()  # the query string (and its token) is never logged
    assert sum(1 for entry in server.access_log() if entry["rid"] == rid) == 1


def test_the_debug_page_is_served_at_the_root(server):
    response = httpx.get(f"{server.base_url}/")
    assert response.headers["content-type"].startswith("text/html")
    for name in sorted(p.name for p in STATIC_DIR.iterdir() if p.name != "index.html"):
        assert httpx.get(f"{server.base_url}/static/{name}").status_code == 200


def test_flags_have_environment_equivalents(live_server):
    server = live_server(env={"IMGQRCODE_NO_AUTH": "1", "IMGQRCODE_MAX_IMAGE_BYTES": "1000"})
    assert httpx.get(f"{server.base_url}/info").json()["auth_required"] is False
    assert upload(server).json()["errcode"] == 40009


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--time-budget", "nan", "--time-budget: not a number of seconds: 'nan'"),
        ("--request-timeout", "0", "--request-timeout: must be more than 0 seconds"),
        ("--max-image-bytes", "-5", "--max-image-bytes: must be 1 or more, not -5"),
        ("--port", "70000", "--port: not a port: 70000"),
        ("--workers", "0", "--workers: must be 1 or more, not 0"),
        ("--token-grace", "soon", "--token-grace: not a whole number: 'soon'"),
    ],
)
def test_numbers_out_of_range_are_usage_errors_before_starting(tmp_path, flag, value, message):
    completed = subprocess.run(
        [sys.executable, "-m", "imgqrcode.cli", "serve", "--data-dir", str(tmp_path), flag, value],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert message in completed.stderr and "Traceback" not in completed.stderr
    assert list(tmp_path.iterdir()) == []
