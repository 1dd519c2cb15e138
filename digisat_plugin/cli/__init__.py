"""Command line: `python -m digisat_plugin COMMAND ...`.

Each command lives in its own module with `register(subparsers)`, which adds a parser whose
`func(args)` does the work. Errors meant for the user (DigisatError) print as one line on
stderr and exit with status 2; a cancel (Ctrl-C) exits with 130 and leaves no partial output.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

COMMAND_MODULES = ("superresolve", "train", "export_onnx", "evaluate", "catalog", "batch", "series", "mask")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m digisat_plugin",
        description="digisat: Sentinel-2 super-resolution to 10 m for every band.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv=None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter off the terminal
    from ..core.errors import Cancelled, DigisatError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except Cancelled as exc:
        print(f"digisat: {exc}", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("digisat: interrupted; no partial output was left", file=sys.stderr)
        return 130
    except DigisatError as exc:
        print(f"digisat: error: {exc}", file=sys.stderr)
        return 2
