"""The store in Redis: shared by any number of replicas behind a load balancer.

Steps that read and then write (issuing a token, replacing a secret) run as Lua
scripts, which Redis executes atomically, so two replicas issuing tokens at once still
leave exactly one current token and a correctly ended previous one. Counters use
``INCR`` with ``EXPIRE ... NX`` in one transaction, so every replica counts against the
same quota and a counter never outlives its window.
"""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis

from imgqrcode.service.store.base import (
    ANY_TOKEN,
    AppExistsError,
    AppRecord,
    CurrentToken,
    TokenRecord,
)
from imgqrcode.service.store.sqlite import TOKEN_RETENTION_SECONDS

PREFIX = "imgqrcode:"
TOKEN_KINDS = ("token", "stable")

MAX_CONNECTIONS = 64
"""Connections to Redis a worker keeps at most. Each request holds one for a moment at a
time; a burst of requests past this waits for one to come free. redis-py's default pool
raises instead, at 100: a burst of 200 small uploads failed half its requests with -1."""

CONNECTION_WAIT = 10.0
"""Seconds a request waits for a connection before the store counts as unavailable (-1)."""

_ISSUE_TOKEN = """
local previous = redis.call('HGET', KEYS[1], 'token_hash')
if ARGV[12] ~= '*' and (previous or '') ~= ARGV[12] then return 0 end
if previous then
  local key = ARGV[9] .. previous
  if redis.call('EXISTS', key) == 1 then
    local ends = tonumber(redis.call('HGET', key, 'ends_at'))
    local wanted = tonumber(ARGV[7])
    if ends == nil or wanted < ends then
      redis.call('HSET', key, 'ends_at', ARGV[7])
    end
  end
end
redis.call('HSET', KEYS[2], 'appid', ARGV[1], 'kind', ARGV[2], 'issued_at', ARGV[3],
           'expires_at', ARGV[4], 'ends_at', ARGV[5], 'secret_version', ARGV[6])
redis.call('EXPIREAT', KEYS[2], ARGV[8])
redis.call('HSET', KEYS[1], 'token_hash', ARGV[10], 'token', ARGV[11])
redis.call('EXPIREAT', KEYS[1], ARGV[8])
return 1
"""

_REPLACE_SECRET = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'secret_hash', ARGV[1])
redis.call('HINCRBY', KEYS[1], 'secret_version', 1)
redis.call('DEL', KEYS[2], KEYS[3])
return 1
"""


class RedisStore:
    def __init__(self, url: str) -> None:
        pool = BlockingConnectionPool.from_url(
            url, decode_responses=True, max_connections=MAX_CONNECTIONS, timeout=CONNECTION_WAIT
        )
        self._redis = Redis.from_pool(pool)
        self._issue_token = self._redis.register_script(_ISSUE_TOKEN)
        self._replace_secret = self._redis.register_script(_REPLACE_SECRET)

    @staticmethod
    def _current_key(appid: str, kind: str) -> str:
        return f"{PREFIX}current:{appid}:{kind}"

    async def add_app(self, app: AppRecord) -> None:
        if not await self._redis.sadd(f"{PREFIX}apps", app.appid):
            raise AppExistsError(app.appid)
        await self._redis.hset(
            f"{PREFIX}app:{app.appid}",
            mapping={
                "name": app.name,
                "secret_hash": app.secret_hash,
                "secret_version": app.secret_version,
                "created_at": app.created_at,
            },
        )

    async def get_app(self, appid: str) -> AppRecord | None:
        fields = await self._redis.hgetall(f"{PREFIX}app:{appid}")
        return AppRecord.from_fields(appid, fields) if fields else None

    async def list_apps(self) -> list[AppRecord]:
        apps = [await self.get_app(appid) for appid in await self._redis.smembers(f"{PREFIX}apps")]
        return sorted((app for app in apps if app), key=lambda app: app.created_at)

    async def remove_app(self, appid: str) -> bool:
        current = [self._current_key(appid, kind) for kind in TOKEN_KINDS]
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.srem(f"{PREFIX}apps", appid)
            pipe.delete(f"{PREFIX}app:{appid}", *current)
            removed, _ = await pipe.execute()
        return bool(removed)

    async def replace_secret(self, appid: str, secret_hash: str) -> bool:
        keys = [f"{PREFIX}app:{appid}", *(self._current_key(appid, kind) for kind in TOKEN_KINDS)]
        return bool(await self._replace_secret(keys=keys, args=[secret_hash]))

    async def issue_token(
        self, current: CurrentToken, previous_ends_at: float, replacing: str | None = ANY_TOKEN
    ) -> bool:
        token = current.record
        issued = await self._issue_token(
            keys=[self._current_key(token.appid, token.kind), f"{PREFIX}token:{token.token_hash}"],
            args=[
                token.appid,
                token.kind,
                repr(token.issued_at),
                repr(token.expires_at),
                "" if token.ends_at is None else repr(token.ends_at),
                token.secret_version,
                repr(previous_ends_at),
                int(token.expires_at) + TOKEN_RETENTION_SECONDS,
                f"{PREFIX}token:",
                token.token_hash,
                current.token,
                "" if replacing is None else replacing,
            ],
        )
        return bool(issued)

    async def current_token(self, appid: str, kind: str) -> CurrentToken | None:
        current = await self._redis.hgetall(self._current_key(appid, kind))
        if not current:
            return None
        record = await self.get_token(current["token_hash"])
        return CurrentToken(record=record, token=current["token"]) if record else None

    async def get_token(self, token_hash: str) -> TokenRecord | None:
        fields = await self._redis.hgetall(f"{PREFIX}token:{token_hash}")
        return TokenRecord.from_fields(token_hash, fields) if fields else None

    async def increment(self, key: str, ttl_seconds: int) -> int:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(f"{PREFIX}counter:{key}")
            pipe.expire(f"{PREFIX}counter:{key}", ttl_seconds, nx=True)
            value, _ = await pipe.execute()
        return int(value)

    async def ping(self) -> None:
        await self._redis.ping()

    async def aclose(self) -> None:
        await self._redis.aclose()
