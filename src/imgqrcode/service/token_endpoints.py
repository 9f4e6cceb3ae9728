"""``/cgi-bin/token`` and ``/cgi-bin/stable_token``: WeChat's two ways to get a token.

Success bodies are WeChat's: ``{"access_token", "expires_in"}`` with no errcode. A
stable token handed back again reports the seconds it has left, as WeChat does.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

from imgqrcode.service.body import read_body
from imgqrcode.service.deadlines import before, deadline_after
from imgqrcode.service.errors import ApiError, ErrorCode
from imgqrcode.service.request_context import outcome_of
from imgqrcode.service.responses import json_response
from imgqrcode.service.services import services_of

GRANT_TYPE = "client_credential"
MAX_TOKEN_BODY_BYTES = 16 * 1024


def _check_grant_type(grant_type: object) -> None:
    if grant_type != GRANT_TYPE:
        raise ApiError(ErrorCode.INVALID_GRANT_TYPE, f"grant_type={grant_type!r}")


async def _granted(
    request: Request, appid: str, secret: str, *, stable: bool, force_refresh: bool = False
) -> Response:
    outcome_of(request.scope).appid = appid  # the claimed appid, for the access log
    granted = await services_of(request).tokens.grant(
        appid, secret, stable=stable, force_refresh=force_refresh
    )
    return json_response(request.scope, granted.to_json())


async def token(request: Request) -> Response:
    outcome_of(request.scope).endpoint = "token"
    query = request.query_params
    _check_grant_type(query.get("grant_type"))
    return await _granted(request, query.get("appid", ""), query.get("secret", ""), stable=False)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


async def stable_token(request: Request) -> Response:
    outcome_of(request.scope).endpoint = "stable_token"
    deadline = deadline_after(services_of(request).config.request_timeout)
    body = await before(
        deadline, "receiving the body", lambda: read_body(request, MAX_TOKEN_BODY_BYTES)
    )
    try:
        params = json.loads(body) if body.strip() else None
    except (ValueError, RecursionError) as exc:  # nested past the parser's depth: not JSON
        raise ApiError(ErrorCode.DATA_FORMAT_ERROR, "body is not JSON") from exc
    if params is None or params == "":
        params = {}  # no body, as on the reading endpoint: its grant_type is missing
    if not isinstance(params, dict):
        raise ApiError(ErrorCode.DATA_FORMAT_ERROR, "body is not a JSON object")
    _check_grant_type(params.get("grant_type"))
    force = params.get("force_refresh", False) in (True, "true", 1)
    appid, secret = _text(params.get("appid")), _text(params.get("secret"))
    return await _granted(request, appid, secret, stable=True, force_refresh=force)
