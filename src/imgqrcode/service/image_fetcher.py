"""Downloading the image an ``img_url`` names, without opening a door into the network.

The guard sits at the one place every connection is made: httpcore's network backend.
:class:`GuardedNetworkBackend` resolves the host once (in a thread), refuses the whole
name if ANY address it resolves to is not allowed by the :class:`AddressPolicy`, and
connects to an address it checked, by its literal IP, so there is no second lookup for a
DNS rebinding to slip into. TLS and the ``Host`` header still use the URL's name
(httpcore takes the SNI name from the request, not from the socket). Redirects are
followed by hand, at most three, each one a new request through the same guard.
Environment proxies are ignored (``trust_env=False``): a proxy would bypass the guard.

The body is counted as it arrives, against the size limit, after decompression: we ask
for no ``Content-Encoding``, but a server may send one anyway, and a few kilobytes of
gzip expand to gigabytes within one chunk (httpx would inflate each chunk whole). So
the raw bytes are read and inflated here, never more than the limit's worth at a time;
one gzip or deflate layer is undone, any other encoding (or two layers) refused.
"""

from __future__ import annotations

import socket
import ssl
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import httpcore
import httpx

from imgqrcode.service.address_policy import AddressPolicy, ForbiddenAddressError
from imgqrcode.service.errors import ApiError, ErrorCode

MAX_REDIRECTS = 3
MAX_URL_LENGTH = 4096
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
INFLATED_ENCODINGS = frozenset({"gzip", "x-gzip", "deflate"})
_HTTPCORE_ERRORS = (
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
    httpcore.ProxyError,
    httpcore.ConnectionNotAvailable,
)


class FetchError(Exception):
    """The URL could not give us an image's bytes (answered as 101000)."""


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """Connects only to addresses the policy allows, and only to the ones it checked."""

    def __init__(
        self, policy: AddressPolicy, inner: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        self._policy = policy
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"cannot resolve {host!r}: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        vetted = [self._policy.check(address) for address in addresses]
        failure: Exception = FetchError(f"{host!r} resolved to no address")
        for address in vetted:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                failure = exc
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise ForbiddenAddressError(f"unix socket {path!r}")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@contextmanager
def _httpx_errors() -> Iterator[None]:
    """httpcore's exceptions as httpx's, as httpx's own transport does."""
    try:
        yield
    except httpcore.TimeoutException as exc:
        raise httpx.TimeoutException(str(exc)) from exc
    except _HTTPCORE_ERRORS as exc:
        raise httpx.TransportError(str(exc)) from exc


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, stream: Any) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _httpx_errors():
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        await self._stream.aclose()


class GuardedTransport(httpx.AsyncBaseTransport):
    """httpx's transport over an httpcore pool whose every connection is guarded."""

    def __init__(
        self, backend: httpcore.AsyncNetworkBackend, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(),
            max_connections=100,
            keepalive_expiry=5.0,
            network_backend=backend,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,  # type: ignore[arg-type]
            extensions=request.extensions,
        )
        with _httpx_errors():
            response = await self._pool.handle_async_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


class ImageFetcher:
    """GET an image URL within a total time limit and a size limit, through the guard."""

    def __init__(
        self,
        policy: AddressPolicy,
        max_bytes: int,
        timeout: float,
        user_agent: str,
        backend: httpcore.AsyncNetworkBackend | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._max_bytes = max_bytes
        self._timeout = timeout
        self._client = httpx.AsyncClient(
            transport=GuardedTransport(GuardedNetworkBackend(policy, backend), ssl_context),
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(timeout),
            # identity: what we read best; an encoding sent anyway is inflated within limits
            headers={
                "User-Agent": user_agent,
                "Accept": "image/*,*/*;q=0.5",
                "Accept-Encoding": "identity",
            },
        )

    async def fetch(self, url: str) -> bytes:
        """The body at ``url``; ApiError 101000 (with the reason as log detail) otherwise."""
        try:
            with anyio.fail_after(self._timeout):
                return await self._follow(url)
        except TimeoutError as exc:
            reason = f"timed out after {self._timeout}s"
            raise ApiError(ErrorCode.INVALID_IMAGE_URL, reason) from exc
        except (FetchError, ForbiddenAddressError, httpx.HTTPError, httpx.InvalidURL) as exc:
            raise ApiError(ErrorCode.INVALID_IMAGE_URL, f"{type(exc).__name__}: {exc}") from exc

    async def _follow(self, url: str) -> bytes:
        target = self._checked_url(url)
        for _ in range(MAX_REDIRECTS + 1):
            async with self._client.stream("GET", target) as response:
                location = response.headers.get("location")
                if response.status_code in REDIRECT_STATUSES and location:
                    target = self._checked_url(str(response.url.join(location)))
                    continue
                if response.status_code != 200:
                    raise FetchError(f"HTTP {response.status_code} from {target.host}")
                return await self._read(response)
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")

    @staticmethod
    def _checked_url(url: str) -> httpx.URL:
        if len(url) > MAX_URL_LENGTH:
            raise FetchError("URL too long")
        parsed = httpx.URL(url)
        if parsed.scheme not in {"http", "https"} or not parsed.host:
            raise FetchError(f"scheme {parsed.scheme!r} is not http or https")
        return parsed

    async def _read(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise FetchError(f"Content-Length {declared} over {self._max_bytes}")
        encoding = response.headers.get("content-encoding", "").strip().lower()
        inflater = None
        if encoding in INFLATED_ENCODINGS:
            # zlib or gzip, whichever header the body has (deflate is zlib-wrapped).
            inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)
        elif encoding not in {"", "identity"}:
            raise FetchError(f"Content-Encoding {encoding!r} not accepted")
        body = bytearray()
        async for chunk in response.aiter_raw():
            if inflater is not None:
                try:
                    chunk = inflater.decompress(chunk, self._max_bytes + 1 - len(body))
                except zlib.error as exc:
                    raise FetchError(f"bad {encoding} body: {exc}") from exc
            body += chunk
            if len(body) > self._max_bytes:
                raise FetchError(f"body over {self._max_bytes} bytes")
        return bytes(body)

    async def aclose(self) -> None:
        await self._client.aclose()
