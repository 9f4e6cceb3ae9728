"""Per-request facts shared by handlers, the access log and metrics: the rid and outcome.

They live in the ASGI scope's ``state`` (Starlette's ``request.state``), so a pure ASGI
middleware and a Starlette handler see the same object.
"""

from __future__ import annotations

import secrets
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

RID_HEADER = "X-Request-Id"


def new_request_id() -> str:
    """``xxxxxxxx-xxxxxxxx-xxxxxxxx``: three groups of 8 hex digits, as WeChat's rids."""
    return "-".join(secrets.token_hex(4) for _ in range(3))


@dataclass(slots=True)
class RequestOutcome:
    """What the request came to; ``errcode`` stays None if no WeChat body was produced."""

    rid: str
    endpoint: str = "other"
    errcode: int | None = None
    detail: str = ""
    appid: str = ""


def outcome_of(scope: MutableMapping[str, Any]) -> RequestOutcome:
    state: dict[str, Any] = scope.setdefault("state", {})
    outcome = state.get("outcome")
    if outcome is None:
        outcome = state["outcome"] = RequestOutcome(rid=new_request_id())
    assert isinstance(outcome, RequestOutcome)
    return outcome
