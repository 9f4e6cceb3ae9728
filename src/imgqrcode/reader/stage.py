"""The contract between the pipeline and each of its reading stages.

A stage gets the whole image and what earlier stages already found, and returns the
codes it read, with positions in the image's own pixel frame. The pipeline merges,
de-duplicates and orders; a stage only reads. Stages after the first are skipped once
the deadline passes, so each one checks ``context.expired()`` between pieces of work.
A stage may also be :class:`Preparing`: what it works out before knowing what was found
is then worked out on another core while the fast path reads.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

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


@runtime_checkable
class Preparing(Protocol):
    """A stage with work that does not depend on what was found before it (locating its
    candidates, which costs about as much as deciding on them), or that it can do on the
    likeliest guess (reading its best candidates as it would once the fast path has
    read a code). The pipeline runs ``prepare`` on a second core while the fast path
    reads (:mod:`.preparation`: all of it in a photo's helper thread, its first piece on
    a smaller image's split-read worker); the stage keeps what it works out with the
    view (:meth:`ImageView.derived`), where its call finds it, and yields after each
    piece, where the preparation may be stopped."""

    def prepare(self, view: ImageView, options: ScanOptions) -> Iterator[object]: ...
