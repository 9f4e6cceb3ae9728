"""Accuracy and time of ``imgqrcode.scan`` on a labelled folder, beside plain zxing-cpp.

    python bench/accuracy.py ../shared/corpus/zxing-cpp-samples [--time-budget 0]

Both readers get the same file bytes in the same run, one image after the other
(alternating which goes first). The plain path is what a user of the libraries would
write: Pillow decodes, ``zxingcpp.read_barcodes`` reads with its defaults, except
``text_mode=TextMode.Plain`` so that its text compares with the labels (the text mode
changes only how the content is printed, not what is found). Prints markdown tables:
recall and precision overall, per folder (``difficulty``) and per symbology, false
positives on images without a code, and time per image. The matching rule is
:mod:`corpus`'s.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import corpus
import zxingcpp
from PIL import Image

from imgqrcode.reader import InvalidImageError, ScanOptions, scan, symbology

READERS = ("zxing-cpp", "imgqrcode")


def plain_zxing(data: bytes) -> list[corpus.Read]:
    """Pillow + zxing-cpp with its defaults: the baseline."""
    image = Image.open(io.BytesIO(data))
    reads = []
    for barcode in zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain):
        name = symbology.type_name(barcode)
        reads.append(corpus.Read(name, symbology.data(barcode, name)))
    return reads


def ours(options: ScanOptions) -> Callable[[bytes], list[corpus.Read]]:
    def read(data: bytes) -> list[corpus.Read]:
        try:
            result = scan(data, options)
        except InvalidImageError:
            return []
        return [corpus.Read(code.type_name, code.data) for code in result.codes]

    return read


@dataclass
class Tally:
    """What one reader did over the folder."""

    labels: int = 0
    found: int = 0
    reads: int = 0
    false_positives: int = 0
    empty_image_reads: int = 0
    seconds: list[float] = field(default_factory=list)
    found_by_folder: Counter[str] = field(default_factory=Counter)
    false_by_folder: Counter[str] = field(default_factory=Counter)
    found_by_symbology: Counter[str] = field(default_factory=Counter)
    missed: list[str] = field(default_factory=list)

    def add(self, sample: corpus.Sample, outcome: corpus.Match, seconds: float) -> None:
        self.labels += len(sample.labels)
        self.found += len(outcome.found)
        self.reads += len(outcome.found) + len(outcome.false_positives)
        self.false_positives += len(outcome.false_positives)
        if not sample.labels:
            self.empty_image_reads += len(outcome.false_positives)
        self.seconds.append(seconds)
        self.found_by_folder[sample.difficulty] += len(outcome.found)
        self.false_by_folder[sample.difficulty] += len(outcome.false_positives)
        self.found_by_symbology.update(label.type_name for label in outcome.found)
        if outcome.missed:
            self.missed.append(sample.image.name)


def evaluate(
    samples: Sequence[corpus.Sample], options: ScanOptions, repeat: int, progress: bool
) -> dict[str, Tally]:
    """Run both readers on every image, ``repeat`` times each, interleaved.

    The time that counts is an image's fastest run: other processes on a shared machine
    only ever add time, so the minimum is the least noisy estimate of a reader's cost.
    The first image is read once by both before timing starts (imports, first calls).
    """
    readers = {READERS[0]: plain_zxing, READERS[1]: ours(options)}
    tallies = {name: Tally() for name in readers}
    warm_up = samples[0].image.read_bytes()
    for reader in readers.values():
        reader(warm_up)
    for index, sample in enumerate(samples):
        data = sample.image.read_bytes()
        order = list(readers) if index % 2 == 0 else list(reversed(readers))
        best = dict.fromkeys(readers, float("inf"))
        reads: dict[str, list[corpus.Read]] = {}
        for _ in range(repeat):
            for name in order:
                started = time.perf_counter()
                reads[name] = readers[name](data)
                best[name] = min(best[name], time.perf_counter() - started)
        for name in readers:
            tallies[name].add(sample, corpus.match(sample.labels, reads[name]), best[name])
        if progress and index % 50 == 49:
            print(f"{index + 1}/{len(samples)}", file=sys.stderr)
    return tallies


def percent(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "-"


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def summary(tallies: dict[str, Tally]) -> str:
    rows = []
    for name, tally in tallies.items():
        ms = sorted(1000 * s for s in tally.seconds)
        rows.append(
            [
                name,
                tally.labels,
                tally.found,
                percent(tally.found, tally.labels),
                tally.false_positives,
                percent(tally.found, tally.reads),
                tally.empty_image_reads,
                f"{statistics.median(ms):.1f}",
                f"{ms[int(0.95 * (len(ms) - 1))]:.1f}",
                f"{sum(ms) / 1000:.2f}",
            ]
        )
    header = [
        "reader",
        "labels",
        "found",
        "recall",
        "unmatched reads",
        "precision",
        "reads on code-less images",
        "median ms",
        "p95 ms",
        "total s",
    ]
    return table(header, rows)


def ratios(tallies: dict[str, Tally]) -> str:
    plain, own = (tallies[name].seconds for name in READERS)
    rows = [
        ["median per image", f"{statistics.median(own) / statistics.median(plain):.2f}x"],
        ["mean per image", f"{statistics.fmean(own) / statistics.fmean(plain):.2f}x"],
        ["total", f"{sum(own) / sum(plain):.2f}x"],
    ]
    return table(["imgqrcode time / zxing-cpp time", "ratio"], rows)


def breakdown(
    title: str,
    keys: dict[str, int],
    counters: Callable[[Tally], Counter[str]],
    tallies: dict[str, Tally],
) -> str:
    rows = []
    for key in sorted(keys):
        row: list[object] = [key, keys[key]]
        for name in READERS:
            hits = counters(tallies[name])[key]
            row += [hits, percent(hits, keys[key])]
        rows.append(row)
    header = [title, "labels"] + [f"{n} {what}" for n in READERS for what in ("found", "recall")]
    return table(header, rows)


def folder_table(samples: Sequence[corpus.Sample], tallies: dict[str, Tally]) -> str:
    labels: Counter[str] = Counter()
    images: Counter[str] = Counter()
    for sample in samples:
        labels[sample.difficulty] += len(sample.labels)
        images[sample.difficulty] += 1
    rows = []
    for folder in sorted(images):
        row: list[object] = [folder, images[folder], labels[folder]]
        for name in READERS:
            tally = tallies[name]
            row += [
                percent(tally.found_by_folder[folder], labels[folder]),
                tally.false_by_folder[folder],
            ]
        rows.append(row)
    header = ["folder", "images", "labels"] + [
        f"{n} {what}" for n in READERS for what in ("recall", "unmatched reads")
    ]
    return table(header, rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="labelled folder (JSON per image)")
    parser.add_argument(
        "--time-budget",
        type=float,
        default=ScanOptions().time_budget,
        help="seconds for the cascade after the fast path (0: fast path only)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per image and reader; the median time counts"
    )
    parser.add_argument(
        "--difficulty",
        action="append",
        default=[],
        help="only folders starting with this prefix (repeatable)",
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N images")
    parser.add_argument(
        "--show-misses", action="store_true", help="list the images where a label was missed"
    )
    args = parser.parse_args(argv)

    samples = [
        s
        for s in corpus.load(args.folder)
        if not args.difficulty or s.difficulty.startswith(tuple(args.difficulty))
    ]
    if args.limit:
        samples = samples[: args.limit]
    if not samples:
        parser.error(f"no labelled images in {args.folder}")
    options = ScanOptions(time_budget=args.time_budget)
    tallies = evaluate(samples, options, args.repeat, sys.stderr.isatty())

    symbol_labels = Counter(label.type_name for s in samples for label in s.labels)
    print(f"{len(samples)} images from {args.folder}, time budget {args.time_budget} s\n")
    print(summary(tallies), end="\n\n")
    print(ratios(tallies), end="\n\n")
    print(folder_table(samples, tallies), end="\n\n")
    print(breakdown("symbology", symbol_labels, lambda t: t.found_by_symbology, tallies))
    if args.show_misses:
        for name in READERS:
            print(f"\n{name} missed a label in: {' '.join(tallies[name].missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
