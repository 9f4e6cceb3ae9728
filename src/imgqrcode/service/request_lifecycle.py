"""The pure ASGI layer around every request: rid, access log, metrics, last-resort errors.

It sits inside Starlette's own error middleware, so an exception a handler did not
expect reaches it first: it is logged with its traceback and rid, and the client gets
WeChat's ``-1 system error`` body, never a stack trace. An :class:`ApiError` raised
anywhere becomes its WeChat body here, so handlers simply raise.
"""

from __future__ import annotations

import json
import logging
import os
import time

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from imgqrcode.service import metrics
from imgqrcode.service.errors import ApiError, ErrorCode
from imgqrcode.service.request_context import RID_HEADER, RequestOutcome, outcome_of
from imgqrcode.service.responses import error_response
from imgqrcode.service.store import STORE_ERRORS

access_log = logging.getLogger("imgqrcode.access")
logger = logging.getLogger("imgqrcode.service")


class RequestLifecycleMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        outcome = outcome_of(scope)
        started = time.perf_counter()
        counts = {"status": 0, "in": 0, "out": 0}

        async def counting_receive() -> Message:
            message = await receive()
            counts["in"] += len(message.get("body", b""))
            return message

        async def tagging_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                counts["status"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((RID_HEADER.lower().encode(), outcome.rid.encode()))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                counts["out"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, tagging_send)
        except ApiError as error:
            await self._answer(scope, receive, tagging_send, error, counts["status"])
        except ClientDisconnect:
            outcome.detail = "the client left before its request was complete"
        except STORE_ERRORS as exc:
            # An outage: one line each, not a traceback per request while it lasts (a
            # 15 s Redis outage under load wrote 25 MB of them).
            kind = type(exc).__name__
            logger.error("store unavailable: %s: %s rid=%s", kind, exc, outcome.rid)
            outcome.detail = "the store is unavailable"
            unavailable = ApiError(ErrorCode.SYSTEM_ERROR, "the store is unavailable")
            await self._answer(scope, receive, tagging_send, unavailable, counts["status"])
        except Exception as exc:  # the last resort: logged with its traceback, answered -1
            logger.exception("unexpected %r rid=%s path=%s", exc, outcome.rid, scope["path"])
            unexpected = ApiError(ErrorCode.SYSTEM_ERROR, "unexpected exception, see the log")
            await self._answer(scope, receive, tagging_send, unexpected, counts["status"])
        finally:
            self._log(scope, outcome, counts, time.perf_counter() - started)

    @staticmethod
    async def _answer(
        scope: Scope, receive: Receive, send: Send, error: ApiError, status: int
    ) -> None:
        if status:
            logger.error("error after the response started: %s", error)
            return
        await error_response(scope, error)(scope, receive, send)

    @staticmethod
    def _log(scope: Scope, outcome: RequestOutcome, counts: dict[str, int], seconds: float) -> None:
        errcode = outcome.errcode
        metrics.REQUESTS.labels(outcome.endpoint, "none" if errcode is None else str(errcode)).inc()
        client = scope.get("client")
        line = {
            "event": "request",
            "rid": outcome.rid,
            "method": scope["method"],
            "path": scope["path"],
            "status": counts["status"],
            "errcode": errcode,
            "duration_ms": round(seconds * 1000, 2),
            "bytes_in": counts["in"],
            "bytes_out": counts["out"],
            "client": f"{client[0]}:{client[1]}" if client else None,
            "pid": os.getpid(),
        }
        if outcome.appid:
            line["appid"] = outcome.appid
        if outcome.detail:
            line["detail"] = outcome.detail
        access_log.info(json.dumps(line, ensure_ascii=False))
