"""The decoded image as every stage of the pipeline sees it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class ImageView:
    """An 8-bit greyscale image in the displayed frame (EXIF orientation already applied).

    Transparent pixels have been composited onto white, so every stage can treat dark
    as ink. ``gray`` is C-contiguous with shape ``(height, width)``.
    """

    gray: np.ndarray

    @property
    def width(self) -> int:
        return int(self.gray.shape[1])

    @property
    def height(self) -> int:
        return int(self.gray.shape[0])
