"""What stages derive from an image is worked out once per view, by whichever thread asks
first, and a failure reaches everyone who asked."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
import pytest

from imgqrcode.reader.image_view import ImageView


def view() -> ImageView:
    return ImageView(np.zeros((4, 6), np.uint8))


def test_a_derivation_is_worked_out_once_per_view():
    calls: list[int] = []

    def width(v: ImageView) -> list[int]:
        calls.append(v.width)
        return [v.width]

    first = view()
    assert first.derived(width) is first.derived(width)
    second = view()
    assert second.derived(width) == [6] and second.derived(width) is not first.derived(width)
    assert calls == [6, 6]


@dataclass(eq=False)
class Slow:
    """A derivation that records who works it out and waits for ``release`` (a key by
    identity, as a function is)."""

    started: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    calls: list[str] = field(default_factory=list)

    def __call__(self, v: ImageView) -> str:
        self.calls.append(threading.current_thread().name)
        self.started.set()
        assert self.release.wait(5)
        return "done"


def test_a_second_caller_waits_for_the_first_rather_than_working_it_out_again():
    slow = Slow()
    started, release, calls = slow.started, slow.release, slow.calls
    shared = view()
    results: list[str] = []
    helper = threading.Thread(target=lambda: results.append(shared.derived(slow)), name="first")
    helper.start()
    assert started.wait(5)
    waiter = threading.Thread(target=lambda: results.append(shared.derived(slow)), name="second")
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive() and results == []
    release.set()
    helper.join(5)
    waiter.join(5)
    assert results == ["done", "done"] and calls == ["first"]


def test_a_failure_is_raised_to_every_caller():
    """To one already waiting in another thread, and to one asking later."""
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def broken(v: ImageView) -> None:
        calls.append(1)
        started.set()
        assert release.wait(5)
        raise ValueError("no structure here")

    shared = view()
    failures: list[str] = []

    def ask() -> None:
        try:
            shared.derived(broken)
        except ValueError as error:
            failures.append(str(error))

    first = threading.Thread(target=ask)
    first.start()
    assert started.wait(5)
    waiting = threading.Thread(target=ask)
    waiting.start()
    waiting.join(0.2)
    assert waiting.is_alive()
    release.set()
    first.join(5)
    waiting.join(5)
    assert failures == ["no structure here", "no structure here"]
    with pytest.raises(ValueError, match="no structure here"):
        shared.derived(broken)
    assert calls == [1]


def test_working_ahead_never_waits_for_another_caller():
    """The helper thread moves on from a derivation the stage already works out."""
    slow = Slow()
    shared = view()
    assert not shared.underway(slow)
    first = threading.Thread(target=shared.derived, args=(slow,), name="first")
    first.start()
    assert slow.started.wait(5)
    assert shared.underway(slow)
    assert shared.derive_ahead(slow) is None
    slow.release.set()
    first.join(5)
    assert not shared.underway(slow)
    shared.derive_ahead(slow)
    assert slow.calls == ["first"]
