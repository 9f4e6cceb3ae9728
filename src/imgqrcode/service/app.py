"""The Starlette application: routes, the WeChat 40066 for everything else, lifespan.

Unknown paths (also under ``/cgi-bin/`` and ``/cv/``, and known paths with a trailing
slash) and known paths with a method they do not take (HEAD on WeChat's endpoints among
them) answer ``40066 invalid url`` with HTTP 200, as WeChat does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from imgqrcode.service import operations, qrcode_endpoint, token_endpoints
from imgqrcode.service.config import ServiceConfig
from imgqrcode.service.errors import ApiError, ErrorCode
from imgqrcode.service.request_lifecycle import RequestLifecycleMiddleware
from imgqrcode.service.responses import error_response
from imgqrcode.service.services import Services

Endpoint = Callable[[Request], Awaitable[Response]]


async def _invalid_url(request: Request, exc: Exception) -> Response:
    detail = f"no route for {request.method} {request.url.path}"
    return error_response(request.scope, ApiError(ErrorCode.INVALID_URL, detail))


def create_app(config: ServiceConfig) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        services = Services.start(config)
        app.state.services = services
        try:
            yield
        finally:
            await services.aclose()

    routes = [
        _api_route("/cv/img/qrcode", qrcode_endpoint.recognize, ["GET", "POST"]),
        _api_route("/cgi-bin/token", token_endpoints.token, ["GET", "POST"]),
        _api_route("/cgi-bin/stable_token", token_endpoints.stable_token, ["POST"]),
        Route("/healthz", operations.healthz, methods=["GET"]),
        Route("/metrics", operations.metrics_endpoint, methods=["GET"]),
        Route("/info", operations.info, methods=["GET"]),
        Route("/openapi.json", operations.openapi, methods=["GET"]),
        Route("/", operations.index, methods=["GET"]),
        Mount("/static", StaticFiles(directory=operations.STATIC_DIR, check_dir=False)),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(RequestLifecycleMiddleware)],
        exception_handlers={HTTPException: _invalid_url},
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False  # WeChat answers 200 and JSON, never a redirect
    return app


def _api_route(path: str, endpoint: Endpoint, methods: list[str]) -> Route:
    """A WeChat endpoint's route, without the HEAD Starlette adds to every GET route: a
    HEAD to the token endpoint would issue a token nobody sees and supersede the one in
    use, and one to the reading endpoint would fetch and read an image for nothing."""
    route = Route(path, endpoint, methods=methods)
    route.methods = {method for method in route.methods or () if method != "HEAD"}
    return route


def create_app_from_environment() -> Starlette:
    """The factory each ``--workers`` process calls (configuration from its environment)."""
    return create_app(ServiceConfig.from_environment())
