"""``imgqrcode scan``: read the codes in image files, folders or standard input.

Images are read in parallel by a pool of processes (one per core by default), and the
output keeps the order of the input: arguments in the order given, a folder's files
sorted by path. Output goes to standard output; progress and problems to standard error.
The output is UTF-8 whatever the locale; a file name that is not (bytes from another
system's encoding) keeps its bytes as JSON escapes of Python's ``surrogateescape``
(``"caf\\udce9.png"``), which ``json.loads`` then ``os.fsencode`` turn back into them.
A folder that cannot be listed is an input that cannot be read, as a file would be.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from imgqrcode.cli.environment import add_option, add_switch, count, positive, seconds
from imgqrcode.cli.stopping import leave_stopping_to_the_parent, terminated_as_exception
from imgqrcode.reader import InvalidImageError, ScanOptions, scan, symbology
from imgqrcode.reader.options import DEFAULT_MAX_PIXELS, DEFAULT_TIME_BUDGET
from imgqrcode.reader.preparation import usable_cores

FOUND, NONE_FOUND, ERROR = 0, 1, 2
"""Exit statuses: some code was found; every image was read and held none; an input
could not be read (missing, not an image, too large) or the command line was wrong."""

IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".bmp", ".dib", ".webp", ".tif", ".tiff"}
)
"""What a folder is searched for; a file named on the command line is read whatever its name."""

PROGRESS_THRESHOLD = 20
"""A progress bar appears, on a terminal, from this many images on."""

STDIN = "-"

EPILOG = f"""\
output: one JSON object per image and line: {{"path": ..., "errcode": 0, "errmsg": "ok",
"code_results": [...], "img_size": {{...}}}} (the imgQrcode API's success body), or
{{"path": ..., "error": "..."}} for an input that cannot be read; with --text, one line
per code instead (the data, line breaks escaped; "PATH: " before it when several images
are read). Lines come in input order: arguments as given, folders sorted by path.

exit status: {FOUND} at least one code found; {NONE_FOUND} no code in any image;
{ERROR} an input could not be read (even if codes were found in others) or a usage error."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "scan",
        help="read the codes in images",
        description="Read QR codes and barcodes in image files, folders (recursively) "
        "or standard input (-).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="image file, folder or -")
    add_switch(parser, "--text", help="print one line per code instead of JSON")
    add_switch(parser, "--detail", help="add raw bytes, EC level and timings to the JSON")
    add_option(
        parser, "--jobs", type=count, default=0, help="parallel processes (0: each usable core)"
    )
    add_option(
        parser,
        "--formats",
        default="",
        help="comma-separated type_names to read, e.g. QR_CODE,EAN_13 (empty: all)",
    )
    add_option(
        parser,
        "--time-budget",
        type=seconds,
        default=DEFAULT_TIME_BUDGET,
        help="seconds per image for the hard-image stages after the fast path (0: fast only)",
    )
    add_option(
        parser,
        "--max-pixels",
        type=positive,
        default=DEFAULT_MAX_PIXELS,
        help="refuse images with more pixels than this (checked before decoding)",
    )
    parser.set_defaults(run=run)


@dataclass(frozen=True, slots=True)
class Unlisted:
    """A folder that could not be listed, and why: an input that cannot be read."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one input: its output record and how many codes it held."""

    record: dict[str, Any]
    codes: int
    failed: bool


def run(args: argparse.Namespace) -> int:
    try:
        options = ScanOptions(
            formats=symbology.parse_type_names(args.formats.split(",")) or None,
            time_budget=args.time_budget,
            max_pixels=args.max_pixels,
        )
    except symbology.UnknownSymbologyError as error:
        print(f"imgqrcode scan: {error}", file=sys.stderr)
        return ERROR
    inputs = list(_expand(args.paths))
    if not inputs:
        print("imgqrcode scan: no image found", file=sys.stderr)
        return NONE_FOUND
    jobs = min(args.jobs or usable_cores(), len(inputs))
    # A scan's second core (``ScanOptions.parallel``: its helper thread, or its split
    # read) is one the other processes would read with; one image at a time, it has that
    # core to itself.
    options = dataclasses.replace(options, parallel=jobs == 1)
    worker = partial(_read_one, options=options, detail=args.detail)
    outcomes = _progress(_map(worker, inputs, jobs), len(inputs))
    if isinstance(sys.stdout, io.TextIOWrapper):
        # Lone surrogates (undecodable file names) come out as the JSON escapes they are.
        sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")
    try:
        return _report(outcomes, args.text, len(inputs) > 1, sys.stdout)
    except BrokenPipeError:
        # The reader went away (``| head``): nobody is left to tell. Standard output is
        # pointed at nothing, so that flushing it at exit raises no second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ERROR


def _expand(paths: Iterable[str]) -> Iterator[str | bytes | Unlisted]:
    """Each input as a path to read, or the bytes of standard input."""
    for name in paths:
        if name == STDIN:
            yield sys.stdin.buffer.read()
        elif Path(name).is_dir():
            yield from sorted(_images_under(name), key=_path_of)
        else:
            yield name


def _images_under(folder: str) -> Iterator[str | Unlisted]:
    """The image files in ``folder`` and its subfolders (symbolic links to folders not
    followed, as they may loop), and each subfolder that cannot be listed."""
    unlisted: list[Unlisted] = []
    for directory, _, files in os.walk(
        folder, onerror=lambda error: unlisted.append(Unlisted(error.filename, error.strerror))
    ):
        for file in files:
            path = os.path.join(directory, file)
            if Path(file).suffix.lower() in IMAGE_EXTENSIONS and os.path.isfile(path):
                yield path
    yield from unlisted


def _path_of(source: str | Unlisted) -> str:
    return source.path if isinstance(source, Unlisted) else source


def _map(
    worker: partial[Outcome], inputs: list[str | bytes | Unlisted], jobs: int
) -> Iterator[Outcome]:
    if jobs == 1:
        yield from map(worker, inputs)
        return
    pool = ProcessPoolExecutor(
        max_workers=jobs, initializer=leave_stopping_to_the_parent, initargs=(os.getpid(),)
    )
    try:
        with terminated_as_exception():
            yield from pool.map(worker, inputs, chunksize=4)
    finally:
        # Left early (the reader went away, an interrupt, SIGTERM), the images not yet
        # started are dropped rather than read for nobody, and the workers end.
        pool.shutdown(cancel_futures=True)


def _read_one(source: str | bytes | Unlisted, *, options: ScanOptions, detail: bool) -> Outcome:
    if isinstance(source, Unlisted):
        record = {"path": source.path, "error": f"cannot list folder: {source.reason}"}
        return Outcome(record, 0, failed=True)
    path = STDIN if isinstance(source, bytes) else source
    try:
        result = scan(source, options)
    except InvalidImageError as error:
        return Outcome({"path": path, "error": str(error)}, 0, failed=True)
    return Outcome({"path": path, **result.to_contract(detail)}, len(result.codes), failed=False)


def _progress(outcomes: Iterator[Outcome], total: int) -> Iterator[Outcome]:
    if total < PROGRESS_THRESHOLD or not sys.stderr.isatty():
        return outcomes
    from tqdm import tqdm

    return iter(tqdm(outcomes, total=total, unit="image", file=sys.stderr))


def _report(outcomes: Iterable[Outcome], text: bool, with_path: bool, out: TextIO) -> int:
    found = failed = False
    for outcome in outcomes:
        found = found or outcome.codes > 0
        failed = failed or outcome.failed
        if not text:
            print(json.dumps(outcome.record, ensure_ascii=False), file=out, flush=True)
        elif outcome.failed:
            _problem(f"{outcome.record['path']}: {outcome.record['error']}")
        else:
            for line in _text_lines(outcome.record, with_path):
                print(line, file=out, flush=True)
    if failed:
        return ERROR
    return FOUND if found else NONE_FOUND


def _problem(message: str) -> None:
    """``message`` on standard error, on a line of its own above any progress bar."""
    from tqdm import tqdm

    tqdm.write(message, file=sys.stderr)


def _text_lines(record: dict[str, Any], with_path: bool) -> Sequence[str]:
    prefix = f"{record['path']}: " if with_path else ""
    return [
        prefix + code["data"].replace("\r", "\\r").replace("\n", "\\n")
        for code in record["code_results"]
    ]
