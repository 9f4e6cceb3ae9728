"""Everything an operator can set on a running service, in one serialisable value.

The command line builds a :class:`ServiceConfig`; with ``--workers N`` each uvicorn
worker process rebuilds the same value from JSON in the environment, so the parent and
its workers can never disagree on a limit.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from imgqrcode.reader.options import DEFAULT_MAX_PIXELS, DEFAULT_TIME_BUDGET

CONFIG_ENV = "IMGQRCODE_SERVICE_CONFIG_JSON"
DEFAULT_MAX_IMAGE_BYTES = 2 * 1024 * 1024
MULTIPART_OVERHEAD_BYTES = 64 * 1024
"""What a multipart body may carry beyond its file part: boundaries, part headers, fields."""


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    """Times in seconds, sizes in bytes; a quota or rate limit of 0 means none.

    docs/configuration.md describes each field under the ``imgqrcode serve`` flag of the
    same name.
    """

    data_dir: Path = Path("data")
    store_url: str = ""
    auth: bool = True
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS
    time_budget: float = DEFAULT_TIME_BUDGET
    request_timeout: float = 15.0
    decode_threads: int = 2
    workers: int = 1
    max_inflight_bytes: int = 64 * 1024 * 1024
    daily_quota: int = 0
    rate_limit_per_minute: int = 0
    token_ttl: int = 7200
    token_grace: int = 300
    token_calls_per_minute: int = 20
    fetch_timeout: float = 10.0
    fetch_allow_cidrs: tuple[str, ...] = field(default_factory=tuple)

    @property
    def max_body_bytes(self) -> int:
        """The cap on any request body: an image plus room for a multipart envelope."""
        return self.max_image_bytes + MULTIPART_OVERHEAD_BYTES

    @property
    def resolved_store_url(self) -> str:
        """``--store`` if given, else the SQLite file in the data directory."""
        return self.store_url or f"sqlite:///{(self.data_dir / 'imgqrcode.sqlite3').resolve()}"

    def to_json(self) -> str:
        raw = dataclasses.asdict(self)
        raw["data_dir"] = str(self.data_dir)
        raw["fetch_allow_cidrs"] = list(self.fetch_allow_cidrs)
        return json.dumps(raw)

    @classmethod
    def from_json(cls, text: str) -> ServiceConfig:
        raw = json.loads(text)
        raw["data_dir"] = Path(raw["data_dir"])
        raw["fetch_allow_cidrs"] = tuple(raw["fetch_allow_cidrs"])
        return cls(**raw)

    @classmethod
    def from_environment(cls) -> ServiceConfig:
        """The configuration a worker process was started with (see :data:`CONFIG_ENV`)."""
        return cls.from_json(os.environ[CONFIG_ENV])
