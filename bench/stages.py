"""What each stage of the reading cascade adds, beside the plain libraries, on a labelled folder.

    python bench/stages.py FOLDER [--time-budget 1.0] [--wechat-models DIR] [--limit N]

FOLDER is the shared corpus (``../shared/corpus/zxing-cpp-samples``) or a folder written
by ``bench/synth.py``. Every image is read, from the same file bytes, by:

- ``zxing-cpp``: Pillow decodes, ``zxingcpp.read_barcodes`` with its defaults (plain
  text mode so texts compare with the labels), as :mod:`accuracy` does;
- ``wechat``: OpenCV's WeChat QR reader alone on the Pillow-decoded greyscale image,
  with its CNN models when a model directory is given or installed, else its classic
  detector (QR only, so its recall counts every label);
- ``fast``: ``imgqrcode``'s fast path only (``time_budget=0``);
- ``full``: the whole pipeline with the cascade's stages (``cascade_stages()``); with
  ``--wechat-models`` its WeChat QR stage (appended if the registry lacks it) uses those
  models; its stages' candidates are located on a second core while the fast path reads
  (``ScanOptions.parallel``);
- ``full, no helper``: the same without that helper thread, as each process of a batch
  over every core reads (OpenCV may still use its own threads, as in every mode).

Tables (markdown): per reader recall, precision, reads on code-less images and time per
image; per stage of ``full``, the labels credited to it (``Code.stage`` of the code the
pipeline kept: the earliest stage's, unless a later one gave a better box) and its time
(``ScanResult.timings``); recall per difficulty and per symbology; time on the easy
images (those whose every code plain zxing-cpp reads), as a median of per-image ratios
to zxing-cpp's with the count of images within 1.2x, over all of them and apart for
those whose codes are all 1D and all 2D, also for ``full`` up to its cascade (its time
less the cascade stages');
and where the labels carry ``corners`` (synthetic corpora), the median
corner error per family: the mean distance, in pixels, of the four corners a reader
reports from the true ones, over the labels it read. Matching is :mod:`corpus`'s rule.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import accuracy
import corpus
import numpy as np
import zxingcpp
from PIL import Image

from imgqrcode.reader import InvalidImageError, ScanOptions, image_loader, pipeline, symbology
from imgqrcode.reader.cascade import cascade_stages
from imgqrcode.reader.cascade.wechat_qr import WeChatQr, installed_models, wechat_read
from imgqrcode.reader.geometry import to_quad
from imgqrcode.reader.options import DEFAULT_MAX_PIXELS
from imgqrcode.reader.result import Code
from imgqrcode.reader.stage import Stage

READERS = ("zxing-cpp", "wechat", "fast", "full", "full, no helper")
FAMILIES = ("1D", "2D")
EASY_BOUND = 1.2
"""An easy image's time over plain zxing-cpp's that the pipeline is meant to stay within."""


@dataclass(frozen=True, slots=True)
class Output:
    """One reader's reads of one image, with their corners and the stage of each."""

    reads: list[corpus.Read]
    quads: list[np.ndarray]
    stages: list[str]
    timings: dict[str, float] = field(default_factory=dict)


Reader = Callable[[bytes], Output]


def plain_zxing(data: bytes) -> Output:
    """:func:`accuracy.plain_zxing`, keeping zxing-cpp's positions."""
    barcodes = zxingcpp.read_barcodes(
        Image.open(io.BytesIO(data)), text_mode=zxingcpp.TextMode.Plain
    )
    reads, quads = [], []
    for barcode in barcodes:
        name = symbology.type_name(barcode)
        reads.append(corpus.Read(name, symbology.data(barcode, name)))
        p = barcode.position
        corners = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
        quads.append(np.array([[c.x, c.y] for c in corners], dtype=float))
    return Output(reads, quads, ["zxing-cpp"] * len(reads))


def wechat(models: Path | None) -> Reader:
    def read(data: bytes) -> Output:
        gray = np.asarray(Image.open(io.BytesIO(data)).convert("L"))
        found = wechat_read(gray, models)
        reads = [corpus.Read(symbology.QR_CODE, text) for text, _ in found]
        return Output(reads, [quad for _, quad in found], ["wechat"] * len(found))

    return read


def ours(options: ScanOptions, stages: Sequence[Stage]) -> Reader:
    """``scan()``'s path (load, then the pipeline) with the given cascade stages."""

    def read(data: bytes) -> Output:
        try:
            view = image_loader.load(data, DEFAULT_MAX_PIXELS)
        except InvalidImageError:
            return Output([], [], [])
        codes, timings = pipeline.run(view, options, stages)
        return _output(codes, timings)

    return read


def _output(codes: Sequence[Code], timings: dict[str, float]) -> Output:
    return Output(
        [corpus.Read(code.type_name, code.data) for code in codes],
        [to_quad(code.position) for code in codes],
        [code.stage for code in codes],
        timings,
    )


def full_stages(models: Path | None) -> list[Stage]:
    """The registry's cascade, its WeChat QR stage (whatever gate wraps it) pointed at
    ``models`` if given; one is appended if the registry has none."""
    stages = cascade_stages()
    if not any(isinstance(stage, WeChatQr) for stage in stages):
        stages.append(WeChatQr())
    if models is None:
        return stages
    return [
        dataclasses.replace(stage, model_dir=models) if isinstance(stage, WeChatQr) else stage
        for stage in stages
    ]


@dataclass
class Tally:
    """One reader over the folder, beyond :class:`accuracy.Tally`'s totals."""

    totals: accuracy.Tally = field(default_factory=accuracy.Tally)
    found_by_stage: Counter[str] = field(default_factory=Counter)
    false_by_stage: Counter[str] = field(default_factory=Counter)
    stage_seconds: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    corner_errors: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    seconds_by_difficulty: defaultdict[str, list[float]] = field(
        default_factory=lambda: defaultdict(list)
    )
    seconds_by_image: dict[str, float] = field(default_factory=dict)
    cascade_seconds_by_image: dict[str, float] = field(default_factory=dict)
    """Per image, the time of the stages after the fast path."""
    complete: set[str] = field(default_factory=set)
    """Images with codes whose every label this reader read."""

    def add(
        self, sample: corpus.Sample, truth: list[np.ndarray | None], out: Output, seconds: float
    ) -> None:
        outcome = corpus.match(sample.labels, out.reads)
        self.totals.add(sample, outcome, seconds)
        self.seconds_by_difficulty[sample.difficulty].append(seconds)
        self.seconds_by_image[str(sample.image)] = seconds
        self.cascade_seconds_by_image[str(sample.image)] = sum(
            spent for name, spent in out.timings.items() if name != "fast"
        )
        if sample.labels and not outcome.missed:
            self.complete.add(str(sample.image))
        for name, spent in out.timings.items():
            self.stage_seconds[name].append(spent)
        pairs = pair(sample.labels, out.reads)
        for label_index, read_index in pairs:
            self.found_by_stage[out.stages[read_index]] += 1
            corners = truth[label_index]
            if corners is not None:
                distance = np.linalg.norm(out.quads[read_index] - corners, axis=1).mean()
                self.corner_errors[family(sample.labels[label_index])].append(float(distance))
        matched = {read_index for _, read_index in pairs}
        for index, stage in enumerate(out.stages):
            if index not in matched:
                self.false_by_stage[stage] += 1


def pair(labels: Sequence[corpus.Label], reads: Sequence[corpus.Read]) -> list[tuple[int, int]]:
    """Which read matched which label, one to one, by :func:`corpus.match`'s rule."""
    used: set[int] = set()
    pairs = []
    for label_index, label in enumerate(labels):
        for read_index, read in enumerate(reads):
            if read_index not in used and corpus.match([label], [read]).found:
                used.add(read_index)
                pairs.append((label_index, read_index))
                break
    return pairs


def truth_corners(sample: corpus.Sample) -> list[np.ndarray | None]:
    """The labels' ``corners`` from the sample's JSON, where it has them (synth)."""
    entry = json.loads(sample.image.with_suffix(".json").read_text(encoding="utf-8"))
    return [np.array(c["corners"], dtype=float) if "corners" in c else None for c in entry["codes"]]


def evaluate(
    samples: Sequence[corpus.Sample], readers: dict[str, Reader], progress: bool
) -> dict[str, Tally]:
    tallies = {name: Tally() for name in readers}
    for index, sample in enumerate(samples):
        data = sample.image.read_bytes()
        truth = truth_corners(sample)
        order = list(readers) if index % 2 == 0 else list(reversed(readers))
        for name in order:
            started = time.perf_counter()
            out = readers[name](data)
            tallies[name].add(sample, truth, out, time.perf_counter() - started)
        if progress and index % 50 == 49:
            print(f"{index + 1}/{len(samples)}", file=sys.stderr)
    return tallies


def ms(values: Sequence[float], quantile: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{1000 * ordered[int(quantile * (len(ordered) - 1))]:.1f}"


def stage_table(tally: Tally, stage_names: Sequence[str], images: int) -> str:
    labels = tally.totals.labels
    rows = []
    cumulative = 0
    for name in stage_names:
        found = tally.found_by_stage[name]
        cumulative += found
        spent = tally.stage_seconds[name]
        rows.append(
            [
                name,
                found,
                accuracy.percent(cumulative, labels),
                tally.false_by_stage[name],
                f"{len(spent)}/{images}",
                ms(spent, 0.5),
                ms(spent, 0.95),
                f"{sum(spent):.1f}",
            ]
        )
    header = [
        "stage of full",
        "labels credited",
        "cumulative recall",
        "unmatched reads",
        "images it ran on",
        "median ms",
        "p95 ms",
        "total s",
    ]
    return accuracy.table(header, rows)


def recall_table(
    title: str,
    keys: Counter[str],
    counters: Callable[[Tally], Counter[str]],
    tallies: dict[str, Tally],
) -> str:
    rows = []
    for key in sorted(keys):
        rows.append(
            [key, keys[key]]
            + [accuracy.percent(counters(t)[key], keys[key]) for t in tallies.values()]
        )
    return accuracy.table([title, "labels", *tallies], rows)


def time_table(tallies: dict[str, Tally]) -> str:
    """Median time per image and difficulty, and ``full`` over plain zxing-cpp."""
    rows = []
    for difficulty in sorted(tallies["full"].seconds_by_difficulty):
        spent = [t.seconds_by_difficulty[difficulty] for t in tallies.values()]
        ratio = statistics.median(tallies["full"].seconds_by_difficulty[difficulty]) / max(
            statistics.median(tallies["zxing-cpp"].seconds_by_difficulty[difficulty]), 1e-9
        )
        rows.append([difficulty, len(spent[0]), *(ms(s, 0.5) for s in spent), f"{ratio:.2f}x"])
    header = ["median ms per image", "images", *tallies, "full / zxing-cpp"]
    return accuracy.table(header, rows)


def easy_table(tallies: dict[str, Tally], families: dict[str, str]) -> str:
    """Time on the easy images, those whose every code plain zxing-cpp reads: what the
    cascade costs where it finds nothing to add (it is meant to stay within 1.2x). Also
    apart for the images whose codes are all 1D and all 2D (``families``, by image): a
    linear code's box costs the same whatever the image, so small images of 1D codes
    pay for it most."""
    easy = sorted(tallies["zxing-cpp"].complete)
    if not easy:
        return "no image with codes that zxing-cpp reads completely"
    plain = tallies["zxing-cpp"].seconds_by_image
    groups = {kind: [image for image in easy if families[image] == kind] for kind in FAMILIES}

    def ratio(seconds: dict[str, float], images: list[str]) -> str:
        if not images:
            return "-"
        ratios = [seconds[image] / max(plain[image], 1e-9) for image in images]
        within = sum(r <= EASY_BOUND for r in ratios)
        return f"{statistics.median(ratios):.2f}x ({within} within {EASY_BOUND}x)"

    def row(name: str, seconds: dict[str, float]) -> list[str]:
        by_family = [ratio(seconds, images) for images in groups.values()]
        return [name, ms([seconds[image] for image in easy], 0.5), ratio(seconds, easy), *by_family]

    rows = [row(name, tally.seconds_by_image) for name, tally in tallies.items()]
    if "full" in tallies:
        # Loading and the fast path as the pipeline runs them (zxing-cpp's inverted pass
        # only where the first read nothing), where ``fast`` alone runs both passes.
        full = tallies["full"]
        before = {
            image: seconds - full.cascade_seconds_by_image[image]
            for image, seconds in full.seconds_by_image.items()
        }
        rows.append(row("full, up to its cascade", before))
    header = [
        f"easy images ({len(easy)})",
        "median ms",
        "median time / zxing-cpp's",
        *(f"{kind} codes only ({len(images)})" for kind, images in groups.items()),
    ]
    return accuracy.table(header, rows)


def family(label: corpus.Label) -> str:
    """``1D`` for a linear symbol (EAN/UPC with its add-on included), else ``2D``."""
    linear = label.type_name in symbology.LINEAR_TYPE_NAMES | {corpus.ADD_ON}
    return "1D" if linear else "2D"


def image_family(labels: Sequence[corpus.Label]) -> str:
    """The :func:`family` of an image's codes, ``mixed`` where they differ."""
    families = {family(label) for label in labels}
    return families.pop() if len(families) == 1 else "mixed"


def corner_table(tallies: dict[str, Tally]) -> str:
    rows = []
    for family in FAMILIES:
        row: list[object] = [family]
        for tally in tallies.values():
            errors = tally.corner_errors[family]
            row.append(f"{statistics.median(errors):.1f} ({len(errors)})" if errors else "-")
        rows.append(row)
    return accuracy.table(["median corner error px (codes)", *tallies], rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--time-budget", type=float, default=ScanOptions().time_budget)
    parser.add_argument("--wechat-models", type=Path, help="directory of WeChat's four model files")
    parser.add_argument("--limit", type=int, default=0, help="only the first N images")
    parser.add_argument(
        "--show-misses", action="store_true", help="list the images where full missed a label"
    )
    parser.add_argument(
        "--difficulty", action="append", default=[], help="only folders with this prefix"
    )
    args = parser.parse_args(argv)

    samples = [
        s
        for s in corpus.load(args.folder)
        if not args.difficulty or s.difficulty.startswith(tuple(args.difficulty))
    ]
    samples = samples[: args.limit] if args.limit else samples
    if not samples:
        parser.error(f"no labelled images in {args.folder}")
    models = args.wechat_models or installed_models()
    stages = full_stages(args.wechat_models)
    readers: dict[str, Reader] = {
        "zxing-cpp": plain_zxing,
        "wechat": wechat(models),
        "fast": ours(ScanOptions(time_budget=0), []),
        "full": ours(ScanOptions(time_budget=args.time_budget), stages),
        "full, no helper": ours(ScanOptions(time_budget=args.time_budget, parallel=False), stages),
    }
    tallies = evaluate(samples, readers, sys.stderr.isatty())

    print(
        f"{len(samples)} images from {args.folder}; time budget {args.time_budget} s; "
        f"WeChat {'CNN models' if models else 'classic detector (no models)'}\n"
    )
    print(accuracy.summary({name: t.totals for name, t in tallies.items()}), end="\n\n")
    stage_names = ["fast", *(s.name for s in stages)]
    print(stage_table(tallies["full"], stage_names, len(samples)), end="\n\n")
    by_difficulty = Counter()
    for sample in samples:
        by_difficulty[sample.difficulty] += len(sample.labels)
    print(
        recall_table("difficulty", by_difficulty, lambda t: t.totals.found_by_folder, tallies),
        end="\n\n",
    )
    print(time_table(tallies), end="\n\n")
    families = {str(sample.image): image_family(sample.labels) for sample in samples}
    print(easy_table(tallies, families), end="\n\n")
    by_symbology = Counter(label.type_name for s in samples for label in s.labels)
    print(
        recall_table("symbology", by_symbology, lambda t: t.totals.found_by_symbology, tallies),
        end="\n\n",
    )
    if any(t.corner_errors for t in tallies.values()):
        print(corner_table(tallies))
    if args.show_misses:
        print(f"\nfull missed a label in: {' '.join(tallies['full'].totals.missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
