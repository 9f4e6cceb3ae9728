"""The ``imgqrcode`` command: a thin shell over the reading core and the service.

Each subcommand lives in its own module and registers itself with :func:`main`'s parser.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from imgqrcode.cli import apps, scan, serve
from imgqrcode.cli.stopping import INTERRUPTED, TERMINATED, Terminated


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imgqrcode",
        description="Read QR codes and barcodes; serve a WeChat imgQrcode-compatible API.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    scan.register(commands)
    serve.register(commands)
    apps.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except KeyboardInterrupt:
        return INTERRUPTED
    except Terminated:
        return TERMINATED
    return status


if __name__ == "__main__":
    sys.exit(main())
