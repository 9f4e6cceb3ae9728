"""Placeholder: replaced by the module that implements `imgqrcode scan`."""

import argparse


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add this subcommand's parser; it sets `run` to a function returning the exit status."""
