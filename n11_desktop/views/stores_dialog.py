"""Store → Manage stores…: list, add, rename, remove and pick the default store (issue 16).

The same core operations as ``n11-desktop stores add|rename|remove|use`` (core/stores.py), run off
the GUI thread: a database URL is shown without its password, a store a process drives (its lease
holder is listed) is not removed, and a refused change (empty or taken name, a database that cannot
be reached) leaves the registry as it was with one line saying why. A store on PostgreSQL is added
with its URL, the password typed in a field of its own (never shown), and Test connection looks at
the server and the store's schema before anything is saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..commands.stores import prepare_demo_with_sandbox  # the demo profile, its tree from a sandbox of its own
from ..core.stores import (add_store, check_database_url, forget_store, rename_store, store_rows, url_with_password,
                           use_store)
from ..i18n.core_texts import core_message

if TYPE_CHECKING:
    from ..app import AppServices


def _reason(err) -> str:
    return core_message(str(err))


class AddStoreDialog(QDialog):
    """Name, database (empty: a new SQLite file in the data folder), copy from, demo."""

    added = Signal(str)

    def __init__(self, services: AppServices, stores: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle(self.tr("Add a store"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(self)
        self.name.setObjectName("store_name")
        self.name.setPlaceholderText(self.tr("e.g. shop-b"))
        form.addRow(self.tr("Name:"), self.name)
        self.database = QLineEdit(self)
        self.database.setObjectName("store_database")
        self.database.setPlaceholderText(self.tr("empty: a new SQLite file in the data folder"))
        self.database.setToolTip(self.tr("An SQLite file, or a PostgreSQL URL such as "
                                         "postgresql+psycopg://user:password@host/n11"))
        form.addRow(self.tr("Database:"), self.database)
        # a PostgreSQL password stays out of sight: typed here, put into the URL when the store is added
        password_row = QHBoxLayout()
        self.password = QLineEdit(self)
        self.password.setObjectName("store_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("for a PostgreSQL URL without its password"))
        self.password.setToolTip(self.tr("Leave it empty when ~/.pgpass holds the password. A password typed "
                                         "here is kept inside the URL in the store list (stores.json, readable "
                                         "only by you) and never shown."))
        password_row.addWidget(self.password, 1)
        self.test_btn = QPushButton(self.tr("Test connection"), self)
        self.test_btn.setObjectName("store_test_connection")
        self.test_btn.setToolTip(self.tr("Connect to the PostgreSQL server and look at the store's schema; "
                                         "nothing is created or changed"))
        self.test_btn.clicked.connect(self.test_connection)
        password_row.addWidget(self.test_btn)
        form.addRow(self.tr("Password:"), password_row)
        self.database.textChanged.connect(self._database_changed)
        self.copy_from = QComboBox(self)
        self.copy_from.setObjectName("store_copy_from")
        self.copy_from.addItem(self.tr("(nothing: start empty)"), "")
        for name in stores:
            self.copy_from.addItem(name, name)
        form.addRow(self.tr("Copy settings and mapping from:"), self.copy_from)
        self.demo = QCheckBox(self.tr("Demo store (the built-in N11 sandbox, a demo catalog and mapping)"), self)
        self.demo.setObjectName("store_demo")
        form.addRow("", self.demo)
        layout.addLayout(form)
        self.message = QLabel("", self)
        self.message.setObjectName("store_add_message")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setStyleSheet("color: #b00020;")
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        parent=self)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.busy = False
        self.testing = False
        self._database_changed()

    def _is_url(self) -> bool:
        return "://" in self.database.text()

    def _database_changed(self) -> None:
        url = self._is_url()
        self.password.setEnabled(url)
        self.test_btn.setEnabled(url and not self.testing and not self.busy)

    def _target(self) -> str:
        """The database as typed, with the password field's password put into a URL."""
        return url_with_password(self.database.text(), self.password.text() if self._is_url() else "")

    def _say(self, text: str, ok: bool = False) -> None:
        self.message.setStyleSheet("color: #1b5e20;" if ok else "color: #b00020;")
        self.message.setText(text)

    def test_connection(self) -> None:
        """Connect to the URL off the GUI thread and say in one line what a store there would find."""
        if not self._is_url() or self.testing:
            return
        target = self._target()
        self.testing = True
        self.test_btn.setEnabled(False)
        self._say(self.tr("Connecting…"), ok=True)
        self.services.runner.run((self, "test"), lambda: check_database_url(target), self._tested,
                                 self._test_failed)

    def _tested(self, found) -> None:
        self.testing = False
        self._database_changed()
        if found.state == "ours":
            text = self.tr("Connected to %1 (PostgreSQL %2): schema %3 holds n11-desktop's tables; the store "
                           "uses them.")
        elif found.state == "empty":
            text = self.tr("Connected to %1 (PostgreSQL %2): schema %3 is empty; adding the store creates its "
                           "tables.")
        else:
            text = self.tr("Connected to %1 (PostgreSQL %2): schema %3 does not exist yet; adding the store "
                           "creates it and its tables.")
        self._say(text.replace("%1", found.where).replace("%2", found.server).replace("%3", found.schema), ok=True)

    def _test_failed(self, err) -> None:
        self.testing = False
        self._database_changed()
        self._say(self.tr("Not connected: %1").replace("%1", _reason(err)))

    def submit(self) -> None:
        name = self.name.text().strip()
        if not name:
            self._say(self.tr("A store needs a name."))
            return
        if self.busy:
            return
        db_text, copy_from, demo = self._target(), self.copy_from.currentData() or "", self.demo.isChecked()
        self.busy = True
        self.buttons.setEnabled(False)
        self.test_btn.setEnabled(False)
        self._say(self.tr("Creating the store's database…"), ok=True)

        def add():
            store, _report = add_store(name, db_text or None, copy_from=copy_from or None, demo=demo,
                                       prepare=prepare_demo_with_sandbox if demo else None)
            return store.name

        self.services.runner.run((self, "add"), add, self._added, self._failed)

    def _added(self, name: str) -> None:
        self.busy = False
        self.buttons.setEnabled(True)
        self._database_changed()
        self.added.emit(name)
        self.accept()

    def _failed(self, err) -> None:
        self.busy = False
        self.buttons.setEnabled(True)
        self._database_changed()
        self._say(self.tr("Not added: %1").replace("%1", _reason(err)))


class StoresDialog(QDialog):
    """Every store of the registry; Add, Rename, Remove (data kept) and Set as default."""

    # (old, new): the store open in this window was renamed
    renamed = Signal(str, str)

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.rows: list = []
        self.loaded = False
        self._want: str | None = None  # the row to select once the list is read again
        self.setWindowTitle(self.tr("Manage stores"))
        self.resize(900, 420)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("stores_table")
        self.table.setHorizontalHeaderLabels([self.tr("Store"), self.tr("Database"), self.tr("Default"),
                                              self.tr("Driven by")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_btn = QPushButton(self.tr("Add…"), self)
        self.rename_btn = QPushButton(self.tr("Rename…"), self)
        self.remove_btn = QPushButton(self.tr("Remove"), self)
        self.default_btn = QPushButton(self.tr("Set as default"), self)
        self.refresh_btn = QPushButton(self.tr("Refresh"), self)
        for b, slot in ((self.add_btn, self.add_store), (self.rename_btn, self.rename_store),
                        (self.remove_btn, self.remove_store), (self.default_btn, self.set_default),
                        (self.refresh_btn, self.reload)):
            b.clicked.connect(slot)
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.message = QLabel("", self)
        self.message.setObjectName("stores_message")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.message)
        note = QLabel(self.tr("Removing a store only takes it off this list: its database stays where it is. "
                              "A store a process drives (its scheduler lease) cannot be removed."), self)
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        layout.addWidget(note)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.table.itemSelectionChanged.connect(self._enable)
        self._enable()
        self.reload()

    # ------------------------------------------------------------------ list
    def reload(self) -> None:
        self.services.runner.run((self, "list"), store_rows, self._show, self._list_failed)

    def _show(self, rows) -> None:
        selected, self._want = self._want or self.selected(), None
        self.rows = list(rows)
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            name = r.name + (" " + self.tr("(demo)") if r.demo else "")
            if r.name == self.services.store_name:
                name += " " + self.tr("(open here)")
            if r.state == "missing":
                driven = self.tr("no database yet")
            elif r.state == "unavailable":
                driven = self.tr("cannot be opened: %1").replace("%1", core_message(r.reason))
            elif r.holder is not None:
                role, pid, where = r.holder
                driven = self.tr("%1 pid %2 on %3").replace("%1", role).replace("%2", str(pid)).replace("%3", where)
            else:
                driven = self.tr("nobody")
            for j, v in enumerate((name, r.location, "✓" if r.default else "", driven)):
                item = QTableWidgetItem(v)
                item.setToolTip(v)
                item.setData(Qt.ItemDataRole.UserRole, r.name)
                self.table.setItem(i, j, item)
            if r.name == selected:
                self.table.selectRow(i)
        self.loaded = True
        self._enable()

    def _list_failed(self, err) -> None:
        self.message.setText(self.tr("Could not read the store list: %1").replace("%1", _reason(err)))
        self.loaded = True

    def selected(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def select(self, name: str) -> None:
        for i, r in enumerate(self.rows):
            if r.name == name:
                self.table.selectRow(i)

    def _enable(self) -> None:
        some = self.selected() is not None
        for b in (self.rename_btn, self.remove_btn, self.default_btn):
            b.setEnabled(some)

    # ------------------------------------------------------------------ actions
    def _do(self, key: str, fn, done_text: str, after=None) -> None:
        self.message.setText(self.tr("Working…"))

        def done(result) -> None:
            self.message.setText(done_text)
            if after is not None:
                after(result)
            self.reload()

        def failed(err) -> None:
            self.message.setText(self.tr("Nothing changed: %1").replace("%1", _reason(err)))
            self.reload()

        self.services.runner.run((self, key), fn, done, failed)

    def add_store(self) -> None:
        self.add_dialog = AddStoreDialog(self.services, [r.name for r in self.rows], self)

        def added(name: str) -> None:
            self.message.setText(self.tr("Store %1 added.").replace("%1", name))
            self.reload()

        self.add_dialog.added.connect(added)
        self.add_dialog.open()

    @classmethod
    def ask_new_name(cls, parent: QWidget, old: str) -> str | None:
        """The new name of store ``old`` (None: cancelled; tests patch it)."""
        text, ok = QInputDialog.getText(
            parent, QCoreApplication.translate("StoresDialog", "Rename store"),
            QCoreApplication.translate("StoresDialog", "New name of store %1:").replace("%1", old), text=old)
        return text if ok else None

    @classmethod
    def confirm_remove(cls, parent: QWidget, name: str) -> bool:
        """Ask before taking a store off the list (tests patch it)."""
        answer = QMessageBox.question(
            parent, QCoreApplication.translate("StoresDialog", "Remove store"),
            QCoreApplication.translate("StoresDialog", "Remove store %1 from the list? Its database is kept; "
                                       "adding a store with that database brings it back.").replace("%1", name))
        return answer == QMessageBox.StandardButton.Yes

    def rename_store(self) -> None:
        old = self.selected()
        if old is None:
            return
        new = self.ask_new_name(self, old)
        if new is None or new.strip() == old:
            return
        new = new.strip()

        def rename():
            return rename_store(old, new).name

        def after(name: str) -> None:
            if old == self.services.store_name:
                self.renamed.emit(old, name)
            self._want = name

        self._do("rename", rename, self.tr("Store %1 is now %2.").replace("%1", old).replace("%2", new), after)

    def remove_store(self) -> None:
        name = self.selected()
        if name is None:
            return
        if name == self.services.store_name:
            self.message.setText(self.tr("Nothing changed: store %1 is open in this window; switch to another "
                                         "store first.").replace("%1", name))
            return
        if not self.confirm_remove(self, name):
            return

        def remove():
            return forget_store(name).location()

        self._do("remove", remove, self.tr("Store %1 removed from the list; its data is kept.").replace("%1", name))

    def set_default(self) -> None:
        name = self.selected()
        if name is None:
            return

        def use():
            return use_store(name).name

        self._do("default", use, self.tr("Store %1 opens by default.").replace("%1", name))
