"""``python -m n11_desktop.build``: the desktop build (one folder, ``dist/n11-desktop/``).

Compiles the Turkish translations (``python -m n11_desktop.i18n build``) when that is available,
then runs PyInstaller with ``packaging/n11-desktop.spec``. Needs the ``build`` extra
(``pip install -e .[build]``) and a source checkout (the spec lives next to the package).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "n11-desktop.spec"


def executable(dist: Path, cli: bool = False) -> Path:
    """The built app's executable in ``dist``: the windowed desktop app, or (``cli``) the console
    program for the command line."""
    name = "n11-desktop-cli" if cli else "n11-desktop"
    return dist / "n11-desktop" / (name + (".exe" if sys.platform == "win32" else ""))


def compile_translations() -> None:
    try:
        from . import i18n
    except ImportError:
        return
    builder = getattr(i18n, "build", None)
    langs = getattr(i18n, "LANGS", ())
    if builder is None:
        return
    for lang in langs:
        try:
            print(f"compiled {builder(lang).name}")
        except Exception as exc:  # noqa: BLE001 - the build goes on in English
            print(f"n11-desktop build: could not compile the {lang} translation ({exc}); "
                  "the app will start in English", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m n11_desktop.build", description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output directory (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="PyInstaller's work directory")
    args = parser.parse_args(argv)
    if not SPEC.is_file():
        print(f"n11-desktop build: {SPEC.name} not found; run this from a source checkout", file=sys.stderr)
        return 2
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        print("n11-desktop build: PyInstaller is not installed; pip install -e .[build]", file=sys.stderr)
        return 2
    compile_translations()
    started = time.monotonic()
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
           "--distpath", str(args.dist), "--workpath", str(args.work), str(SPEC)]
    rc = subprocess.call(cmd, cwd=ROOT)
    if rc != 0:
        print(f"n11-desktop build: PyInstaller failed (exit {rc})", file=sys.stderr)
        return rc
    print(f"built {executable(args.dist)} (and {executable(args.dist, cli=True).name} for the command line) "
          f"in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
