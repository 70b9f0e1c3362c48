"""The Products table model: a window over 100k products, loaded page by page off the GUI thread.

``rowCount`` is the number of products matching the filter (one COUNT query); rows are fetched
in pages of :data:`PAGE` through ``services.runner`` when the view first asks for them, and at
most :data:`MAX_PAGES` pages are kept. Sorting and filtering run in SQL (core.catalog.repo).
Price and stock are edited in place: the cell changes at once, the write runs off-thread, and
the cell goes back (with a message) if the write is refused.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from ..core.catalog import operations as catalog_ops
from ..core.catalog import values as V
from ..core.catalog.repo import ProductFilter, ProductRow
from ..core.formats import number
from .core_texts import core_message, penalty_text

if TYPE_CHECKING:
    from ..app import AppServices

PAGE = 200
MAX_PAGES = 40

GREEN, RED, AMBER, GREY, BLUE = "#1e8449", "#c0392b", "#b9770e", "#7f8c8d", "#2471a3"
_OK_STATES = {"success", "done", "active", "onsale", "approved", "accepted", "synced"}
_BAD_STATES = {"fail", "failed", "error", "rejected", "catalogrejected", "expired"}


def state_color(state: str) -> str:
    s = (state or "").replace("_", "").replace(" ", "").lower()
    if not s:
        return GREY
    if s in _OK_STATES:
        return GREEN
    if s in _BAD_STATES or "reject" in s or "fail" in s:
        return RED
    return AMBER


def _money(v: Decimal | None) -> str:
    """``1.234,50`` in Turkish, ``1,234.50`` in English (the column header says TL)."""
    return number(v, 2)


def _t(text: str) -> str:
    return QCoreApplication.translate("ProductTableModel", text)


@dataclass(frozen=True)
class Column:
    key: str  # sort key in repo.SORT_KEYS ("" = not sortable)
    header: str  # English, marked with QT_TRANSLATE_NOOP; shown translated
    display: Callable[[ProductRow], str]
    width: int
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    tooltip: str = ""


def _catalog(r: ProductRow) -> str:
    if r.in_catalog:
        return QCoreApplication.translate("ProductTableModel", "✓ in catalog")
    return QCoreApplication.translate("ProductTableModel", "✗ removed") if r.removed_from_catalog else QCoreApplication.translate("ProductTableModel", "not in catalog")


def _state(r: ProductRow) -> str:
    """What N11 says (its status when known), else what our ledger says."""
    if not r.n11_state:
        return QCoreApplication.translate("ProductTableModel", "not sent")
    if r.remote_status:
        if state_color(r.n11_state) == RED and state_color(r.remote_status) != RED:
            return f"{r.remote_status} · " + QCoreApplication.translate("ProductTableModel", "last send failed")
        return r.remote_status
    return r.n11_state.replace("_", " ")


def _state_color(r: ProductRow) -> str:
    colors = {state_color(r.n11_state), state_color(r.remote_status or "") if r.remote_status else GREY}
    if RED in colors:
        return RED
    return state_color(r.remote_status) if r.remote_status else state_color(r.n11_state)


def _category(r: ProductRow) -> str:
    """The local category; a per-product N11 override first, as "→ N11 <leaf id>"."""
    if r.n11_category is not None:
        return f"→ N11 {r.n11_category}" + (f" · {r.category}" if r.category else "")
    return r.category or "—"


_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
COLUMNS: tuple[Column, ...] = (
    Column("sku", "SKU", lambda r: r.sku, 125),
    Column("title", QT_TRANSLATE_NOOP("ProductTableModel", "Title"), lambda r: r.title, 280),
    Column("category", QT_TRANSLATE_NOOP("ProductTableModel", "Category"), lambda r: _category(r), 170),
    Column("brand", QT_TRANSLATE_NOOP("ProductTableModel", "Brand"), lambda r: r.brand or "", 90),
    Column("price", QT_TRANSLATE_NOOP("ProductTableModel", "Price (TL)"), lambda r: _money(r.price), 85, _RIGHT,
           QT_TRANSLATE_NOOP("ProductTableModel", "Sale price; double-click to edit")),
    Column("list_price", QT_TRANSLATE_NOOP("ProductTableModel", "List price"), lambda r: _money(r.list_price), 85,
           _RIGHT, QT_TRANSLATE_NOOP("ProductTableModel",
                                     "List (crossed-out) price, at least the sale price; double-click to edit")),
    Column("stock", QT_TRANSLATE_NOOP("ProductTableModel", "Stock"), lambda r: "—" if r.stock is None else str(r.stock),
           55, _RIGHT, QT_TRANSLATE_NOOP("ProductTableModel", "Stock quantity; double-click to edit")),
    Column("in_catalog", QT_TRANSLATE_NOOP("ProductTableModel", "N11 catalog"), _catalog, 115,
           tooltip=QT_TRANSLATE_NOOP("ProductTableModel", "Membership of the N11 catalog")),
    Column("n11_state", QT_TRANSLATE_NOOP("ProductTableModel", "N11 state"), _state, 135,
           tooltip=QT_TRANSLATE_NOOP("ProductTableModel", "What N11 last said about the product")),
    Column("penalized", QT_TRANSLATE_NOOP("ProductTableModel", "Penalty"),
           lambda r: QCoreApplication.translate("ProductTableModel", "⚠ penalized") if r.penalized else "", 100,
           tooltip=QT_TRANSLATE_NOOP("ProductTableModel", "In the penalty box: not retried until its retry time")),
    Column("", QT_TRANSLATE_NOOP("ProductTableModel", "Last error"), lambda r: penalty_text(r.last_error).replace("\n", " "), 200),
)
COL = {c.key or "last_error": i for i, c in enumerate(COLUMNS)}
EDITABLE = {COL["price"], COL["list_price"], COL["stock"]}
ROW_ROLE = Qt.ItemDataRole.UserRole + 1


class ProductTableModel(QAbstractTableModel):
    loaded = Signal(int, int)  # matching, all products (after each (re)load)
    edit_failed = Signal(str)
    edited = Signal(str, object)  # event name ("price_changed"/"stock_changed"), product ids

    def __init__(self, services: AppServices, parent=None) -> None:
        super().__init__(parent)
        self._services = services
        self._db = services.db
        self._filter = ProductFilter()
        self._order = "sku"
        self._total = 0
        self._total_all = 0
        self._pages: dict[int, tuple[ProductRow, ...]] = {}
        self._pending: set[int] = set()
        self._stale: set[int] = set()  # pages shown from the last load until their refetch arrives
        self._ready = False
        self._bold = QFont()
        self._bold.setBold(True)
        self._brushes = {c: QBrush(QColor(c)) for c in (GREEN, RED, AMBER, GREY, BLUE)}

    # ------------------------------------------------------------------ state
    @property
    def filter(self) -> ProductFilter:
        return self._filter

    @property
    def order_by(self) -> str:
        return self._order

    @property
    def total(self) -> int:
        return self._total

    @property
    def total_all(self) -> int:
        return self._total_all

    def is_ready(self) -> bool:
        return self._ready and not self._pending

    def set_filter(self, flt: ProductFilter) -> None:
        if flt != self._filter:
            self._filter = flt
            self.reload()

    def set_order(self, order_by: str) -> None:
        if order_by != self._order:
            self._order = order_by
            self.reload()

    def row_at(self, row: int) -> ProductRow | None:
        page = self._pages.get(row // PAGE)
        if page is None:
            return None
        i = row % PAGE
        return page[i] if i < len(page) else None

    # ------------------------------------------------------------------ loading
    def reload(self, *, keep_rows: bool = False) -> None:
        """Count and load the first page again. ``keep_rows``: refresh in place if the count is unchanged."""
        flt, order, db = self._filter, self._order, self._db
        self._ready = False

        self._services.runner.run((self, "rows"), lambda: catalog_ops.load_first_page(db, flt, order, PAGE), lambda res: self._on_loaded(res, keep_rows), self._on_load_error)

    def _on_loaded(self, res: catalog_ops.FirstPage, keep_rows: bool) -> None:
        self._total_all = res.total_all
        if keep_rows and res.total == self._total and self._total:
            self._stale = set(self._pages) - {0}  # keep showing them (no flicker) and fetch them again
            self._pages[0] = res.first_page
            self._pending.clear()
            self.dataChanged.emit(self.index(0, 0), self.index(self._total - 1, len(COLUMNS) - 1))
        else:
            self.beginResetModel()
            self._total = res.total
            self._pages = {0: res.first_page}
            self._stale.clear()
            self._pending.clear()
            self.endResetModel()
        self._ready = True
        self.loaded.emit(self._total, self._total_all)

    def _on_load_error(self, err) -> None:
        self._ready = True
        self.edit_failed.emit(QCoreApplication.translate("ProductTableModel", "Could not load products: %1").replace(
            "%1", core_message(str(err))))

    def _request_page(self, page: int) -> None:
        if page in self._pending or (page in self._pages and page not in self._stale) or page * PAGE >= self._total:
            return
        self._pending.add(page)
        flt, order, db = self._filter, self._order, self._db

        self._services.runner.run((self, "rows"), lambda: (page, catalog_ops.load_page(db, flt, order, page * PAGE, PAGE)),
                                  self._on_page, self._on_load_error, join=True)

    def _on_page(self, res) -> None:
        page, rows = res
        self._pending.discard(page)
        self._stale.discard(page)
        self._pages[page] = rows
        if len(self._pages) > MAX_PAGES:  # forget the pages farthest from this one
            for p in sorted(self._pages, key=lambda p: -abs(p - page))[: len(self._pages) - MAX_PAGES]:
                del self._pages[p]
                self._stale.discard(p)
        first = page * PAGE
        last = min(first + PAGE, self._total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    # ------------------------------------------------------------------ Qt model API
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            col = COLUMNS[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return _t(col.header)
            if role == Qt.ItemDataRole.ToolTipRole and col.tooltip:
                return _t(col.tooltip)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(col.align)
        elif orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in EDITABLE and self.row_at(index.row()) is not None:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.row_at(index.row())
        c = index.column()
        if self._stale and role == Qt.ItemDataRole.DisplayRole and index.row() // PAGE in self._stale:
            self._request_page(index.row() // PAGE)
        if r is None:
            if role == Qt.ItemDataRole.DisplayRole:
                self._request_page(index.row() // PAGE)
                return "…" if c == 0 else ""
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[c].display(r)
        if role == Qt.ItemDataRole.EditRole:
            if c == COL["price"] or c == COL["list_price"]:
                v = r.price if c == COL["price"] else r.list_price
                return "" if v is None else str(v).replace(".", ",")
            if c == COL["stock"]:
                return "" if r.stock is None else str(r.stock)
            return COLUMNS[c].display(r)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(COLUMNS[c].align)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(r, c)
        if role == Qt.ItemDataRole.FontRole:
            if c == COL["penalized"] and r.penalized:
                return self._bold
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, c)
        if role == ROW_ROLE:
            return r
        return None

    def _foreground(self, r: ProductRow, c: int):
        if c == COL["n11_state"]:
            return self._brushes[_state_color(r)]
        if c == COL["penalized"] or c == COL["last_error"]:
            return self._brushes[RED]
        if c == COL["price"] and r.price is None or c == COL["stock"] and r.stock is None:
            return self._brushes[RED]
        if c == COL["stock"] and r.stock == 0:
            return self._brushes[AMBER]
        if c == COL["in_catalog"]:
            return self._brushes[GREEN if r.in_catalog else AMBER if r.removed_from_catalog else GREY]
        if c == COL["category"] and not r.category and r.n11_category is None:
            return self._brushes[RED]
        return None

    def _tooltip(self, r: ProductRow, c: int) -> str | None:
        if c == COL["title"]:
            return f"{r.title}\n" + QCoreApplication.translate("ProductTableModel", "Product code: %1 · %2 image(s)").replace(
                "%1", str(r.product_code)).replace("%2", str(r.image_count))
        if c == COL["price"] and r.price is None:
            return QCoreApplication.translate("ProductTableModel", "No price: N11 will not accept this product until it has one")
        if c == COL["stock"] and r.stock is None:
            return QCoreApplication.translate("ProductTableModel", "No stock record: the stock flow has nothing to send")
        if c == COL["n11_state"]:
            parts = [QCoreApplication.translate("ProductTableModel", "ledger state: %1").replace("%1", r.n11_state or QCoreApplication.translate("ProductTableModel", "never sent"))]
            if r.remote_status:
                parts.append(QCoreApplication.translate("ProductTableModel", "N11 status: %1").replace("%1", r.remote_status))
            if r.remote_id:
                parts.append(QCoreApplication.translate("ProductTableModel", "N11 product id: %1").replace("%1", str(r.remote_id)))
            return "\n".join(parts)
        if c == COL["last_error"] and r.last_error:
            return penalty_text(r.last_error)
        if c == COL["category"] and r.n11_category is not None:
            return (QCoreApplication.translate("ProductTableModel", "N11 category override: leaf %1, set for this product (it wins over the local-category "
                       "mapping)").replace("%1", str(r.n11_category)) + "\n"
                    + QCoreApplication.translate("ProductTableModel", "Local category: %1").replace("%1", r.category or QCoreApplication.translate("ProductTableModel", "none")))
        if c == COL["category"] and not r.category:
            return QCoreApplication.translate("ProductTableModel", "No local category: it cannot be mapped to an N11 category")
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS) or not COLUMNS[column].key:
            return
        key = COLUMNS[column].key
        self.set_order(("-" if order == Qt.SortOrder.DescendingOrder else "") + key)

    # ------------------------------------------------------------------ editing
    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() not in EDITABLE:
            return False
        r = self.row_at(index.row())
        if r is None:
            return False
        text = "" if value is None else str(value).strip()
        col = index.column()
        what = {COL["price"]: QCoreApplication.translate("ProductTableModel", "price"), COL["list_price"]: QCoreApplication.translate("ProductTableModel", "list price"), COL["stock"]: QCoreApplication.translate("ProductTableModel", "stock")}[col]
        is_stock = col == COL["stock"]
        try:
            if is_stock:
                new_stock = V.integer(text, minimum=0)
                if new_stock == r.stock:
                    return False
                updated = dataclasses.replace(r, stock=new_stock)
            else:
                amount = V.money(text)
                if amount <= 0:
                    raise ValueError(QCoreApplication.translate("ProductTableModel", "the %1 must be above 0").replace("%1", what))
                if col == COL["price"]:
                    new_price = amount
                    keep = r.list_price is not None and r.list_price >= new_price
                    new_list = r.list_price if keep else new_price
                else:
                    if r.price is None:
                        raise ValueError(QCoreApplication.translate("ProductTableModel", "set the sale price first"))
                    if amount < r.price:
                        raise ValueError(QCoreApplication.translate("ProductTableModel", "it is below the sale price %1").replace("%1", _money(r.price)))
                    new_price, new_list = r.price, amount
                if (new_price, new_list) == (r.price, r.list_price):
                    return False
                updated = dataclasses.replace(r, price=new_price, list_price=new_list)
        except ValueError as exc:
            self.edit_failed.emit(QCoreApplication.translate("ProductTableModel", "%1: %2 not changed: %3").replace("%1", r.sku).replace("%2", what)
                                  .replace("%3", str(exc)))
            return False
        self._replace_row(index.row(), r.id, updated)  # shown at once; written off-thread
        db, pid, row_no = self._db, r.id, index.row()
        list_given = col == COL["list_price"]

        if is_stock:
            def job():
                return catalog_ops.save_stock(db, pid, updated.stock)
        else:
            def job():
                return catalog_ops.save_price(db, pid, updated.price, updated.list_price if list_given else None)

        def done(rows) -> None:
            if rows:  # _replace_row checks the row still shows this product (a reload may have moved it)
                self._replace_row(row_no, pid, rows[0])
            self.edited.emit("stock_changed" if is_stock else "price_changed", (pid,))

        def failed(err) -> None:
            self._replace_row(row_no, pid, r)
            self.edit_failed.emit(QCoreApplication.translate("ProductTableModel", "%1: %2 not saved: %3").replace(
                "%1", r.sku).replace("%2", what).replace("%3", core_message(str(err))))

        self._services.runner.submit(job, done, failed)
        return True

    def _replace_row(self, row: int, pid: int, new: ProductRow) -> None:
        page_no, i = divmod(row, PAGE)
        page = self._pages.get(page_no)
        if page is None or i >= len(page) or page[i].id != pid:
            return
        self._pages[page_no] = page[:i] + (new,) + page[i + 1:]
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # ------------------------------------------------------------------ selection helpers
    def resolve_rows(self, rows: list[int], on_done: Callable[[tuple[ProductRow, ...]], None],
                     on_error: Callable[[Any], None] | None = None) -> None:
        """Turn view row numbers into ProductRows (off-thread, also for rows not loaded yet)."""
        rows = sorted(set(rows))
        if not rows:
            on_done(())
            return
        selection, db = self.selection(rows), self._db
        self._services.runner.submit(lambda: catalog_ops.resolve(db, selection), on_done, on_error)

    def selection(self, rows: list[int]) -> catalog_ops.Selection:
        """Table rows under the current filter and order, for an operation to resolve off-thread."""
        return catalog_ops.Selection(self._filter, self._order, tuple(sorted(set(rows))))
