"""Reading request bodies while they stream in, never past their limit.

A body is counted chunk by chunk as the ASGI server hands it over, and reading stops at
the first byte over the limit: a client announcing (``Content-Length``) or sending 100 MB
costs the server at most one limit's worth of memory before it answers 40009.

Limits: a raw image body may be at most ``max_image_bytes`` (2 MiB by default). A
multipart body may be at most ``max_image_bytes`` plus 64 KiB for its envelope
(boundaries, part headers, small text fields); within it, the file part itself is held
to ``max_image_bytes`` exactly, counted as its bytes arrive.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from imgqrcode.service.errors import ApiError, ErrorCode

IMAGE_FIELD_NAMES = frozenset({"img", "file", "media", "image"})

IMAGE_SIGNATURES = (
    b"\xff\xd8\xff",
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",
    b"MM\x00*",
)
"""How the image formats we read begin (WebP's ``RIFF``, size, ``WEBP`` is checked
apart), all but BMP's ``BM``, with which a text may begin: a part that begins so is an
image, whatever its name, sent without a filename or a type (the contract's text parts
are a URL or a word)."""

MAX_TEXT_FIELD_BYTES = 16 * 1024


def declared_length(request: Request) -> int | None:
    """The body's announced length, if it has one: a ``Transfer-Encoding`` (chunked) body
    has none, whatever ``Content-Length`` says, as HTTP gives the first priority and the
    server's parser reads the body by it."""
    raw = request.headers.get("content-length")
    if raw is None or not raw.isdigit() or "transfer-encoding" in request.headers:
        return None
    return int(raw)


def _too_large(what: str, limit: int) -> ApiError:
    return ApiError(ErrorCode.INVALID_IMAGE_SIZE, f"{what} over {limit} bytes")


def refuse_announced_excess(request: Request, limit: int) -> None:
    """Raise 40009 for a body announced longer than ``limit``, before any of it is read."""
    length = declared_length(request)
    if length is not None and length > limit:
        raise _too_large(f"Content-Length {length}", limit)


async def limited_chunks(request: Request, limit: int) -> AsyncIterator[bytes]:
    """The body's chunks; raises 40009 as soon as more than ``limit`` bytes have come."""
    refuse_announced_excess(request, limit)
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise _too_large("body", limit)
        if chunk:
            yield chunk


async def read_body(request: Request, limit: int) -> bytes:
    body = bytearray()
    async for chunk in limited_chunks(request, limit):
        body += chunk
    return bytes(body)


@dataclass(slots=True)
class _Part:
    headers: dict[str, str] = field(default_factory=dict)
    name: str = ""
    is_file: bool = False
    data: bytearray = field(default_factory=bytearray)


@dataclass(slots=True)
class MultipartContent:
    """The first file part of a form (whatever its field name) and its text fields.

    ``malformed`` says why a body could not be parsed; such a body counts as no body, so
    an ``img_url`` in the query still works (some SDKs send junk bodies with it).
    """

    file: bytes | None = None
    fields: dict[str, str] = field(default_factory=dict)
    malformed: str = ""


class _MultipartCollector:
    """Callbacks for python-multipart's streaming parser that keep only what we need."""

    def __init__(self, file_limit: int) -> None:
        self.file_limit = file_limit
        self.content = MultipartContent()
        self.part = _Part()
        self.header_field = bytearray()
        self.header_value = bytearray()

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }

    def on_part_begin(self) -> None:
        self.part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        name = self.header_field.decode("latin-1").strip().lower()
        self.part.headers[name] = self.header_value.decode("latin-1").strip()
        self.header_field.clear()
        self.header_value.clear()

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.part.headers.get("content-disposition", ""))
        self.part.name = options.get(b"name", b"").decode("utf-8", "replace")
        content_type = self.part.headers.get("content-type", "").lower()
        self.part.is_file = (
            b"filename" in options
            or self.part.name in IMAGE_FIELD_NAMES
            or bool(content_type and not content_type.startswith("text/"))
        )

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        self.part.data += data[start:end]
        if not self.part.is_file and _image_like(bytes(self.part.data[:12])):
            self.part.is_file = True
        limit = self.file_limit if self.part.is_file else MAX_TEXT_FIELD_BYTES
        if len(self.part.data) > limit:
            raise _too_large(f"multipart part {self.part.name!r}", limit)

    def on_part_end(self) -> None:
        if self.part.is_file:
            if self.content.file is None and self.part.data:
                self.content.file = bytes(self.part.data)
        else:
            text = self.part.data.decode("utf-8", "replace")
            self.content.fields.setdefault(self.part.name, text)


def _image_like(start: bytes) -> bool:
    """Whether a part's first bytes are those of an image (:data:`IMAGE_SIGNATURES`)."""
    return start.startswith(IMAGE_SIGNATURES) or (start[:4] == b"RIFF" and start[8:12] == b"WEBP")


async def read_multipart(
    request: Request, boundary: bytes, file_limit: int, body_limit: int
) -> MultipartContent:
    """Parse a multipart body as it streams in; 40009 past either limit."""
    collector = _MultipartCollector(file_limit)
    parser = MultipartParser(boundary, collector.callbacks())  # type: ignore[arg-type]
    malformed = ""
    async for chunk in limited_chunks(request, body_limit):
        if malformed:
            continue  # read the rest (within the limit) so the connection stays usable
        try:
            parser.write(chunk)
        except MultipartParseError as exc:
            malformed = f"malformed multipart body: {exc}"
    if not malformed:
        try:
            parser.finalize()
        except MultipartParseError as exc:
            malformed = f"malformed multipart body: {exc}"
    if malformed:
        return MultipartContent(malformed=malformed)
    return collector.content
