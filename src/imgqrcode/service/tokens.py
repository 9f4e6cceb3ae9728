"""The rules of WeChat's access tokens, over any :class:`~imgqrcode.service.store.Store`.

- ``/cgi-bin/token`` issues a new token on every call; the one before it stays valid for
  the grace period (5 minutes), then answers 40001.
- ``/cgi-bin/stable_token`` hands back the current stable token while it has more than
  the grace period left; ``force_refresh`` issues a new one and ends the old at once.
- The two kinds never affect each other. A token past its lifetime answers 42001; a
  token of a removed app, or issued before the app's secret was reset, answers 40001.

A secret check costs ~35 ms of CPU by design (scrypt), and appids are no secret: each
app's token requests are counted per minute before its secret is checked, so a flood
of them against one app is answered 45011 at once rather than queued (the other apps'
requests, and the decoding, are not held up behind it).

Two workers (or replicas) asked for a stable token at once must hand out the same one:
each issues its new token only if the current one is still the one it saw
(``Store.issue_token``'s ``replacing``), and the one that finds another issued meanwhile
hands that one back. Otherwise the second issue would end the first one's token five
minutes later, while its client counts on its two hours.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import anyio
import anyio.to_thread

from imgqrcode.service.credentials import new_token, token_hash, verify_secret
from imgqrcode.service.errors import ApiError, ErrorCode
from imgqrcode.service.store import AppRecord, CurrentToken, Store, TokenRecord
from imgqrcode.service.usage_limits import UsageLimits

KIND_TOKEN = "token"
KIND_STABLE = "stable"
MAX_TOKEN_LENGTH = 512
STABLE_ATTEMPTS = 3
"""Reads of the current stable token before giving up: a second is enough unless the
app's secret is reset while its tokens are being asked for."""


@dataclass(frozen=True, slots=True)
class GrantedToken:
    access_token: str
    expires_in: int

    def to_json(self) -> dict[str, str | int]:
        return {"access_token": self.access_token, "expires_in": self.expires_in}


class TokenService:
    def __init__(
        self,
        store: Store,
        ttl: int,
        grace: int,
        clock: Callable[[], float] = time.time,
        calls_per_minute: int = 0,
    ) -> None:
        self._store = store
        self._ttl = ttl
        self._grace = grace
        self._clock = clock
        self._calls = UsageLimits(store, 0, calls_per_minute, clock, counted="token")
        # A secret check costs ~35 ms of CPU by design (scrypt): one at a time per
        # process, so a flood of token requests cannot take the cores from decoding.
        self._secret_checks = anyio.CapacityLimiter(1)

    async def _checked_app(self, appid: str, secret: str) -> AppRecord:
        if not appid:
            raise ApiError(ErrorCode.APPID_MISSING)
        if not secret:
            raise ApiError(ErrorCode.APPSECRET_MISSING)
        app = await self._store.get_app(appid)
        if app is None:
            raise ApiError(ErrorCode.INVALID_APPID, f"unknown appid {appid!r}")
        await self._calls.charge(appid)
        checked = await anyio.to_thread.run_sync(
            verify_secret, secret, app.secret_hash, limiter=self._secret_checks
        )
        if not checked:
            raise ApiError(ErrorCode.INVALID_APPSECRET, f"wrong secret for {appid}")
        return app

    async def grant(
        self, appid: str, secret: str, *, stable: bool, force_refresh: bool = False
    ) -> GrantedToken:
        """Check the app's credentials and hand out a token of the requested kind."""
        app = await self._checked_app(appid, secret)
        now = self._clock()
        kind = KIND_STABLE if stable else KIND_TOKEN
        token = new_token()
        record = TokenRecord(
            token_hash=token_hash(token),
            appid=appid,
            kind=kind,
            issued_at=now,
            expires_at=now + self._ttl,
            ends_at=None,
            secret_version=app.secret_version,
        )
        if not stable:
            await self._store.issue_token(CurrentToken(record, ""), now + self._grace)
            return GrantedToken(token, self._ttl)
        if force_refresh:
            await self._store.issue_token(CurrentToken(record, token), now)
            return GrantedToken(token, self._ttl)
        # Each failed issue is another request's success, which the next read hands back.
        for _ in range(STABLE_ATTEMPTS):
            current = await self._store.current_token(appid, kind)
            if current is not None and self._reusable(current.record, app, now):
                return GrantedToken(current.token, int(current.record.expires_at - now))
            seen = None if current is None else current.record.token_hash
            if await self._store.issue_token(CurrentToken(record, token), now + self._grace, seen):
                return GrantedToken(token, self._ttl)
        raise ApiError(ErrorCode.SYSTEM_ERROR, f"stable token of {appid} replaced meanwhile")

    def _reusable(self, record: TokenRecord, app: AppRecord, now: float) -> bool:
        return (
            record.secret_version == app.secret_version
            and record.ends_at is None
            and record.expires_at - now > self._grace
        )

    async def authenticate(self, access_token: str) -> str:
        """The appid a token belongs to, or the contract's error for a refused token."""
        if not access_token:
            raise ApiError(ErrorCode.ACCESS_TOKEN_MISSING)
        record = None
        if len(access_token) <= MAX_TOKEN_LENGTH:
            record = await self._store.get_token(token_hash(access_token))
        if record is None:
            raise ApiError(ErrorCode.INVALID_CREDENTIAL, "unknown token")
        now = self._clock()
        ended = record.ends_at is not None and record.ends_at < record.expires_at
        if ended and now >= (record.ends_at or 0.0):
            raise ApiError(ErrorCode.INVALID_CREDENTIAL, "superseded token")
        if now >= record.expires_at:
            raise ApiError(ErrorCode.ACCESS_TOKEN_EXPIRED)
        app = await self._store.get_app(record.appid)
        if app is None or app.secret_version != record.secret_version:
            raise ApiError(ErrorCode.INVALID_CREDENTIAL, "app removed or secret reset")
        return record.appid
