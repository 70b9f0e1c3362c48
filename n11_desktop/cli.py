"""Command line entry point ``n11-desktop`` (DESIGN §9).

Exit codes: 0 done; 1 invalid input or a flow run that failed as a whole; 2 usage errors
and an unusable database file. Errors are one clear line, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from . import __version__
from .i18n import fill, translate

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_BROKEN_PIPE = 141  #: 128 + SIGPIPE, what a shell reports for a tool whose reader went away


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        raise UsageError(fill(translate("cli", "%1: error: %2 (see --help)"), self.prog, message))


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a readable fixed-width table."""
    cells = [[str(c) for c in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, r in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def db_arg(value: str) -> Path | str:
    """``--db``: an SQLite file path (a Path) or a database URL such as
    ``postgresql+psycopg://user:password@host/dbname`` (kept as a str)."""
    return value if _URL_RE.match(value) else Path(value)


def db_help() -> str:
    return translate("cli", "database: an SQLite file (default: the user data directory) or a PostgreSQL URL "
                            "postgresql+psycopg://user:password@host:port/dbname[?options=-csearch_path%%3Dschema]")


@dataclass
class CliContext:
    db_path: Path | str | None  #: an SQLite file, or a database URL (str)
    demo: bool = False
    store: str | None = None  # --store NAME (core.stores); None: the default store
    _db: object = None
    _tmp: tempfile.TemporaryDirectory | None = field(default=None, repr=False)

    def resolved_db_path(self) -> Path | str:
        """The SQLite file to use, or the database URL given with ``--db``."""
        if self.db_path is not None:
            return self.db_path
        if self.demo:
            self._tmp = self._tmp or tempfile.TemporaryDirectory(prefix="n11-desktop-demo-")
            return Path(self._tmp.name) / "demo.db"
        from .core.stores import default_target, resolve

        return resolve(self.store).target() if self.store else default_target()

    def store_entry(self):
        """The registry entry of the store this command works on (None with --db or --demo)."""
        if self.db_path is not None or self.demo:
            return None
        from .core.stores import Registry, resolve

        reg = Registry.load()
        return resolve(self.store, reg) if self.store or reg.default_store() else None

    def db_exists(self) -> bool:
        target = self.resolved_db_path()
        return self._db is not None or isinstance(target, str) or target.exists()

    def db(self):
        if self._db is None:
            from .core.storage.db import open_database

            self._db = open_database(self.resolved_db_path())
        return self._db

    def err(self, text: str, end: str = "\n") -> None:
        """One line on stderr: control characters from the input escaped, at most 1000 characters
        (a leading CR, for progress that overwrites itself, is kept)."""
        from .core.inputs import one_line

        lead = "\r" if text.startswith("\r") else ""
        print(lead + one_line(text[len(lead):], 1000), file=sys.stderr, end=end, flush=True)

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
        if self._tmp is not None:
            self._tmp.cleanup()


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=db_arg, default=argparse.SUPPRESS, metavar="PATH|URL", help=db_help())
    common.add_argument("--store", default=argparse.SUPPRESS, metavar="NAME",
                        help=translate("cli", "work on this store (see `n11-desktop stores list`)"))
    parser = _Parser(
        prog="n11-desktop",
        description=translate("cli", "Run the N11 marketplace integration from this workstation. "
                                     "Without a sub-command the desktop app starts."),
    )
    parser.add_argument("--version", action="version", version=f"n11-desktop {__version__}",
                        help=translate("cli", "show the version and exit"))
    parser.add_argument("--db", type=db_arg, metavar="PATH|URL", help=db_help())
    parser.add_argument("--store", metavar="NAME",
                        help=translate("cli", "work on this store (`n11-desktop stores list`; default: the default store)"))
    parser.add_argument("--demo", action="store_true",
                        help=translate("cli", "throwaway profile against the built-in N11 sandbox (demo credentials)"))
    parser.add_argument("--screenshot", type=Path, metavar="DIR",
                        help=translate("cli", "render every tab to DIR/<tab>.png and exit"))
    parser.add_argument("--lang", choices=LANG_CHOICES, default=None,
                        help=translate("cli", "language of the desktop app and the commands (default: the "
                                              "Preferences choice, else Turkish on a Turkish system, English otherwise)"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    from .commands import COMMAND_MODULES

    for _name, module, _help in COMMAND_MODULES:
        importlib.import_module(module).add_parser(sub, common)
    return parser


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot raise BrokenPipeError again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except OSError:  # pragma: no cover - nothing more to do
        pass


def main(argv: Sequence[str] | None = None) -> int:
    from . import i18n
    from .core import formats

    before = formats.language(), list(i18n._headless)
    try:
        return _main(argv)
    except BrokenPipeError:
        # the reader went away (``settings show | head``): stop quietly, as a Unix tool does
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    finally:  # called in-process (tests, the bench): leave the language as it was
        formats.set_language(before[0])
        i18n._headless[:] = before[1]


LANG_CHOICES = ("tr", "en")


def _lang_option(argv: Sequence[str]) -> str | None:
    """``--lang X`` / ``--lang=X`` before the sub-command (read ahead: the help texts are built in it)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else arg.partition("=")[2] \
            if arg.startswith("--lang=") else None
        if value in LANG_CHOICES:
            return value
    return None


def set_language(argv: Sequence[str]) -> str:
    """The command line speaks the GUI's language: ``--lang``, else the Preferences choice, else the
    system locale (``formats.choose_language``); argparse's own words too."""
    from . import i18n
    from .core.formats import choose_language
    from .i18n import argparse_texts

    lang = choose_language(_lang_option(argv))
    i18n.use_language(lang)
    argparse_texts.install()
    return lang


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["sandbox"]:  # the sandbox has its own parser and --help
        from .sandbox.cli import main as sandbox_main

        return int(sandbox_main(argv[1:]) or 0)
    set_language(argv)
    try:
        parser = build_parser()
        if any("\x00" in a for a in argv):  # in-process callers only (a shell cannot pass one); PostgreSQL
            parser.error(translate("cli", "an argument contains a NUL byte"))  # refuses it in any query
        args = parser.parse_args(argv)
    except UsageError as exc:
        from .core.inputs import one_line

        print(one_line(str(exc), 400), file=sys.stderr)
        return EXIT_USAGE
    if args.db is not None and getattr(args, "store", None):
        print("n11-desktop: " + translate("cli", "give either --db or --store, not both"), file=sys.stderr)
        return EXIT_USAGE
    if args.demo and getattr(args, "store", None):
        print("n11-desktop: " + translate("cli", "--demo opens a throwaway profile; leave out --store (a demo store: "
                                          "`stores add NAME --demo`)"), file=sys.stderr)
        return EXIT_USAGE
    ctx = CliContext(db_path=args.db, demo=args.demo, store=getattr(args, "store", None))
    try:
        if args.command is None:
            from .gui import run_gui

            return run_gui(args, ctx)
        return int(args.func(args, ctx) or 0)
    except KeyboardInterrupt:
        ctx.err("n11-desktop: " + translate("cli", "interrupted"))
        return 130
    except BrokenPipeError:
        raise  # handled in main()
    except Exception as exc:  # noqa: BLE001 - one clear line, never a traceback
        from .core.inputs import InputError, one_line
        from .core.storage.db import DatabaseError
        from .i18n.core_texts import core_message

        if isinstance(exc, DatabaseError):
            ctx.err(f"n11-desktop: {one_line(core_message(str(exc)))}")
            return EXIT_USAGE
        if isinstance(exc, InputError):
            ctx.err(f"n11-desktop: {core_message(str(exc))}")
            return EXIT_FAILED
        if os.environ.get("N11_DESKTOP_DEBUG"):
            raise
        ctx.err("n11-desktop: " + fill(translate("cli", "unexpected error: %1: %2 (set N11_DESKTOP_DEBUG=1 for details)"),
                                       type(exc).__name__, one_line(str(exc), 300)))
        return EXIT_FAILED
    finally:
        ctx.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
