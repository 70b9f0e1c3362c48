"""The layer contracts in pyproject.toml (``[tool.importlinter]``) hold: core never imports Qt,
the views or the workers; views never import the N11 client or the storage models; the sandbox
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
    "views never import the N11 client or the storage models",
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
