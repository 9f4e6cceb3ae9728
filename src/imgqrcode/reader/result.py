"""What a scan returns, and its WeChat-contract JSON shape.

Positions are integer pixel corners in the image as a person sees it (after EXIF
orientation), listed in the code's own orientation: an upside-down code has its
``left_top`` near the image's bottom right.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: int

    def to_dict(self) -> dict[str, int]:
        return {"x": self.x, "y": self.y}


@dataclass(frozen=True, slots=True)
class Position:
    """Four corners of a symbol, in the symbol's own orientation."""

    left_top: Point
    right_top: Point
    right_bottom: Point
    left_bottom: Point

    @property
    def corners(self) -> tuple[Point, Point, Point, Point]:
        return (self.left_top, self.right_top, self.right_bottom, self.left_bottom)

    def to_dict(self) -> dict[str, dict[str, int]]:
        return {
            "left_top": self.left_top.to_dict(),
            "right_top": self.right_top.to_dict(),
            "right_bottom": self.right_bottom.to_dict(),
            "left_bottom": self.left_bottom.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Code:
    """One decoded symbol.

    ``type_name`` uses the contract's vocabulary (``QR_CODE``, ``UPC_A``...); ``data`` is
    plain text. The remaining fields are detail that the contract's default response
    leaves out and a caller asks for explicitly.
    """

    type_name: str
    data: str
    position: Position
    raw: bytes = b""
    ec_level: str = ""
    symbology_identifier: str = ""
    stage: str = ""

    def to_contract(self, detail: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type_name": self.type_name,
            "data": self.data,
            "pos": self.position.to_dict(),
        }
        if detail:
            out["detail"] = {
                "raw_base64": base64.b64encode(self.raw).decode("ascii"),
                "ec_level": self.ec_level,
                "symbology_identifier": self.symbology_identifier,
                "stage": self.stage,
            }
        return out


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Every code found in one image, in reading order, plus the displayed image size."""

    codes: tuple[Code, ...]
    width: int
    height: int
    timings: dict[str, float] = field(default_factory=dict)

    def to_contract(self, detail: bool = False) -> dict[str, Any]:
        """The success body of WeChat's ``imgQrcode`` API (``errcode`` 0)."""
        out: dict[str, Any] = {
            "errcode": 0,
            "errmsg": "ok",
            "code_results": [code.to_contract(detail) for code in self.codes],
            "img_size": {"w": self.width, "h": self.height},
        }
        if detail:
            out["timings_ms"] = {k: round(v * 1000, 3) for k, v in self.timings.items()}
        return out
