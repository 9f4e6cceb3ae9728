"""Stages that read what the fast path misses: the hard-image cascade."""

from __future__ import annotations

from imgqrcode.reader.cascade.bars import RotatedBars
from imgqrcode.reader.cascade.gated import GatedWeChatQr
from imgqrcode.reader.cascade.patches import EnlargedPatches
from imgqrcode.reader.stage import Stage


def cascade_stages() -> list[Stage]:
    """The stages run after the fast path, cheapest and most productive first."""
    return [RotatedBars(), EnlargedPatches(), GatedWeChatQr()]
