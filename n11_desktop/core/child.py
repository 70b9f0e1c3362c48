"""The command line of a child process that runs one of our modules (no Qt).

From source, a child is ``python -m MODULE ARGS``. In the desktop build (PyInstaller,
``sys.frozen``) there is no interpreter to pass ``-m`` to: ``sys.executable`` is the app itself,
so the child is ``n11-desktop --run-module MODULE ARGS`` and the build's entry script
(``packaging/entry.py``) runs the module. Children are always new processes (``subprocess``),
never ``fork``, so the same code runs on Windows. The build's desktop app is a windowed program; its
children run as the console program next to it (``n11-desktop-cli``) without a console window.
"""

from __future__ import annotations

import pickle
import runpy
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

RUN_MODULE_FLAG = "--run-module"
ALLOWED_PREFIX = "n11_desktop."


CLI_EXE = "n11-desktop-cli"

#: a frame on a child's pipe: a 4-byte big-endian length, then a pickle (parent and child are the
#: same program and user)
_HEADER = struct.Struct(">I")


def read_frame(stream) -> Any:
    """The next frame on ``stream``; EOFError when the other side has closed it (or died)."""
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError
    (n,) = _HEADER.unpack(head)
    data = stream.read(n)
    if len(data) < n:
        raise EOFError
    return pickle.loads(data)


def write_frame(stream, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _console_program() -> str:
    """In the build, the console program next to the windowed app (children talk over stdout pipes,
    which a windowed program on Windows does not have); the app itself if there is none."""
    exe = Path(sys.executable)
    sibling = exe.with_name(CLI_EXE + exe.suffix)
    return str(sibling) if exe.stem != CLI_EXE and sibling.is_file() else sys.executable


def module_command(module: str, *args: str) -> list[str]:
    if getattr(sys, "frozen", False):
        return [_console_program(), RUN_MODULE_FLAG, module, *args]
    return [sys.executable, "-m", module, *args]


def popen_flags() -> dict:
    """Extra ``subprocess.Popen`` arguments for a child: on Windows no console window of its own."""
    if sys.platform == "win32":
        return {"creationflags": getattr(subprocess, "CREATE_NO_WINDOW", 0x08000000)}
    return {}


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
