"""Send selected products now (seed §8 product triggering, DESIGN §1.5).

The dialog first shows, field by field, what a send changes on N11 (old → new, "old" being
what N11 last accepted according to the ledger) and the guardrail warnings (price 0 or
missing, a price drop above the threshold, a stock jump above the threshold). Risky sends stay
blocked until the operator ticks "Send anyway". Sending runs the product flows (the same code
as the scheduler and the CLI) restricted to the selected SKUs on ``services.runner``, with
progress (counts, ETA) and a Cancel that stops at the flows' next safe point.
"""

from __future__ import annotations

from operator import itemgetter

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from .rows_model import Column, RowsModel

from ..core.domain import FlowProgress, FlowResult
from ..core.products_send import PreviewData, load_preview, send_products

if TYPE_CHECKING:
    from ..app import AppServices

#: flows run by "Send" for products that exist on N11 already
UPDATE_FLOWS = ("product_update", "stock", "price")


@dataclass(frozen=True, slots=True)
class SendOutcome:
    results: tuple[FlowResult, ...]
    cancelled: bool


class DiffModel(RowsModel):
    """Field-by-field preview rows: (sku, field, on N11 now, will be sent)."""

    HEADERS = ("SKU", QT_TRANSLATE_NOOP("DiffModel", "Field"), QT_TRANSLATE_NOOP("DiffModel", "On N11 now"),
               QT_TRANSLATE_NOOP("DiffModel", "Will be sent"))

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([Column(self.tr(h), itemgetter(i), tooltip=itemgetter(i)) for i, h in enumerate(self.HEADERS)],
                         parent)

    def row(self, n: int) -> tuple[str, str, str, str]:
        return self._rows[n]


def _show(v: Any) -> str:
    if v is None or v == "":
        return "—"
    text = str(v)
    return text if len(text) <= 200 else text[:197] + "…"


class _Bridge(QObject):
    progress = Signal(object)  # FlowProgress from the worker thread, queued to the GUI thread


class SendDialog(QDialog):
    """Preview → (confirm guardrails) → send with progress and Cancel."""

    def __init__(self, services: AppServices, *, skus: Sequence[str] | None = None, product_ids: Sequence[int] | None = None,
                 flow: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.flow = flow
        self._skus_in = list(skus or ())
        self._ids_in = list(product_ids or ())
        self.data: PreviewData | None = None
        self.outcome: SendOutcome | None = None
        self._cancel = threading.Event()
        self._running = False
        self._closing = False
        self.setWindowTitle(self.tr("Send to N11"))
        self.resize(900, 560)

        self.summary = QLabel(self.tr("Preparing the preview…"), self)
        self.summary.setWordWrap(True)
        self.warnings = QLabel(self)
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("QLabel { color: #7d3c00; background: #fef5e7; padding: 6px; "
                                    "border: 1px solid #b9770e; border-radius: 3px; }")
        self.warnings.setVisible(False)
        self.confirm = QCheckBox(self.tr("Send anyway (I checked the warnings above)"), self)
        self.confirm.setVisible(False)
        self.confirm.toggled.connect(self._update_buttons)
        self.model = DiffModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setVisible(False)
        self.progress_label = QLabel(self)
        self.progress_label.setVisible(False)
        self.result_label = QLabel(self)
        self.result_label.setWordWrap(True)
        self.result_label.setVisible(False)

        self.buttons = QDialogButtonBox(self)
        self.send_button = QPushButton(self.tr("Send"), self)
        self.send_button.setEnabled(False)
        self.send_button.clicked.connect(self.start_send)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.clicked.connect(self.cancel_or_close)
        self.buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)

        lay = QVBoxLayout(self)
        for w in (self.summary, self.warnings, self.confirm, self.table, self.progress_label, self.progress_bar,
                  self.result_label, self.buttons):
            lay.addWidget(w)

        self._bridge = _Bridge(self)
        self._bridge.progress.connect(self._on_progress)
        self._load()

    # ------------------------------------------------------------------ preview
    def is_ready(self) -> bool:
        return self.data is not None and not self._running

    def _load(self) -> None:
        db = self.services.db
        skus, ids = self._skus_in, self._ids_in
        self.services.runner.submit(lambda: load_preview(db, skus, ids), self._on_preview, self._on_error)

    def _on_error(self, err) -> None:
        self._running = False
        self.summary.setText(self.tr("Could not prepare the send: %1").replace("%1", str(err)))
        self.cancel_button.setText(self.tr("Close"))
        self._update_buttons()

    @Slot(object)
    def _on_preview(self, data: PreviewData) -> None:
        if self._closing:
            return
        self.data = data
        pv = data.preview
        self.model.set_rows([(d.sku, d.field, _show(d.old), _show(d.new)) for d in pv.diffs])
        parts = [self.tr("%1 product(s) selected").replace("%1", str(len(data.skus)))]
        if pv.new_skus:
            parts.append(self.tr("%1 new on N11 (created)").replace("%1", str(len(pv.new_skus))))
        changed = len({d.sku for d in pv.diffs} - set(pv.new_skus))
        if changed:
            parts.append(self.tr("%1 with changes").replace("%1", str(changed)))
        if pv.unchanged_skus:
            parts.append(self.tr("%1 unchanged").replace("%1", str(len(pv.unchanged_skus))))
        if pv.problems:
            parts.append(self.tr("%1 cannot be sent").replace("%1", str(len(pv.problems))))
        if data.unknown:
            parts.append(self.tr("%1 unknown SKU(s): %2").replace("%1", str(len(data.unknown)))
                         .replace("%2", ", ".join(data.unknown[:5])))
        text = "; ".join(parts) + "."
        if pv.problems:
            text += "\n" + self.tr("Cannot be sent (they will be penalized with this reason): ") + "; ".join(
                f"{sku}: {msg}" for sku, msg in pv.problems[:5]) + (" …" if len(pv.problems) > 5 else "")
        if self.flow == "product_create":
            text += "\n" + self.tr("Only products not yet on N11 are created (seed §8: updates go through the "
                                   "scheduled flows).")
        self.summary.setText(text)
        if pv.findings:
            self.warnings.setText(self.tr("%1 warning(s) — check before sending:\n").replace("%1", str(len(pv.findings))) + "\n".join(
                f"• {f.sku}: {f.message}" for f in pv.findings[:20]) + ("\n…" if len(pv.findings) > 20 else ""))
            self.warnings.setVisible(True)
            self.confirm.setVisible(True)
        self._update_buttons()

    def _update_buttons(self, *_a: Any) -> None:
        ok = (self.data is not None and bool(self.data.skus) and not self._running and self.outcome is None
              and (not self.data.preview.findings or self.confirm.isChecked()))
        self.send_button.setEnabled(ok)
        self.send_button.setText(self.tr("Send anyway") if self.data is not None and self.data.preview.findings else self.tr("Send"))

    def blocked_by_guardrails(self) -> bool:
        return bool(self.data and self.data.preview.findings and not self.confirm.isChecked())

    # ------------------------------------------------------------------ send
    def flows(self) -> tuple[str, ...]:
        if self.flow:
            return (self.flow,)
        return ("product_create",) + UPDATE_FLOWS

    @Slot()
    def start_send(self) -> None:
        if self.data is None or self._running or self.blocked_by_guardrails():
            return
        self._running = True
        self._cancel.clear()
        self.confirm.setEnabled(False)
        self.progress_bar.setVisible(True)
        self.progress_bar.setRange(0, 0)
        self.progress_label.setVisible(True)
        self.progress_label.setText(self.tr("Starting…"))
        self.cancel_button.setText(self.tr("Cancel"))
        self._update_buttons()
        db, skus, flows, cancel, bridge = self.services.db, list(self.data.skus), self.flows(), self._cancel, self._bridge

        def job() -> SendOutcome:
            return SendOutcome(*send_products(db, skus, flows, should_stop=cancel.is_set,
                                              on_progress=bridge.progress.emit))

        self.services.runner.submit(job, self._on_sent, self._on_error)

    @Slot(object)
    def _on_progress(self, p: FlowProgress) -> None:
        if not self._running:
            return
        if p.total:
            self.progress_bar.setRange(0, p.total)
            self.progress_bar.setValue(min(p.done, p.total))
        eta = self.tr(", about %1 s left").replace("%1", f"{p.eta_s:.0f}") if p.eta_s else ""
        self.progress_label.setText((f"{p.flow}: " + self.tr("%1 of %2").replace("%1", str(p.done))
                                     .replace("%2", str(p.total)) + f"{eta} {p.message}").rstrip())

    @Slot(object)
    def _on_sent(self, outcome: SendOutcome) -> None:
        self._running = False
        self.outcome = outcome
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(1)
        lines = []
        for r in outcome.results:
            line = f"{r.flow}: {r.state.value} — " + self.tr("%1 sent, %2 failed, %3 penalized, %4 skipped").replace(
                "%1", str(r.succeeded)).replace("%2", str(r.failed)).replace("%3", str(r.penalized)).replace(
                "%4", str(r.skipped))
            if r.message:
                line += f" ({r.message})"
            lines.append(line)
        if outcome.cancelled:
            lines.append(self.tr("Cancelled: what was sent before the cancel is tracked; nothing else left."))
        self.result_label.setText("\n".join(lines) or self.tr("Nothing was run."))
        self.result_label.setVisible(True)
        self.progress_label.setText(self.tr("Cancelled.") if outcome.cancelled else self.tr("Done."))
        self.cancel_button.setText(self.tr("Close"))
        self._update_buttons()
        for r in outcome.results:
            self.services.emit("flow_finished", r)
        if self._closing:
            self.done(QDialog.DialogCode.Rejected)

    @Slot()
    def cancel_or_close(self) -> None:
        if self._running:
            self._cancel.set()
            self.progress_label.setText(self.tr("Cancelling at the next safe point…"))
            self.cancel_button.setEnabled(False)
            return
        self.reject()

    def reject(self) -> None:  # Esc / window close
        if self._running:
            self._closing = True
            self._cancel.set()
            return
        self._closing = True
        super().reject()

    def closeEvent(self, event) -> None:  # noqa: N802
        if self._running:
            self._closing = True
            self._cancel.set()
            event.ignore()
            return
        super().closeEvent(event)


def open_send_dialog(services, *, skus: Sequence[str] | None = None, product_ids: Sequence[int] | None = None,
                     flow: str | None = None, parent: QWidget | None = None) -> SendDialog:
    dlg = SendDialog(services, skus=skus, product_ids=product_ids, flow=flow, parent=parent)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dlg.show()
    return dlg


def install_product_actions(tab, services) -> tuple[QAction, QAction]:
    """Add "Send selected…" and "Penalty box…" to the Products tab (``tab.add_action``)."""
    send = QAction(QCoreApplication.translate("send_dialog", "Send selected…"), tab)
    send.setToolTip(QCoreApplication.translate("send_dialog", "Preview field by field what changes on N11 for the selected products, then send them now"))
    penalty_action = QAction(QCoreApplication.translate("send_dialog", "Penalty box…"), tab)
    penalty_action.setToolTip(QCoreApplication.translate("send_dialog", "Records held after errors (seed §8): lift penalties, delete failed integrations, "
                              "bump version dates from a CSV"))

    def on_send() -> None:
        def got(rows) -> None:
            if rows:
                open_send_dialog(services, product_ids=[r.id for r in rows], parent=tab)
        tab.selected_products(got)

    def on_penalty() -> None:
        from .penalty_dialog import open_penalty_dialog

        open_penalty_dialog(services, parent=tab)

    send.triggered.connect(on_send)
    penalty_action.triggered.connect(on_penalty)
    tab.add_action(send)
    tab.add_action(penalty_action)
    tab.send_selected_action = send
    tab.penalty_box_action = penalty_action
    return send, penalty_action
