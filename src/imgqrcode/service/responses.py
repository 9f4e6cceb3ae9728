"""WeChat's response bodies: compact UTF-8 JSON, and the error body with its request id.

WeChat itself sends ``application/json; encoding=utf-8`` (a non-standard parameter);
we send the standard ``charset=utf-8``, which every client decodes the same way. Text
is never ``\\u``-escaped, as the contract asks.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from imgqrcode.service.errors import ApiError, ErrorCode
from imgqrcode.service.request_context import outcome_of

JSON_MEDIA_TYPE = "application/json; charset=utf-8"


def json_bytes(payload: Any) -> bytes:
    """Compact UTF-8; a lone surrogate (which UTF-8 cannot carry) becomes ``?``."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "replace")


def json_response(scope: dict[str, Any], payload: Any) -> Response:
    """A success body; records errcode 0 for the access log and metrics."""
    outcome_of(scope).errcode = 0
    return Response(json_bytes(payload), media_type=JSON_MEDIA_TYPE)


def error_response(scope: dict[str, Any], error: ApiError) -> Response:
    """Exactly ``{"errcode", "errmsg"}``, the message ending in `` rid: <request id>``."""
    outcome = outcome_of(scope)
    outcome.errcode = error.code.errcode
    outcome.detail = error.detail
    return Response(json_bytes(error_body(error.code, outcome.rid)), media_type=JSON_MEDIA_TYPE)


def error_body(code: ErrorCode, rid: str) -> dict[str, int | str]:
    return {"errcode": code.errcode, "errmsg": f"{code.errmsg} rid: {rid}"}
