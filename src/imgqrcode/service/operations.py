"""Endpoints for operators and the debug page: health, metrics, OpenAPI, info, the page.

These are not WeChat's: they answer plain JSON (``/healthz`` with HTTP 503 when the
store does not answer, so a load balancer can act on the status code alone).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from imgqrcode.service import metrics
from imgqrcode.service.errors import ApiError, ErrorCode
from imgqrcode.service.openapi import openapi_document
from imgqrcode.service.request_context import outcome_of
from imgqrcode.service.responses import JSON_MEDIA_TYPE, json_bytes
from imgqrcode.service.services import package_version, services_of

STATIC_DIR = Path(__file__).parent / "static"
logger = logging.getLogger("imgqrcode.service")


def _plain_json(payload: object, status_code: int = 200) -> Response:
    return Response(json_bytes(payload), status_code=status_code, media_type=JSON_MEDIA_TYPE)


async def healthz(request: Request) -> Response:
    outcome_of(request.scope).endpoint = "healthz"
    try:
        await services_of(request).store.ping()
    except (OSError, sqlite3.Error, RedisError) as exc:
        # The reason (a Redis host and port, a file path) goes to the log, not to whoever
        # asks: the endpoint answers without a token.
        logger.warning("health check: store unavailable: %r", exc)
        return _plain_json({"status": "unavailable", "store": "unavailable"}, status_code=503)
    return _plain_json({"status": "ok", "store": "ok"})


async def metrics_endpoint(request: Request) -> Response:
    outcome_of(request.scope).endpoint = "metrics"
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)


async def info(request: Request) -> Response:
    outcome_of(request.scope).endpoint = "info"
    config = services_of(request).config
    return _plain_json(
        {
            "auth_required": config.auth,
            "max_image_bytes": config.max_image_bytes,
            "version": package_version(),
        }
    )


async def openapi(request: Request) -> Response:
    outcome_of(request.scope).endpoint = "openapi"
    return _plain_json(openapi_document(services_of(request).config, package_version()))


async def index(request: Request) -> Response:
    outcome_of(request.scope).endpoint = "page"
    page = STATIC_DIR / "index.html"
    if not page.is_file():
        raise ApiError(ErrorCode.INVALID_URL, "the debug page is not installed")
    return FileResponse(page, media_type="text/html; charset=utf-8")
