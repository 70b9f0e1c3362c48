"""The Suggestions page: ranked guesses for what is not mapped yet, accepted one by one or all
above a threshold (and undone), and the operator's own terms that teach the ranker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSlider, QTableView, \
    QVBoxLayout, QWidget

from n11_desktop.core.mapping import operations as ops
from n11_desktop.core.mapping.suggest import Suggestion, best_per_item

from ..mapping_models import AMBER, GREEN, GREY, Column, RowsModel
from .common import Pane, Say, pct, table_defaults

if TYPE_CHECKING:
    from ...app import AppServices


class SuggestionsPage(Pane):
    accepted = Signal()  # suggestions were accepted or undone (the mapping changed)

    def __init__(self, services: AppServices, say: Say, parent: QWidget | None = None) -> None:
        super().__init__(services, say, parent)
        self._last_undo: tuple = ()
        lay = QVBoxLayout(self)
        intro = QLabel(self.tr("Suggestions for what is not mapped yet. Categories are ranked on the whole local path, "
                       "a Turkish e-commerce lexicon (Laptop → Dizüstü Bilgisayar, Bayan → Kadın) plus your own "
                       "terms, the products' titles, what you already mapped and N11's tree; Turkish letters are "
                       "folded (İ/ı/ş/ğ/ü/ö/ç). Accept one by one, or all of the best ones above the threshold "
                       "(and undo that if it went wrong)."))
        intro.setWordWrap(True)
        lay.addWidget(intro)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Threshold:")))
        self.threshold = QSlider(Qt.Orientation.Horizontal)
        self.threshold.setRange(50, 100)
        self.threshold.setValue(85)
        self.threshold.setMaximumWidth(200)
        row.addWidget(self.threshold)
        self.threshold_label = QLabel("85%")
        row.addWidget(self.threshold_label)
        self.btn_sugg_refresh = QPushButton(self.tr("Refresh"))
        self.btn_sugg_refresh.clicked.connect(self.load_suggestions)
        self.btn_accept = QPushButton(self.tr("Accept selected"))
        self.btn_accept.clicked.connect(self.accept_selected)
        self.btn_accept_all = QPushButton(self.tr("Accept all ≥ 85%"))
        self.btn_accept_all.clicked.connect(self.accept_above_threshold)
        self.btn_undo_accept = QPushButton(self.tr("Undo last accept"))
        self.btn_undo_accept.setEnabled(False)
        self.btn_undo_accept.clicked.connect(self.undo_last_accept)
        self.threshold.valueChanged.connect(self._on_threshold)
        for b in (self.btn_sugg_refresh, self.btn_accept, self.btn_accept_all, self.btn_undo_accept):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        term_row = QHBoxLayout()
        term_row.addWidget(QLabel(self.tr("Treat")))
        self.term_local = QLineEdit()
        self.term_local.setPlaceholderText(self.tr("your word, e.g. Smartwatch"))
        term_row.addWidget(self.term_local)
        term_row.addWidget(QLabel(self.tr("as")))
        self.term_n11 = QLineEdit()
        self.term_n11.setPlaceholderText(self.tr("N11's word, e.g. Akıllı Saat"))
        self.term_n11.returnPressed.connect(self.add_term)
        term_row.addWidget(self.term_n11)
        self.btn_term = QPushButton(self.tr("Teach"))
        self.btn_term.clicked.connect(self.add_term)
        self.btn_term_del = QPushButton(self.tr("Forget"))
        self.btn_term_del.setToolTip(self.tr("Forget the term typed on the left"))
        self.btn_term_del.clicked.connect(self.remove_term)
        term_row.addWidget(self.btn_term)
        term_row.addWidget(self.btn_term_del)
        self.terms_label = QLabel("")
        self.terms_label.setStyleSheet("color: #555;")
        term_row.addWidget(self.terms_label, 1)
        lay.addLayout(term_row)
        self.sugg_summary = QLabel("")
        self.sugg_summary.setWordWrap(True)  # Turkish lines run longer: wrap, never widen the window
        lay.addWidget(self.sugg_summary)
        self.sugg_model: RowsModel[Suggestion] = RowsModel([
            Column(self.tr("Kind"), lambda s: s.kind),
            Column(self.tr("Local"), lambda s: s.local),
            Column(self.tr("Suggested N11"), lambda s: f"{s.n11_name.split(' > ')[-1]} ({s.n11_id})",
                   tooltip=lambda s: s.n11_name),
            Column(self.tr("Confidence"), lambda s: pct(s.confidence), sort=lambda s: s.confidence,
                   color=lambda s: GREEN if s.confidence >= 0.85 else (AMBER if s.confidence >= 0.6 else GREY)),
            Column(self.tr("Scope"), lambda s: "—" if s.kind == "category" else
                   (self.tr("all categories") if not s.category_id else
                    self.tr("category %1").replace("%1", str(s.category_id)))),
            Column(self.tr("Why"), lambda s: s.reason, tooltip=lambda s: s.reason),
        ], self)
        self.sugg_view = QTableView()
        self.sugg_view.setModel(self.sugg_model)
        table_defaults(self.sugg_view)
        self.sugg_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.sugg_view.horizontalHeader().setStretchLastSection(True)
        for c, w in ((0, 62), (1, 170), (2, 200), (3, 78), (4, 100)):
            self.sugg_view.setColumnWidth(c, w)
        lay.addWidget(self.sugg_view, 1)

    @Slot()
    def load_suggestions(self) -> None:
        db = self.services.db
        self.submit(lambda: ops.load_suggestions(db), self._show_suggestions, latest="suggestions")

    def _show_suggestions(self, data) -> None:
        rows, terms = data
        self.terms_label.setText(self.tr("%1 term(s) of yours").replace("%1", str(len(terms))) if terms else "")
        self.terms_label.setToolTip("\n".join(f"{k} → {v}" for k, v in sorted(terms.items())))
        self.sugg_model.set_rows(rows)
        self._on_threshold(self.threshold.value())
        if not rows:
            self.sugg_summary.setText(self.tr("Nothing to suggest: everything is mapped, or the N11 tree and attributes "
                                      "are not loaded yet."))

    @Slot(int)
    def _on_threshold(self, value: int) -> None:
        self.threshold_label.setText(f"{value}%")
        n = sum(1 for s in best_per_item(self.sugg_model.rows) if s.confidence * 100 >= value)
        self.btn_accept_all.setText(self.tr("Accept all ≥ %1% (%2)").replace("%1", str(value)).replace("%2", str(n)))
        self.btn_accept_all.setEnabled(n > 0)
        kinds: dict[str, int] = {}
        for s in self.sugg_model.rows:
            kinds[s.kind] = kinds.get(s.kind, 0) + 1
        if self.sugg_model.rows:
            words = {"category": self.tr("category suggestion(s)"), "attribute": self.tr("attribute suggestion(s)"),
                     "value": self.tr("value suggestion(s)")}
            self.sugg_summary.setText(", ".join(f"{n} {words.get(k, k)}" for k, n in sorted(kinds.items())))

    def _accept(self, items: list[Suggestion]) -> None:
        if not items:
            self.say(self.tr("Select suggestions to accept first."), error=True)
            return
        db = self.services.db

        def done(res) -> None:
            self.say("✔ " + self.tr("accepted %1 suggestion(s)").replace("%1", str(res.accepted))
                     + (", " + self.tr("%1 skipped").replace("%1", str(res.skipped)) if res.skipped else ""))
            self._last_undo = res.undo
            self.btn_undo_accept.setText(self.tr("Undo last accept (%1)").replace("%1", str(len(res.undo))) if res.undo else self.tr("Undo last accept"))
            self.btn_undo_accept.setEnabled(bool(res.undo))
            self.services.emit("mapping_changed", None)
            self.load_suggestions()
            self.accepted.emit()

        self.submit(lambda: ops.accept_suggestions(db, items), done)

    @Slot()
    def accept_selected(self) -> None:
        rows = sorted({i.row() for i in self.sugg_view.selectionModel().selectedRows()})
        self._accept([self.sugg_model.rows[r] for r in rows])

    @Slot()
    def accept_above_threshold(self) -> None:
        t = self.threshold.value() / 100
        self._accept([s for s in best_per_item(self.sugg_model.rows) if s.confidence >= t])

    @Slot()
    def undo_last_accept(self) -> None:
        steps = self._last_undo
        if not steps:
            return
        db = self.services.db
        self._last_undo = ()
        self.btn_undo_accept.setEnabled(False)
        self.btn_undo_accept.setText(self.tr("Undo last accept"))

        def done(n) -> None:
            self.say("✔ " + self.tr("undid %1 accepted suggestion(s)").replace("%1", str(n)))
            self.services.emit("mapping_changed", None)
            self.load_suggestions()
            self.accepted.emit()

        self.submit(lambda: ops.undo_accepted(db, steps), done)

    def _term_write(self, operation) -> None:
        def done(msg) -> None:
            self.say("✔ " + msg)
            self.load_suggestions()

        self.submit(operation, done, lambda err: self.say(f"✖ {err}", error=True))

    @Slot()
    def add_term(self) -> None:
        local, n11, db = self.term_local.text(), self.term_n11.text(), self.services.db
        self._term_write(lambda: ops.teach_term(db, local, n11))

    @Slot()
    def remove_term(self) -> None:
        local, db = self.term_local.text(), self.services.db
        self._term_write(lambda: ops.forget_term(db, local))
