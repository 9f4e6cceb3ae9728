"""Creating apps and replacing their secrets: the secret exists in clear only in the
return value, for the operator to see once; the store keeps its hash."""

from __future__ import annotations

import time
from dataclasses import dataclass

import anyio.to_thread

from imgqrcode.service.credentials import hash_secret, new_appid, new_secret
from imgqrcode.service.store import AppRecord, Store


@dataclass(frozen=True, slots=True)
class Credentials:
    appid: str
    secret: str


async def register_app(store: Store, name: str) -> Credentials:
    secret = new_secret()
    record = AppRecord(
        appid=new_appid(),
        name=name,
        secret_hash=await anyio.to_thread.run_sync(hash_secret, secret),
        secret_version=1,
        created_at=time.time(),
    )
    await store.add_app(record)
    return Credentials(record.appid, secret)


async def reset_secret(store: Store, appid: str) -> Credentials | None:
    """A new secret for ``appid`` (ending its tokens), or None if there is no such app."""
    secret = new_secret()
    if not await store.replace_secret(appid, await anyio.to_thread.run_sync(hash_secret, secret)):
        return None
    return Credentials(appid, secret)
