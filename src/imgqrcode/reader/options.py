"""What a caller may ask of a scan."""

from __future__ import annotations

import math
import numbers
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

    The values are checked here, where a caller makes them: a string for ``formats``
    would be read as a set of one-letter names, and a NaN budget as no deadline at all.
    ``formats`` may be any collection of names; it is kept as a frozenset.
    """

    formats: frozenset[str] | None = None
    time_budget: float = DEFAULT_TIME_BUDGET
    max_pixels: int = DEFAULT_MAX_PIXELS
    parallel: bool = True

    def __post_init__(self) -> None:
        if self.formats is not None:
            if isinstance(self.formats, str):
                raise TypeError("formats: a collection of type_names such as {'QR_CODE'}")
            names = frozenset(self.formats)
            if not all(isinstance(name, str) for name in names):
                raise TypeError(f"formats: type_names are strings, not {sorted(map(repr, names))}")
            object.__setattr__(self, "formats", names)
        budget = self.time_budget
        if isinstance(budget, bool) or not isinstance(budget, numbers.Real):
            raise TypeError(f"time_budget: seconds, not {budget!r}")
        if math.isnan(budget) or budget < 0:
            raise ValueError(f"time_budget: 0 seconds or more, not {budget!r}")
        pixels = self.max_pixels
        if isinstance(pixels, bool) or not isinstance(pixels, numbers.Integral):
            raise TypeError(f"max_pixels: a number of pixels, not {pixels!r}")
        if pixels < 1:
            raise ValueError(f"max_pixels: 1 or more, not {pixels!r}")
