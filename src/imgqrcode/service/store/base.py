"""What the service keeps between requests, behind one small interface.

Two implementations share it: SQLite in the data directory (one machine, any number of
worker processes) and Redis (any number of replicas). The store is deliberately dumb:
the rules (lifetimes, supersession, quotas) live in :mod:`imgqrcode.service.tokens` and
:mod:`imgqrcode.service.usage_limits`, so both stores behave the same by construction.
Each method is one atomic step, so concurrent replicas never see a half-made change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class AppRecord:
    """An application allowed to ask for tokens; only a hash of its secret is kept."""

    appid: str
    name: str
    secret_hash: str
    secret_version: int
    created_at: float


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """One issued access token, keyed by the SHA-256 of the token string.

    ``ends_at`` is set when a newer token supersedes this one: past it the token is
    refused as superseded (40001), while past ``expires_at`` it is refused as expired
    (42001). ``secret_version`` ties the token to the app's secret at issue time, so a
    reset secret ends every token issued under the old one.
    """

    token_hash: str
    appid: str
    kind: str
    issued_at: float
    expires_at: float
    ends_at: float | None
    secret_version: int


@dataclass(frozen=True, slots=True)
class CurrentToken:
    """The latest token of one (app, kind), with its text when the kind hands it back."""

    record: TokenRecord
    token: str


class AppExistsError(ValueError):
    """An app with this appid is already in the store."""


class Store(Protocol):
    async def add_app(self, app: AppRecord) -> None: ...

    async def get_app(self, appid: str) -> AppRecord | None: ...

    async def list_apps(self) -> list[AppRecord]: ...

    async def remove_app(self, appid: str) -> bool: ...

    async def replace_secret(self, appid: str, secret_hash: str) -> bool:
        """Store a new secret hash and bump ``secret_version``; False if no such app."""
        ...

    async def issue_token(self, current: CurrentToken, previous_ends_at: float) -> None:
        """Store a token and make it the current one of its (app, kind).

        The token it replaces ends at ``previous_ends_at`` (or earlier if it expires
        first). ``current.token`` is kept only for kinds that hand their token back.
        """
        ...

    async def current_token(self, appid: str, kind: str) -> CurrentToken | None: ...

    async def get_token(self, token_hash: str) -> TokenRecord | None: ...

    async def increment(self, key: str, ttl_seconds: int) -> int:
        """Add one to a counter that disappears ``ttl_seconds`` after its creation."""
        ...

    async def ping(self) -> None:
        """Raise if the store cannot answer (used by ``/healthz``)."""
        ...

    async def aclose(self) -> None: ...
