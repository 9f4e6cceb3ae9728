"""``--workers N``: N uvicorn processes, each with a listening socket of its own.

uvicorn's own multi-worker mode shares one listening socket between its workers; every
worker's event loop then wakes for each new connection and the first one accepts all
that are waiting. Measured here: 8 connections opened together went 7 to 1 to the two
workers more often than not, and keep-alive clients (SDKs, load balancers) stay where
they landed, so one worker decoded while the other idled. Here each worker binds its own
socket with ``SO_REUSEPORT`` and the kernel spreads connections over them by hash.
``TCP_NODELAY`` is set on each listening socket (accepted connections inherit it): a
response is written as two segments, and with Nagle's algorithm on, the second waits
for the client's delayed ACK, about 40 ms.

The supervisor fails fast: if a worker exits on its own, it stops the others and exits
with status 1, for systemd or the container runtime to restart the whole service; and a
worker ends with its supervisor, however that ends (SIGKILL included), rather than serve
on as an orphan that holds the port.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
from types import FrameType
from typing import Any

import uvicorn

from imgqrcode.parent_death import end_with_parent

logger = logging.getLogger("imgqrcode.service")

STOP_MARGIN = 5.0
"""Seconds a stopping worker gets past uvicorn's graceful shutdown before it is killed."""


def ensure_free(host: str, port: int) -> None:
    """Raise OSError if another program listens on ``host:port``.

    The workers' sockets share their port (``SO_REUSEPORT``) with any socket of the same
    user that has the option too: a second imgqrcode started on the port by mistake
    would bind beside the first and take half its connections, answering them from
    another store. A socket bound without the option fails wherever anything listens.
    """
    if port == 0:
        return
    with _tcp_socket(host) as probe:
        probe.bind((host, port))


def _tcp_socket(host: str) -> socket.socket:
    """A TCP socket of ``host``'s address family whose port may be bound again while a
    connection of a previous run lingers in TIME_WAIT (that is no owner)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return sock


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` that other workers may bind too (SO_REUSEPORT)."""
    sock = _tcp_socket(host)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock


def _worker(app: str, host: str, port: int, options: dict[str, Any], supervisor: int) -> None:
    """One worker process: its own socket, then uvicorn until SIGTERM or SIGINT."""
    end_with_parent(supervisor, signal.SIGTERM)  # SIGTERM: uvicorn's graceful stop
    sock = listening_socket(host, port)
    config = uvicorn.Config(app, factory=True, host=host, port=port, **options)
    uvicorn.Server(config).run(sockets=[sock])


def run_workers(app: str, workers: int, host: str, port: int, options: dict[str, Any]) -> int:
    """Run ``workers`` processes serving the ``app`` factory; the exit status.

    The caller checks first that nothing listens on the port (:func:`ensure_free`), so
    that a port another program holds is reported at once rather than by every worker.
    """
    context = multiprocessing.get_context("spawn")
    arguments = (app, host, port, options, os.getpid())
    processes = [
        context.Process(target=_worker, args=arguments, name=f"worker-{n}") for n in range(workers)
    ]
    grace = options.get("timeout_graceful_shutdown")
    stop_timeout = None if grace is None else grace + STOP_MARGIN
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for process in processes:
            process.start()
        while not stopping.wait(0.2):
            if any(not process.is_alive() for process in processes):
                logger.error("a worker exited on its own; stopping the others")
                break
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        for process in processes:
            process.join(stop_timeout)
            if process.is_alive():
                process.kill()
                process.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0 if stopping.is_set() else 1
