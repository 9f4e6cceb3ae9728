"""How a command stops when it is asked to: Ctrl-C and SIGTERM, as exit statuses.

Python turns Ctrl-C (SIGINT) into ``KeyboardInterrupt``, so a command lets go of what it
holds on the way out; SIGTERM (``kill``, ``timeout``, systemd stopping a unit) ends the
process where it stands. A command that holds other processes (a scan's workers, which
would be left behind, each waiting for an image that never comes) asks for SIGTERM to
be raised like Ctrl-C, as :class:`Terminated`.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from imgqrcode.parent_death import end_with_parent

INTERRUPTED = 130
"""The exit status of a command stopped by Ctrl-C (128 + SIGINT), as shells report it."""

TERMINATED = 143
"""The exit status of a command stopped by SIGTERM (128 + SIGTERM)."""

STOPPING_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Terminated(Exception):
    """SIGTERM arrived in a :func:`terminated_as_exception` block."""


@contextmanager
def terminated_as_exception() -> Iterator[None]:
    """Raise :class:`Terminated` in the main thread when SIGTERM arrives in the block."""

    def raise_terminated(signum: int, frame: FrameType | None) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def leave_stopping_to_the_parent(parent: int) -> None:
    """A worker process's initializer: Ctrl-C reaches every process of the terminal's
    group, and a service manager's SIGTERM every process of the unit. A worker ignores
    both; the parent, which stops handing out images, lets each finish the one it reads
    and then ends the workers (an idle worker would otherwise die with a traceback of its
    own). A parent that dies before it can (SIGKILL, a second signal) takes them with it:
    SIGKILL, as they ignore the others."""
    for stopping in STOPPING_SIGNALS:
        signal.signal(stopping, signal.SIG_IGN)
    end_with_parent(parent, signal.SIGKILL)
