"""Where a request's image comes from, in the contract's order (first match wins):

1. a multipart/form-data file part, whatever its field name (``img``, ``file``...;
   :mod:`.body` says which parts are files);
2. a raw image body (``Content-Type: image/*`` or ``application/octet-stream``, or a
   body with no ``Content-Type`` at all);
3. ``img_url`` from the query string, then a form-urlencoded body, then a JSON body.

An empty body, ``""`` or ``null`` is no body: SDKs send these with ``img_url`` in the
query. So is a multipart body that cannot be parsed, or has no boundary. A body that
opens with ``{`` is JSON unless its ``Content-Type`` says it is an image (then it is
read as one): an HTTP library sends ``{"img_url": ...}`` with no type unless told, and
``curl -d`` as a form. No image at all is ``41005 media data missing``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qs

from python_multipart.multipart import parse_options_header
from starlette.requests import Request

from imgqrcode.service.body import read_body, read_multipart
from imgqrcode.service.errors import ApiError, ErrorCode

NO_BODY = frozenset({b"", b'""', b"null"})
RAW_IMAGE_TYPES = ("image/", "application/octet-stream")


@dataclass(frozen=True, slots=True)
class ImageSource:
    """Exactly one of an uploaded image's bytes or an image URL to fetch."""

    data: bytes | None = None
    url: str | None = None


def _url_from_text_body(content_type: str, body: bytes) -> str | None:
    if content_type == "application/x-www-form-urlencoded" and not body.startswith(b"{"):
        values = parse_qs(body.decode("utf-8", "replace")).get("img_url")
        return values[0] if values else None
    if content_type == "application/json" or body.startswith(b"{"):
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):  # nested past the parser's depth: not JSON
            return None
        url = parsed.get("img_url") if isinstance(parsed, dict) else None
        return url if isinstance(url, str) else None
    return None


async def image_source(request: Request, max_image_bytes: int, max_body_bytes: int) -> ImageSource:
    """Read the body (within its limits) and say where the image is."""
    raw_type, params = parse_options_header(request.headers.get("content-type"))
    content_type = raw_type.decode("latin-1").lower()
    body_url: str | None = None
    why_none = ""
    if content_type == "multipart/form-data":
        boundary = params.get(b"boundary", b"")
        if not boundary:
            why_none = "multipart body without a boundary"
        else:
            form = await read_multipart(request, boundary, max_image_bytes, max_body_bytes)
            if form.file is not None:
                return ImageSource(data=form.file)
            body_url = form.fields.get("img_url")
            why_none = form.malformed
    elif content_type.startswith(RAW_IMAGE_TYPES) or not content_type:
        body = await read_body(request, max_image_bytes)
        text = body.strip()
        if not content_type and text.startswith(b"{"):
            body_url = _url_from_text_body(content_type, text)
        elif text not in NO_BODY:
            return ImageSource(data=body)
    else:
        body = (await read_body(request, max_body_bytes)).strip()
        if body not in NO_BODY:
            body_url = _url_from_text_body(content_type, body)
    url = request.query_params.get("img_url") or body_url
    if url:
        return ImageSource(url=url.strip())
    raise ApiError(ErrorCode.MEDIA_DATA_MISSING, why_none)
