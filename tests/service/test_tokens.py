"""Tokens and apps through a real server: lifetimes, supersession, stable tokens, errors,
and the `imgqrcode app` commands."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import httpx
import pytest
from contract_checks import assert_error, assert_success
from service_support import PHOTO, free_port, stable_token, upload

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{136}$")


@pytest.fixture(scope="module")
def server(module_live_server):
    return module_live_server()


def get_token(server, **overrides: str) -> httpx.Response:
    params = {"grant_type": "client_credential", "appid": server.appid, "secret": server.secret}
    params.update(overrides)
    return httpx.get(f"{server.base_url}/cgi-bin/token", params=params, timeout=30)


def scan_errcode(server, token: str) -> int:
    return int(upload(server, token).json()["errcode"])


def issued(response: httpx.Response) -> tuple[str, int]:
    body = response.json()
    assert list(body) == ["access_token", "expires_in"], body
    assert TOKEN_SHAPE.match(body["access_token"])
    return body["access_token"], body["expires_in"]


def test_token_shape_and_use(server):
    token, expires_in = issued(get_token(server))
    assert expires_in == 7200
    assert_success(upload(server, token), (1000, 900))


def test_each_token_call_issues_a_new_token(server):
    first, _ = issued(get_token(server))
    second, _ = issued(get_token(server))
    assert first != second
    assert scan_errcode(server, first) == 0  # still inside its 5 minutes of grace
    assert scan_errcode(server, second) == 0


def test_stable_token_is_handed_back_until_forced(server):
    first, expires_in = issued(stable_token(server))
    again, left = issued(stable_token(server))
    assert again == first and left <= expires_in
    forced, forced_expires = issued(stable_token(server, force_refresh=True))
    assert forced != first and forced_expires == 7200
    assert scan_errcode(server, first) == 40001  # force_refresh ends the old one at once
    assert scan_errcode(server, forced) == 0


def test_stable_and_plain_tokens_do_not_affect_each_other(server):
    stable, _ = issued(stable_token(server, force_refresh=True))
    for _ in range(2):
        issued(get_token(server))
    assert scan_errcode(server, stable) == 0
    plain, _ = issued(get_token(server))
    issued(stable_token(server, force_refresh=True))
    assert scan_errcode(server, plain) == 0


@pytest.mark.parametrize(
    ("overrides", "errcode", "errmsg"),
    [
        ({"grant_type": "password"}, 40002, "invalid grant_type"),
        ({"grant_type": ""}, 40002, "invalid grant_type"),
        ({"appid": ""}, 41002, "appid missing"),
        ({"secret": ""}, 41004, "appsecret missing"),
        ({"appid": "wx0000000000000000"}, 40013, "invalid appid"),
        ({"secret": "0" * 32}, 40125, "invalid appsecret"),
    ],
)
def test_token_errors(server, overrides, errcode, errmsg):
    assert_error(get_token(server, **overrides), errcode, errmsg)
    assert_error(stable_token(server, **overrides), errcode, errmsg)


def test_stable_token_needs_a_json_object(server):
    url = f"{server.base_url}/cgi-bin/stable_token"
    assert_error(httpx.post(url, content=b"{not json"), 47001, "data format error")
    assert_error(httpx.post(url, content=b"[1, 2]"), 47001, "data format error")
    nested = b'{"a":' + b"[" * 7000  # past the JSON parser's depth: no traceback either
    assert_error(httpx.post(url, content=nested), 47001, "data format error")
    assert "Traceback" not in server.stderr()
    # No body, as on the reading endpoint: its grant_type is missing.
    for empty in (b"", b"null", b'""'):
        assert_error(httpx.post(url, content=empty), 40002, "invalid grant_type")


def test_a_head_request_issues_no_token(live_server):
    """Starlette answers HEAD on every GET route: on the token endpoint it would issue a
    token nobody sees and supersede the one in use (at once with no grace period)."""
    server = live_server("--token-grace", "0")
    token, _ = issued(get_token(server))
    params = {"grant_type": "client_credential", "appid": server.appid, "secret": server.secret}
    head = httpx.head(f"{server.base_url}/cgi-bin/token", params=params)
    assert head.status_code == 200
    assert scan_errcode(server, token) == 0
    assert httpx.head(f"{server.base_url}/healthz").status_code == 200


def test_superseded_after_the_grace_period_and_expired_after_the_lifetime(live_server):
    server = live_server("--token-ttl", "4", "--token-grace", "1")
    first, _ = issued(get_token(server))
    second, expires_in = issued(get_token(server))
    issued_at = time.monotonic()
    assert expires_in == 4
    assert scan_errcode(server, first) == 0
    time.sleep(1.3)
    assert scan_errcode(server, first) == 40001
    assert scan_errcode(server, second) == 0
    time.sleep(max(0.0, 4.3 - (time.monotonic() - issued_at)))
    assert_error(upload(server, second), 42001, "access_token expired")


def test_app_commands(live_server):
    server = live_server()
    added = server.app_command("add", "--name", "second")
    assert added.returncode == 0
    appid = re.search(r"appid:\s+(wx[0-9a-f]{16})", added.stdout).group(1)
    secret = re.search(r"secret:\s+([0-9a-f]{32})", added.stdout).group(1)
    listed = server.app_command("list").stdout
    assert server.appid in listed and appid in listed and "second" in listed
    assert secret not in listed

    second = type(server)(**{**server.__dict__, "appid": appid, "secret": secret})
    token, _ = issued(get_token(second))
    reset = server.app_command("reset-secret", appid)
    new_secret = re.search(r"secret:\s+([0-9a-f]{32})", reset.stdout).group(1)
    assert new_secret != secret
    assert_error(get_token(second), 40125, "invalid appsecret")
    assert scan_errcode(server, token) == 40001  # a reset secret ends its tokens
    second.secret = new_secret
    token, _ = issued(get_token(second))
    assert scan_errcode(server, token) == 0

    assert server.app_command("remove", appid).returncode == 0
    assert scan_errcode(server, token) == 40001
    assert_error(get_token(second), 40013, "invalid appid")
    assert server.app_command("remove", appid).returncode == 1
    assert server.app_command("reset-secret", appid).returncode == 1


def test_app_options_from_the_environment_and_json_output(tmp_path, cli):
    data = ["--data-dir", str(tmp_path)]
    added = cli("app", "add", "--json", *data, env={"IMGQRCODE_NAME": "from env"})
    appid = json.loads(added.stdout)["appid"]
    listed = [json.loads(line) for line in cli("app", "list", "--json", *data).stdout.splitlines()]
    assert [(app["appid"], app["name"]) for app in listed] == [(appid, "from env")]
    removed = cli("app", "remove", *data, appid, env={"IMGQRCODE_JSON": "1"})
    assert removed.returncode == 0 and json.loads(removed.stdout) == {"removed": appid}


def test_serve_refuses_what_it_cannot_start_with(tmp_path, cli):
    """A data directory that cannot be made is the store's failure (status 2), a log
    level none of the four a usage error (2), both before anything starts."""
    occupied = tmp_path / "file"
    occupied.write_text("not a folder")
    unusable = cli("serve", "--data-dir", str(occupied / "data"))
    assert unusable.returncode == 2
    assert "cannot use the data directory" in unusable.stderr
    level = cli("serve", "--data-dir", str(tmp_path), env={"IMGQRCODE_LOG_LEVEL": "loud"})
    assert level.returncode == 2 and "--log-level: not a log level: 'loud'" in level.stderr
    for result in (unusable, level):
        assert "Traceback" not in result.stderr


def test_secrets_and_tokens_are_not_stored_in_clear(live_server):
    server = live_server()
    token, _ = issued(get_token(server))
    stored = b"".join(path.read_bytes() for path in server.data_dir.glob("imgqrcode.sqlite3*"))
    assert stored
    assert server.secret.encode() not in stored
    assert token.encode() not in stored


def test_the_first_start_prints_curl_lines_that_work(live_server, tmp_path):
    server = live_server()
    printed = server.stdout()
    assert f"appid:  {server.appid}" in printed and f"secret: {server.secret}" in printed
    commands = [line.strip() for line in printed.splitlines() if "curl" in line]
    assert len(commands) == 2
    (tmp_path / "photo.jpg").write_bytes(PHOTO)
    result = subprocess.run(
        ["bash", "-c", "\n".join(commands)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert '"data":"https://www.qq.com"' in result.stdout
    restarted = server.app_command("list")
    assert restarted.stdout.count("wx") == 1


@pytest.mark.parametrize("command", [["app", "list"], ["serve"]])
def test_an_unreachable_store_is_a_clear_error_with_status_2(command):
    store = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    result = subprocess.run(
        [sys.executable, "-m", "imgqrcode.cli", *command, "--store", store],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "cannot use the store" in result.stderr and "Traceback" not in result.stderr
