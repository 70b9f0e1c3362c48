"""The client shares no protocol code with the sandbox and never touches Qt."""

from __future__ import annotations

import ast
from pathlib import Path

import n11_desktop.core.n11 as pkg

FORBIDDEN = ("n11_desktop.sandbox", "PySide6", "pyqtgraph", "zeep")


def test_client_imports_neither_sandbox_nor_qt():
    for path in Path(pkg.__file__).resolve().parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
                if node.level and "sandbox" in (node.module or ""):
                    names.append("n11_desktop.sandbox")
            else:
                continue
            for name in names:
                assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"
