"""A child process that ends with the process that started it.

A supervisor or a batch's parent that dies without ending its children (SIGKILL, the
out-of-memory killer, a second signal while it shuts them down) would leave them behind:
a service's workers serving on, holding the port, a scan's workers waiting for images
that never come, holding the output pipe. On Linux the kernel can signal a child when
its parent dies; elsewhere nothing is done.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
"""``prctl`` option (Linux): the signal a process gets when its parent dies."""


def end_with_parent(parent: int, signum: signal.Signals) -> None:
    """Have the kernel send this process ``signum`` when ``parent`` (its parent's pid,
    read before this process started) dies, and send it now if it already has."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signum)
    if os.getppid() != parent:
        os.kill(os.getpid(), signum)
