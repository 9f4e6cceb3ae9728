"""The second QR engine, run only while a code may remain in the image.

The stages of this package check :func:`~imgqrcode.reader.cascade.coverage.may_remain`
themselves (the bar stage with its own view of which reads are well boxed). OpenCV's
WeChat reader (:mod:`.wechat_qr`) costs tens of milliseconds a photo whatever it holds;
run under the same check, an easy image, read in full by the fast path, never pays for
it. A subclass rather than a wrapper, so that it still is a ``WeChatQr`` to whoever
looks for one among the stages (the benchmarks swap in their own models).
"""

from __future__ import annotations

from dataclasses import dataclass

from imgqrcode.reader.cascade import coverage
from imgqrcode.reader.cascade.wechat_qr import WeChatQr
from imgqrcode.reader.image_view import ImageView
from imgqrcode.reader.result import Code
from imgqrcode.reader.stage import StageContext


@dataclass(frozen=True, slots=True)
class GatedWeChatQr(WeChatQr):
    def __call__(self, view: ImageView, context: StageContext) -> list[Code]:
        if not coverage.may_remain(view.gray, context.found):
            return []
        return WeChatQr.__call__(self, view, context)
