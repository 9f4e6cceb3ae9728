"""What the service keeps between requests, behind one small interface.

Two implementations share it: SQLite in the data directory (one machine, any number of
worker processes) and Redis (any number of replicas). The store is deliberately dumb:
the rules (lifetimes, supersession, quotas) live in :mod:`imgqrcode.service.tokens` and
:mod:`imgqrcode.service.usage_limits`, so both stores behave the same by construction.
Each method is one atomic step, so concurrent replicas never see a half-made change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class AppRecord:
    """An application allowed to ask for tokens; only a hash of its secret is kept."""

    appid: str
    name: str
    secret_hash: str
    secret_version: int
    created_at: float

    @classmethod
    def from_fields(cls, appid: str, fields: Mapping[str, Any]) -> AppRecord:
        """From a row or a hash of strings: each store keeps the same field names."""
        return cls(
            appid=appid,
            name=str(fields["name"]),
            secret_hash=str(fields["secret_hash"]),
            secret_version=int(fields["secret_version"]),
            created_at=float(fields["created_at"]),
        )


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

    @classmethod
    def from_fields(cls, token_hash: str, fields: Mapping[str, Any]) -> TokenRecord:
        """From a row or a hash of strings (where an empty ``ends_at`` means none)."""
        ends_at = fields["ends_at"]
        return cls(
            token_hash=token_hash,
            appid=str(fields["appid"]),
            kind=str(fields["kind"]),
            issued_at=float(fields["issued_at"]),
            expires_at=float(fields["expires_at"]),
            ends_at=None if ends_at in (None, "") else float(ends_at),
            secret_version=int(fields["secret_version"]),
        )


@dataclass(frozen=True, slots=True)
class CurrentToken:
    """The latest token of one (app, kind), with its text when the kind hands it back."""

    record: TokenRecord
    token: str


ANY_TOKEN = "*"
"""``Store.issue_token``'s ``replacing`` for "whatever token is current": no token hash
(hex digits) is ever ``*``."""


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

    async def issue_token(
        self, current: CurrentToken, previous_ends_at: float, replacing: str | None = ANY_TOKEN
    ) -> bool:
        """Store a token and make it the current one of its (app, kind), if the current
        one is still ``replacing`` (its hash, ``None``: none; by default, whatever it is);
        whether it did.

        The token it replaces ends at ``previous_ends_at`` (or earlier if it expires
        first). ``current.token`` is kept only for kinds that hand their token back. The
        check and the writes are one atomic step: of two processes that saw the same
        current token and each issue one to replace it, only the first does.
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
