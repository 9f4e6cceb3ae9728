"""Decoding one candidate place through a series of renditions until it is settled."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

import numpy as np

from imgqrcode.reader import decoder
from imgqrcode.reader.cascade import coverage
from imgqrcode.reader.cascade.evidence import Ballot
from imgqrcode.reader.cascade.warp import Warped
from imgqrcode.reader.image_view import ImageView
from imgqrcode.reader.result import Code
from imgqrcode.reader.stage import StageContext

PIXELS_PER_SECOND = 20e6
"""About what zxing-cpp decodes per second on one laptop core: a rendition that cannot be
decoded before the deadline is not started (a decode cannot be interrupted)."""


LIGHT_RENDITIONS = 3
"""Renditions tried per candidate once the image has yielded a code: a further code in a
readable photo reads early or not at all, and text beside a code should cost little.
A candidate where zxing-cpp located a symbol it could not decode is no such text: it
gets every rendition."""

LIGHT_MISSES = 3
"""Candidates that read nothing after which a stage stops, once the image has yielded a
code: a further code in a readable photo is among the best few candidates, while the
text, shapes and patterns around a code are many."""


class Candidate(Protocol):
    """A place a stage located; hashable, as it is part of a :class:`Reading` key."""

    @property
    def center(self) -> tuple[float, float]: ...


C = TypeVar("C", bound=Candidate)
C_contra = TypeVar("C_contra", bound=Candidate, contravariant=True)


class Renditions(Protocol[C_contra]):
    """A stage's crops of one candidate, the likeliest to read first. A value (a frozen
    dataclass of its settings), so that two :class:`Reading` keys made apart compare
    equal."""

    def __call__(self, view: ImageView, candidate: C_contra) -> Iterator[Warped]: ...


@dataclass(frozen=True, slots=True)
class Setting:
    """What a stage's readings depend on besides the candidate: whether the image yielded
    a code before the stage (``found``), the symbologies asked for, and the deadline
    (:func:`time.monotonic`), which is whoever reads first's and so takes no part in a
    :class:`Reading`'s key: the helper thread reads without one, as its work ends with
    the scan."""

    found: bool
    type_names: frozenset[str] | None
    deadline: float = field(default=math.inf, compare=False)


@dataclass(frozen=True, slots=True)
class Reading(Generic[C]):
    """What decoding ``candidate``'s renditions settles on (:func:`read_renditions`), as a
    key for :meth:`ImageView.derived`.

    The helper thread (:mod:`imgqrcode.reader.preparation`) reads a stage's likeliest
    candidates ahead, as the stage would read them once the fast path has read a code;
    the stage then finds them read, or reads the next while the helper finishes one,
    rather than decoding again.
    """

    candidate: C
    renditions: Renditions[C]
    limit: int | None
    stage: str
    setting: Setting
    zxing_options: tuple[tuple[str, object], ...] = ()

    def __call__(self, view: ImageView) -> list[Code]:
        return read_renditions(
            self.renditions(view, self.candidate),
            self.limit,
            view,
            self.setting.deadline,
            stage=self.stage,
            type_names=self.setting.type_names,
            **dict(self.zxing_options),
        )


def read_candidates(
    candidates: Iterable[C],
    reading: Callable[[C, bool, Setting], Reading[C]],
    view: ImageView,
    context: StageContext,
    known: Sequence[Code],
    *,
    type_names: frozenset[str] | None,
    light_misses: int = LIGHT_MISSES,
) -> list[Code]:
    """The codes of ``type_names`` read at ``candidates`` that lie outside ``known`` codes
    and each other.

    Each stage locates its own kind of candidate; what follows is the same for all: stop
    at the deadline, skip a place a code already covers, and make the candidate's
    ``reading`` (which the stage makes lighter once the image has ``yielded`` a code,
    here or in an earlier stage); once it has, stop after ``light_misses`` candidates
    that read nothing.
    """
    setting = Setting(bool(context.found), type_names, context.deadline)
    covered = coverage.footprints(known)
    codes: list[Code] = []
    misses = 0
    ahead = list(candidates)
    for index, candidate in enumerate(ahead):
        # A code this stage read proves the photo readable as much as an earlier one.
        yielded = bool(context.found or codes)
        if context.expired() or misses >= miss_limit(yielded, light_misses):
            break
        if coverage.covered(candidate.center, covered):
            continue
        this = reading(candidate, yielded, setting)
        if view.underway(this):
            # The helper thread is reading it ahead: rather than wait, read the next.
            following = _uncovered(ahead[index + 1 :], covered)
            if following is not None:
                view.derive_ahead(reading(following, yielded, setting))
        read = view.derived(this)
        codes.extend(read)
        covered.extend(coverage.footprints(read))
        if not read:
            misses += 1
        elif not yielded:
            # The light search starts at the image's first code: earlier misses were
            # spent looking for any code at all.
            misses = 0
    return codes


def _uncovered(candidates: Iterable[C], covered: Sequence[np.ndarray]) -> C | None:
    """The first of ``candidates`` outside the ``covered`` footprints."""
    return next((c for c in candidates if not coverage.covered(c.center, covered)), None)


def requested(formats: frozenset[str] | None, family: frozenset[str]) -> frozenset[str]:
    """The symbologies of a stage's ``family`` that the caller asked for (all by default)."""
    return family if formats is None else formats & family


def rendition_limit(yielded: bool, light: int = LIGHT_RENDITIONS) -> int | None:
    """How many renditions a stage may try per candidate (``None``: all), ``light`` once
    the image has ``yielded`` a code."""
    return light if yielded else None


def miss_limit(yielded: bool, light: int = LIGHT_MISSES) -> float:
    """After how many candidates that read nothing a stage stops: ``light`` once the image
    has ``yielded`` a code, none before."""
    return light if yielded else math.inf


def read_renditions(
    renditions: Iterable[Warped],
    limit: int | None,
    view: ImageView,
    deadline: float,
    *,
    stage: str,
    type_names: frozenset[str] | None,
    **zxing_options: object,
) -> list[Code]:
    """The codes that :class:`Ballot` accepts after decoding ``renditions`` in order.

    Stops at the first rendition after which every read is settled, when the next
    cannot be decoded before ``deadline`` (:func:`time.monotonic`), or after ``limit``
    renditions (``None``: no limit) unless one of them showed a symbol zxing-cpp could
    not decode, or decoded only by spending all its error correction (:class:`Ballot`
    wants another rendition to confirm it). ``renditions`` is consumed lazily, so
    unneeded ones are never made.
    """
    ballot = Ballot(view.gray)
    located = False
    for count, rendition in enumerate(renditions, start=1):
        if rendition.image.size > (deadline - time.monotonic()) * PIXELS_PER_SECOND:
            break
        attempt = decoder.attempt(
            rendition.image,
            (view.width, view.height),
            transform=rendition.transform,
            stage=stage,
            type_names=type_names,
            **zxing_options,
        )
        located = located or attempt.undecoded or bool(attempt.spent)
        ballot.add(attempt.codes, attempt.spent)
        # Checked before the next rendition is made: making one can cost a decode's time.
        if ballot.decided or (limit is not None and count >= limit and not located):
            break
    return ballot.accepted()
