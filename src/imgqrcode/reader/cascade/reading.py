"""Decoding one candidate place through a series of renditions until it is settled."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from imgqrcode.reader import decoder
from imgqrcode.reader.cascade.evidence import Ballot
from imgqrcode.reader.cascade.warp import Warped
from imgqrcode.reader.image_view import ImageView
from imgqrcode.reader.result import Code
from imgqrcode.reader.stage import StageContext


def read_renditions(
    renditions: Iterable[Warped],
    view: ImageView,
    context: StageContext,
    *,
    stage: str,
    type_names: frozenset[str] | None,
    refine: Callable[[Code, Warped], Code] | None = None,
    **zxing_options: object,
) -> list[Code]:
    """The codes that :class:`Ballot` accepts after decoding ``renditions`` in order.

    Stops at the first rendition after which every read is settled, or at the
    deadline; ``renditions`` is consumed lazily, so unneeded ones are never made.
    ``refine`` may improve each code using the rendition it was read from.
    """
    ballot = Ballot()
    for rendition in renditions:
        if context.expired():
            break
        codes = decoder.decode(
            rendition.image,
            (view.width, view.height),
            transform=rendition.transform,
            stage=stage,
            type_names=type_names,
            **zxing_options,
        )
        if refine is not None:
            codes = [refine(code, rendition) for code in codes]
        ballot.add(codes)
        if ballot.decided:
            break
    return ballot.accepted()
