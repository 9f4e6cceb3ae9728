"""A real headless Chromium (Debian's, not a Playwright download) on real servers.

One browser for the session; each test gets fresh tabs in a fresh context (so no storage
leaks between tests) and leaves a full-page screenshot of each under
test-output/browser/ for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from debug_page import DebugPage

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


def chromium_path() -> str:
    """Debian's chromium (installed by scripts/test), or IMGQRCODE_CHROMIUM if set."""
    path = os.environ.get("IMGQRCODE_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("chromium is not installed: ./scripts/test installs it from Debian")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
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
    """Opens the debug page of a server in a new tab: open_page(base_url, locale=..., viewport=...)."""
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


# TEMPORARY-DEV-ONLY (removed once tests/conftest.py has live_server)
class _Fake:
    def __init__(self, url, appid="", secret=""):
        self.base_url, self.appid, self.secret = url, appid, secret


@pytest.fixture
def no_auth_server():
    return _Fake("http://127.0.0.1:8123/")


@pytest.fixture
def auth_server():
    return _Fake("http://127.0.0.1:8124/", "wx0c98442b9fc06bb8", "f89939523d1ea5437fcb87ec30bc4c76")
