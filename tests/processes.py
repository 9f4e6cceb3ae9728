"""Other processes as /proc shows them: what a test needs to tell that none is left behind."""

from __future__ import annotations

from pathlib import Path


def children(pid: int) -> list[int]:
    """The processes ``pid`` started that are still its children."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()]


def running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie (which nobody may reap in a container)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status
