"""Where apps, tokens and usage counters live: SQLite (default) or Redis (``redis://``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from imgqrcode.service.store.base import (
    AppExistsError,
    AppRecord,
    CurrentToken,
    Store,
    TokenRecord,
)

__all__ = [
    "STORE_ERRORS",
    "AppExistsError",
    "AppRecord",
    "CurrentToken",
    "Store",
    "TokenRecord",
    "open_store",
]

STORE_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.OperationalError,
    RedisConnectionError,
    RedisTimeoutError,
)
"""What a store raises when it cannot be used (Redis down, or busy past the wait for a
connection; a database file that cannot be opened, written, or is locked): an outage.
Its other errors (a malformed query, a script Redis refuses) are defects, and keep
their tracebacks."""


def open_store(url: str) -> Store:
    """``sqlite:///abs/path.sqlite3`` or ``redis://host:port/db`` (also ``rediss://``)."""
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        from imgqrcode.service.store.sqlite import SQLiteStore

        return SQLiteStore(Path(url.removeprefix("sqlite://")))
    if scheme in {"redis", "rediss", "unix"}:
        from imgqrcode.service.store.redis import RedisStore

        return RedisStore(url)
    raise ValueError(f"unsupported store {url!r}: use sqlite:///PATH or redis://HOST:PORT/DB")
