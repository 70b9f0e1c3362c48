"""``n11-desktop sandbox ...``: delegates to the sandbox's own command line."""

from __future__ import annotations

import argparse

from ..i18n import translate


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("sandbox", help=translate("cli", "run the local N11 sandbox (see `sandbox --help`)"), add_help=False)
    p.add_argument("sandbox_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_sandbox, needs_db=False)


def cmd_sandbox(args, ctx) -> int:
    from ..sandbox.cli import main

    return int(main(list(args.sandbox_args)) or 0)
