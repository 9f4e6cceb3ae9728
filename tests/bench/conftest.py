"""The bench scripts import each other as top-level modules (``import corpus``), as they do
when run as ``python bench/NAME.py``; the tests see them the same way."""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
