"""Command-line flags with ``IMGQRCODE_*`` environment-variable equivalents.

Every flag reads its default from the environment, so a container or a systemd unit
configures the tool without a wrapper script; a flag on the command line still wins.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

ENV_PREFIX = "IMGQRCODE_"


def env_name(flag: str) -> str:
    """``--max-image-bytes`` -> ``IMGQRCODE_MAX_IMAGE_BYTES``."""
    return ENV_PREFIX + flag.lstrip("-").replace("-", "_").upper()


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise argparse.ArgumentTypeError(f"not a boolean: {text!r}")


def add_option(
    parser: argparse.ArgumentParser,
    flag: str,
    *,
    default: Any,
    help: str,
    type: Callable[[str], Any] = str,
    **kwargs: Any,
) -> None:
    """Add ``flag`` whose default comes from its environment variable when that is set."""
    name = env_name(flag)
    raw = os.environ.get(name)
    value = type(raw) if raw is not None else default
    parser.add_argument(
        flag, default=value, type=type, help=f"{help} [env {name}; default {default!r}]", **kwargs
    )


def add_switch(parser: argparse.ArgumentParser, flag: str, *, help: str) -> None:
    """Add an on/off flag, off unless given or its environment variable is true."""
    name = env_name(flag)
    default = parse_bool(os.environ.get(name, ""))
    parser.add_argument(flag, action="store_true", default=default, help=f"{help} [env {name}=1]")
