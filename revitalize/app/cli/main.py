"""Command line: ``python -m revitalize [--debug] build | check | sources | score | progress | candidates |
layers | portfolio | export | effect | api``.

Every error ends the command with exit status 2 and one message in the user's language (the command's
``--lang``, else ``REVITALIZE_LANG``): what happened, which file, what to do. Storage failures (DuckDB,
PostgreSQL, the operating system) are translated by ``data.failures``; ``--debug`` adds the traceback.
"""

from __future__ import annotations

import argparse
import sys
import traceback

from revitalize.app.cli import api, contributions, effect, export, layers, portfolio, reference, score, workflow
from revitalize.core import i18n, settings
from revitalize.core.errors import ConfigError, RevitalizeError
from revitalize.data import failures

COMMAND_GROUPS = (reference, score, workflow, layers, portfolio, export, effect)
COMMAND_GROUPS += (api,)
COMMAND_GROUPS += (contributions,)
EXIT_ERROR = 2


def _lang(args: argparse.Namespace, argv: list[str]) -> str:
    """The command's ``--lang`` when given, else ``REVITALIZE_LANG`` (default ja)."""
    lang = getattr(args, "lang", None)
    if lang in i18n.LANGS and any(a == "--lang" or a.startswith("--lang=") for a in argv):
        return lang
    try:
        return settings.cli_lang()
    except ConfigError:
        return "ja"


def error_message(exc: BaseException, lang: str) -> str:
    """What the command line prints for ``exc``: the project error's text in ``lang``, or for a bug its
    type and first line (never a traceback, an internal path or a PID)."""
    err = exc if isinstance(exc, RevitalizeError) else failures.classify(exc)
    if err is not None:
        return i18n.error_text(err, lang)
    first = failures.redact(str(exc).strip().splitlines()[0]) if str(exc).strip() else ""
    return i18n.t("fail.internal", lang, what=f"{type(exc).__name__}: {first}".rstrip(": "))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m revitalize", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--debug", action="store_true", help="on an error, also print the traceback")
    sub = parser.add_subparsers(dest="command", required=True)
    for group in COMMAND_GROUPS:
        group.register(sub)
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except Exception as exc:  # the boundary: every error becomes one message and exit status 2
        print(f"error: {error_message(exc, _lang(args, argv))}", file=sys.stderr)
        if args.debug:
            traceback.print_exception(exc, file=sys.stderr)
        return EXIT_ERROR
