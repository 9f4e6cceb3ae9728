"""The token rules on both stores, with a clock the test moves (no sleeping).

The same sequence runs against SQLite and against a real redis-server: the rules live
above the store, so both must give the same answers at every step.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import pytest

from imgqrcode.service.app_registry import register_app, reset_secret
from imgqrcode.service.errors import ApiError, ErrorCode
from imgqrcode.service.store import Store, open_store
from imgqrcode.service.tokens import TokenService
from imgqrcode.service.usage_limits import UsageLimits

TTL, GRACE = 7200, 300
_databases = itertools.count(4)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "redis"])
def store_url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return f"{request.getfixturevalue('redis_server')}/{next(_databases)}"


def run(store_url: str, scenario: Callable[[Store, Clock], Awaitable[None]]) -> None:
    async def main() -> None:
        store = open_store(store_url)
        try:
            await scenario(store, Clock())
        finally:
            await store.aclose()

    anyio.run(main)


async def refused(tokens: TokenService, token: str) -> ErrorCode | None:
    try:
        await tokens.authenticate(token)
    except ApiError as error:
        return error.code
    return None


def test_supersession_grace_and_expiry(store_url):
    async def scenario(store: Store, clock: Clock) -> None:
        tokens = TokenService(store, TTL, GRACE, clock=clock)
        app = await register_app(store, "rules")
        start = clock.now
        first = (await tokens.grant(app.appid, app.secret, stable=False)).access_token
        clock.now = start + 100
        second = (await tokens.grant(app.appid, app.secret, stable=False)).access_token
        clock.now = start + 100 + GRACE - 1
        assert await refused(tokens, first) is None
        clock.now = start + 100 + GRACE
        assert await refused(tokens, first) is ErrorCode.INVALID_CREDENTIAL
        assert await refused(tokens, second) is None
        clock.now = start + 100 + TTL - 1
        assert await refused(tokens, second) is None
        clock.now = start + 100 + TTL
        assert await refused(tokens, second) is ErrorCode.ACCESS_TOKEN_EXPIRED
        assert await refused(tokens, "nonsense") is ErrorCode.INVALID_CREDENTIAL
        assert await refused(tokens, "") is ErrorCode.ACCESS_TOKEN_MISSING

    run(store_url, scenario)


def test_stable_tokens(store_url):
    async def scenario(store: Store, clock: Clock) -> None:
        tokens = TokenService(store, TTL, GRACE, clock=clock)
        app = await register_app(store, "rules")
        first = await tokens.grant(app.appid, app.secret, stable=True)
        clock.now += TTL - GRACE - 1
        again = await tokens.grant(app.appid, app.secret, stable=True)
        assert again.access_token == first.access_token and again.expires_in == GRACE + 1
        plain = (await tokens.grant(app.appid, app.secret, stable=False)).access_token
        clock.now += 1  # now exactly GRACE left: a new stable token, the old one lives on
        renewed = await tokens.grant(app.appid, app.secret, stable=True)
        assert renewed.access_token != first.access_token and renewed.expires_in == TTL
        assert await refused(tokens, first.access_token) is None
        assert await refused(tokens, plain) is None  # the kinds do not affect each other
        forced = await tokens.grant(app.appid, app.secret, stable=True, force_refresh=True)
        assert await refused(tokens, renewed.access_token) is ErrorCode.INVALID_CREDENTIAL
        assert await refused(tokens, forced.access_token) is None
        await reset_secret(store, app.appid)
        assert await refused(tokens, forced.access_token) is ErrorCode.INVALID_CREDENTIAL
        assert await refused(tokens, plain) is ErrorCode.INVALID_CREDENTIAL

    run(store_url, scenario)


def test_quota_windows(store_url):
    async def scenario(store: Store, clock: Clock) -> None:
        midnight = clock.now - clock.now % 86_400  # UTC
        limits = UsageLimits(store, daily_quota=3, per_minute=2, clock=clock)
        outcomes = []
        for offset in (0, 1, 2, 60, 61, 86_400):
            clock.now = midnight + offset
            try:
                await limits.charge("wxapp")
                outcomes.append(0)
            except ApiError as error:
                outcomes.append(error.code.errcode)
        # third call in a minute: 45011 (not counted for the day); fourth of the day: 45009
        assert outcomes == [0, 0, 45011, 0, 45009, 0]

    run(store_url, scenario)


class _IssuingAfter:
    """A worker's store across which another worker's request runs whole between this
    worker's read of the current token and its issue of a new one: the race of two
    workers asked at once, made to happen every time."""

    def __init__(self, store: Store, meanwhile: Callable[[], Awaitable[None]]) -> None:
        self._store, self._meanwhile = store, meanwhile

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    async def issue_token(self, *args: object, **kwargs: object) -> bool:
        await self._meanwhile()
        return await self._store.issue_token(*args, **kwargs)


def test_two_workers_asked_at_once_hand_out_one_stable_token(store_url):
    async def scenario(store: Store, clock: Clock) -> None:
        app = await register_app(store, "race")
        other_store = open_store(store_url)  # the other worker's own connection
        try:
            other = TokenService(other_store, TTL, GRACE, clock=clock)
            handed: list[str] = []

            async def other_worker_asks() -> None:
                handed.append((await other.grant(app.appid, app.secret, stable=True)).access_token)

            tokens = TokenService(_IssuingAfter(store, other_worker_asks), TTL, GRACE, clock=clock)
            granted = await tokens.grant(app.appid, app.secret, stable=True)
            assert handed == [granted.access_token]
            clock.now += GRACE + 1  # nothing superseded it: it lives its whole lifetime
            assert await refused(tokens, granted.access_token) is None
        finally:
            await other_store.aclose()

    run(store_url, scenario)


def test_token_requests_past_the_minute_limit_are_refused_before_the_secret_check(store_url):
    async def scenario(store: Store, clock: Clock) -> None:
        tokens = TokenService(store, TTL, GRACE, clock=clock, calls_per_minute=3)
        app = await register_app(store, "flooded")
        other = await register_app(store, "bystander")
        clock.now = 60.0 * int(clock.now // 60)  # the start of a minute
        outcomes = []
        for _ in range(4):
            try:
                await tokens.grant(app.appid, "wrong secret", stable=False)
            except ApiError as error:
                outcomes.append(error.code)
        assert outcomes == [ErrorCode.INVALID_APPSECRET] * 3 + [ErrorCode.MINUTE_QUOTA]
        with pytest.raises(ApiError) as refused_right_secret:
            await tokens.grant(app.appid, app.secret, stable=False)
        assert refused_right_secret.value.code is ErrorCode.MINUTE_QUOTA
        assert (await tokens.grant(other.appid, other.secret, stable=False)).access_token
        clock.now += 60  # the next minute
        assert (await tokens.grant(app.appid, app.secret, stable=True)).access_token

    run(store_url, scenario)
