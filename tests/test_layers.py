"""The layer contracts in pyproject.toml (``[tool.importlinter]``) hold: core never imports Qt,
the views or the workers; views never import the N11 client, the storage layer, SQLAlchemy, requests
or zeep; the sandbox
and the client never import each other; flows never import the views or the workers; the N11
client's per-resource adapters use only the transport (never the client or each other).

Run by hand with ``lint-imports`` from the repository root."""

from __future__ import annotations

import tomllib
from pathlib import Path

from importlinter.cli import lint_imports

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"

EXPECTED = {
    "core never imports Qt, the views or the workers",
    "views never import the N11 client, storage or SQLAlchemy",
    "the sandbox and the N11 client never import each other",
    "flows never import the views or the workers",
    "the N11 adapters use only the transport",
}


def test_the_layer_contracts_are_declared():
    conf = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    assert conf["root_package"] == "n11_desktop"
    assert EXPECTED <= {c["name"] for c in conf["contracts"]}


def test_the_layer_contracts_hold(capsys):
    code = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    out = capsys.readouterr().out
    assert code == 0, out
    for name in EXPECTED:
        assert f"{name} KEPT" in out, out


VIEWS = Path(__file__).resolve().parents[1] / "n11_desktop" / "views"
#: what only a named operation may do: open a session, build or run a query, make an N11 client
_FORBIDDEN_NAMES = {"session_factory", "execute", "scalars", "scalar", "client_from_config", "N11Client"}


def _db_work(path: Path) -> list[str]:
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in _FORBIDDEN_NAMES:
            found.append(f"{path.name}:{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Name) and node.id in _FORBIDDEN_NAMES | {"select"}:
            found.append(f"{path.name}:{node.lineno}: {node.id}")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            for name in names:
                if name.split(".")[0] in ("sqlalchemy", "requests", "zeep") or ".storage" in f".{name}" \
                        or name.endswith(".n11") or ".n11." in f"{name}.":
                    found.append(f"{path.name}:{node.lineno}: import {name}")
    return found


def test_no_view_runs_a_query_or_makes_an_n11_client():
    """Views submit named operations (core/*/operations.py, core/overview.py, ...) to the runner;
    they never open a session, query, or talk to N11 themselves."""
    problems = [p for path in sorted(VIEWS.rglob("*.py")) for p in _db_work(path)]
    assert not problems, "do this in a named core operation instead:\n" + "\n".join(problems)


def test_the_view_scan_catches_a_query(tmp_path):
    bad = tmp_path / "bad_view.py"
    bad.write_text("from sqlalchemy import select\n"
                   "def job(db):\n"
                   "    with db.session_factory() as s:\n"
                   "        return s.execute(select(1))\n"
                   "from ..core.n11.client import client_from_config\n", encoding="utf-8")
    assert sorted(_db_work(bad)) == ["bad_view.py:1: import sqlalchemy", "bad_view.py:3: .session_factory",
                                     "bad_view.py:4: .execute", "bad_view.py:4: select",
                                     "bad_view.py:5: import core.n11.client"]
