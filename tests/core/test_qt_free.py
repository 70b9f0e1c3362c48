"""DESIGN §2: ``n11_desktop.core`` never imports Qt (or pyqtgraph)."""

import pkgutil
import subprocess
import sys

import n11_desktop.core


def test_core_imports_no_qt():
    modules = [m.name for m in pkgutil.walk_packages(n11_desktop.core.__path__, "n11_desktop.core.")
               if ".migrations" not in m.name]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"core imported Qt modules: {out.stdout.strip()}"
    assert len(modules) >= 5
