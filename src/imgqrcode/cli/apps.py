"""``imgqrcode app add | list | remove | reset-secret``: the apps allowed to get tokens.

A secret is printed once, when it is made; the store keeps only its hash, so a lost
secret is replaced (``reset-secret``, which also ends the app's tokens), never recovered.
The store options are shared with ``imgqrcode serve``, so both commands find the same
apps with the same flags or environment.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import anyio
from redis.exceptions import RedisError

from imgqrcode.cli.environment import add_option, add_switch
from imgqrcode.service.app_registry import Credentials, register_app, reset_secret
from imgqrcode.service.config import ServiceConfig
from imgqrcode.service.store import Store, open_store

T = TypeVar("T")
OK, NOT_FOUND, STORE_UNAVAILABLE = 0, 1, 2


def add_store_options(parser: argparse.ArgumentParser) -> None:
    add_option(
        parser,
        "--data-dir",
        default="data",
        type=Path,
        help="folder of the SQLite store (and of serve --workers' metrics files)",
    )
    add_option(
        parser,
        "--store",
        default="",
        help="sqlite:///PATH or redis://HOST:PORT/DB; empty: SQLite in the data directory",
    )


def store_url(args: argparse.Namespace) -> str:
    return ServiceConfig(data_dir=args.data_dir, store_url=args.store).resolved_store_url


def with_store(args: argparse.Namespace, work: Callable[[Store], Awaitable[T]]) -> T:
    """Run ``work`` on the configured store; exit with status 2 if it cannot be reached."""

    async def run() -> T:
        store = open_store(store_url(args))
        try:
            return await work(store)
        finally:
            await store.aclose()

    try:
        return anyio.run(run)
    except (OSError, sqlite3.Error, RedisError, ValueError) as exc:
        print(f"imgqrcode: cannot use the store {store_url(args)!r}: {exc}", file=sys.stderr)
        raise SystemExit(STORE_UNAVAILABLE) from exc


def print_credentials(credentials: Credentials, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"appid": credentials.appid, "secret": credentials.secret}))
        return
    print(f"appid:  {credentials.appid}")
    print(f"secret: {credentials.secret}")
    print("(the secret is shown only this once: the store keeps only its hash)")


def _add(args: argparse.Namespace) -> int:
    print_credentials(with_store(args, lambda store: register_app(store, args.name)), args.json)
    return OK


def _list(args: argparse.Namespace) -> int:
    apps = with_store(args, lambda store: store.list_apps())
    for app in apps:
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(app.created_at))
        if args.json:
            print(json.dumps({"appid": app.appid, "name": app.name, "created_at": created}))
        else:
            print(f"{app.appid}\t{created}\t{app.name}")
    return OK


def _remove(args: argparse.Namespace) -> int:
    if with_store(args, lambda store: store.remove_app(args.appid)):
        print(json.dumps({"removed": args.appid}) if args.json else f"removed {args.appid}")
        return OK
    print(f"no app {args.appid}", file=sys.stderr)
    return NOT_FOUND


def _reset_secret(args: argparse.Namespace) -> int:
    credentials = with_store(args, lambda store: reset_secret(store, args.appid))
    if credentials is None:
        print(f"no app {args.appid}", file=sys.stderr)
        return NOT_FOUND
    print_credentials(credentials, args.json)
    return OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "app",
        help="manage the apps (appid + secret) that may get tokens",
        description="Manage the apps that may get access tokens. Exit status: 0 done, "
        "1 no such app, 2 the store cannot be used.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    specs: list[tuple[str, str, Callable[[argparse.Namespace], int], bool]] = [
        ("add", "create an app and print its appid and secret (once)", _add, False),
        ("list", "list the apps", _list, False),
        ("remove", "remove an app; its tokens stop working", _remove, True),
        ("reset-secret", "give an app a new secret; its tokens stop working", _reset_secret, True),
    ]
    for name, help_text, run, takes_appid in specs:
        action = actions.add_parser(name, help=help_text, description=help_text)
        add_store_options(action)
        add_switch(action, "--json", help="print JSON instead of text")
        if takes_appid:
            action.add_argument("appid", help="the app's id (wx...)")
        if name == "add":
            add_option(action, "--name", default="", help="a label for the operator")
        action.set_defaults(run=run)
