"""The Orders list model: a window over the orders table, paged through ``services.runner``.

``rowCount`` grows page by page (``canFetchMore``/``fetchMore``); the total matching the
filter comes from one COUNT query. Every query runs off the GUI thread and comes back as
frozen ``OrderRow`` tuples; a reply for an older filter is dropped.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex,
                            QSettings, Qt, Signal)
from PySide6.QtGui import QBrush, QColor

from ..core import formats
from ..core.orders import status as st
from ..core.orders import operations as order_ops
from ..core.orders.queries import DEFAULT_ORDER, SORT_KEYS as SQL_SORT_KEYS, OrderFilter, OrderRow
from .core_texts import core_tr

if TYPE_CHECKING:
    from ..app import AppServices

PAGE = 200

STATUS_COLORS = {
    st.WAITING: "#b9770e", st.APPROVED: "#2471a3", st.SHIPPED: "#117a65", st.DELIVERED: "#1e8449",
    st.COMPLETED: "#1e8449", st.CANCELLED: "#7f8c8d", st.REFUNDED: "#7f8c8d", st.SUPERSEDED: "#95a5a6",
}


def money(v: Decimal | None) -> str:
    """``1.234,56 TL`` in Turkish, ``1,234.56 TL`` in English."""
    return formats.money(v)


def local_time(value: datetime | None) -> str:
    """Local time of a stored (naive UTC) moment: ``04.12.2026 14:05`` in Turkish, ``2026-12-04 14:05`` in English."""
    return formats.datetime_text(value)


def status_text(status: str, late: bool = False) -> str:
    if late:
        return QCoreApplication.translate("OrdersModel", "Late shipment")
    return core_tr(st.LABELS[status]) if status in st.LABELS else status.replace("_", " ")


COLUMNS = (QT_TRANSLATE_NOOP("OrdersModel", "Order"), QT_TRANSLATE_NOOP("OrdersModel", "Status"),
           QT_TRANSLATE_NOOP("OrdersModel", "Ordered"), QT_TRANSLATE_NOOP("OrdersModel", "Customer"),
           QT_TRANSLATE_NOOP("OrdersModel", "City"), QT_TRANSLATE_NOOP("OrdersModel", "Lines"),
           QT_TRANSLATE_NOOP("OrdersModel", "Total"), QT_TRANSLATE_NOOP("OrdersModel", "Cargo"),
           QT_TRANSLATE_NOOP("OrdersModel", "Invoice"), QT_TRANSLATE_NOOP("OrdersModel", "ERP reported"))
#: what a click on each column's header sorts by (queries.SORT_KEYS; "" = not sortable: the line count is
#: worked out per page)
SORT_KEYS = ("number", "status", "ordered_at", "customer", "city", "", "total", "cargo", "invoice", "erp_reported")


class OrdersModel(QAbstractTableModel):
    loaded = Signal()  # after a page or the count arrived
    failed = Signal(str)

    def __init__(self, services: AppServices, parent=None) -> None:
        super().__init__(parent)
        self.services = services
        self.filter = OrderFilter()
        # sorted in SQL: kept through filter changes and reloads, and remembered for this workstation
        # (the store's .ui.ini, beside the window's geometry) across restarts
        self.order_by = self._stored_order() or DEFAULT_ORDER
        self.rows: list[OrderRow] = []
        self.total = 0
        self._loading = False
        self._exhausted = False

    # ------------------------------------------------------------------ loading
    def set_filter(self, f: OrderFilter) -> None:
        self.filter = f
        self.reload()

    def set_order(self, order_by: str) -> None:
        """Sort by ``order_by`` (queries.SORT_KEYS, "-" first = descending) from the first page again."""
        if order_by != self.order_by:
            self.order_by = order_by
            self._store_order(order_by)
            self.reload()

    def _ui_settings(self) -> QSettings | None:
        path = getattr(self.services, "ui_settings_path", None)
        return QSettings(str(path), QSettings.Format.IniFormat) if path is not None else None

    def _stored_order(self) -> str | None:
        """The sort remembered from the last session; anything else in the file (edited by hand, an older
        version's key) is ignored."""
        s = self._ui_settings()
        value = s.value("orders/sort", "", type=str) if s is not None else ""
        return value if value.lstrip("-") in SQL_SORT_KEYS and value.count("-") <= 1 else None

    def _store_order(self, order_by: str) -> None:
        s = self._ui_settings()
        if s is not None:
            s.setValue("orders/sort", order_by)
            s.sync()

    def sort_indicator(self) -> tuple[int, Qt.SortOrder]:
        """The header's sort indicator for the current order: (column, direction)."""
        key = self.order_by.lstrip("-+")
        order = Qt.SortOrder.DescendingOrder if self.order_by.startswith("-") else Qt.SortOrder.AscendingOrder
        return (SORT_KEYS.index(key) if key in SORT_KEYS else -1), order

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:  # a click on a header
        if 0 <= column < len(SORT_KEYS) and SORT_KEYS[column]:
            self.set_order(("-" if order == Qt.SortOrder.DescendingOrder else "") + SORT_KEYS[column])

    def reload(self) -> None:
        f, db, order = self.filter, self.services.db, self.order_by
        self._loading = True

        self.services.runner.run((self, "rows"), lambda: order_ops.load_orders(db, f, PAGE, order), self._on_first, self._on_error)

    def _on_first(self, res) -> None:
        total, rows = res
        self.beginResetModel()
        self.total = total
        self.rows = list(rows)
        self._exhausted = len(rows) < PAGE
        self._loading = False
        self.endResetModel()
        self.loaded.emit()

    def _on_error(self, err) -> None:
        self._loading = False
        self.failed.emit(str(err))

    @property
    def loading(self) -> bool:
        return self._loading

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802 - Qt API
        return not parent.isValid() and not self._exhausted and not self._loading and bool(self.rows)

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802 - Qt API
        if not self.canFetchMore(parent):
            return
        self._loading = True
        f, db, offset, order = self.filter, self.services.db, len(self.rows), self.order_by

        self.services.runner.run((self, "rows"), lambda: order_ops.load_more_orders(db, f, offset, PAGE, order), lambda rows: self._on_more(offset, rows), self._on_error, join=True)

    def _on_more(self, offset: int, rows) -> None:
        self._loading = False
        if offset != len(self.rows):
            return
        if rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()
        self._exhausted = len(rows) < PAGE
        self.loaded.emit()

    # ------------------------------------------------------------------ Qt model
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section])
        return None

    def row_at(self, row: int) -> OrderRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (r.number, status_text(r.status, r.late) + (" · " + self.tr("history") if r.history else ""),
                    local_time(r.ordered_at), r.customer, r.city, r.lines,
                    money(r.total), r.cargo or "—", "✓" if r.invoiced else "", "✓" if r.erp_reported else "")[col]
        if role == Qt.ItemDataRole.ForegroundRole and col == 1:
            return QBrush(QColor("#c0392b" if r.late else STATUS_COLORS.get(r.status, "#333333")))
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (5, 6):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if r.late:
                return self.tr("N11 reports this order as late for shipment (LATE_SHIPMENT); it still waits for approval")
            if r.history:
                return self.tr("Imported as history: first seen on N11 past New, so it was never new work for the ERP "
                               "(N11 order number %1)").replace("%1", str(r.n11_order_number))
            return self.tr("N11 order number %1").replace("%1", str(r.n11_order_number))
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        return None
