"""Fixtures shared by the whole suite: real servers on loopback.

``live_server`` starts ``python -m imgqrcode.cli serve`` as a real subprocess on
127.0.0.1 and a free port, with its own data directory, waits until ``/healthz``
answers, and stops it at teardown::

    def test_something(live_server):
        server = live_server()                 # tokens required; an app is created
        server = live_server("--no-auth")      # any extra `imgqrcode serve` flags
        server.base_url                        # "http://127.0.0.1:PORT" (no trailing /)
        server.appid, server.secret            # credentials of the app ("" with --no-auth)
        server.token()                         # a fresh token from /cgi-bin/token
        server.access_log()                    # the server's JSON access-log lines, parsed

``module_live_server`` is the same factory with module scope, for a module whose tests
can share one server. ``redis_server`` starts a real ``redis-server`` (Debian's, installed
by ``scripts/test``) on a free loopback port for the session and gives its URL; it fails,
never skips, if the binary is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

STARTUP_TIMEOUT = 30.0


def free_port(host: str = "127.0.0.1") -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@pytest.fixture(name="cli")
def cli_fixture() -> Callable[..., subprocess.CompletedProcess[str]]:
    """:func:`cli`, for tests that run a command without a server."""
    return cli


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m imgqrcode.cli ARGS`` and return what it printed."""
    return subprocess.run(
        [sys.executable, "-m", "imgqrcode.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


@dataclass
class LiveServer:
    """A running ``imgqrcode serve`` subprocess and how to reach it."""

    base_url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path
    appid: str = ""
    secret: str = ""
    store_flags: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    def token(self) -> str:
        response = httpx.get(
            f"{self.base_url}/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
            timeout=30,
        )
        return str(response.json()["access_token"])

    def app_command(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``imgqrcode app ARGS`` on this server's store."""
        flags = ["--data-dir", str(self.data_dir), *self.store_flags]
        return cli("app", *args, *flags, env=self.env)

    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def access_log(self, path: str | None = None, at_least: int = 0) -> list[dict]:
        """Access-log lines (of ``path`` only, if given), waiting up to 5 s for
        ``at_least`` of them: a line is written just after its response is sent."""
        deadline = time.monotonic() + 5
        while True:
            lines = [line for line in self.stderr().splitlines() if line.startswith("{")]
            entries = [json.loads(line) for line in lines]
            entries = [e for e in entries if path is None or e.get("path") == path]
            if len(entries) >= at_least or time.monotonic() > deadline:
                return entries
            time.sleep(0.05)

    def log_for(self, rid: str, timeout: float = 5.0) -> dict:
        """The access-log line of one request (it is written just after the response)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.access_log():
                if line.get("rid") == rid:
                    return line
            time.sleep(0.05)
        raise AssertionError(f"no access-log line for rid {rid}:\n{self.stderr()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _parse_credentials(text: str) -> tuple[str, str]:
    values = {}
    for line in text.splitlines():
        key, _, value = line.strip().partition(":")
        if key in {"appid", "secret"} and value.strip():
            values[key] = value.strip()
    return values.get("appid", ""), values.get("secret", "")


def _launch(directory: Path, flags: tuple[str, ...], env: dict[str, str], host: str) -> LiveServer:
    port = free_port(host)
    data_dir = directory / "data"
    stdout_path, stderr_path = directory / "stdout.txt", directory / "stderr.txt"
    store_flags = [f for f in flags if f.startswith("--store=")]
    if "--store" in flags:
        store_flags = ["--store", flags[flags.index("--store") + 1]]
    command = [sys.executable, "-m", "imgqrcode.cli", "serve", "--host", host]
    command += ["--port", str(port), "--data-dir", str(data_dir), *flags]
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env={**os.environ, **env})
    url_host = f"[{host}]" if ":" in host else host
    return LiveServer(
        f"http://{url_host}:{port}",
        data_dir,
        process,
        stdout_path,
        stderr_path,
        store_flags=store_flags,
        env=env,
    )


def _started(server: LiveServer) -> bool:
    """Wait for /healthz; False if the port was taken meanwhile (then try another)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if server.process.poll() is not None:
            if "address already in use" in server.stderr().lower():
                return False
            raise RuntimeError(
                f"server exited with {server.process.returncode}:\n{server.stderr()}"
            )
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            pass  # not listening yet
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"server did not start:\n{server.stderr()}")
        time.sleep(0.1)


def start_server(
    directory: Path, *flags: str, env: dict[str, str] | None = None, host: str = "127.0.0.1"
) -> LiveServer:
    """Start a server with its data in ``directory``; see the module docstring."""
    directory.mkdir(parents=True, exist_ok=True)
    for _ in range(3):
        server = _launch(directory, flags, env or {}, host)
        if _started(server):
            break
    else:
        raise RuntimeError("no free port after three attempts")
    if "--no-auth" not in flags:
        server.appid, server.secret = _parse_credentials(server.stdout())
        if not server.appid:
            created = json.loads(server.app_command("add", "--json").stdout)
            server.appid, server.secret = created["appid"], created["secret"]
    return server


ServerFactory = Callable[..., LiveServer]


def _factory(base: Path) -> tuple[ServerFactory, list[LiveServer]]:
    started: list[LiveServer] = []

    def make(*flags: str, env: dict[str, str] | None = None, host: str = "127.0.0.1") -> LiveServer:
        server = start_server(base / f"server{len(started)}", *flags, env=env, host=host)
        started.append(server)
        return server

    return make, started


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[ServerFactory]:
    """Factory of real servers on loopback, stopped after the test (see module docstring)."""
    make, started = _factory(tmp_path)
    yield make
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def module_live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerFactory]:
    """``live_server`` with module scope: servers shared by a module's tests."""
    make, started = _factory(tmp_path_factory.mktemp("servers"))
    yield make
    for server in started:
        server.stop()


REDIS_SERVER = "/usr/bin/redis-server"


@dataclass
class RedisProcess:
    """A real redis-server on 127.0.0.1, without persistence."""

    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def start_redis(directory: Path) -> RedisProcess:
    binary = shutil.which("redis-server") or REDIS_SERVER
    if not Path(binary).exists():
        pytest.fail("redis-server is not installed: ./scripts/test installs it from Debian")
    port = free_port()
    command = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
    command += ["--appendonly", "no", "--dir", str(directory)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return RedisProcess(f"redis://127.0.0.1:{port}", process)
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.05)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server for the session; yields ``redis://127.0.0.1:PORT`` (pick a db)."""
    redis = start_redis(tmp_path_factory.mktemp("redis"))
    yield redis.url
    redis.stop()


@pytest.fixture
def disposable_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    """A redis-server of the test's own, which the test may stop."""
    redis = start_redis(tmp_path)
    yield redis
    redis.stop()
