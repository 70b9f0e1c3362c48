"""The N11 tree as plain, immutable data for the Mapper's tree model (built off the GUI thread).

Rows arrive parents-first (``store.load_tree``); the result gives, for each node, its row
within its parent and its children, so a Qt model can answer ``index``/``parent``/
``rowCount`` in O(1) without touching the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from .store import TreeRow
from .text import fold


@dataclass(frozen=True, slots=True)
class TreeData:
    nodes: tuple[TreeRow, ...]  # position = internal id used by the model
    roots: tuple[int, ...]  # positions of top-level nodes
    children: tuple[tuple[int, ...], ...]  # per position
    parent: tuple[int, ...]  # per position, -1 for roots
    row: tuple[int, ...]  # per position: row within its parent
    folded: tuple[str, ...]  # per position: fold(name) + " " + id, for filtering
    by_id: dict  # N11 id -> position

    @property
    def size(self) -> int:
        return len(self.nodes)

    def leaves(self) -> int:
        return sum(1 for n in self.nodes if n.is_leaf)


def build_tree_data(rows: tuple[TreeRow, ...]) -> TreeData:
    by_id: dict[int, int] = {}
    nodes = list(rows)
    for pos, r in enumerate(nodes):
        by_id[r.id] = pos
    children: list[list[int]] = [[] for _ in nodes]
    parent = [-1] * len(nodes)
    roots: list[int] = []
    for pos, r in enumerate(nodes):
        ppos = by_id.get(r.parent_id) if r.parent_id is not None else None
        if ppos is None:
            roots.append(pos)
        else:
            parent[pos] = ppos
            children[ppos].append(pos)
    row = [0] * len(nodes)
    for i, p in enumerate(roots):
        row[p] = i
    for kids in children:
        for i, k in enumerate(kids):
            row[k] = i
    folded = tuple(f"{fold(r.name)} {r.id}" for r in nodes)
    return TreeData(tuple(nodes), tuple(roots), tuple(tuple(k) for k in children), tuple(parent), tuple(row),
                    folded, by_id)


def matching_positions(data: TreeData, query: str) -> set[int] | None:
    """Positions of nodes whose name (folded) contains every word of ``query``, plus their
    ancestors so the tree can show the way down. ``None`` = no filter."""
    words = fold(query).split()
    if not words:
        return None
    keep: set[int] = set()
    for pos, text in enumerate(data.folded):
        if all(w in text for w in words):
            p = pos
            while p != -1 and p not in keep:
                keep.add(p)
                p = data.parent[p]
    return keep
