"""``/cv/img/qrcode``: WeChat's imgQrcode, GET or POST, every request shape of the contract.

Order of work, cheapest refusal first: the token (41001/40001/42001) and the app's
limits (45011/45009) before a single body byte is read; then the body, within its size
limit and the memory budget; then the fetch of ``img_url``; then a decoding slot.
The whole request has one time limit (``--request-timeout``): passing it while waiting
for memory, receiving the body or waiting for a slot answers ``-1 system error``, which
clients retry with backoff.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from imgqrcode.service.body import declared_length, refuse_announced_excess
from imgqrcode.service.deadlines import before, deadline_after
from imgqrcode.service.image_source import image_source
from imgqrcode.service.request_context import outcome_of
from imgqrcode.service.request_options import parse_request_options
from imgqrcode.service.responses import json_response
from imgqrcode.service.services import Services, services_of


async def _authorize(request: Request, services: Services) -> None:
    if not services.config.auth:
        return
    appid = await services.tokens.authenticate(request.query_params.get("access_token", ""))
    outcome_of(request.scope).appid = appid
    await services.usage.charge(appid)


def _body_reservation(request: Request, max_body_bytes: int) -> int:
    """What the body may occupy: its announced length, nothing for a bodiless GET, the
    most a body may be for one in chunks (a GET's too)."""
    length = declared_length(request)
    if length is not None:
        return min(length, max_body_bytes)
    chunked = "transfer-encoding" in request.headers
    return max_body_bytes if chunked or request.method != "GET" else 0


async def recognize(request: Request) -> Response:
    outcome_of(request.scope).endpoint = "qrcode"
    services = services_of(request)
    config = services.config
    await _authorize(request, services)
    options = parse_request_options(request.query_params, config.time_budget)
    deadline = deadline_after(config.request_timeout)

    async def decoded(data: bytes) -> Response:
        result = await services.decoder.scan(data, options.formats, options.budget, deadline)
        return json_response(request.scope, result.to_contract(detail=options.detail))

    # Refused at once, not after waiting for memory it would never use.
    refuse_announced_excess(request, config.max_body_bytes)
    async with services.memory.reserve(_body_reservation(request, config.max_body_bytes), deadline):
        source = await before(
            deadline,
            "receiving the body",
            lambda: image_source(request, config.max_image_bytes, config.max_body_bytes),
        )
        if source.data is not None:
            return await decoded(source.data)
    # The body's reservation is returned before the fetch takes its own: a request never
    # holds two reservations, so requests waiting for memory can never block each other.
    url = source.url
    assert url is not None
    async with services.memory.reserve(config.max_image_bytes, deadline):
        data = await before(deadline, "fetching img_url", lambda: services.fetcher.fetch(url))
        return await decoded(data)
