"""A Python client of WeChat's imgQrcode API: this service's, or WeChat's own.

``Client(base_url, appid, secret)`` gets a token from ``/cgi-bin/stable_token`` (the
kind that many processes of one app can share without ending each other's tokens),
caches it until shortly before it expires, and behaves as the popular Java SDK does:
on 40001, 40014 or 42001 it fetches a fresh token and retries once; on -1 (from either
endpoint, or an answer that is not the API's JSON) it retries with exponential backoff, a
bounded number of times. Without an appid (a server started with
``--no-auth``) it sends no token at all. The default ``base_url`` is WeChat's own host.

    with Client("http://127.0.0.1:8080", appid, secret) as client:
        result = client.scan_file("photo.jpg")
        for code in result["code_results"]:
            print(code["type_name"], code["data"])
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from os import PathLike
from pathlib import Path
from typing import Any

import httpx

WECHAT_BASE_URL = "https://api.weixin.qq.com"
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
SYSTEM_ERROR = -1
NODELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
"""An upload is several writes: with Nagle's algorithm on, the last one waits for the
server's delayed ACK (about 40 ms on Linux), which would triple a fast round trip."""
REFRESH_MARGIN = 60.0
"""A cached token is renewed this many seconds before it expires."""


class ApiError(Exception):
    """The API answered with a non-zero ``errcode``."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"{errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


def _checked(response: httpx.Response) -> dict[str, Any]:
    """The API's JSON answer, or ApiError: its non-zero ``errcode``, or -1 (system busy,
    which the client retries) for an answer that is not the API's at all, such as the
    error page of a reverse proxy in front of a restarting service."""
    try:
        payload = response.json()
    except ValueError:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ApiError(SYSTEM_ERROR, f"HTTP {response.status_code}, not a JSON answer") from None
    if not isinstance(payload, dict):
        raise ApiError(SYSTEM_ERROR, f"unexpected response {payload!r}")
    errcode = payload.get("errcode") or 0
    if not isinstance(errcode, int):
        raise ApiError(SYSTEM_ERROR, f"unexpected errcode {errcode!r}")
    if errcode:
        raise ApiError(errcode, str(payload.get("errmsg", "")))
    return payload


def _transport(base_url: str) -> httpx.HTTPTransport:
    """Connections without Nagle's delay, through the proxy the environment names for
    ``base_url`` (``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY``, ``NO_PROXY``): httpx
    reads those itself only for a transport of its own making, and a host behind an
    egress proxy reaches WeChat's only through it."""
    url = httpx.URL(base_url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(url.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(url.host):
        return httpx.HTTPTransport(socket_options=NODELAY)
    # "proxy.corp:3128" is common, and curl and httpx take it as http://.
    return httpx.HTTPTransport(
        socket_options=NODELAY, proxy=proxy if "://" in proxy else f"http://{proxy}"
    )


class Client:
    def __init__(
        self,
        base_url: str = WECHAT_BASE_URL,
        appid: str | None = None,
        secret: str | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.2,
        http: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.appid = appid
        self.secret = secret
        self.retries = retries
        self.backoff = backoff
        self._http = http or httpx.Client(timeout=timeout, transport=_transport(self.base_url))
        self._token: str | None = None
        self._token_expires = 0.0
        self._lock = threading.Lock()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _stable_token(self, force_refresh: bool) -> tuple[str, float]:
        response = self._http.post(
            f"{self.base_url}/cgi-bin/stable_token",
            json={
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self.secret,
                "force_refresh": force_refresh,
            },
        )
        payload = _checked(response)
        return str(payload["access_token"]), float(payload.get("expires_in", 7200))

    def access_token(self, refused: str | None = None) -> str:
        """The cached token, or a new one from ``/cgi-bin/stable_token``.

        ``refused`` is a token the server just refused: it is dropped, and if the server
        hands the same one back, a new one is forced (which ends it for everyone).
        """
        with self._lock:
            if refused is not None and refused != self._token:
                refused = None  # another thread already replaced it
            if refused is None and self._token and time.monotonic() < self._token_expires:
                return self._token
            token, lifetime = self._stable_token(force_refresh=False)
            if token == refused:
                token, lifetime = self._stable_token(force_refresh=True)
            self._token = token
            # A short-lived token (a server's --token-ttl of a minute or so) is kept for
            # half its life at least: renewed at once, it would be asked for on every call.
            margin = min(REFRESH_MARGIN, lifetime / 2.0)
            self._token_expires = time.monotonic() + max(0.0, lifetime - margin)
            return token

    def scan_file(
        self, image: str | PathLike[str] | bytes, filename: str = "image.jpg"
    ) -> dict[str, Any]:
        """Upload an image (a path or its bytes) as the multipart ``img`` field."""
        if isinstance(image, bytes):
            data = image
        else:
            data = Path(image).read_bytes()
            filename = Path(image).name
        return self._call(files={"img": (filename, data, "application/octet-stream")})

    def scan_url(self, url: str) -> dict[str, Any]:
        """Have the server download ``url`` and read it."""
        return self._call(params={"img_url": url})

    def _call(
        self, params: dict[str, str] | None = None, files: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        refused: str | None = None
        refreshed = False
        attempt = 0
        while True:
            query = dict(params or {})
            try:
                if self.appid:
                    query["access_token"] = self.access_token(refused)
                    refused = None
                url = f"{self.base_url}/cv/img/qrcode"
                return _checked(self._http.post(url, params=query, files=files))
            except ApiError as error:
                if error.errcode in TOKEN_ERRORS and "access_token" in query and not refreshed:
                    refreshed = True
                    refused = query["access_token"]
                    continue
                if error.errcode == SYSTEM_ERROR and attempt < self.retries:
                    time.sleep(self.backoff * 2**attempt)
                    attempt += 1
                    continue
                raise
