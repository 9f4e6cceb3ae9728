"""Command-line flags with ``IMGQRCODE_*`` environment-variable equivalents.

Every flag reads its default from the environment, so a container or a systemd unit
configures the tool without a wrapper script; a flag on the command line still wins.
A variable's text is handed to argparse as the flag's default, which argparse converts
only when it parses that subcommand and the flag is not given: a bad value is then a
usage error of the command that reads it, like the same value given as the flag.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable
from typing import Any, TypeVar

ENV_PREFIX = "IMGQRCODE_"

Number = TypeVar("Number", int, float)


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


def count(text: str) -> int:
    """A whole number, 0 or more (what 0 means is the flag's: none, or as many as cores)."""
    return _at_least(_whole(text), 0)


def positive(text: str) -> int:
    """A whole number, 1 or more."""
    return _at_least(_whole(text), 1)


def seconds(text: str) -> float:
    """A duration, 0 or more; ``inf`` for no limit. Not NaN, which compares false with
    every deadline and would make it none."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if math.isnan(value):
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}")
    return _at_least(value, 0)


def positive_seconds(text: str) -> float:
    """A duration longer than 0 (a timeout: at 0 nothing could be done in time)."""
    value = seconds(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def port(text: str) -> int:
    """A TCP port, 0 to 65535 (0: one the system picks)."""
    value = count(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"not a port: {value}")
    return value


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None


def _at_least(value: Number, least: int) -> Number:
    if value < least:
        raise argparse.ArgumentTypeError(f"must be {least} or more, not {value}")
    return value


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
    parser.add_argument(
        flag,
        default=os.environ.get(name, default),
        type=type,
        help=f"{help} [env {name}; default {default!r}]",
        **kwargs,
    )


def add_switch(parser: argparse.ArgumentParser, flag: str, *, help: str) -> None:
    """Add an on/off flag, off unless given or its environment variable is true."""
    name = env_name(flag)
    parser.add_argument(
        flag,
        action=_Switch,
        type=parse_bool,
        default=os.environ.get(name, ""),
        help=f"{help} [env {name}=1]",
    )


class _Switch(argparse.Action):
    """``store_true`` whose default is text for argparse to convert (``type``), as
    ``store_true`` converts none."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, True)
