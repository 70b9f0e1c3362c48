"""Mapping benchmarks: the N11 tree into the Mapper's model data, and payload building."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from . import BenchResult, scenario


def _tree_db(workdir: Path):
    from ..core.flows.category import sync_tree
    from ..core.n11.models import CategoryNode as Remote
    from ..core.storage.db import open_database
    from ..sandbox import data

    def build(cid: int) -> Remote:
        c = data.categories()[cid]
        return Remote(cid, c.name, tuple(build(k) for k in c.children))

    roots = tuple(build(cid) for cid in data.top_level_ids())
    db = open_database(workdir / "bench.db")
    with db.session_factory.begin() as s:
        sync_tree(s, roots, tuple(r.id for r in roots))
    return db


@scenario("category_tree", quick=1, full=5, description="load the 4,406-node N11 tree into the Mapper's tree "
                                                        "model data (vs raw sqlite3 select of the same rows)")
def bench_category_tree(size: int, workdir: Path) -> BenchResult:
    from ..core.mapping.store import load_tree
    from ..core.mapping.tree import build_tree_data

    db = _tree_db(workdir)
    try:
        repeats = max(1, size)
        t0 = time.perf_counter()
        for _ in range(repeats):
            with db.session_factory.begin() as s:
                rows = load_tree(s)
            data = build_tree_data(rows)
        t = (time.perf_counter() - t0) / repeats
        con = sqlite3.connect(db.path)
        t0 = time.perf_counter()
        for _ in range(repeats):
            raw = con.execute("SELECT id, parent_id, name, path, depth, is_leaf, removed, attributes_fetched_at "
                              "FROM category_node WHERE removed = 0").fetchall()
        b = (time.perf_counter() - t0) / repeats
        con.close()
        gui_s = _show_tree_s(data, repeats)
        notes = f"{len(rows)} nodes, {len(data.roots)} top level, read + built off the GUI thread"
        if gui_s is not None:
            notes += f"; then {gui_s * 1000:.1f} ms on the GUI thread to populate the model, filter and paint"
        return BenchResult(time_s=t, baseline_s=b, baseline="raw sqlite3 select of the same rows", notes=notes,
                           extra={"nodes": len(raw), "gui_populate_paint_s": gui_s})
    finally:
        db.dispose()


def _show_tree_s(data, repeats: int) -> float | None:
    """GUI-thread part of showing the tree: set the model, filter by a typed word, paint."""
    import os
    import sys

    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6.QtWidgets import QApplication, QTreeView
    except ImportError:  # pragma: no cover - core-only install
        return None
    from ..views.mapping_models import N11TreeModel, TreeFilterProxy

    app = QApplication.instance() or QApplication(["n11-desktop-bench"])
    total = 0.0
    for _ in range(repeats):
        model, proxy, view = N11TreeModel(), TreeFilterProxy(), QTreeView()
        proxy.setSourceModel(model)
        view.setModel(proxy)
        view.setUniformRowHeights(True)
        view.resize(600, 800)
        t0 = time.perf_counter()
        model.set_data(data)
        view.show()
        app.processEvents()
        view.grab()
        proxy.set_query("kadin sneaker")
        view.expandAll()
        view.grab()
        total += time.perf_counter() - t0
        view.close()
        view.deleteLater()
        app.processEvents()
    return total / repeats


@scenario("payload_build", quick=2_000, full=100_000,
          description="build_payloads (category, rules, value maps, checks) for N products vs raw select")
def bench_payload_build(size: int, workdir: Path) -> BenchResult:
    from ..core.mapping.control import build_payloads
    from ..core.storage.models import (AttributeRule, AttributeValue, CategoryAttribute, CategoryMapping,
                                       CategoryNode)

    db = _tree_db(workdir)
    try:
        leaves = [1214202, 1001915]
        with db.session_factory.begin() as s:
            for cid, local in zip(leaves, ("Ayakkabı > Kadın > Sneaker", "Giyim > Erkek > Tişört")):
                s.add(CategoryMapping(local_category=local, category_id=cid))
                for aid, name, vals, custom in ((429, "Renk", ["Siyah", "Beyaz", "Mavi"], True),
                                                (361, "Beden", ["S", "M", "L", "XL"], False),
                                                (1, "Marka", ["Koton", "Mavi"], True)):
                    ca = CategoryAttribute(category_id=cid, attribute_id=aid, name=name, mandatory=True,
                                           custom_value=custom)
                    s.add(ca)
                    s.flush()
                    for i, v in enumerate(vals):
                        s.add(AttributeValue(category_attribute_id=ca.id, value_id=aid * 1000 + i, name=v))
            for cid in leaves:
                node = s.get(CategoryNode, cid)
                node.attributes_fetched_at = node.updated_at
            s.add(AttributeRule(local_attribute="Renk", attribute_id=429, category_id=0))
            s.add(AttributeRule(local_attribute="Beden", attribute_id=361, category_id=0))
        con = sqlite3.connect(db.path)
        colors, sizes = ["Siyah", "Beyaz", "Mavi", "Kırmızı"], ["S", "M", "L", "XL", "XXL"]
        cats = ("Ayakkabı > Kadın > Sneaker", "Giyim > Erkek > Tişört", "Ev > Mutfak > Kupa")
        # rows generated as they are inserted: the setup holds no 100k-row lists of its own
        con.executemany("INSERT INTO product (id, sku, product_code, title, description, brand, barcode, vat_rate, "
                        "images, category, attributes, preparing_day, shipment_template, product_type, active, "
                        "version, version_date, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                        "'2026-01-01 00:00:00','2026-01-01 00:00:00')",
                        ((i, f"SKU-{i:07d}", f"PM-{i // 4:06d}", f"Demo ürün başlığı numara {i}", "<p>açıklama</p>",
                          "Koton", f"868{i:010d}", 20, '["https://cdn.example.com/p.jpg"]', cats[i % 3],
                          '{"Renk": "%s", "Beden": "%s"}' % (colors[i % 4], sizes[i % 5]), 3,
                          "Standart", "simple", 1, 1) for i in range(1, size + 1)))
        con.executemany("INSERT INTO price (product_id, price, list_price, currency, version, version_date) "
                        "VALUES (?,?,?,?,?,'2026-01-01 00:00:00')",
                        ((i, 19990, 24990, "TL", 1) for i in range(1, size + 1)))
        con.executemany("INSERT INTO stock (product_id, quantity, version, version_date) "
                        "VALUES (?,?,?,'2026-01-01 00:00:00')", ((i, i % 50, 1) for i in range(1, size + 1)))
        con.commit()
        from ..core.flows.products import BUILD_CHUNK
        from ..core.mapping.control import MappingSnapshot

        from ..core.batches import gc_paused

        # built as the send flows build: BUILD_CHUNK products at a time, each chunk's payloads
        # handed on (here: counted) before the next is built, one mapping snapshot for all, the
        # cyclic collector paused for the whole step (its catch-up collection at the end timed too)
        t0 = time.perf_counter()
        ready = 0
        with gc_paused(), db.session_factory.begin() as s:
            snap = MappingSnapshot(s)
            for start in range(1, size + 1, BUILD_CHUNK):
                res = build_payloads(s, range(start, min(size, start + BUILD_CHUNK - 1) + 1), buffer_stock=2,
                                     snapshot=snap)
                ready += sum(1 for r in res if r.ok)
                del res
        t = time.perf_counter() - t0
        t0 = time.perf_counter()
        cur = con.execute("SELECT p.id, p.sku, p.product_code, p.title, p.description, p.brand, p.barcode, "
                          "p.vat_rate, p.images, p.category, p.attributes, p.preparing_day, p.shipment_template, "
                          "pr.price, pr.list_price, st.quantity FROM product p LEFT JOIN price pr ON "
                          "pr.product_id = p.id LEFT JOIN stock st ON st.product_id = p.id")
        n = sum(1 for _row in cur)
        b = time.perf_counter() - t0
        con.close()
        assert n == size
        return BenchResult(time_s=t, baseline_s=b, baseline="raw sqlite3 select of the same rows",
                           notes=f"{ready}/{size} ready ({size - ready} with mapping problems); "
                                 f"built {BUILD_CHUNK} at a time as the send flows do, raw rows read one by one")
    finally:
        db.dispose()


def _merchant_variants(paths: list[str], size: int) -> list[str]:
    """``size`` distinct local paths in merchant styles, starting from the evaluation paths:
    upper case, ASCII-folded, shop-specific prefixes and depths."""
    from ..core.mapping.text import fold

    prefixes = ("", "Yeni Sezon > ", "MAGAZA > ", "Outlet > ", "Tüm Ürünler > ", "Kampanya > ", "Vitrin > ")
    styles = (lambda p: p, str.upper, lambda p: " > ".join(w.title() for w in fold(p).split(" ")),
              lambda p: p.lower())
    out: list[str] = []
    seen: set[str] = set()
    k = 0
    while len(out) < size and k < size * 50:
        base = paths[k % len(paths)]
        variant = prefixes[(k // len(paths)) % len(prefixes)] + styles[(k // (len(paths) * len(prefixes)))
                                                                        % len(styles)](base)
        if variant.strip(" >") and variant not in seen:
            seen.add(variant)
            out.append(variant)
        k += 1
    i = 0
    while len(out) < size:  # more than the variants give: numbered sub-levels
        out.append(f"{paths[i % len(paths)]} > Seri {i}")
        i += 1
    return out[:size]


@scenario("mapping_suggest", quick=200, full=1_000,
          description="category suggestions for N unmapped merchant-style local categories (with product "
                      "titles) vs the previous name matcher; top-1/top-3 on the evaluation set")
def bench_mapping_suggest(size: int, workdir: Path) -> BenchResult:
    from ..core.mapping.evaluate import EVAL_SET, load_eval_set, score
    from ..core.mapping.ranker import CategoryRanker
    from ..core.mapping.suggest import suggest_categories
    from ..core.mapping.text import PathMatcher
    from ..core.storage.models import CategoryNode
    from sqlalchemy import select

    entries = load_eval_set() if EVAL_SET.exists() else []
    base_paths = [e["path"] for e in entries] or ["Kadın > Elbise", "Erkek > Tişört", "Elektronik > Laptop"]
    locals_ = _merchant_variants(base_paths, size)
    db = _tree_db(workdir)
    try:
        con = sqlite3.connect(db.path)
        rows = []
        for i, local in enumerate(locals_):
            leaf = local.split(">")[-1].strip()
            for j in range(3):
                pid = i * 3 + j + 1
                rows.append((pid, f"SKU-{pid:07d}", f"PM-{pid:07d}", f"{leaf} model {j} pamuklu", "<p>ürün</p>",
                             "Marka", f"868{pid:010d}", '["https://cdn.example.com/p.jpg"]', local,
                             '{"Renk": "Siyah"}'))
        con.executemany("INSERT INTO product (id, sku, product_code, title, description, brand, barcode, images, "
                        "category, attributes, vat_rate, preparing_day, shipment_template, product_type, active, "
                        "version, version_date, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,20,3,'Standart','simple',1,1,"
                        "'2026-01-01 00:00:00','2026-01-01 00:00:00')", rows)
        con.commit()
        con.close()
        t0 = time.perf_counter()
        with db.session_factory.begin() as s:
            sugg = suggest_categories(s)
        t = time.perf_counter() - t0
        with db.session_factory.begin() as s:
            leaves = [(int(i), n, p) for i, n, p in s.execute(select(CategoryNode.id, CategoryNode.name,
                      CategoryNode.path).where(CategoryNode.is_leaf.is_(True), CategoryNode.removed.is_(False)))]
        t0 = time.perf_counter()
        old = PathMatcher(leaves)
        for local in locals_:
            old.rank(local, 3)
        b = time.perf_counter() - t0
        covered = len({x.local for x in sugg})
        extra: dict = {"categories": size, "with_suggestion": covered, "per_category_ms": t * 1000 / size}
        notes = f"{covered}/{size} local categories got suggestions ({t * 1000 / size:.1f} ms each)"
        if entries:
            new = CategoryRanker(leaves)
            got = score(lambda p: [c[0] for c in new.rank(p, 3)], entries)
            was = score(lambda p: [c[0] for c in old.rank(p, 3)], entries)
            for k, v in got.items():
                extra[f"top1_{k}"], extra[f"top3_{k}"] = round(v.top1, 3), round(v.top3, 3)
            extra["top1"], extra["top3"] = extra["top1_all"], extra["top3_all"]
            extra["previous_top1"], extra["previous_top3"] = round(was["all"].top1, 3), round(was["all"].top3, 3)
            notes += (f"; eval set {got['all']} (tune {got['tune'].top1:.2f}/{got['tune'].top3:.2f}, "
                      f"holdout {got['holdout'].top1:.2f}/{got['holdout'].top3:.2f}); previous matcher "
                      f"{was['all'].top1:.2f}/{was['all'].top3:.2f}")
        else:
            notes += "; evaluation set not found (it lives in the repository's tests/data)"
        return BenchResult(time_s=t, baseline_s=b, baseline="previous name matcher ranking the same paths",
                           notes=notes, extra=extra)
    finally:
        db.dispose()
