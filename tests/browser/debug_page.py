"""Driving the debug page the way a person does, and reading back what it drew.

The page marks its progress on <body data-state=...> ("ready", "busy", "done", "drawn",
"error") and numbers each reading in <body data-ticket=...>, so the tests wait on page
state, never on time.
"""

from __future__ import annotations

import base64

import numpy as np
from playwright.sync_api import Page
from rendered_images import Corners

MIME_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "tif": "image/tiff",
    "webp": "image/webp",
    "txt": "text/plain",
}


def mime_type(name: str) -> str:
    return MIME_TYPES[name.rsplit(".", 1)[-1]]


class DebugPage:
    """One browser tab on the debug page of one server."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/") + "/"
        self.readings = 0
        # Playwright turns on file-chooser interception without waiting for the browser to
        # confirm; a listener from the start makes sure it is on before a key opens one.
        page.on("filechooser", lambda chooser: None)

    def open(self) -> DebugPage:
        self.page.goto(self.base_url)
        return self._ready()

    def reload(self) -> DebugPage:
        self.page.reload()
        return self._ready()

    def _ready(self) -> DebugPage:
        self.page.wait_for_selector("body[data-state=ready]")
        self.readings = 0
        return self

    def upload(self, data: bytes, name: str, state: str = "drawn") -> None:
        """Chooses a file through the page's own file picker and waits for the answer."""
        with self.page.expect_file_chooser() as chooser:
            self.page.click("#drop-zone")
        chooser.value.set_files({"name": name, "mimeType": mime_type(name), "buffer": data})
        self.wait_for_reading(state)

    def _dispatch(self, script: str, item: bytes | str, name: str = "") -> None:
        """Runs `script` with a DataTransfer holding a file (bytes) or an address (str)."""
        is_file = isinstance(item, bytes)
        self.page.evaluate(
            """([script, isFile, item, name, type]) => {
                const transfer = new DataTransfer();
                if (isFile) {
                    const bytes = Uint8Array.from(atob(item), (c) => c.charCodeAt(0));
                    transfer.items.add(new File([bytes], name, { type }));
                } else {
                    transfer.setData("text/uri-list", item);
                    transfer.setData("text/plain", item);
                }
                new Function("transfer", script)(transfer);
            }""",
            [
                script,
                is_file,
                base64.b64encode(item).decode() if is_file else item,
                name,
                mime_type(name) if is_file else "",
            ],
        )
        self.wait_for_reading("drawn")

    def paste(self, item: bytes | str, name: str = "") -> None:
        """Pastes an image file, or an address, as the clipboard's paste event carries it."""
        self._dispatch(
            "document.body.dispatchEvent(new ClipboardEvent('paste', "
            "{clipboardData: transfer, bubbles: true}));",
            item,
            name,
        )

    def drop(self, item: bytes | str, name: str = "") -> None:
        """Drops a file (from the file manager) or an address (from another page)."""
        self._dispatch(
            "const zone = document.getElementById('drop-zone');"
            "for (const type of ['dragover', 'drop']) {"
            "  zone.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true}));"
            "}",
            item,
            name,
        )

    def read_url(self, url: str, state: str = "drawn") -> None:
        self.page.fill("#url", url)
        self.page.click("#url-form button[type=submit]")
        self.wait_for_reading(state)

    def wait_for_reading(self, state: str) -> None:
        """Waits until the page's next reading (counted since open()) reaches `state`."""
        self.readings += 1
        self.page.wait_for_selector(f"body[data-state={state}][data-ticket='{self.readings}']")

    def code_texts(self) -> list[str]:
        """The decoded texts as the page holds them (the exact data, control characters too)."""
        return self.page.eval_on_selector_all(".code-text", "els => els.map(e => e.dataset.text)")

    def quads_in_image_pixels(self) -> list[Corners]:
        """The page's own polygons, converted from displayed pixels back to image pixels."""
        drawing = self.page.evaluate(
            """() => {
                const svg = document.getElementById('overlay');
                return {
                    scale: [svg.dataset.imageWidth / svg.dataset.displayWidth,
                            svg.dataset.imageHeight / svg.dataset.displayHeight],
                    polygons: [...svg.querySelectorAll('polygon')].map(p => ({
                        index: Number(p.dataset.index),
                        points: p.getAttribute('points'),
                    })),
                };
            }"""
        )
        polygons = sorted(drawing["polygons"], key=lambda polygon: polygon["index"])
        return [
            np.array([[float(v) for v in point.split(",")] for point in polygon["points"].split()])
            * drawing["scale"]
            for polygon in polygons
        ]

    def overlay_matches_image(self) -> bool:
        """Whether the drawing surface lies exactly on the displayed picture."""
        return self.page.evaluate(
            """() => {
                const frame = document.querySelector('#image:not([hidden]), #blank:not([hidden])');
                const a = frame.getBoundingClientRect();
                const b = document.getElementById('overlay').getBoundingClientRect();
                return ['x', 'y', 'width', 'height'].every(k => Math.abs(a[k] - b[k]) < 0.5);
            }"""
        )

    def text(self, selector: str) -> str:
        return self.page.inner_text(selector)
