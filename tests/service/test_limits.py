"""Limits under load, through real servers: the size limit while the body streams in,
decoding slots that slow clients cannot hold, bounded memory, several workers."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
from processes import children, running
from service_support import PHOTO, RawUpload, raw_image_upload, upload

LIMIT = 2 * 1024 * 1024
ERROR_40009 = '"errcode":40009'


@pytest.fixture(scope="module")
def server(module_live_server):
    return module_live_server("--no-auth", "--decode-threads", "1", "--request-timeout", "20")


def test_an_announced_oversize_body_is_refused_before_any_of_it_is_read(server):
    request = raw_image_upload(server, 100 * 1024 * 1024)
    started = time.monotonic()
    answer = request.response(timeout=5)
    request.close()
    assert ERROR_40009 in answer and time.monotonic() - started < 2


@pytest.mark.parametrize("multipart", [False, True])
def test_an_unannounced_oversize_body_is_refused_while_it_streams_in(server, multipart):
    boundary = "b0undary"
    content_type = f"multipart/form-data; boundary={boundary}" if multipart else "image/jpeg"
    request = RawUpload(
        server.base_url,
        "/cv/img/qrcode",
        {"Content-Type": content_type, "Transfer-Encoding": "chunked"},
    )
    if multipart:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="img"; filename="a.jpg"'
        request.send_chunk(f"{head}\r\nContent-Type: image/jpeg\r\n\r\n".encode())
    for _ in range(LIMIT // 65536 + 1):
        request.send_chunk(b"\0" * 65536)
    # The body is not finished (no last chunk, no closing boundary): the answer comes anyway.
    answer = request.response(timeout=5)
    request.close()
    assert ERROR_40009 in answer


def test_a_slow_client_does_not_hold_the_only_decoding_slot(server):
    slow = raw_image_upload(server, len(PHOTO))
    slow.send(PHOTO[:1000])
    started = time.monotonic()
    assert upload(server).json()["errcode"] == 0
    assert time.monotonic() - started < 3
    slow.send(PHOTO[1000:])
    assert '"errcode":0' in slow.response()
    slow.close()


def reserved_bytes(server) -> float:
    text = httpx.get(f"{server.base_url}/metrics", timeout=30).text
    match = re.search(r"^imgqrcode_reserved_body_bytes (\S+)$", text, re.MULTILINE)
    assert match, text
    return float(match.group(1))


def test_memory_for_bodies_in_flight_is_bounded(live_server):
    """Room for two bodies: a third large upload waits, unread, until one is done."""
    capacity = 2 * (LIMIT + 64 * 1024)
    server = live_server(
        "--no-auth", "--max-inflight-bytes", str(capacity), "--request-timeout", "4"
    )
    uploads = [raw_image_upload(server, LIMIT) for _ in range(3)]
    time.sleep(0.5)
    assert reserved_bytes(server) == 2 * LIMIT
    # A body announced over the limit is refused at once, not after waiting for memory.
    oversize = raw_image_upload(server, 100 * 1024 * 1024)
    started = time.monotonic()
    assert ERROR_40009 in oversize.response(timeout=5)
    assert time.monotonic() - started < 2
    oversize.close()
    started = time.monotonic()
    uploads[0].send(PHOTO + b"\0" * (LIMIT - len(PHOTO)))
    assert '"errcode":0' in uploads[0].response(timeout=10)
    assert time.monotonic() - started < 2  # it was being read: it held a reservation
    time.sleep(0.3)
    assert reserved_bytes(server) == 2 * LIMIT  # the waiting third took the room it left
    for request in uploads[1:]:
        assert '"errcode":-1' in request.response(timeout=10)  # never sent: time limit
    for request in uploads:
        request.close()
    assert reserved_bytes(server) == 0


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_chunked_body_reserves_the_most_whatever_length_it_announces(live_server, method):
    """HTTP reads a chunked body by its chunks, not by a Content-Length sent beside it: a
    body announcing none must not get into memory unreserved."""
    server = live_server("--no-auth", "--request-timeout", "4")
    headers = {
        "Content-Type": "image/jpeg",
        "Content-Length": "0",
        "Transfer-Encoding": "chunked",
    }
    request = RawUpload(server.base_url, "/cv/img/qrcode", headers, method=method)
    request.send_chunk(PHOTO[:1000])
    time.sleep(0.5)
    assert reserved_bytes(server) == LIMIT + 64 * 1024  # the most a body may be
    request.send_chunk(PHOTO[1000:])
    request.send(b"0\r\n\r\n")
    assert '"errcode":0' in request.response(timeout=10)
    request.close()


def test_workers_share_the_sqlite_store_and_the_metrics(live_server):
    server = live_server("--workers", "2", "--daily-quota", "4")
    token = server.token()
    codes: list[int] = []

    def call() -> None:  # each call has a connection of its own: either worker may answer
        codes.append(upload(server, token).json()["errcode"])

    threads = [threading.Thread(target=call) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(codes) == [0, 0, 0, 0, 45009, 45009]
    tokens: list[str] = []
    issuers = [threading.Thread(target=lambda: tokens.append(server.token())) for _ in range(8)]
    for thread in issuers:
        thread.start()
    for thread in issuers:
        thread.join(timeout=60)
    assert len(set(tokens)) == 8  # concurrent writers in two processes: none lost
    text = httpx.get(f"{server.base_url}/metrics", timeout=30).text
    counts = re.findall(
        r'^imgqrcode_requests_total\{endpoint="qrcode",errcode="(\S+)"\} (\S+)$', text, re.MULTILINE
    )
    assert {code: float(n) for code, n in counts} == {"0": 4.0, "45009": 2.0}


def test_a_client_leaving_mid_upload_is_logged_without_a_traceback(server):
    request = raw_image_upload(server, len(PHOTO))
    request.send(PHOTO[:1000])
    time.sleep(0.3)
    request.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        left = [e for e in server.access_log() if "left before" in e.get("detail", "")]
        if left:
            break
        time.sleep(0.1)
    assert len(left) == 1 and left[0]["status"] == 0
    assert "Traceback" not in server.stderr()


def test_workers_share_connections_and_fail_fast(live_server):
    """Each worker listens on its own SO_REUSEPORT socket: 16 connections opened at once
    reach both workers. If a worker dies, the service stops (status 1) for its
    supervisor to restart, rather than running on at half strength."""
    server = live_server("--no-auth", "--workers", "2")
    clients = [httpx.Client() for _ in range(16)]
    threads = [threading.Thread(target=c.get, args=(f"{server.base_url}/info",)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    for client in clients:
        client.close()
    pids = {line["pid"] for line in server.access_log("/info", at_least=16)}
    assert len(pids) == 2
    os.kill(pids.pop(), signal.SIGKILL)
    assert server.process.wait(timeout=30) == 1


def test_workers_report_a_port_that_is_taken(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "imgqrcode.cli",
                "serve",
                "--workers",
                "2",
                "--no-auth",
                "--port",
                str(port),
                "--data-dir",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert "cannot listen on 127.0.0.1" in result.stderr


def serve_on(port: int, data_dir, *flags: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "imgqrcode.cli", "serve", "--no-auth"]
    command += ["--port", str(port), "--data-dir", str(data_dir), *flags]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_second_service_on_a_taken_port_refuses_to_start(live_server, tmp_path, workers):
    """The workers' sockets share a port with any of the same user's that allow it: a
    second imgqrcode beside the first would take half its connections, unnoticed."""
    first = live_server("--no-auth", "--workers", "2")
    port = int(first.base_url.rsplit(":", 1)[1])
    second = serve_on(port, tmp_path, "--workers", workers)
    assert second.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in second.stderr
    assert httpx.get(f"{first.base_url}/healthz").status_code == 200


def test_workers_end_with_their_supervisor_however_it_ends(live_server):
    server = live_server("--no-auth", "--workers", "2")
    server.access_log()  # started and serving
    spawned = children(server.process.pid)  # its workers and multiprocessing's helper
    assert spawned
    server.process.kill()  # SIGKILL: no chance to stop them
    server.process.wait(timeout=10)
    deadline = time.monotonic() + 15
    while any(running(pid) for pid in spawned) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(running(pid) for pid in spawned)


def test_a_stopping_server_finishes_a_request_in_flight_within_the_request_timeout(live_server):
    """uvicorn's graceful shutdown cut requests at 5 s, well inside the 15 s a request
    may take: a stopped server now waits for them as long as they may run."""
    server = live_server("--no-auth", "--request-timeout", "20")
    slow = raw_image_upload(server, len(PHOTO))
    slow.send(PHOTO[:1000])
    time.sleep(0.3)
    server.process.send_signal(signal.SIGTERM)
    time.sleep(6)
    slow.send(PHOTO[1000:])
    assert '"errcode":0' in slow.response(timeout=20)
    slow.close()
    server.process.wait(timeout=30)  # and then it stops
