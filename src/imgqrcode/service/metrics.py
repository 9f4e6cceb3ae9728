"""Prometheus metrics: requests by errcode, decode time, codes read by type.

With ``--workers N`` each worker is its own process; ``imgqrcode serve`` then points
``PROMETHEUS_MULTIPROC_DIR`` at a fresh folder before the workers start, and
``/metrics`` aggregates every worker's files, so a scrape sees the whole server no
matter which worker answers it.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Counter(
    "imgqrcode_requests", "HTTP requests by endpoint and WeChat errcode", ["endpoint", "errcode"]
)
DECODE_SECONDS = Histogram(
    "imgqrcode_decode_seconds",
    "Time spent reading one image (after it was received), in seconds",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
CODES = Counter("imgqrcode_codes", "Codes read, by contract type_name", ["type_name"])
RESERVED_BYTES = Gauge(
    "imgqrcode_reserved_body_bytes",
    "Memory reserved by request bodies and downloads in flight (summed over workers)",
    multiprocess_mode="livesum",
)


def render() -> tuple[bytes, str]:
    """The exposition text and its content type, across worker processes if there are several."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
