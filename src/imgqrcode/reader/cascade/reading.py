"""Decoding one candidate place through a series of renditions until it is settled."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

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
    @property
    def center(self) -> tuple[float, float]: ...


C = TypeVar("C", bound=Candidate)


def read_candidates(
    candidates: Iterable[C],
    renditions: Callable[[C], Iterator[Warped]],
    view: ImageView,
    context: StageContext,
    known: Sequence[Code],
    *,
    stage: str,
    type_names: frozenset[str] | None,
    options: Callable[[C], dict[str, Any]] = lambda candidate: {},
    light_renditions: int = LIGHT_RENDITIONS,
    light_misses: int = LIGHT_MISSES,
    **read_options: Any,
) -> list[Code]:
    """The codes read at ``candidates`` that lie outside ``known`` codes and each other.

    Each stage locates its own kind of candidate; what follows is the same for all: stop
    at the deadline, skip a place a code already covers, and try the candidate's
    renditions (fewer candidates and renditions once the image has yielded a code, here
    or in an earlier stage: ``light_misses`` candidates that read nothing, and
    ``light_renditions`` each). ``options`` adds zxing-cpp
    options that depend on the candidate.
    """
    covered = coverage.footprints(known)
    codes: list[Code] = []
    misses = 0
    for candidate in candidates:
        # A code this stage read proves the photo readable as much as an earlier one.
        yielded = bool(context.found or codes)
        if context.expired() or misses >= miss_limit(yielded, light_misses):
            break
        if coverage.covered(candidate.center, covered):
            continue
        read = read_renditions(
            renditions(candidate),
            rendition_limit(yielded, light_renditions),
            view,
            context,
            stage=stage,
            type_names=type_names,
            **read_options,
            **options(candidate),
        )
        codes.extend(read)
        covered.extend(coverage.footprints(read))
        if not read:
            misses += 1
        elif not yielded:
            # The light search starts at the image's first code: earlier misses were
            # spent looking for any code at all.
            misses = 0
    return codes


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
    context: StageContext,
    *,
    stage: str,
    type_names: frozenset[str] | None,
    **zxing_options: object,
) -> list[Code]:
    """The codes that :class:`Ballot` accepts after decoding ``renditions`` in order.

    Stops at the first rendition after which every read is settled, when the next
    cannot be decoded before the deadline, or after ``limit`` renditions (``None``: no
    limit) unless one of them showed a symbol zxing-cpp could not decode. ``renditions``
    is consumed lazily, so unneeded ones are never made.
    """
    ballot = Ballot(view.gray)
    located = False
    for count, rendition in enumerate(renditions, start=1):
        if rendition.image.size > context.remaining() * PIXELS_PER_SECOND:
            break
        codes, undecoded = decoder.attempt(
            rendition.image,
            (view.width, view.height),
            transform=rendition.transform,
            stage=stage,
            type_names=type_names,
            **zxing_options,
        )
        located = located or undecoded
        ballot.add(codes)
        # Checked before the next rendition is made: making one can cost a decode's time.
        if ballot.decided or (limit is not None and count >= limit and not located):
            break
    return ballot.accepted()
