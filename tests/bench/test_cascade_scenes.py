"""Synthetic scenes whose PDF417 the cascade once missed, each for a reason of its own.

The scenes are rendered here from the corpus generator (seed 1, the tuning corpus), so
each case is a whole cluttered photo, as the cascade meets them, not a symbol on white.
"""

from __future__ import annotations

import pytest
import synth

from imgqrcode import ScanOptions, scan


@pytest.mark.parametrize(
    "index",
    [
        # Alone in a cluttered scene, in perspective: the wide crop around it holds too
        # much clutter to outline, the crop around its bars does not.
        71,
        # Beside codes the fast path read: the cascade was light, three renditions a
        # candidate, but zxing-cpp located a PDF417 it could not decode, so it got all.
        62,
        286,
    ],
)
def test_pdf417_in_perspective_is_read(index):
    data, truth = synth.render_scene(1, index, "mixed")
    expected = {(c["format"], c["text"]) for c in truth["codes"]}
    # A budget no loaded test machine runs out of: what is tested is where the cascade
    # looks, not how fast.
    read = {(c.type_name, c.data) for c in scan(data, ScanOptions(time_budget=30)).codes}
    pdf417 = {text for fmt, text in expected if fmt == "PDF417"}
    assert pdf417
    assert pdf417 <= {data for name, data in read if name == "PDF_417"}
    assert len(read) <= len(expected)
