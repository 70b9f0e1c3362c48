"""Suggestions for unmapped categories, attributes and values, with confidence and reason.

- Categories: local path vs every live N11 leaf (:class:`~.ranker.CategoryRanker`): the path
  level by level, the Turkish e-commerce lexicon plus the operator's own terms, the products'
  titles/brands/attributes, the mappings already accepted, and N11's tree shape.
- Attributes: each local attribute vs the attributes of the leaves its products go to. When
  every leaf agrees on the same N11 attribute (Renk, Marka, Cinsiyet) the suggestion is a
  global rule; when they differ (Beden in clothing, Numara in shoes) one scoped rule per leaf.
- Values: each local value that does not resolve by itself (no map, no same-named N11 value,
  not free text) vs the N11 values of the attribute it maps to.
"""

from __future__ import annotations

import json
import threading

from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..storage.app_state import read_dict, write_state
from ..storage.models import AttributeRule, CategoryMapping, CategoryNode, ValueMapping
from .control import MappingSnapshot, norm_category, product_attributes_from
from .store import (
    MappingError,
    load_local_categories,
    normalize_local_category,
    set_attribute_rule,
    set_category_mapping,
    set_value_mapping,
)
from .ranker import CategoryRanker, ProductEvidence
from .text import fold, name_similarity

__all__ = ["Suggestion", "fold", "suggest_categories", "category_ranker", "operator_terms", "set_operator_term",
           "remove_operator_term", "product_evidence", "suggest_attributes", "suggest_values", "suggest_all",
           "accept", "AcceptResult", "UndoStep", "undo_accept"]


@dataclass(frozen=True, slots=True)
class Suggestion:
    kind: str  # category | attribute | value
    local: str  # category path, attribute name, or "Name=Value"
    n11_id: int
    n11_name: str
    confidence: float  # 0..1
    reason: str
    category_id: int = 0  # scope of an attribute/value suggestion (0 = global)
    attribute_id: int | None = None  # for value suggestions
    rank: int = 1  # 1 = best candidate for this local item

    @property
    def scope(self) -> str:
        return "global" if not self.category_id else f"category {self.category_id}"


LEXICON_KEY = "mapping.lexicon"  # AppState: the operator's "treat X as Y" terms {local word: N11 word}


def operator_terms(session: Session) -> dict[str, str]:
    return read_dict(session, LEXICON_KEY)


def set_operator_term(session: Session, local: str, n11: str) -> str:
    """Teach the suggestions a word: treat ``local`` as ``n11`` (e.g. "Smartwatch" → "Akıllı Saat")."""
    lw, nw = str(local or "").strip(), str(n11 or "").strip()
    if not fold(lw) or not fold(nw):
        raise MappingError("both words are needed: treat X as Y")
    if len(lw) > 100 or len(nw) > 100:
        raise MappingError("a term is at most 100 characters")
    if fold(lw) == fold(nw):
        raise MappingError(f"“{lw}” and “{nw}” are already the same word")
    terms = operator_terms(session)
    terms = {k: v for k, v in terms.items() if fold(k) != fold(lw)}
    terms[lw] = nw
    write_state(session, LEXICON_KEY, terms)
    session.flush()
    message = f"suggestions now treat “{lw}” as “{nw}”"
    from ..audit import record

    record(session, "mapping", "term set", f"term:{fold(lw)}", message)
    return message


def remove_operator_term(session: Session, local: str) -> str:
    terms = operator_terms(session)
    kept = {k: v for k, v in terms.items() if fold(k) != fold(local)}
    if len(kept) == len(terms):
        raise MappingError(f"no term “{local}” to remove")
    write_state(session, LEXICON_KEY, kept)
    session.flush()
    message = f"suggestions no longer treat “{local}” specially"
    from ..audit import record

    record(session, "mapping", "term removed", f"term:{fold(local)}", message)
    return message


_RANKERS: dict[tuple, CategoryRanker] = {}
_RANKER_LOCK = threading.Lock()


def _live_leaves(session: Session):
    return session.execute(select(CategoryNode.id, CategoryNode.name, CategoryNode.path).where(
        CategoryNode.is_leaf.is_(True), CategoryNode.removed.is_(False))).all()


def category_ranker(session: Session, leaves=None) -> CategoryRanker | None:
    """A ranker over the live N11 leaves with the operator's terms and accepted mappings."""
    leaves = _live_leaves(session) if leaves is None else leaves
    if not leaves:
        return None
    rows = tuple((int(i), str(n), str(p)) for i, n, p in leaves)
    live = {r[0] for r in rows}
    accepted = {m.local_category: int(m.category_id) for m in session.scalars(select(CategoryMapping))
                if int(m.category_id) in live}
    terms = operator_terms(session)
    key = (hash(rows), tuple(sorted(terms.items())))
    with _RANKER_LOCK:
        base = _RANKERS.get(key)
    if base is None:  # built once per tree and set of terms: the Mapper asks for it on every click
        base = CategoryRanker(rows, operator_terms=terms)
        with _RANKER_LOCK:
            _RANKERS.clear()
            _RANKERS[key] = base
    brand_leaves: dict[str, set[int]] = {}
    by_local = {norm_category(k): v for k, v in accepted.items()}
    for cat, brand in session.execute(text(
            "SELECT DISTINCT category, brand FROM product WHERE brand IS NOT NULL AND category IS NOT NULL")):
        leaf = by_local.get(norm_category(cat))
        if leaf is not None and str(brand).strip():
            brand_leaves.setdefault(str(brand).strip(), set()).add(leaf)
    return base.learn(accepted, brand_leaves)


def product_evidence(session: Session, locals_: Iterable[str], per_category: int = 30
                     ) -> dict[str, ProductEvidence]:
    """Titles, brands and attribute names/values of (up to ``per_category``) products per local category."""
    key = norm_category  # the same normalisation as the local category list

    wanted = {key(x): x for x in locals_}
    if not wanted:
        return {}
    raws = [c for (c,) in session.execute(text("SELECT DISTINCT category FROM product WHERE category IS NOT NULL"))
            if key(c) in wanted]
    rows: list = []
    for i in range(0, len(raws), 500):  # only the categories asked for, a few products each
        chunk = raws[i:i + 500]
        marks = ", ".join(f":c{j}" for j in range(len(chunk)))
        params = {f"c{j}": c for j, c in enumerate(chunk)}
        params["n"] = int(per_category)
        rows += session.execute(text(
            "SELECT category, title, brand, attributes FROM (SELECT category, title, brand, attributes, "
            "ROW_NUMBER() OVER (PARTITION BY category ORDER BY id) AS rn FROM product "
            f"WHERE category IN ({marks})) AS firsts WHERE rn <= :n"), params).all()
    acc: dict[str, tuple[list[str], list[str], list[str]]] = {}
    for cat, title, brand, attrs in rows:
        local = wanted.get(key(cat))
        if local is None:
            continue
        t, b, a = acc.setdefault(local, ([], [], []))
        if title:
            t.append(str(title))
        if brand:
            b.append(str(brand))
        if attrs:
            try:
                data = json.loads(attrs) if isinstance(attrs, str) else attrs
            except ValueError:
                data = None
            if isinstance(data, dict):
                a += [f"{k}={v}" for k, v in list(data.items())[:10]]
    return {k: ProductEvidence(tuple(t), tuple(dict.fromkeys(b)), tuple(dict.fromkeys(a)))
            for k, (t, b, a) in acc.items()}


def suggest_categories(session: Session, limit: int = 3) -> list[Suggestion]:
    """Ranked N11 leaves for every local category that is not (validly) mapped."""
    todo = [r.local for r in load_local_categories(session) if r.status != "mapped"]
    if not todo:
        return []
    ranker = category_ranker(session)
    if ranker is None:
        return []
    evidence = product_evidence(session, todo)
    out: list[Suggestion] = []
    for local in todo:
        for rank, c in enumerate(ranker.candidates(local, limit, evidence=evidence.get(local)), start=1):
            out.append(Suggestion("category", local, c.category_id, c.path, c.confidence, c.reason, rank=rank))
    return out


def _usage(session: Session, snap: MappingSnapshot) -> dict[int, dict[str, set[str]]]:
    """leaf id → local attribute name → local values (of the products that go to that leaf)."""
    use: dict[int, dict[str, set[str]]] = {}
    pg = session.get_bind().dialect.name == "postgresql"
    rows = session.execute(text(
        "SELECT p.category, pc.category_id, j.key, j.value " + product_attributes_from(pg)
        + "GROUP BY p.category, pc.category_id, j.key, j.value"))
    brand_rows = session.execute(text(
        "SELECT p.category, pc.category_id, 'brand', p.brand FROM product p "
        "LEFT JOIN product_category pc ON pc.product_id = p.id WHERE p.brand IS NOT NULL "
        "GROUP BY p.category, pc.category_id, p.brand"))
    pending_leaves: set[int] = set()
    for cat, override, key, value in list(rows) + list(brand_rows):
        if key is None or value is None or str(value).strip() == "":
            continue
        leaf = snap.leaf_of(cat, override)
        if leaf is None:
            continue
        pending_leaves.add(int(leaf))
        use.setdefault(int(leaf), {}).setdefault(str(key), set()).add(str(value).strip())
    snap.load_leaves(pending_leaves)
    return use


def suggest_attributes(session: Session, *, snapshot: MappingSnapshot | None = None) -> list[Suggestion]:
    snap = snapshot or MappingSnapshot(session)
    use = _usage(session, snap)
    # local name -> leaf -> best (aid, name, score, reason)
    best: dict[str, dict[int, tuple[int, str, float, str]]] = {}
    display: dict[str, str] = {}
    for leaf_id, attrs in use.items():
        leaf = snap.leaves.get(leaf_id)
        if leaf is None or leaf.usable or not leaf.attrs:
            continue
        for name in attrs:
            key = fold(name)
            display.setdefault(key, name)
            if (key, leaf_id) in snap.rules or (key, 0) in snap.rules:
                continue
            cands = []
            for a in leaf.attrs.values():
                score, reason = name_similarity(name, a.name)
                if key == "brand" and a.attribute_id == 1:
                    score, reason = 1.0, "brand always maps to Marka (N11 attribute 1)"
                if score >= 0.4:
                    cands.append((score, a.attribute_id, a.name, reason))
            if cands:
                cands.sort(key=lambda c: (-c[0], c[1]))
                score, aid, aname, reason = cands[0]
                best.setdefault(key, {})[leaf_id] = (aid, aname, score, reason)
    out: list[Suggestion] = []
    for key, per_leaf in best.items():
        name = display[key]
        ids = {v[0] for v in per_leaf.values()}
        if len(ids) == 1:
            aid = next(iter(ids))
            aname = next(iter(per_leaf.values()))[1]
            score = min(v[2] for v in per_leaf.values())
            reason = next(iter(per_leaf.values()))[3]
            reason += f" · same N11 attribute in all {len(per_leaf)} categories → global rule" \
                if len(per_leaf) > 1 else " · used in one category → global rule"
            out.append(Suggestion("attribute", name, aid, aname, score, reason, 0))
        else:
            for leaf_id, (aid, aname, score, reason) in sorted(per_leaf.items()):
                leaf = snap.leaves[leaf_id]
                out.append(Suggestion("attribute", name, aid, aname, round(score * 0.97, 3),
                                      f"{reason} · N11 uses different attributes per category → scoped to "
                                      f"“{leaf.name}”", leaf_id))
    out.sort(key=lambda s: (-s.confidence, fold(s.local), s.category_id))
    return out


def suggest_values(session: Session, *, snapshot: MappingSnapshot | None = None) -> list[Suggestion]:
    snap = snapshot or MappingSnapshot(session)
    use = _usage(session, snap)
    found: dict[tuple[str, str, int], Suggestion] = {}
    for leaf_id, attrs in use.items():
        leaf = snap.leaves.get(leaf_id)
        if leaf is None or leaf.usable:
            continue
        for name, values in attrs.items():
            aid = snap.rule(name, leaf_id)
            if aid is None or aid not in leaf.attrs:
                continue
            a = leaf.attrs[aid]
            key = fold(name)
            scoped_rule = (key, leaf_id) in snap.rules
            scope = leaf_id if scoped_rule else 0
            for value in values:
                if snap.value_map(name, value, leaf_id) is not None:
                    continue
                if fold(value) in a.by_fold:
                    continue  # same name on N11: resolves by itself
                best = None
                for vid, vname in a.by_id.items():
                    score, reason = name_similarity(value, vname)
                    if score >= 0.45 and (best is None or score > best[0]):
                        best = (score, vid, vname, reason)
                if best is None:
                    continue
                score, vid, vname, reason = best
                if a.custom:
                    if score < 0.85:
                        continue  # free text is sent as it is; only a near-certain match is worth a map
                    score = round(score * 0.9, 3)
                    reason += f" · {a.name} also accepts free text"
                k = (key, fold(value), scope)
                prev = found.get(k)
                if prev is None or score > prev.confidence:
                    found[k] = Suggestion("value", f"{name}={value}", vid, f"{a.name}: {vname}", score,
                                          reason, scope, aid)
    out = sorted(found.values(), key=lambda s: (-s.confidence, fold(s.local), s.category_id))
    return out


def suggest_all(session: Session, limit: int = 3) -> list[Suggestion]:
    snap = MappingSnapshot(session)
    return (suggest_categories(session, limit) + suggest_attributes(session, snapshot=snap)
            + suggest_values(session, snapshot=snap))


@dataclass(frozen=True, slots=True)
class UndoStep:
    """How to put one accepted suggestion back: the row as it was (None = there was none)."""

    kind: str  # category | attribute | value
    local: str  # normalised category path, attribute name, or "Name=Value"
    category_id: int
    before: tuple | None


@dataclass(frozen=True, slots=True)
class AcceptResult:
    accepted: int
    skipped: int
    messages: tuple[str, ...]
    undo: tuple[UndoStep, ...] = ()


def _row_for(session: Session, kind: str, local: str, category_id: int):
    if kind == "category":
        return session.scalars(select(CategoryMapping).where(CategoryMapping.local_category == local)).first()
    if kind == "attribute":
        rows = session.scalars(select(AttributeRule).where(AttributeRule.category_id == category_id)).all()
        return next((r for r in rows if fold(r.local_attribute) == fold(local)), None)
    name, _, value = local.partition("=")
    rows = session.scalars(select(ValueMapping).where(ValueMapping.category_id == category_id)).all()
    return next((r for r in rows if fold(r.local_attribute) == fold(name) and fold(r.local_value) == fold(value)),
                None)


_FIELDS = {"category": ("local_category", "category_id", "source"),
           "attribute": ("local_attribute", "attribute_id", "category_id", "source"),
           "value": ("local_attribute", "local_value", "attribute_id", "value_id", "custom_value", "category_id",
                     "source")}


def _before(session: Session, kind: str, local: str, category_id: int) -> tuple[str, tuple | None]:
    if kind == "category":
        try:
            local = normalize_local_category(local)
        except MappingError:
            return local, None
    row = _row_for(session, kind, local, category_id)
    return local, (tuple(getattr(row, f) for f in _FIELDS[kind]) if row is not None else None)


def accept(session: Session, suggestions: Iterable[Suggestion]) -> AcceptResult:
    """Apply suggestions. For categories only the first suggestion per local category counts
    (and an existing valid mapping is never replaced by a suggestion). The result carries the
    steps that :func:`undo_accept` needs to put everything back."""
    accepted = skipped = 0
    messages: list[str] = []
    undo: list[UndoStep] = []
    done_categories: set[str] = set()
    for s in suggestions:
        try:
            with session.begin_nested():
                key, before = _before(session, s.kind, s.local, s.category_id) if s.kind in _FIELDS else (s.local,
                                                                                                          None)
                if s.kind == "category":
                    if s.local in done_categories:
                        skipped += 1
                        continue
                    change = set_category_mapping(session, s.local, s.n11_id, source="suggestion")
                    done_categories.add(s.local)
                elif s.kind == "attribute":
                    change = set_attribute_rule(session, s.local, s.n11_id, s.category_id, source="suggestion")
                elif s.kind == "value":
                    name, _, value = s.local.partition("=")
                    change = set_value_mapping(session, name, value, value_id=s.n11_id, category_id=s.category_id,
                                               attribute_id=s.attribute_id, source="suggestion")
                else:
                    raise MappingError(f"unknown suggestion kind {s.kind!r}")
        except MappingError as exc:
            skipped += 1
            messages.append(f"{s.local}: {exc}")
            continue
        if change.action == "unchanged":
            skipped += 1
        else:
            accepted += 1
            undo.append(UndoStep(s.kind, key, int(s.category_id or 0), before))
        messages.append(change.message)
    return AcceptResult(accepted, skipped, tuple(messages), tuple(undo))


def undo_accept(session: Session, steps: Iterable[UndoStep]) -> int:
    """Put back what an :func:`accept` changed (newest first). Returns how many were undone."""
    n = 0
    for step in reversed(list(steps)):
        row = _row_for(session, step.kind, step.local, step.category_id)
        if step.before is None:
            if row is not None:
                session.delete(row)
                n += 1
            continue
        model = {"category": CategoryMapping, "attribute": AttributeRule, "value": ValueMapping}[step.kind]
        if row is None:
            row = model()
            session.add(row)
        for f, v in zip(_FIELDS[step.kind], step.before):
            setattr(row, f, v)
        n += 1
    session.flush()
    return n


def best_per_item(suggestions: Iterable[Suggestion]) -> list[Suggestion]:
    """The top suggestion of each local item (what "accept all above threshold" applies)."""
    seen: set[tuple[str, str, int]] = set()
    out = []
    for s in sorted(suggestions, key=lambda s: (-s.confidence, s.rank)):
        key = (s.kind, fold(s.local), s.category_id)
        if key in seen:
            continue
        seen.add(key)
        out.append(s)
    return out
