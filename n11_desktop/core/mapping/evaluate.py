"""Top-1 / top-3 of category suggestions on an evaluation set of merchant paths.

The set (``tests/data/mapping_eval_paths.json`` in the repository) lists local category paths in
the style of public Turkish shop category trees, each with the N11 leaves an operator would
accept, and a ``split``: ``tune`` (looked at while developing the ranker) or ``holdout`` (not).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

EVAL_SET = Path(__file__).resolve().parents[3] / "tests" / "data" / "mapping_eval_paths.json"


@dataclass(frozen=True)
class EvalScore:
    n: int
    top1: float
    top3: float

    def __str__(self) -> str:
        return f"top-1 {self.top1:.2f} / top-3 {self.top3:.2f} on {self.n}"


def load_eval_set(path: Path | None = None) -> list[dict]:
    doc = json.loads((path or EVAL_SET).read_text(encoding="utf-8"))
    return list(doc["paths"])


def score(rank: Callable[[str], Sequence[int]], entries: Iterable[dict]) -> dict[str, EvalScore]:
    """``rank(path)`` → ranked N11 ids. Scores per split and for all entries."""
    hits: dict[str, list[tuple[bool, bool]]] = {"all": []}
    for e in entries:
        ids = list(rank(e["path"]))[:3]
        ok = set(int(a) for a in e["accept"])
        row = (bool(ids) and ids[0] in ok, bool(ok & set(ids)))
        hits["all"].append(row)
        hits.setdefault(e.get("split", "tune"), []).append(row)
    return {k: EvalScore(len(v), sum(a for a, _ in v) / max(1, len(v)), sum(b for _, b in v) / max(1, len(v)))
            for k, v in hits.items()}
