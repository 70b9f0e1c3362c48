"""The main window: one tab per screen of DESIGN §8 and a status bar."""

from __future__ import annotations

import importlib
import logging
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QByteArray, QCoreApplication, QSettings, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent
from PySide6.QtWidgets import (QApplication, QLabel, QMainWindow, QMenu, QMessageBox, QProgressBar, QSystemTrayIcon,
                               QTabWidget, QWidget)

from ..core.instance import current_holder, this_host
from ..core.settings.operations import channel_state
from ..core.stores import Registry, StoreError, copy_from_store
from ..workers import gc_timer
from .audit_dialog import AuditDialog
from .core_texts import core_message, state_word
from .preferences_dialog import PreferencesDialog

if TYPE_CHECKING:
    from ..app import AppServices

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


# how often the status bar looks at who holds this store's scheduler lease (its heartbeat is 20 s)
LEASE_REFRESH_MS = 15_000


class MainWindow(QMainWindow):
    # the operator picked another store in the Store menu (the store session switches to it)
    store_switch_requested = Signal(str)
    # the store open here was renamed in Store → Manage stores… (old, new)
    store_renamed = Signal(str, str)

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        gc_timer.install(QApplication.instance())  # garbage collected on this (GUI) thread only
        self.services = services
        self._channel_name = ""
        self._opening_store: str | None = None  # another store being opened (Store menu switcher)
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
        self.lease_label = QLabel("")
        self.lease_label.setObjectName("lease_label")
        for w in (self.channel_label, self.scheduler_label, self.lease_label):
            bar.addWidget(w)
        bar.addWidget(self.flows_label, 1)
        bar.addPermanentWidget(self.alarm_label)
        bar.addPermanentWidget(self.progress)
        self.tray_menu = self._build_tray_menu()
        self.tray = self._make_tray()

        services.subscribe("alarms_changed", self._show_alarms)
        services.subscribe("settings_changed", lambda _p: self.refresh_channel_state())
        self._restore_geometry()
        self.refresh_channel_state()
        if services.scheduler is not None:
            services.scheduler.attach_status(self)
            services.scheduler.lease_refused.connect(self._on_lease_refused)
        self._lease_timer = QTimer(self)
        self._lease_timer.setObjectName("lease-holder-refresh")
        self._lease_timer.setInterval(LEASE_REFRESH_MS)
        self._lease_timer.timeout.connect(self.refresh_lease_holder)
        self._lease_timer.start()
        self.refresh_lease_holder()

    # ------------------------------------------------------------------ status bar
    def refresh_channel_state(self) -> None:
        db = self.services.db
        self.services.runner.run((self, "channel"), lambda: channel_state(db), self._show_channel_state)

    def refresh_lease_holder(self) -> None:
        """Who drives this store's scheduler (from its instance lease), read off the GUI thread; keyed,
        so a read made before the scheduler took the lease never lands after a later one."""
        db = self.services.db
        self.services.runner.run((self, "lease"), lambda: current_holder(db), self._show_lease_holder,
                                 lambda _exc: None)

    @Slot(object)
    def _show_lease_holder(self, holder) -> None:
        if holder is None or holder.is_stale(time.time()):
            text = self.tr("Scheduler lease: free")
            tip = ""
        elif holder.pid == os.getpid() and holder.host == this_host():
            text = self.tr("Scheduler lease: this window")
            tip = ""
        else:
            what = self.tr("n11-desktop run") if holder.role == "run" else self.tr("another n11-desktop window")
            who = f"{holder.user}@{holder.host}" if holder.user else holder.host
            text = self.tr("Scheduler lease: %1 — %2, pid %3").replace("%1", what).replace("%2", who) \
                .replace("%3", str(holder.pid))
            ago = max(0, int(time.time() - holder.heartbeat))
            tip = self.tr("Last heartbeat %1 s ago").replace("%1", str(ago))
        self.lease_label.setText(text)
        self.lease_label.setToolTip(tip)

    def _set_title(self, store: str | None) -> None:
        """``n11-desktop — <store>`` (the channel name from the settings), so an operator with two
        stores open tells the windows apart."""
        title = "n11-desktop"
        store_name = self.services.store_name
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

    def _build_tray_menu(self) -> QMenu:
        """The tray icon's menu: show the window, pause or resume the scheduled runs, quit."""
        menu = QMenu(self)
        show = menu.addAction(self.tr("Show n11-desktop"))
        show.setObjectName("tray_show")
        show.triggered.connect(self.bring_back)
        pause = menu.addAction(self.tr("Pause scheduled runs"))
        pause.setObjectName("tray_pause")
        pause.setCheckable(True)
        pause.setToolTip(self.tr("Running flows finish; Run now still works"))
        pause.triggered.connect(self._pause_from_tray)
        scheduler = self.services.scheduler
        pause.setEnabled(scheduler is not None)
        menu.aboutToShow.connect(lambda: pause.setChecked(scheduler is not None and scheduler.paused))
        menu.addSeparator()
        quit_action = menu.addAction(self.tr("&Quit"))
        quit_action.setObjectName("tray_quit")
        quit_action.triggered.connect(self.close)
        return menu

    @Slot(bool)
    def _pause_from_tray(self, paused: bool) -> None:
        scheduler = self.services.scheduler
        if scheduler is None:
            return
        scheduler.pause() if paused else scheduler.resume()

    @Slot()
    def bring_back(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def _make_tray(self) -> QSystemTrayIcon | None:
        """The app's tray icon (where the desktop has a tray): the window title as tooltip, a click
        brings the window back, a menu (``tray_menu``), and the alarm notifications come from it."""
        if not QSystemTrayIcon.isSystemTrayAvailable() or self.windowIcon().isNull():
            return None
        tray = QSystemTrayIcon(self.windowIcon(), self)
        tray.setToolTip(self.windowTitle())

        def activated(reason) -> None:
            if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
                self.bring_back()

        tray.activated.connect(activated)
        tray.setContextMenu(self.tray_menu)
        tray.show()
        monitor = getattr(self.tab_widgets.get("alarms"), "monitor", None)
        if monitor is not None and hasattr(monitor, "use_tray"):
            monitor.use_tray(tray)
        return tray

    @Slot(object)
    def _show_channel_state(self, state) -> None:
        name, active = state
        self._channel_name = str(name) if name else ""
        self._set_title(self._channel_name or None)
        text = self.tr("Channel %1: active") if active else self.tr("Channel %1: inactive")
        self.channel_label.setText(text.replace("%1", str(name)))

    def _show_alarms(self, firing) -> None:
        n = int(firing or 0)
        self.alarm_label.setText("⚠ " + self.tr("%n alarm(s) firing", "", n) if n else "")
        self.alarm_label.setStyleSheet("color: #c0392b; font-weight: 600;" if n else "")

    def set_scheduler_state(self, text: str) -> None:
        self.scheduler_label.setText(self.tr("Scheduler: %1").replace("%1", self._scheduler_word(text)))
        if hasattr(self, "_lease_timer"):
            self.refresh_lease_holder()  # the scheduler took or gave up the lease

    def _scheduler_word(self, text: str) -> str:
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
        self._build_store_menu()

    def _build_store_menu(self) -> None:
        self.store_menu = self.menuBar().addMenu(self.tr("&Store"))
        self.store_menu.setObjectName("store_menu")
        self.store_menu.aboutToShow.connect(self.fill_store_menu)
        self.fill_store_menu()

    def fill_store_menu(self) -> None:
        """One entry per store of the registry (the open one checked); picking one switches to it."""
        menu = self.store_menu
        menu.clear()
        group = QActionGroup(menu)
        group.setExclusive(True)
        current = self.services.store_name
        idle = self._opening_store is None  # no second switch while one store is being opened
        try:
            stores = Registry.load().listed()
        except StoreError as exc:
            bad = menu.addAction(self.tr("Store list unreadable: %1").replace("%1", str(exc)))
            bad.setEnabled(False)
            return
        for store in stores:
            label = store.name + (" " + self.tr("(demo)") if store.demo else "")
            action = menu.addAction(label)
            action.setObjectName(f"store_{store.name}")
            action.setCheckable(True)
            action.setChecked(store.name == current)
            action.setData(store.name)
            action.setEnabled(idle)
            group.addAction(action)
            action.triggered.connect(lambda _checked=False, name=store.name: self._pick_store(name))
        if not stores or not current:
            here = menu.addAction(self.tr("This database (opened with --db or --demo)") if not current
                                  else self.tr("No stores yet"))
            here.setCheckable(True)
            here.setChecked(True)
            here.setEnabled(False)
        others = [st for st in stores if st.name != current]
        if others:
            copy_menu = menu.addMenu(self.tr("Copy settings and mapping from"))
            copy_menu.setObjectName("store_copy_menu")
            copy_menu.menuAction().setEnabled(idle)
            for store in others:
                action = copy_menu.addAction(store.name)
                action.setObjectName(f"copy_from_{store.name}")
                action.triggered.connect(lambda _checked=False, name=store.name: self.copy_from_store(name))
        menu.addSeparator()
        history = menu.addAction(self.tr("History of changes…"))
        history.setObjectName("action_history")
        history.triggered.connect(self.open_history)
        manage = menu.addAction(self.tr("Manage stores…"))
        manage.setObjectName("action_manage_stores")
        manage.setEnabled(idle)
        manage.triggered.connect(self.open_stores)

    def set_store_opening(self, name: str | None) -> None:
        """Store ``name`` is being opened off the GUI thread (None: no longer): the status bar says
        so and the Store menu's stores, copy and Manage stores… are off meanwhile."""
        self._opening_store = name
        self.fill_store_menu()
        if name is not None:
            self.statusBar().showMessage(self.tr("Opening store %1…").replace("%1", name))
        else:
            self.statusBar().clearMessage()

    def show_store_not_opened(self, name: str, reason: str) -> None:
        """The store picked in the Store menu could not be opened: its one-line reason in the status
        bar and in a message box; this window's store stays open."""
        reason = core_message(reason)
        self.statusBar().showMessage(self.tr("Store %1 not opened: %2").replace("%1", name).replace("%2", reason),
                                     60_000)
        type(self).warn_store_not_opened(self, name, reason)

    @Slot()
    def open_stores(self) -> None:
        """Add, rename or remove stores and pick the default one (Store → Manage stores…)."""
        from .stores_dialog import StoresDialog

        self.stores_dialog = StoresDialog(self.services, self)
        self.stores_dialog.renamed.connect(self._store_renamed)
        self.stores_dialog.show()

    def _store_renamed(self, old: str, new: str) -> None:
        """The store open here got another name: the title, the Store menu and the session follow."""
        if self.services.store_name == old:
            self.services.store_name = new
            self._set_title(self._channel_name or None)
            self.store_renamed.emit(old, new)

    @Slot()
    def open_history(self) -> None:
        """Who changed a setting or a mapping of this store, and when (filtered by the tab shown)."""
        slug = next((k for k, w in self.tab_widgets.items() if w is self.tabs.currentWidget()), "")
        area = {"channel_settings": "settings", "categories_mapping": "mapping"}.get(slug)
        self.history_dialog = AuditDialog(self.services, self, area)
        self.history_dialog.show()

    @classmethod
    def confirm_copy(cls, parent: QWidget, name: str) -> bool:
        """Ask before copying another store's settings and mapping in (tests patch it)."""
        answer = QMessageBox.question(
            parent, QCoreApplication.translate("MainWindow", "Copy from another store"),
            QCoreApplication.translate(
                "MainWindow", "Copy the channel settings and the mapping of store %1 into this store? "
                "The App Key, App Secret and web hook token are not copied, and nothing of this store is "
                "deleted: copied mappings are added or updated.").replace("%1", name))
        return answer == QMessageBox.StandardButton.Yes

    def copy_from_store(self, name: str) -> None:
        if not self.confirm_copy(self, name):
            return
        db = self.services.db

        def done(report) -> None:
            self.statusBar().showMessage(self.tr("Copied from %1: %2").replace("%1", name)
                                         .replace("%2", report.summary()), 20_000)
            self.services.emit("settings_changed")
            self.services.emit("mapping_changed", None)

        def failed(err) -> None:
            self.statusBar().showMessage(self.tr("Not copied from %1: %2").replace("%1", name)
                                         .replace("%2", str(err)), 20_000)

        self.services.runner.submit(lambda: copy_from_store(db, name), done, failed)

    @classmethod
    def warn_store_not_opened(cls, parent: QWidget, name: str, reason: str) -> None:
        """The message box shown when a store picked in the Store menu cannot be opened (tests patch it)."""
        QMessageBox.warning(
            parent, QCoreApplication.translate("MainWindow", "Store not opened"),
            QCoreApplication.translate("MainWindow", "Store %1 could not be opened; the open store stays as it is.")
            .replace("%1", name) + "\n\n" + reason)

    def _pick_store(self, name: str) -> None:
        if name != self.services.store_name and self._opening_store is None:
            self.store_switch_requested.emit(name)

    @Slot()
    def open_preferences(self) -> None:
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
        self._lease_timer.stop()
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
