"""Find user-visible string literals handed to Qt widgets without tr() (used by test_translations)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

#: methods whose string arguments the operator reads: name -> indexes of the text arguments (None: all)
SETTERS: dict[str, tuple[int, ...] | None] = {
    "setText": (0,), "setToolTip": (0,), "setWindowTitle": (0,), "setPlaceholderText": (0,),
    "setStatusTip": (0,), "setWhatsThis": (0,), "setTitle": (0,), "setLabelText": (0,),
    "showMessage": (0,), "setSuffix": (0,), "setPrefix": (0,), "setSpecialValueText": (0,),
    "setInformativeText": (0,), "setDetailedText": (0,), "setTabText": (1,), "setTabToolTip": (1,),
    "addTab": (1,), "insertTab": (2,), "addAction": (0,), "addMenu": (0,), "addRow": (0,),
    "setHorizontalHeaderLabels": (0,), "setVerticalHeaderLabels": (0,), "setHeaderLabels": (0,),
    "setHeaderLabel": (0,), "setWindowIconText": (0,), "setFormat": (0,),
    "QLabel": (0,), "QPushButton": (0,), "QCheckBox": (0,), "QRadioButton": (0,), "QGroupBox": (0,),
    "QAction": (0,), "QToolButton": (0,), "QTableWidgetItem": (0,), "QListWidgetItem": (0,),
    "QTreeWidgetItem": (0,), "QCommandLinkButton": (0, 1), "QToolBar": (0,), "QMenu": (0,), "QDockWidget": (0,),
    "addItem": (0,), "insertItem": (1,), "addButton": (0,), "show_banner": (0,), "set_running": (0,),
    "warning": (1, 2), "information": (1, 2), "critical": (1, 2), "question": (1, 2), "about": (1, 2),
    "getText": (1, 2), "getInt": (1, 2), "getItem": (1, 2), "getDouble": (1, 2),
    "getOpenFileName": (1,), "getSaveFileName": (1,), "getExistingDirectory": (1,),
}
KEYWORDS = {"text", "toolTip", "title", "windowTitle", "placeholderText", "label"}
_WORD = re.compile(r"[A-Za-z]{2,}")
_TAG = re.compile(r"<[^>]*>|&\w+;")


def _has_words(text: str) -> bool:
    """Text with English words in it (markup such as "</span>" alone is not)."""
    return bool(_WORD.search(_TAG.sub(" ", text)))


def _literal_text(node: ast.AST) -> str | None:
    """The English text in ``node`` when it is (or is built from) a string literal, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if _has_words(node.value) else None
    if isinstance(node, ast.JoinedStr):
        parts = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        return parts if _has_words(parts) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _literal_text(node.left) or _literal_text(node.right)
    if isinstance(node, ast.IfExp):
        return _literal_text(node.body) or _literal_text(node.orelse)
    if isinstance(node, (ast.List, ast.Tuple)):
        for elt in node.elts:
            text = _literal_text(elt)
            if text:
                return text
    return None


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def untranslated(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each literal passed to a Qt text setter outside tr()."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name in SETTERS:
            idx = SETTERS[name]
            args = [a for i, a in enumerate(node.args) if idx is None or i in idx]
        else:
            args = []
        args += [k.value for k in node.keywords if k.arg in KEYWORDS]
        for arg in args:
            text = _literal_text(arg)
            if text:
                found.append((node.lineno, text[:60]))
    return found


def tr_inside_fstrings(path: Path) -> list[tuple[int, str]]:
    """tr("…") / translate(…, "…") written inside an f-string: lupdate cannot see those."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call) and _name(inner.func) in ("tr", "translate") and any(
                        isinstance(a, ast.Constant) and isinstance(a.value, str) for a in inner.args):
                    found.append((inner.lineno, ast.unparse(inner)[:60]))
    return found


#: the command line: what it prints and its argparse texts (help=, description=)
CLI_CALLS: dict[str, tuple[int, ...] | None] = {"print": None, "err": (0,), "print_table": (0,)}
CLI_KEYWORDS = {"help", "description", "epilog"}
#: a message's prefix naming the program or the command ("n11-desktop schedule set: …") is not prose
_PROGRAM = re.compile(r"^\s*(?:n11-desktop(?: [a-z-]*)*|bench)\s*:\s*")


def untranslated_cli(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each literal the command line prints or shows in --help outside translate()."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        args: list[ast.AST] = []
        if name in CLI_CALLS:
            idx = CLI_CALLS[name]
            args = [a for i, a in enumerate(node.args) if idx is None or i in idx]
        elif name.endswith("Error") and node.args:  # raise SomeError("…") shown as the one-line error
            args = [node.args[0]]
        args += [k.value for k in node.keywords if k.arg in CLI_KEYWORDS]
        for arg in args:
            text = _literal_text(arg)
            if text and _has_words(_PROGRAM.sub("", text)):
                found.append((node.lineno, text[:60]))
    return found


_PROSE = re.compile(r"[A-Za-z]{2,}[ ,.:;!?]+[A-Za-z]{2,}")
_CSS = re.compile(r"[a-z-]+\s*:\s*[^;]*;")


def english_fstrings(path: Path, program_prefix: bool = False) -> list[tuple[int, str]]:
    """f-strings with English prose in them (``f"{n} rows saved"``): built outside tr() and shown later
    through a variable, which the setter scan cannot see. Exception messages for developers
    (``raise AttributeError(f"…")``) and style sheets are not prose."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    raised = {id(n) for r in ast.walk(tree) if isinstance(r, ast.Raise) for n in ast.walk(r)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and id(node) not in raised:
            text = " ".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if program_prefix:  # "n11-desktop run: {message}" names the command, it is not prose
                text = _PROGRAM.sub("", text)
            if _PROSE.search(_CSS.sub(" ", _TAG.sub(" ", text))):
                found.append((node.lineno, text[:60]))
    return found
