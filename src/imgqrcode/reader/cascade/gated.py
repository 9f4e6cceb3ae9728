"""The second QR engine, run only on an image nothing else could read.

OpenCV's WeChat reader (:mod:`.wechat_qr`) costs tens of milliseconds a photo whatever it
holds, and beside zxing-cpp and the other stages it reads what they miss only where they
read nothing at all: a photo with one soft, curved or damaged QR code. On the images that
had already yielded a code it added one code in 842 over both synthetic corpora, for
7 ms on every such image (docs/benchmarks.md), so there it is not run, and an easy image
never pays for it. A subclass rather than a
wrapper, so that it still is a ``WeChatQr`` to whoever looks for one among the stages
(the benchmarks swap in their own models).
"""

from __future__ import annotations

from dataclasses import dataclass

from imgqrcode.reader.cascade.wechat_qr import WeChatQr
from imgqrcode.reader.image_view import ImageView
from imgqrcode.reader.result import Code
from imgqrcode.reader.stage import StageContext


@dataclass(frozen=True, slots=True)
class GatedWeChatQr(WeChatQr):
    def __call__(self, view: ImageView, context: StageContext) -> list[Code]:
        if context.found:
            return []
        return WeChatQr.__call__(self, view, context)
