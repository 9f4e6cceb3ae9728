"""``imgqrcode serve``: the WeChat imgQrcode-compatible HTTP service under uvicorn.

On a first start with authentication on and no app in the store, it creates one and
prints its appid and secret (once) with curl lines that work against this server.
With ``--workers N`` the workers are run by :mod:`imgqrcode.service.supervisor` (one
listening socket each); the configuration travels to them as JSON in the environment,
and Prometheus metrics are kept in per-process files that ``/metrics`` aggregates.
"""

from __future__ import annotations

import argparse
import ipaddress
import math
import os
import shutil
import sys
import tempfile
from typing import Any

import uvicorn

from imgqrcode.cli.apps import STORE_UNAVAILABLE, add_store_options, with_store
from imgqrcode.cli.environment import (
    add_option,
    add_switch,
    count,
    port,
    positive,
    positive_seconds,
    seconds,
)
from imgqrcode.reader.options import DEFAULT_MAX_PIXELS, DEFAULT_TIME_BUDGET
from imgqrcode.reader.preparation import usable_cores
from imgqrcode.service.app import create_app
from imgqrcode.service.app_registry import Credentials, register_app
from imgqrcode.service.config import CONFIG_ENV, DEFAULT_MAX_IMAGE_BYTES, ServiceConfig
from imgqrcode.service.metrics import MULTIPROC_ENV
from imgqrcode.service.supervisor import ensure_free, run_workers

LOG_LEVELS = ("debug", "info", "warning", "error")

SHUTDOWN_GRACE = 5.0
"""Seconds past ``--request-timeout`` that a stopping server waits for the requests in
flight: their waits end by the timeout, and the decode that follows takes what is left
of it (its fast first pass always runs)."""

CANNOT_LISTEN = 2
"""The exit status when the address cannot be listened on (taken, not this host's)."""


def _cidrs(text: str) -> tuple[str, ...]:
    cidrs = tuple(part.strip() for part in text.split(",") if part.strip())
    for cidr in cidrs:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"not an address range: {cidr!r}") from exc
    return cidrs


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "serve",
        help="start the WeChat imgQrcode-compatible HTTP service",
        description="Serve /cv/img/qrcode, /cgi-bin/token and /cgi-bin/stable_token "
        "as WeChat does, plus /healthz, /metrics, /info, /openapi.json and the debug page at /.",
    )
    add_option(parser, "--host", default="127.0.0.1", help="address to listen on")
    add_option(parser, "--port", default=8080, type=port, help="port to listen on")
    add_option(parser, "--workers", default=1, type=positive, help="uvicorn worker processes")
    add_store_options(parser)
    add_switch(parser, "--no-auth", help="no access_token needed (trusted local setups only)")
    add_option(
        parser,
        "--max-image-bytes",
        default=DEFAULT_MAX_IMAGE_BYTES,
        type=positive,
        help="largest image upload or download (40009 / 101000 past it)",
    )
    add_option(
        parser,
        "--max-pixels",
        default=DEFAULT_MAX_PIXELS,
        type=positive,
        help="largest image in pixels, checked before decoding (101002 past it)",
    )
    add_option(
        parser,
        "--time-budget",
        default=DEFAULT_TIME_BUDGET,
        type=seconds,
        help="seconds the hard-image stages may take per image (cap of budget_ms)",
    )
    add_option(
        parser,
        "--request-timeout",
        default=15.0,
        type=positive_seconds,
        help="seconds a request may take in all (receiving, fetching, waiting); -1 past it",
    )
    add_option(
        parser,
        "--decode-threads",
        default=0,
        type=count,
        help="images read at once per worker; 0: cores divided by workers",
    )
    add_option(
        parser,
        "--max-inflight-bytes",
        default=64 * 1024 * 1024,
        type=positive,
        help="request bodies and downloads held in memory at once, per worker",
    )
    add_option(
        parser, "--daily-quota", default=0, type=count, help="calls per app per UTC day; 0: none"
    )
    add_option(
        parser,
        "--rate-limit-per-minute",
        default=0,
        type=count,
        help="calls per app per minute; 0: none",
    )
    add_option(parser, "--token-ttl", default=7200, type=positive, help="token lifetime, seconds")
    add_option(
        parser,
        "--token-grace",
        default=300,
        type=count,
        help="seconds a superseded token keeps working",
    )
    add_option(
        parser,
        "--token-calls-per-minute",
        default=20,
        type=count,
        help="token requests per app per minute, counted before its secret is checked; 0: none",
    )
    add_option(
        parser,
        "--fetch-timeout",
        default=10.0,
        type=positive_seconds,
        help="total seconds for an img_url",
    )
    add_option(
        parser,
        "--fetch-allow-cidr",
        default=(),
        type=_cidrs,
        help="comma-separated address ranges img_url may reach although not public",
    )
    add_option(
        parser,
        "--log-level",
        default="info",
        type=log_level,
        help=f"{', '.join(LOG_LEVELS[:-1])} or {LOG_LEVELS[-1]}",
    )
    parser.set_defaults(run=run)


def config_from(args: argparse.Namespace) -> ServiceConfig:
    return ServiceConfig(
        data_dir=args.data_dir,
        store_url=args.store,
        auth=not args.no_auth,
        max_image_bytes=args.max_image_bytes,
        max_pixels=args.max_pixels,
        time_budget=args.time_budget,
        request_timeout=args.request_timeout,
        decode_threads=args.decode_threads or max(1, usable_cores() // args.workers),
        workers=args.workers,
        max_inflight_bytes=args.max_inflight_bytes,
        daily_quota=args.daily_quota,
        rate_limit_per_minute=args.rate_limit_per_minute,
        token_ttl=args.token_ttl,
        token_grace=args.token_grace,
        token_calls_per_minute=args.token_calls_per_minute,
        fetch_timeout=args.fetch_timeout,
        fetch_allow_cidrs=tuple(args.fetch_allow_cidr),
    )


def base_url(host: str, port: int) -> str:
    """An address a local curl reaches: wildcard listen addresses become loopback."""
    shown = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def first_start_message(credentials: Credentials | None, url: str) -> str:
    if credentials is None:
        return (
            f"imgqrcode: serving without tokens (--no-auth). Try:\n"
            f"  curl -F 'img=@photo.jpg' '{url}/cv/img/qrcode'\n"
        )
    token_url = (
        f"{url}/cgi-bin/token?grant_type=client_credential"
        f"&appid={credentials.appid}&secret={credentials.secret}"
    )
    return (
        "imgqrcode: no app yet, so one was created. Its secret is shown only this once:\n"
        f"  appid:  {credentials.appid}\n"
        f"  secret: {credentials.secret}\n"
        "Read the codes in photo.jpg:\n"
        f"  TOKEN=$(curl -s '{token_url}' | python3 -c "
        "'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')\n"
        f"  curl -F 'img=@photo.jpg' '{url}/cv/img/qrcode?access_token='$TOKEN\n"
    )


def log_level(text: str) -> str:
    """One of :data:`LOG_LEVELS`, in any case."""
    level = text.strip().lower()
    if level not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(f"not a log level: {text!r}")
    return level


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging plus ours: the access log is one JSON object per line."""
    handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"format": "%(message)s"},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {
            "access": {**handler, "formatter": "json"},
            "text": {**handler, "formatter": "text"},
        },
        "loggers": {
            "imgqrcode.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            "imgqrcode": {"handlers": ["text"], "level": level.upper(), "propagate": False},
            "uvicorn": {"handlers": ["text"], "level": level.upper(), "propagate": False},
        },
    }


def _first_app(config: ServiceConfig, args: argparse.Namespace) -> Credentials | None:
    async def create_if_none(store: Any) -> Credentials | None:
        if await store.list_apps():
            return None
        return await register_app(store, "first app")

    return with_store(args, create_if_none) if config.auth else None


def run(args: argparse.Namespace) -> int:
    config = config_from(args)
    try:
        config.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"imgqrcode: cannot use the data directory: {exc}", file=sys.stderr)
        return STORE_UNAVAILABLE
    try:
        ensure_free(args.host, args.port)
    except OSError as exc:
        print(f"imgqrcode: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return CANNOT_LISTEN
    credentials = _first_app(config, args)
    if credentials is not None or not config.auth:
        sys.stdout.write(first_start_message(credentials, base_url(args.host, args.port)))
        sys.stdout.flush()
    options: dict[str, Any] = {
        "access_log": False,
        "log_config": log_config(args.log_level),
        "log_level": args.log_level,
        "timeout_graceful_shutdown": None
        if math.isinf(args.request_timeout)
        else args.request_timeout + SHUTDOWN_GRACE,
    }
    if args.workers > 1:
        return _run_workers(config, args, options)
    uvicorn.run(create_app(config), host=args.host, port=args.port, **options)
    return 0


def _run_workers(config: ServiceConfig, args: argparse.Namespace, options: dict[str, Any]) -> int:
    metrics_dir = tempfile.mkdtemp(prefix="metrics-", dir=config.data_dir)
    os.environ[MULTIPROC_ENV] = metrics_dir
    os.environ[CONFIG_ENV] = config.to_json()
    factory = "imgqrcode.service.app:create_app_from_environment"
    try:
        return run_workers(factory, args.workers, args.host, args.port, options)
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
