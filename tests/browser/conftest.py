"""A real headless Chromium (Debian's, not a Playwright download) on real servers.

One browser per test module; each test gets fresh tabs in a fresh context (so no storage
leaks between tests) and leaves a full-page screenshot of each under
test-output/browser/ for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from debug_page import DebugPage
from playwright.sync_api import Browser, Page, sync_playwright

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "browser"
# We run as root in containers (no sandbox possible) and offline (no background traffic).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
SMALL_LIMIT = 1_000_000


def chromium_path() -> str:
    """Debian's chromium (installed by scripts/test), or IMGQRCODE_CHROMIUM if set."""
    path = os.environ.get("IMGQRCODE_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("chromium is not installed: ./scripts/test installs it from Debian")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Module-scoped on purpose: Playwright's sync API holds an asyncio loop on this thread
    while it runs, which would break every later test that starts a loop of its own."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def open_page(
    browser: Browser, request: pytest.FixtureRequest
) -> Iterator[Callable[..., DebugPage]]:
    """Opens a server's debug page in a new tab: open_page(base_url, locale=..., viewport=...)."""
    pages: list[tuple[Page, list[str]]] = []

    def open_(base_url: str, locale: str = "en-US", viewport: dict | None = None) -> DebugPage:
        context = browser.new_context(locale=locale, viewport=viewport or DESKTOP)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        pages.append((page, errors))
        return DebugPage(page, base_url).open()

    yield open_
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    for number, (page, errors) in enumerate(pages):
        suffix = f"-{number + 1}" if len(pages) > 1 else ""
        page.screenshot(path=SCREENSHOTS / f"{name}{suffix}.png", full_page=True)
        page.context.close()
        assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture(scope="module")
def no_auth_server(module_live_server: Callable[..., Any]) -> Any:
    """One `imgqrcode serve --no-auth` for a module's tests."""
    return module_live_server("--no-auth")


@pytest.fixture(scope="module")
def auth_server(module_live_server: Callable[..., Any]) -> Any:
    """One server that wants tokens, with the appid and secret of its first app."""
    return module_live_server()


@pytest.fixture(scope="module")
def small_limit_server(module_live_server: Callable[..., Any]) -> Any:
    """A --no-auth server with a 1 MB upload limit that may fetch images from 127.0.0.1."""
    return module_live_server(
        "--no-auth", "--max-image-bytes", str(SMALL_LIMIT), "--fetch-allow-cidr", "127.0.0.1/32"
    )


class _ImageHandler(BaseHTTPRequestHandler):
    images: ClassVar[dict[str, bytes]] = {}
    requested: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        return

    def do_GET(self) -> None:
        self.requested.append(self.path)
        body = self.images.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")


@pytest.fixture
def image_host() -> Iterator[tuple[str, dict[str, bytes], list[str]]]:
    """A plain HTTP server on 127.0.0.1: (base URL, {path: bytes} it serves, the paths
    it was asked for)."""
    images: dict[str, bytes] = {}
    requested: list[str] = []
    handler = type("Handler", (_ImageHandler,), {"images": images, "requested": requested})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", images, requested
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
