"""Where apps, tokens and usage counters live: SQLite (default) or Redis (``redis://``)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from imgqrcode.service.store.base import (
    AppExistsError,
    AppRecord,
    CurrentToken,
    Store,
    TokenRecord,
)

__all__ = ["AppExistsError", "AppRecord", "CurrentToken", "Store", "TokenRecord", "open_store"]


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
