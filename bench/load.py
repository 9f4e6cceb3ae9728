"""Load on the HTTP service, beside the in-process reading of the same image.

N concurrent clients (threads, one keep-alive connection each) post the same image as a
multipart ``img`` upload for T seconds (the client counts taking turns of ``--slice``
seconds, so that other jobs on a shared machine weigh on each alike) against a server
on loopback, which this script
starts itself (``imgqrcode serve`` in a subprocess) or which ``--url`` names. For each
client count it prints throughput, latency percentiles, errors (any non-zero errcode or
a wrong result) and the server's peak resident memory (VmHWM of its processes, read from
/proc). In the same run it times, on the same bytes: ``imgqrcode.scan()`` in-process and
the plain path (Pillow decode plus zxing-cpp's ``read_barcodes`` with its defaults).

    python bench/load.py --clients 1,8 --duration 20 --workers 2

Prints a markdown table. Not a test: absolute figures depend on the (shared) machine.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import math
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import numpy as np
import zxingcpp
from PIL import Image

from imgqrcode import scan

QR_TEXT = "https://www.qq.com"


def example_image() -> bytes:
    """The contract's example: a 1000x900 JPEG holding one QR code at (585, 378)."""
    code = zxingcpp.create_barcode(QR_TEXT, zxingcpp.BarcodeFormat.QRCode)
    symbol = Image.fromarray(np.asarray(code.to_image(scale=8, add_quiet_zones=True)))
    canvas = Image.new("RGB", (1000, 900), "white")
    canvas.paste(symbol.convert("RGB"), (585, 378))
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def multipart_upload(image: bytes) -> tuple[bytes, dict[str, str]]:
    """The ``img`` upload as SDKs send it, encoded once: the clients share this machine's
    two cores with the server, so they should spend their time sending, not encoding."""
    request = httpx.Request("POST", "http://x/", files={"img": ("photo.jpg", image, "image/jpeg")})
    return request.read(), {"Content-Type": request.headers["Content-Type"]}


@dataclass
class Server:
    url: str
    appid: str = ""
    secret: str = ""
    process: subprocess.Popen[bytes] | None = None
    pids: list[int] = field(default_factory=list)
    token: str = ""

    def fetch_token(self) -> str:
        """The token every client uses (:attr:`token`), as an app's processes share
        theirs: one per client and turn would pass the server's token requests per app and
        minute (``--token-calls-per-minute``), and the clients refused one would stop
        unseen."""
        if not self.appid:
            return ""
        params = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret}
        answer = httpx.get(f"{self.url}/cgi-bin/token", params=params).json()
        if "access_token" not in answer:
            raise SystemExit(f"no token from {self.url}: {answer}")
        return str(answer["access_token"])

    def process_ids(self) -> list[int]:
        """The server and its worker processes (children, for --workers N)."""
        if self.process is None:
            return self.pids
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        found = [int(p) for p in children.read_text().split()] if children.exists() else []
        return [pid, *found]

    def peak_rss_mib(self) -> float:
        total = 0
        for pid in self.process_ids():
            status = Path(f"/proc/{pid}/status")
            if status.exists():
                match = re.search(r"^VmHWM:\s+(\d+) kB", status.read_text(), re.MULTILINE)
                total += int(match.group(1)) if match else 0
        return total / 1024

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(workers: int, extra: list[str], directory: Path) -> Server:
    port = free_port()
    out = directory / "stdout.txt"
    command = [sys.executable, "-m", "imgqrcode.cli", "serve", "--port", str(port)]
    command += ["--data-dir", str(directory / "data"), "--workers", str(workers), *extra]
    with out.open("wb") as stdout:
        process = subprocess.Popen(command, stdout=stdout, stderr=subprocess.DEVNULL)
    server = Server(f"http://127.0.0.1:{port}", process=process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        server.stop()
        raise SystemExit("the server did not start")
    printed = out.read_text()
    for key in ("appid", "secret"):
        match = re.search(rf"^\s*{key}:\s+(\S+)$", printed, re.MULTILINE)
        setattr(server, key, match.group(1) if match else "")
    return server


@dataclass
class RunResult:
    clients: int
    seconds: float
    latencies: list[float]
    errors: int
    peak_rss_mib: float

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        return float(np.percentile(self.latencies, q)) * 1000

    def merged(self, other: RunResult) -> RunResult:
        return RunResult(
            self.clients,
            self.seconds + other.seconds,
            self.latencies + other.latencies,
            self.errors + other.errors,
            max(self.peak_rss_mib, other.peak_rss_mib),
        )


def interleaved(
    server: Server, image: bytes, counts: list[int], duration: float, slice_seconds: float
) -> list[RunResult]:
    """``duration`` seconds of load per client count, in turns of ``slice_seconds``:
    whatever else the machine is doing then weighs on every count alike."""
    rounds = max(1, math.ceil(duration / slice_seconds))
    runs: dict[int, RunResult] = {}
    for _ in range(rounds):
        for count in counts:
            result = load(server, image, count, duration / rounds)
            runs[count] = runs[count].merged(result) if count in runs else result
    return [runs[count] for count in counts]


class Uploader:
    """One keep-alive connection posting the encoded upload, as light as a load generator
    should be (http.client, not httpx): the clients share the two cores with the server."""

    def __init__(self, server: Server, image: bytes) -> None:
        parts = urlsplit(server.url)
        self._connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self._connection.connect()
        # As tuned clients do: with Nagle's algorithm on, the upload's last small write
        # waits for the server's delayed ACK (about 40 ms on Linux) on every request.
        self._connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        token = server.token
        self._path = "/cv/img/qrcode" + (f"?access_token={token}" if token else "")
        self._body, self._headers = multipart_upload(image)

    def post(self) -> bool:
        """One round trip; True if it read exactly the example's code."""
        try:
            self._connection.request("POST", self._path, self._body, self._headers)
            answer = json.loads(self._connection.getresponse().read())
        except (OSError, http.client.HTTPException, ValueError):
            self._connection.close()  # reconnects on the next request
            return False
        found = [code["data"] for code in answer.get("code_results", [])]
        return answer.get("errcode") == 0 and found == [QR_TEXT]

    def close(self) -> None:
        self._connection.close()


def load(server: Server, image: bytes, clients: int, duration: float) -> RunResult:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client() -> None:
        uploader = Uploader(server, image)
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            ok = uploader.post()
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1
        uploader.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return RunResult(
        clients, time.monotonic() - started, latencies, errors[0], server.peak_rss_mib()
    )


@dataclass
class Paired:
    """Medians of the three ways to read the same bytes, measured in turn."""

    round_trip: float
    scan: float
    plain: float


def paired_times(server: Server, image: bytes, duration: float) -> Paired:
    """One HTTP round trip, one in-process scan(), one plain read, in turn, for
    ``duration`` seconds: interleaving keeps the ratios fair on a noisy machine."""
    times: dict[str, list[float]] = {"round_trip": [], "scan": [], "plain": []}
    uploader = Uploader(server, image)
    stop_at = time.monotonic() + duration
    while time.monotonic() < stop_at or len(times["scan"]) < 5:
        started = time.perf_counter()
        assert uploader.post()
        times["round_trip"].append(time.perf_counter() - started)
        started = time.perf_counter()
        result = scan(image)
        times["scan"].append(time.perf_counter() - started)
        assert [c.data for c in result.codes] == [QR_TEXT]
        started = time.perf_counter()
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(image)))
        times["plain"].append(time.perf_counter() - started)
        assert [b.text for b in found] == [QR_TEXT]
    uploader.close()
    return Paired(**{name: statistics.median(values) for name, values in times.items()})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server (else one is started)")
    parser.add_argument("--appid", default="", help="with --url: the app (none: --no-auth)")
    parser.add_argument("--secret", default="")
    parser.add_argument("--server-pid", type=int, action="append", default=[])
    parser.add_argument("--workers", type=int, default=1, help="for the started server")
    parser.add_argument("--serve-arg", action="append", default=[], help="extra serve flag")
    parser.add_argument("--clients", default="1,8", help="comma-separated client counts")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per count")
    parser.add_argument(
        "--slice", type=float, default=5.0, help="counts take turns of this many seconds"
    )
    parser.add_argument("--image", type=Path, help="image to send (default: the example)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    image = args.image.read_bytes() if args.image else example_image()
    counts = [int(c) for c in args.clients.split(",")]
    with tempfile.TemporaryDirectory() as directory:
        if args.url:
            server = Server(args.url.rstrip("/"), args.appid, args.secret, pids=args.server_pid)
        else:
            server = start_server(args.workers, args.serve_arg, Path(directory))
        try:
            server.token = server.fetch_token()
            load(server, image, 1, min(3.0, args.duration))  # warm up
            paired = paired_times(server, image, min(10.0, args.duration))
            runs = interleaved(server, image, counts, args.duration, args.slice)
        finally:
            server.stop()
    print(
        f"Image: {len(image)} bytes; server: {server.url}, workers {args.workers}; "
        f"{os.cpu_count()} cores\n"
    )
    print(
        "| clients | requests | throughput (req/s) | p50 ms | p95 ms | p99 ms | errors "
        "| server peak RSS MiB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        print(
            f"| {run.clients} | {len(run.latencies)} | {run.throughput:.1f} "
            f"| {run.percentile(50):.1f} | {run.percentile(95):.1f} | {run.percentile(99):.1f} "
            f"| {run.errors} | {run.peak_rss_mib:.0f} |"
        )
    one = next((run for run in runs if run.clients == 1), runs[0])
    print("\n| same image, measured in turn | median ms |")
    print("|---|---:|")
    print(f"| HTTP round trip (multipart upload, 1 client) | {paired.round_trip * 1000:.1f} |")
    print(f"| in-process imgqrcode.scan() | {paired.scan * 1000:.1f} |")
    print(f"| plain: Pillow + zxing-cpp read_barcodes() defaults | {paired.plain * 1000:.1f} |")
    print(f"\nround trip / in-process scan(): {paired.round_trip / paired.scan:.2f}x")
    for run in runs:
        if run is not one:
            print(
                f"throughput at {run.clients} clients / at {one.clients}: "
                f"{run.throughput / one.throughput:.2f}x"
            )
    if args.json:
        figures = {
            "runs": [
                {
                    "clients": r.clients,
                    "requests": len(r.latencies),
                    "errors": r.errors,
                    "throughput": r.throughput,
                    "p50_ms": r.percentile(50),
                    "p95_ms": r.percentile(95),
                    "p99_ms": r.percentile(99),
                    "peak_rss_mib": r.peak_rss_mib,
                }
                for r in runs
            ],
            "paired_ms": {k: v * 1000 for k, v in vars(paired).items()},
        }
        args.json.write_text(json.dumps(figures, indent=2))
    return 1 if any(run.errors for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
