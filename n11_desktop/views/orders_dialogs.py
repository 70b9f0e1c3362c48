"""Small dialogs of the Orders tab: ship (tracking number), invoice link, partial cancel and
the Address Mapping screen. Each modal question is a ``@classmethod ask`` (tests patch it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.orders import operations as order_ops
from ..core.orders.cargo import CargoRow

if TYPE_CHECKING:
    from ..app import AppServices


class TextDialog(QDialog):
    def __init__(self, title: str, prompt: str, placeholder: str, value: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        lay = QFormLayout(self)
        info = QLabel(prompt)
        info.setWordWrap(True)
        lay.addRow(info)
        self.edit = QLineEdit(value)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setMinimumWidth(380)
        lay.addRow(self.edit)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        lay.addRow(box)


class ShipDialog(TextDialog):
    @classmethod
    def ask(cls, parent: QWidget | None, count: int) -> str | None:
        d = cls(QCoreApplication.translate("ShipDialog", "Ship lines"),
                QCoreApplication.translate("ShipDialog", "Tracking number for the %1 selected line(s). It is sent to "
                                           "N11 only when Send Shipping Info is on (otherwise N11 manages shipping).")
                .replace("%1", str(count)),
                QCoreApplication.translate("ShipDialog", "e.g. YK1234567890"), parent=parent)
        return d.edit.text().strip() if d.exec() == QDialog.DialogCode.Accepted else None


class MicroInvoiceDialog(TextDialog):
    """Invoice link of a micro-export order: N11 also needs the invoice number and date/time."""

    def __init__(self, current: str = "", parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Invoice link (micro-export order)"),
                         self.tr("Micro-export order: N11 needs the https:// link of the invoice document, the invoice "
                                 "number and the invoice date and time (Turkish time)."), "https://…/invoice.pdf",
                         current, parent)
        lay = self.layout()
        self.number = QLineEdit()
        self.number.setPlaceholderText(self.tr("e.g. ABC2026000000001"))
        self.time = QLineEdit()
        self.time.setPlaceholderText(self.tr("dd/MM/yyyy HH:mm, e.g. 31/01/2026 14:30"))
        lay.insertRow(2, self.tr("Invoice number"), self.number)
        lay.insertRow(3, self.tr("Invoice date and time"), self.time)

    @classmethod
    def ask(cls, parent: QWidget | None, current: str = "") -> tuple[str, str, str] | None:
        d = cls(current, parent)
        if d.exec() != QDialog.DialogCode.Accepted:
            return None
        return d.edit.text().strip(), d.number.text().strip(), d.time.text().strip()


class CollectionDialog(QDialog):
    """Pick-up request (Horoz, Ceva, Borusan): number of boxes and volumetric weight (desi)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Request pick-up"))
        lay = QFormLayout(self)
        info = QLabel(self.tr("Horoz, Ceva and Borusan collect approved packages at your warehouse once asked."))
        info.setWordWrap(True)
        lay.addRow(info)
        self.boxes = QSpinBox()
        self.boxes.setRange(1, 999)
        self.desi = QLineEdit("1")
        self.desi.setPlaceholderText(self.tr("volumetric weight, e.g. 2.5"))
        lay.addRow(self.tr("Boxes"), self.boxes)
        lay.addRow(self.tr("Desi"), self.desi)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        lay.addRow(box)

    @classmethod
    def ask(cls, parent: QWidget | None) -> tuple[int, str] | None:
        d = cls(parent)
        if d.exec() != QDialog.DialogCode.Accepted:
            return None
        return d.boxes.value(), d.desi.text().strip().replace(",", ".")


class InvoiceDialog(TextDialog):
    @classmethod
    def ask(cls, parent: QWidget | None, current: str = "") -> str | None:
        d = cls(QCoreApplication.translate("InvoiceDialog", "Invoice link"),
                QCoreApplication.translate("InvoiceDialog", "https:// link of the invoice document (PDF, PNG or JPEG, "
                                           "at most 2048 characters). It is sent to N11 by Send Invoice Link."),
                "https://…/invoice.pdf", current, parent)
        return d.edit.text().strip() if d.exec() == QDialog.DialogCode.Accepted else None


class CancelDialog(QDialog):
    """Choose a quantity to cancel per line (0 = keep)."""

    def __init__(self, items, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Cancel lines (partial cancellation)"))
        lay = QVBoxLayout(self)
        note = QLabel(self.tr("Quantities to cancel. The cancellation is sent to N11 with the Cancellation Reason Type Id "
                      "of the channel settings (61–65). Only lines not yet shipped can be cancelled."))
        note.setWordWrap(True)
        lay.addWidget(note)
        self.table = QTableWidget(len(items), 4, self)
        self.table.setHorizontalHeaderLabels([self.tr("Line"), self.tr("Product"), self.tr("Open qty"), self.tr("Cancel")])
        self.table.verticalHeader().hide()
        self.spins: dict[int, QSpinBox] = {}
        for n, it in enumerate(items):
            open_qty = it.quantity - it.cancelled
            self.table.setItem(n, 0, QTableWidgetItem(it.line_id))
            self.table.setItem(n, 1, QTableWidgetItem(it.name or it.sku))
            self.table.setItem(n, 2, QTableWidgetItem(str(open_qty)))
            spin = QSpinBox()
            spin.setRange(0, max(0, open_qty))
            self.table.setCellWidget(n, 3, spin)
            self.spins[it.id] = spin
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        lay.addWidget(box)
        self.resize(560, 300)

    def quantities(self) -> dict[int, int]:
        return {iid: s.value() for iid, s in self.spins.items() if s.value() > 0}

    @classmethod
    def ask(cls, parent: QWidget | None, items) -> dict[int, int] | None:
        d = cls(items, parent)
        return d.quantities() if d.exec() == QDialog.DialogCode.Accepted else None


class _MappingDialog(QDialog):
    """A mapping dialog: a title, an explanation, a table of what to map (``self.table``), then the
    subclass's own controls below it in ``self.frame``. Texts are class attributes (translated in
    the subclass's context)."""

    TITLE = ""
    SIZE = (700, 400)
    INTRO = ""
    HEADERS: tuple[str, ...] = ()

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle(self.tr(self.TITLE))
        self.resize(*self.SIZE)
        self.frame = QVBoxLayout(self)
        label = QLabel(self.tr(self.INTRO))
        label.setWordWrap(True)
        self.frame.addWidget(label)
        self.table = QTableWidget(0, len(self.HEADERS), self)
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in self.HEADERS])
        self.table.verticalHeader().hide()

    def _add_status_and_close(self) -> None:
        """Below the subclass's controls: the status line (``self.status``) and Close."""
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.frame.addWidget(self.status)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        self.frame.addWidget(close)


class AddressMappingDialog(_MappingDialog):
    """Unmapped N11 address names (from "Address is not valid" errors) → local address nodes."""

    TITLE = QT_TRANSLATE_NOOP("AddressMappingDialog", "Address Mapping")
    SIZE = (760, 420)
    INTRO = QT_TRANSLATE_NOOP("AddressMappingDialog", "These N11 address names did not match the local address tree, "
                              "so their orders were not written. Choose the local city / township / district for "
                              "each one and press Save; the orders are fetched again by Order Create.")
    HEADERS = (QT_TRANSLATE_NOOP("AddressMappingDialog", "Level"),
               QT_TRANSLATE_NOOP("AddressMappingDialog", "N11 name (code)"),
               QT_TRANSLATE_NOOP("AddressMappingDialog", "Parent"))

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        lay = self.frame
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._load_candidates)
        lay.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Local node:")))
        self.choice = QComboBox()
        self.choice.setMinimumWidth(300)
        row.addWidget(self.choice, 1)
        self.save_btn = QPushButton(self.tr("Save mapping"))
        self.save_btn.clicked.connect(self.save)
        row.addWidget(self.save_btn)
        self.create_btn = QPushButton(self.tr("Add as new local node"))
        self.create_btn.setToolTip(self.tr("Add the N11 name to the local address tree under its parent and map it"))
        self.create_btn.clicked.connect(self.create_node)
        row.addWidget(self.create_btn)
        lay.addLayout(row)
        self._add_status_and_close()
        self.entries: tuple = ()
        self.saved = 0
        self.reload()

    def reload(self) -> None:
        db = self.services.db

        self.services.runner.run((self, "load"), lambda: order_ops.load_unmapped_addresses(db), self._show)

    @Slot(object)
    def _show(self, entries) -> None:
        self.entries = entries
        self.table.setRowCount(len(entries))
        for n, e in enumerate(entries):
            for col, text in enumerate((e.model, e.code, e.parent_code or "—")):
                self.table.setItem(n, col, QTableWidgetItem(text))
        note, self._note = getattr(self, "_note", ""), ""
        summary = self.tr("Nothing left to map.") if not entries else \
            self.tr("%1 name(s) to map.").replace("%1", str(len(entries)))
        self.status.setText(f"{note} {summary}".strip())
        self.save_btn.setEnabled(bool(entries))
        self.create_btn.setEnabled(bool(entries))
        if entries:
            self.table.selectRow(0)

    def _current(self):
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.entries[rows[0].row()] if rows and rows[0].row() < len(self.entries) else None

    @Slot()
    def _load_candidates(self) -> None:
        entry = self._current()
        self.choice.clear()
        if entry is None:
            return
        db = self.services.db

        def done(nodes):
            if self._current() is not entry:
                return
            self.choice.clear()
            for node in nodes:
                self.choice.addItem(node.name, node.id)

        self.services.runner.run((self, "candidates"), lambda: order_ops.load_address_candidates(db, entry), done)

    @Slot()
    def save(self) -> None:
        entry = self._current()
        local_id = self.choice.currentData()
        if entry is None or local_id is None:
            self.status.setText(self.tr("Choose an entry and a local node first."))
            return
        db = self.services.db

        def done(_e):
            self.saved += 1
            self._note = self.tr("%1 %2 → %3 saved.").replace("%1", str(entry.model)).replace(
                "%2", str(entry.code)).replace("%3", self.choice.currentText())
            self.reload()

        self.services.runner.submit(lambda: order_ops.map_address(db, entry.id, int(local_id)), done,
                                    lambda err: self.status.setText(self.tr("Not saved: %1").replace("%1", str(err))))

    @Slot()
    def create_node(self) -> None:
        entry = self._current()
        if entry is None:
            self.status.setText(self.tr("Choose an entry first."))
            return

        def done(node):
            self.saved += 1
            self._note = self.tr("%1 %2 added to the local address tree and mapped.").replace(
                "%1", str(entry.model)).replace("%2", str(node.name))
            self.reload()

        db = self.services.db
        self.services.runner.submit(lambda: order_ops.add_and_map_address(db, entry.id), done,
                                    lambda err: self.status.setText(self.tr("Not added: %1").replace("%1", str(err))))


class CargoMappingDialog(_MappingDialog):
    """Local cargo companies ↔ N11 shipment companies (used when Cargo Company Id is empty)."""

    TITLE = QT_TRANSLATE_NOOP("CargoMappingDialog", "Cargo mapping")
    SIZE = (680, 380)
    INTRO = QT_TRANSLATE_NOOP("CargoMappingDialog", "Orders take the first active local cargo company mapped to the N11 "
                              "shipment company of the package, unless Cargo Company Id is set in Channel Settings. A "
                              "package whose company is not mapped is not written (the log says which company).")
    HEADERS = (QT_TRANSLATE_NOOP("CargoMappingDialog", "Local id"),
               QT_TRANSLATE_NOOP("CargoMappingDialog", "Local cargo company"),
               QT_TRANSLATE_NOOP("CargoMappingDialog", "Code"),
               QT_TRANSLATE_NOOP("CargoMappingDialog", "N11 shipment company"))

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        lay = self.frame
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.add_btn = QPushButton(self.tr("Add company"))
        self.add_btn.clicked.connect(lambda: self._add_row(None))
        self.save_btn = QPushButton(self.tr("Save"))
        self.save_btn.clicked.connect(self.save)
        row.addWidget(self.add_btn)
        row.addStretch(1)
        row.addWidget(self.save_btn)
        lay.addLayout(row)
        self._add_status_and_close()
        self.companies: tuple = ()
        self.loaded = False
        self.saved = 0
        db = services.db
        services.runner.submit(lambda: order_ops.load_cargo(db), self._show)

    @Slot(object)
    def _show(self, res) -> None:
        rows, self.companies = res
        self.table.setRowCount(0)
        for r in rows:
            self._add_row(r)
        self.loaded = True

    def _add_row(self, r) -> None:
        n = self.table.rowCount()
        self.table.insertRow(n)
        next_id = max([int(self.table.item(i, 0).text()) for i in range(n)
                       if self.table.item(i, 0) and self.table.item(i, 0).text().isdigit()] or [100]) + 1
        self.table.setItem(n, 0, QTableWidgetItem(str(r.id if r else next_id)))
        self.table.setItem(n, 1, QTableWidgetItem(r.name if r else ""))
        self.table.setItem(n, 2, QTableWidgetItem(r.code if r else ""))
        combo = QComboBox()
        combo.addItem(self.tr("— not mapped —"), None)
        for cid, name in self.companies:
            combo.addItem(f"{name} ({cid})", cid)
        if r is not None and r.n11_shipment_company_id is not None:
            idx = combo.findData(r.n11_shipment_company_id)
            if idx < 0:
                combo.addItem(str(r.n11_shipment_company_id), r.n11_shipment_company_id)
                idx = combo.count() - 1
            combo.setCurrentIndex(idx)
        self.table.setCellWidget(n, 3, combo)

    def rows(self):
        out = []
        for n in range(self.table.rowCount()):
            text = (self.table.item(n, 0).text() if self.table.item(n, 0) else "").strip()
            try:
                cid = int(text)
            except ValueError:
                raise ValueError(self.tr("row %1: the local cargo company id %2 is not a number").replace(
                    "%1", str(n + 1)).replace("%2", repr(text))) from None
            combo = self.table.cellWidget(n, 3)
            out.append(CargoRow(cid, self.table.item(n, 1).text() if self.table.item(n, 1) else "",
                                self.table.item(n, 2).text() if self.table.item(n, 2) else "",
                                combo.currentData() if combo else None, True))
        return out

    @Slot()
    def save(self) -> None:
        try:
            rows = self.rows()
        except ValueError as exc:
            self.status.setText(self.tr("Not saved: %1").replace("%1", str(exc)))
            return
        db = self.services.db

        def done(changed):
            self.saved += 1
            self.status.setText(self.tr("Saved (%1 changed). New orders use this mapping from the next Order Create.").replace("%1", str(changed)))

        self.services.runner.submit(lambda: order_ops.save_cargo(db, rows), done,
                                    lambda err: self.status.setText(self.tr("Not saved: %1").replace("%1", str(err))))
