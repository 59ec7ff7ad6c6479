"""Options several commands share, declared once."""

from __future__ import annotations

import argparse

from revitalize.analysis import scoring, weightsets


def add_lang(p: argparse.ArgumentParser, *, what: str = "text") -> None:
    p.add_argument("--lang", choices=["ja", "en"], default="ja", help=f"language of the {what} (default: ja)")


def add_weights(p: argparse.ArgumentParser) -> None:
    p.add_argument("--weights", help="TOML file with a [weights] table (indicator = weight; default: the defaults)")


def weights(args: argparse.Namespace) -> scoring.Weights:
    """The weights the ``--weights`` option names (the default weights without it)."""
    return weightsets.from_file(args.weights) if args.weights else scoring.Weights()
