"""Command line: ``python -m revitalize build | check | sources | score | progress | candidates | layers |
portfolio | export``."""

from __future__ import annotations

import argparse
import sys

from revitalize.app.cli import export, layers, portfolio, reference, score, workflow
from revitalize.core.errors import RevitalizeError

COMMAND_GROUPS = (reference, score, workflow, layers, portfolio, export)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m revitalize", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for group in COMMAND_GROUPS:
        group.register(sub)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except RevitalizeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
