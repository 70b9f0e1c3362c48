"""The main window: one tab per screen of DESIGN §8 and a status bar."""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QByteArray, QCoreApplication, QSettings, Slot
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (QApplication, QLabel, QMainWindow, QMessageBox, QProgressBar, QSystemTrayIcon,
                               QTabWidget, QWidget)


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TabSpec:
    slug: str  # also the screenshot file name
    title: str  # English; shown through QCoreApplication.translate("MainWindow", title)
    factory: str  # "module:Class"; the class takes (services, parent)
    what: str  # what the screen is for, in one line (the map of screens)


TABS: tuple[TabSpec, ...] = (
    TabSpec("channel_settings", QT_TRANSLATE_NOOP("MainWindow", "Channel Settings"), "n11_desktop.views.settings_tab:SettingsTab",
            "The sales channel form generated from the schema type, feature flags, Failed Integration rules, "
            "activation and Test connection."),
    TabSpec("categories_mapping", QT_TRANSLATE_NOOP("MainWindow", "Categories & Mapping"), "n11_desktop.views.mapping_tab:MappingTab",
            "The N11 category tree, category and attribute mapping with suggestions, and Mapping Control."),
    TabSpec("products", QT_TRANSLATE_NOOP("MainWindow", "Products"), "n11_desktop.views.products_tab:ProductsTab",
            "The catalog with N11 state, penalties and errors; send selected products with a diff preview."),
    TabSpec("orders", QT_TRANSLATE_NOOP("MainWindow", "Orders"), "n11_desktop.views.orders_tab:OrdersTab",
            "Orders pulled from N11: approve, ship, invoice, cancel lines."),
    TabSpec("dashboard", QT_TRANSLATE_NOOP("MainWindow", "Dashboard"), "n11_desktop.views.dashboard_tab:DashboardTab",
            "The eight KPIs of the catalog against N11 with history charts."),
    TabSpec("monitoring", QT_TRANSLATE_NOOP("MainWindow", "Monitoring"), "n11_desktop.views.monitoring_tab:MonitoringTab",
            "Flow logs with raw N11 requests and responses, and price/stock mismatch reports."),
    TabSpec("alarms", QT_TRANSLATE_NOOP("MainWindow", "Alarms"), "n11_desktop.views.alarms_tab:AlarmsTab",
            "Alarms on flow failures, error rates, staleness and queue depth."),
)


def _load_tab(spec: TabSpec, services, parent: QWidget) -> QWidget:
    module_name, _, cls_name = spec.factory.partition(":")
    return getattr(importlib.import_module(module_name), cls_name)(services, parent)


class MainWindow(QMainWindow):
    def __init__(self, services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._set_title(None)
        app_icon = QApplication.windowIcon()
        if not app_icon.isNull():
            self.setWindowIcon(app_icon)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self.tab_widgets: dict[str, QWidget] = {}
        for spec in TABS:
            widget = _load_tab(spec, services, self.tabs)
            widget.setObjectName(f"tab_{spec.slug}")
            self.tab_widgets[spec.slug] = widget
            title = QCoreApplication.translate("MainWindow", spec.title)
            self.tabs.addTab(widget, title.replace("&", "&&"))  # && shows a literal &
        self._build_menu()

        bar = self.statusBar()
        self.channel_label = QLabel(self.tr("Channel: …"))
        self.scheduler_label = QLabel(self.tr("Scheduler: %1").replace("%1", self._scheduler_word("off")))
        self.flows_label = QLabel(self.tr("No flow running"))
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(180)
        self.progress.setVisible(False)
        self.alarm_label = QLabel("")
        for w in (self.channel_label, self.scheduler_label):
            bar.addWidget(w)
        bar.addWidget(self.flows_label, 1)
        bar.addPermanentWidget(self.alarm_label)
        bar.addPermanentWidget(self.progress)
        self.tray = self._make_tray()

        services.subscribe("alarms_changed", self._show_alarms)
        services.subscribe("settings_changed", lambda _p: self.refresh_channel_state())
        self._restore_geometry()
        self.refresh_channel_state()
        if services.scheduler is not None and hasattr(services.scheduler, "attach_status"):
            services.scheduler.attach_status(self)
        if services.scheduler is not None and hasattr(services.scheduler, "lease_refused"):
            services.scheduler.lease_refused.connect(self._on_lease_refused)

    # ------------------------------------------------------------------ status bar
    def refresh_channel_state(self) -> None:
        db = self.services.db

        def load():
            from n11_desktop.core.settings import load_config

            with db.session_factory.begin() as s:
                cfg = load_config(s)
                return cfg.name, cfg.is_active

        self.services.runner.submit(load, self._show_channel_state)

    def _set_title(self, store: str | None) -> None:
        """``n11-desktop — <store>`` (the channel name from the settings), so an operator with two
        stores open tells the windows apart."""
        title = "n11-desktop"
        store_name = getattr(self.services, "store_name", "")
        if store_name and store and store != store_name:
            title += f" — {store_name} ({store})"
        elif store_name or store:
            title += " — " + (store_name or store)
        if self.services.demo:
            title += " — " + self.tr("demo (built-in N11 sandbox, schedules 10× faster)")
        self.setWindowTitle(title)
        tray = getattr(self, "tray", None)
        if tray is not None:
            tray.setToolTip(title)

    def _make_tray(self) -> QSystemTrayIcon | None:
        """The app's tray icon (where the desktop has a tray): the window title as tooltip, a click
        brings the window back, and the alarm notifications come from it."""
        if not QSystemTrayIcon.isSystemTrayAvailable() or self.windowIcon().isNull():
            return None
        tray = QSystemTrayIcon(self.windowIcon(), self)
        tray.setToolTip(self.windowTitle())

        def activated(reason) -> None:
            if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
                self.showNormal()
                self.raise_()
                self.activateWindow()

        tray.activated.connect(activated)
        tray.show()
        monitor = getattr(self.tab_widgets.get("alarms"), "monitor", None)
        if monitor is not None and hasattr(monitor, "use_tray"):
            monitor.use_tray(tray)
        return tray

    @Slot(object)
    def _show_channel_state(self, state) -> None:
        name, active = state
        self._set_title(str(name) if name else None)
        text = self.tr("Channel %1: active") if active else self.tr("Channel %1: inactive")
        self.channel_label.setText(text.replace("%1", str(name)))

    def _show_alarms(self, firing) -> None:
        n = int(firing or 0)
        self.alarm_label.setText("⚠ " + self.tr("%n alarm(s) firing", "", n) if n else "")
        self.alarm_label.setStyleSheet("color: #c0392b; font-weight: 600;" if n else "")

    def set_scheduler_state(self, text: str) -> None:
        self.scheduler_label.setText(self.tr("Scheduler: %1").replace("%1", self._scheduler_word(text)))

    def _scheduler_word(self, text: str) -> str:
        from .core_texts import state_word

        return state_word(text)

    @Slot(str)
    def _on_lease_refused(self, text: str) -> None:
        self.scheduler_label.setToolTip(text)
        self.warn_scheduler_off(self, text)

    @classmethod
    def warn_scheduler_off(cls, parent: QWidget, text: str) -> None:
        """The message box shown when another process drives this database (tests patch it)."""
        QMessageBox.warning(
            parent, QCoreApplication.translate("MainWindow", "Scheduler off"),
            text + "\n\n" + QCoreApplication.translate(
                "MainWindow",
                "This window works normally, but its scheduler stays off so the two never close "
                "each other's runs or send the same records twice. \"Run now\" still runs a single flow. "
                "Close the other process and restart n11-desktop to schedule from here."))

    def set_running(self, text: str, done: int = 0, total: int = 0) -> None:
        self.flows_label.setText(text or self.tr("No flow running"))
        self.progress.setVisible(bool(total))
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))

    # ------------------------------------------------------------------ menu
    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu(self.tr("&File"))
        prefs = QAction(self.tr("&Preferences…"), self)
        prefs.setObjectName("action_preferences")
        prefs.triggered.connect(self.open_preferences)
        menu.addAction(prefs)
        menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.triggered.connect(self.close)
        menu.addAction(quit_action)

    @Slot()
    def open_preferences(self) -> None:
        from .preferences_dialog import PreferencesDialog

        PreferencesDialog(self).exec()

    # ------------------------------------------------------------------ geometry
    def _ui_settings(self) -> QSettings:
        return QSettings(str(self.services.ui_settings_path), QSettings.Format.IniFormat)

    def _restore_geometry(self) -> None:
        s = self._ui_settings()
        geom = s.value("main/geometry", QByteArray(), type=QByteArray)
        if geom is not None and not geom.isEmpty():
            self.restoreGeometry(geom)
        else:
            self.resize(1360, 860)
        idx = s.value("main/tab", 0, type=int)
        if 0 <= idx < self.tabs.count():
            self.tabs.setCurrentIndex(idx)

    def save_geometry(self) -> None:
        s = self._ui_settings()
        s.setValue("main/geometry", self.saveGeometry())
        s.setValue("main/tab", self.tabs.currentIndex())
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.save_geometry()
        if self.tray is not None:
            self.tray.hide()
        for w in self.tab_widgets.values():
            if hasattr(w, "shutdown"):
                w.shutdown()
        self.services.shutdown()
        super().closeEvent(event)

    # ------------------------------------------------------------------ screenshots
    def tab_slugs(self) -> list[str]:
        return [spec.slug for spec in TABS]

    def show_tab(self, slug: str) -> QWidget:
        w = self.tab_widgets[slug]
        self.tabs.setCurrentWidget(w)
        return w
