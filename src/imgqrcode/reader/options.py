"""What a caller may ask of a scan."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_PIXELS = 40_000_000
DEFAULT_TIME_BUDGET = 1.0


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """Knobs of one scan.

    ``formats`` restricts the symbologies by contract ``type_name`` (``None`` reads them
    all); fewer formats is faster. ``time_budget`` bounds the extra stages that run after
    the fast path, in seconds: the fast path itself always runs. ``max_pixels`` is
    checked from the image header before any pixel is decoded. With ``parallel`` the
    cascade's search for candidates in a photo (from about 0.3 megapixels), and the
    reading of its likeliest 2D patches, run on a second core while the fast path reads
    (:mod:`imgqrcode.reader.preparation`): an easy photo takes about a third less time,
    for CPU time spent ahead even where no stage turns out to need it; in a smaller image
    the fast path reads the matrix formats on that core meanwhile
    (:mod:`imgqrcode.reader.split_read`), about an eighth less time for a tenth more CPU.
    A batch that already keeps every core reading an image of its own gains nothing from
    either and turns it off.
    """

    formats: frozenset[str] | None = None
    time_budget: float = DEFAULT_TIME_BUDGET
    max_pixels: int = DEFAULT_MAX_PIXELS
    parallel: bool = True
