"""The contract between the pipeline and each of its reading stages.

A stage gets the whole image and what earlier stages already found, and returns the
codes it read, with positions in the image's own pixel frame. The pipeline merges,
de-duplicates and orders; a stage only reads. Stages after the first are skipped once
the deadline passes, so each one checks ``context.expired()`` between pieces of work.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from imgqrcode.reader.image_view import ImageView
from imgqrcode.reader.options import ScanOptions
from imgqrcode.reader.result import Code


@dataclass(frozen=True, slots=True)
class StageContext:
    options: ScanOptions
    found: Sequence[Code]
    deadline: float

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())


class Stage(Protocol):
    name: str

    def __call__(self, view: ImageView, context: StageContext) -> list[Code]: ...
