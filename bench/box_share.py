"""What the 1D codes' boxes cost the easy images, against the pipeline's 1.2x bound.

    python bench/box_share.py FOLDER [--repeat 5] [--limit N]

The bound: an image whose every code plain zxing-cpp reads (an "easy" image) takes the
pipeline no more than 1.2x plain zxing-cpp's time. zxing-cpp reports a linear code as a
scan line; the pipeline measures the box around its bars (``bar_box.measure``), which
plain zxing-cpp does not. This script tells how much of the gap to the bound is that box,
by timing, image by image in turn:

- ``zxing-cpp``: Pillow decodes, ``zxingcpp.read_barcodes`` with its defaults
  (:func:`accuracy.plain_zxing`);
- ``full``: ``scan()``'s path, loading then the whole pipeline with its cascade;
- ``full, boxes ready``: the same, each box answered from a table the first pass over
  the image filled (the box as if it cost nothing, every other part as it is);

each the fastest of ``--repeat`` runs, and also "up to its cascade" (less the time of the
stages after the fast path, from ``ScanResult.timings``). The ratios are medians of the
per-image ratios to plain zxing-cpp, with the count of images within the bound, over all
easy images and apart for those whose codes are all 1D and all 2D.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import accuracy
import corpus
import numpy as np
import stages

from imgqrcode.reader import bar_box, image_loader, pipeline
from imgqrcode.reader.cascade import cascade_stages
from imgqrcode.reader.geometry import Quad
from imgqrcode.reader.options import DEFAULT_MAX_PIXELS, ScanOptions
from imgqrcode.reader.stage import Stage

Run = Callable[[], float]
"""One run of a reader on the current image -> the seconds its cascade took."""

Measure = Callable[..., Quad]
"""``bar_box.measure`` or what stands in for it."""


class ReadyBoxes:
    """``bar_box.measure`` answered from the boxes measured on the first pass over an
    image: what the pipeline would take if a box cost nothing. Keyed by the image's name
    and zxing-cpp's corners, since every run loads the pixels anew."""

    def __init__(self) -> None:
        self.measure = bar_box.measure
        self.boxes: dict[tuple[str, bytes, bool], Quad] = {}
        self.image = ""

    def __call__(self, gray: np.ndarray, quad: Quad, *, stacked: bool = False) -> Quad:
        key = (self.image, quad.tobytes(), stacked)
        box = self.boxes.get(key)
        if box is None:
            box = self.boxes[key] = self.measure(gray, quad, stacked=stacked)
        return box


def plain_zxing(data: bytes) -> float:
    """:func:`accuracy.plain_zxing`; it has no cascade."""
    accuracy.plain_zxing(data)
    return 0.0


def pipeline_run(data: bytes, options: ScanOptions, cascade: Sequence[Stage]) -> float:
    """Load and run the pipeline; the seconds spent in the stages after the fast path."""
    view = image_loader.load(data, DEFAULT_MAX_PIXELS)
    _, timings = pipeline.run(view, options, cascade)
    return sum(spent for name, spent in timings.items() if name != "fast")


def fastest(run: Callable[[], float], repeat: int) -> tuple[float, float]:
    """The fastest of ``repeat`` runs: its seconds, and its seconds up to the cascade."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        started = time.perf_counter()
        cascade = run()
        spent = time.perf_counter() - started
        if spent < best[0]:
            best = (spent, spent - cascade)
    return best


def ratio_cell(ratios: list[float]) -> str:
    if not ratios:
        return "-"
    within = sum(r <= stages.EASY_BOUND for r in ratios)
    return f"{statistics.median(ratios):.2f}x ({within} within {stages.EASY_BOUND}x)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repeat", type=int, default=5, help="runs per image and reader")
    parser.add_argument("--limit", type=int, default=0, help="only the first N images")
    args = parser.parse_args(argv)

    samples = [s for s in corpus.load(args.folder) if s.labels]
    samples = samples[: args.limit] if args.limit else samples
    options, cascade = ScanOptions(), cascade_stages()
    ready = ReadyBoxes()
    readers = ("full", "full, boxes ready")  # the rows of the table
    # Per reader and family: (time, time up to the cascade) over plain zxing-cpp's.
    ratios: dict[tuple[str, str], list[tuple[float, float]]] = {}
    easy = 0
    for index, sample in enumerate(samples):
        data = sample.image.read_bytes()
        if corpus.match(sample.labels, accuracy.plain_zxing(data)).missed:
            continue
        easy += 1
        ready.image = sample.image.name
        plain_run = partial(plain_zxing, data)
        full_run = partial(pipeline_run, data, options, cascade)
        variants: dict[str, tuple[Run, Measure]] = {
            "zxing-cpp": (plain_run, ready.measure),
            "full": (full_run, ready.measure),
            "full, boxes ready": (full_run, ready),
        }
        try:
            bar_box.measure = ready
            full_run()  # fills the table
            seconds = {}
            order = list(variants) if index % 2 == 0 else list(reversed(variants))
            for name in order:
                run, bar_box.measure = variants[name]
                seconds[name] = fastest(run, args.repeat)
        finally:
            bar_box.measure = ready.measure
        plain = max(seconds["zxing-cpp"][0], 1e-9)
        kind = stages.image_family(sample.labels)
        for name in readers:
            total, before = seconds[name]
            for group in ("all", kind):
                ratios.setdefault((name, group), []).append((total / plain, before / plain))
        if sys.stderr.isatty() and index % 50 == 49:
            print(f"{index + 1}/{len(samples)}", file=sys.stderr)

    print(f"{easy} easy images of {len(samples)} from {args.folder}; fastest of {args.repeat}\n")
    groups = ("all", *stages.FAMILIES)
    rows = []
    for name in readers:
        for part, label in ((0, name), (1, f"{name}, up to its cascade")):
            cells = [[pair[part] for pair in ratios.get((name, group), [])] for group in groups]
            rows.append([label, *(ratio_cell(cell) for cell in cells)])
    header = ["median time / zxing-cpp's"]
    for group in groups:
        count = len(ratios.get(("full", group), []))
        header.append(f"all ({count})" if group == "all" else f"{group} codes only ({count})")
    print(accuracy.table(header, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
