"""The command line of a child process that runs one of our modules (no Qt).

From source, a child is ``python -m MODULE ARGS``. In the desktop build (PyInstaller,
``sys.frozen``) there is no interpreter to pass ``-m`` to: ``sys.executable`` is the app itself,
so the child is ``n11-desktop --run-module MODULE ARGS`` and the build's entry script
(``packaging/entry.py``) runs the module. Children are always new processes (``subprocess``),
never ``fork``, so the same code runs on Windows.
"""

from __future__ import annotations

import runpy
import sys

RUN_MODULE_FLAG = "--run-module"
ALLOWED_PREFIX = "n11_desktop."


def module_command(module: str, *args: str) -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, RUN_MODULE_FLAG, module, *args]
    return [sys.executable, "-m", module, *args]


def run_module_from_argv(argv: list[str]) -> bool:
    """In the frozen app: ``argv[1:3] == ['--run-module', MODULE]`` runs MODULE as ``__main__``
    with the rest of argv and returns True (the caller exits). Only our own modules run."""
    if len(argv) < 3 or argv[1] != RUN_MODULE_FLAG:
        return False
    module = argv[2]
    if not module.startswith(ALLOWED_PREFIX):
        raise SystemExit(f"n11-desktop: {RUN_MODULE_FLAG} runs only n11_desktop modules, not {module!r}")
    sys.argv = [argv[0], *argv[3:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    return True
