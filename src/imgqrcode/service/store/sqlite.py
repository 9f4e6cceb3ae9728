"""The store in one SQLite file: the laptop default, safe across worker processes.

Every worker process opens its own connection; SQLite's file locks serialise writers
across processes (WAL journal, ``BEGIN IMMEDIATE`` for read-modify-write steps, a busy
timeout instead of failing on a held lock). Calls run in a worker thread so a slow
disk never stalls the event loop; one thread per process is enough for these tiny
statements and keeps the single connection free of concurrent use.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import anyio
import anyio.to_thread

from imgqrcode.service.store.base import (
    ANY_TOKEN,
    AppExistsError,
    AppRecord,
    CurrentToken,
    TokenRecord,
)

T = TypeVar("T")

TOKEN_RETENTION_SECONDS = 86_400
"""How long an expired token is remembered, so it answers 42001 rather than 40001."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS apps (
    appid TEXT PRIMARY KEY, name TEXT NOT NULL, secret_hash TEXT NOT NULL,
    secret_version INTEGER NOT NULL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY, appid TEXT NOT NULL, kind TEXT NOT NULL,
    issued_at REAL NOT NULL, expires_at REAL NOT NULL, ends_at REAL,
    secret_version INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tokens_expiry ON tokens (expires_at);
CREATE TABLE IF NOT EXISTS current_tokens (
    appid TEXT NOT NULL, kind TEXT NOT NULL, token_hash TEXT NOT NULL, token TEXT NOT NULL,
    PRIMARY KEY (appid, kind));
CREATE TABLE IF NOT EXISTS counters (
    key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at REAL NOT NULL);
"""


def _token(row: sqlite3.Row) -> TokenRecord:
    return TokenRecord.from_fields(row["token_hash"], row)


def _app(row: sqlite3.Row) -> AppRecord:
    return AppRecord.from_fields(row["appid"], row)


class SQLiteStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            path, timeout=30.0, isolation_level=None, check_same_thread=False
        )
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        self._limiter = anyio.CapacityLimiter(1)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(f"BEGIN IMMEDIATE; {_SCHEMA} COMMIT;")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: the write lock is taken up front, so two
        processes never both read, then both write (no lost update, no upgrade deadlock)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run a read-modify-write step in its own transaction, off the event loop."""

        def in_transaction() -> T:
            with self._transaction() as db:
                return fn(db)

        return await anyio.to_thread.run_sync(in_transaction, limiter=self._limiter)

    async def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run a single-statement read: autocommit, so readers never take the write lock."""

        def locked() -> T:
            with self._lock:
                return fn(self._db)

        return await anyio.to_thread.run_sync(locked, limiter=self._limiter)

    async def add_app(self, app: AppRecord) -> None:
        def add(db: sqlite3.Connection) -> None:
            try:
                db.execute(
                    "INSERT INTO apps VALUES (?, ?, ?, ?, ?)",
                    (app.appid, app.name, app.secret_hash, app.secret_version, app.created_at),
                )
            except sqlite3.IntegrityError as exc:
                raise AppExistsError(app.appid) from exc

        await self._run(add)

    async def get_app(self, appid: str) -> AppRecord | None:
        def get(db: sqlite3.Connection) -> AppRecord | None:
            row = db.execute("SELECT * FROM apps WHERE appid = ?", (appid,)).fetchone()
            return _app(row) if row else None

        return await self._read(get)

    async def list_apps(self) -> list[AppRecord]:
        def list_all(db: sqlite3.Connection) -> list[AppRecord]:
            return [_app(row) for row in db.execute("SELECT * FROM apps ORDER BY created_at")]

        return await self._read(list_all)

    async def remove_app(self, appid: str) -> bool:
        def remove(db: sqlite3.Connection) -> bool:
            db.execute("DELETE FROM current_tokens WHERE appid = ?", (appid,))
            db.execute("DELETE FROM tokens WHERE appid = ?", (appid,))
            return db.execute("DELETE FROM apps WHERE appid = ?", (appid,)).rowcount > 0

        return await self._run(remove)

    async def replace_secret(self, appid: str, secret_hash: str) -> bool:
        def replace(db: sqlite3.Connection) -> bool:
            db.execute("DELETE FROM current_tokens WHERE appid = ?", (appid,))
            cursor = db.execute(
                "UPDATE apps SET secret_hash = ?, secret_version = secret_version + 1"
                " WHERE appid = ?",
                (secret_hash, appid),
            )
            return cursor.rowcount > 0

        return await self._run(replace)

    async def issue_token(
        self, current: CurrentToken, previous_ends_at: float, replacing: str | None = ANY_TOKEN
    ) -> bool:
        token = current.record

        def issue(db: sqlite3.Connection) -> bool:
            if replacing != ANY_TOKEN:
                row = db.execute(
                    "SELECT token_hash FROM current_tokens WHERE appid = ? AND kind = ?",
                    (token.appid, token.kind),
                ).fetchone()
                if (row["token_hash"] if row else None) != replacing:
                    return False
            db.execute(
                "DELETE FROM tokens WHERE expires_at < ?", (time.time() - TOKEN_RETENTION_SECONDS,)
            )
            db.execute(
                "UPDATE tokens SET ends_at = min(coalesce(ends_at, ?), ?) WHERE token_hash ="
                " (SELECT token_hash FROM current_tokens WHERE appid = ? AND kind = ?)",
                (previous_ends_at, previous_ends_at, token.appid, token.kind),
            )
            db.execute(
                "INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    token.token_hash,
                    token.appid,
                    token.kind,
                    token.issued_at,
                    token.expires_at,
                    token.ends_at,
                    token.secret_version,
                ),
            )
            db.execute(
                "INSERT OR REPLACE INTO current_tokens VALUES (?, ?, ?, ?)",
                (token.appid, token.kind, token.token_hash, current.token),
            )
            return True

        return await self._run(issue)

    async def current_token(self, appid: str, kind: str) -> CurrentToken | None:
        def current(db: sqlite3.Connection) -> CurrentToken | None:
            row = db.execute(
                "SELECT t.*, c.token FROM current_tokens c JOIN tokens t USING (token_hash)"
                " WHERE c.appid = ? AND c.kind = ?",
                (appid, kind),
            ).fetchone()
            return CurrentToken(record=_token(row), token=row["token"]) if row else None

        return await self._read(current)

    async def get_token(self, token_hash: str) -> TokenRecord | None:
        def get(db: sqlite3.Connection) -> TokenRecord | None:
            row = db.execute("SELECT * FROM tokens WHERE token_hash = ?", (token_hash,)).fetchone()
            return _token(row) if row else None

        return await self._read(get)

    async def increment(self, key: str, ttl_seconds: int) -> int:
        def increment(db: sqlite3.Connection) -> int:
            now = time.time()
            db.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
            row = db.execute(
                "INSERT INTO counters VALUES (?, 1, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = value + 1 RETURNING value",
                (key, now + ttl_seconds),
            ).fetchone()
            return int(row["value"])

        return await self._run(increment)

    async def ping(self) -> None:
        await self._read(lambda db: db.execute("SELECT 1").fetchone())

    async def aclose(self) -> None:
        with self._lock:
            self._db.close()
