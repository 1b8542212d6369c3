"""The main window: a sidebar of screens, a status bar, and the shortcuts clerks use all day.

Screens are built on first use (so start-up stays fast and heavy libraries load late); each is a
QWidget taking ``(ctx, parent)`` and may offer ``activate()``, ``new_dossier()``, ``focus_search()``,
``scan()`` and ``print_current()``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QScrollArea,
    QStackedWidget,
    QWidget,
)

from desk.i18n import N_, _
from desk.views.common import scrolling, show_error
from desk.views.context import AppContext


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    module: str
    cls: str
    role: str = "clerk"
    shortcut: str = ""


PAGES = (
    Page("intake", N_("Receive (F2)"), "desk.views.intake", "IntakeView", shortcut="F2"),
    Page("dossiers", N_("Dossiers (Ctrl+F)"), "desk.views.dossier_list", "DossierListView", shortcut="Ctrl+F"),
    Page("pickup", N_("Return results (F9)"), "desk.views.pickup", "PickupView", shortcut="F9"),
    Page("reports", N_("Reports"), "desk.views.reports", "ReportsView"),
    Page("catalog", N_("Procedures"), "desk.views.catalog", "CatalogView", role="leader"),
    Page("calendar", N_("Working calendar"), "desk.views.calendar", "CalendarView", role="leader"),
    Page("settings", N_("Settings"), "desk.views.settings", "SettingsView"),
)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, pages: tuple[Page, ...] = PAGES):
        super().__init__()
        self.ctx = ctx
        self.pages = [p for p in pages if ctx.can(p.role)]
        self.widgets: dict[str, QWidget] = {}
        self.setWindowTitle(_("OneStop Desk — {office}").format(office=ctx.office_name))
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(sidebar_width(self.screen().availableGeometry().width() if self.screen() else 0))
        self.sidebar.setEditTriggers(QListWidget.EditTrigger.NoEditTriggers)  # F2 is "new dossier" here
        self.sidebar.setStyleSheet("QListWidget { font-size: 15px; } QListWidget::item { padding: 10px 8px; }")
        self.stack = QStackedWidget()
        for page in self.pages:
            item = QListWidgetItem(_(page.label))
            item.setData(Qt.ItemDataRole.UserRole, page.key)
            self.sidebar.addItem(item)
            self.stack.addWidget(_scroll_pane(QWidget()))
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.sidebar.currentRowChanged.connect(self._show_row)
        self._status = QLabel()
        self.statusBar().addPermanentWidget(self._status)
        self.update_status()
        self._shortcuts()
        ctx.bus.open_dossier.connect(self.open_dossier)
        ctx.bus.office_changed.connect(self._office_changed)
        self.resize(*initial_size(self.screen().availableGeometry().size() if self.screen() else None))
        if self.pages:
            self.sidebar.setCurrentRow(0)

    # -- pages ------------------------------------------------------------------------------
    def page(self, key: str) -> QWidget:
        """The screen for ``key``, built on first use."""
        widget = self.widgets.get(key)
        if widget is None:
            index = next(i for i, p in enumerate(self.pages) if p.key == key)
            spec = self.pages[index]
            cls = getattr(importlib.import_module(spec.module), spec.cls)
            widget = cls(self.ctx, self)
            widget.setObjectName(f"page_{key}")
            old = self.stack.widget(index)
            self.stack.removeWidget(old)
            old.deleteLater()
            self.stack.insertWidget(index, _scroll_pane(widget))
            self.widgets[key] = widget
        return widget

    def show_page(self, key: str) -> QWidget | None:
        keys = [p.key for p in self.pages]
        if key not in keys:
            return None
        self.sidebar.setCurrentRow(keys.index(key))
        return self.widgets.get(key)

    def _show_row(self, row: int) -> None:
        if row < 0:
            return
        try:
            widget = self.page(self.pages[row].key)
        except Exception as exc:  # noqa: BLE001 - a broken screen must not take the window down
            show_error(self, exc)
            return
        self.stack.setCurrentIndex(row)
        activate = getattr(widget, "activate", None)
        if activate:
            activate()

    def current_page(self) -> QWidget:
        pane = self.stack.currentWidget()
        return pane.widget() if isinstance(pane, QScrollArea) else pane

    # -- actions ----------------------------------------------------------------------------
    def _call(self, key: str, method: str) -> None:
        widget = self.show_page(key)
        action = getattr(widget, method, None) if widget is not None else None
        if action:
            action()

    def _shortcuts(self) -> None:
        bindings = {
            "F2": lambda: self._call("intake", "new_dossier"),
            "Ctrl+F": lambda: self._call("dossiers", "focus_search"),
            "F9": lambda: self._call("pickup", "scan"),
            "Ctrl+P": self.print_current,
        }
        for keys, slot in bindings.items():
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(slot)

    def print_current(self) -> None:
        action = getattr(self.current_page(), "print_current", None)
        if action:
            action()

    def open_dossier(self, code: str) -> None:
        """Show one dossier's detail (from a scan, the list, or after intake)."""
        from desk.views.dossier_detail import DossierDetailDialog

        try:
            dialog = DossierDetailDialog(self.ctx, code, self)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _office_changed(self) -> None:
        """A leader renamed the office or this desk's point: title and status bar follow at once."""
        from desk.services.office import current_office

        try:
            self.ctx.office_name = current_office().name
        except Exception as exc:  # noqa: BLE001 - the status line is not worth a crash
            show_error(self, exc)
        self.setWindowTitle(_("OneStop Desk — {office}").format(office=self.ctx.office_name))
        self.update_status()

    def update_status(self) -> None:
        point = self.ctx.settings.reception_point or _("(no reception point chosen)")
        self._status.setText(_("Staff: {name} ({role})  |  Reception point: {point}  |  Database: {db}").format(
            name=self.ctx.actor.full_name, role=_(ROLE_LABELS.get(self.ctx.actor.role, self.ctx.actor.role)),
            point=point, db=self.ctx.database_label))


ROLE_LABELS = {"clerk": N_("clerk"), "leader": N_("leader"), "admin": N_("administrator")}


def _scroll_pane(page: QWidget) -> QScrollArea:
    """A screen inside its own scrolling pane: on a screen smaller than the page needs (1280×720 at 125 %)
    scroll bars appear and every control stays reachable, instead of the window growing past the screen.
    On a 1366×768 desk no page needs them."""
    return scrolling(page)


def sidebar_width(available_width: int) -> int:
    """210 pixels; 176 on a screen narrower than 1200 (logical) pixels, where every pixel counts."""
    return 176 if 0 < available_width < 1200 else 210


def initial_size(available) -> tuple[int, int]:
    """1280×800 where the screen has room, otherwise the screen's free area (taskbar excluded), so the
    status bar of a 1366×768 desk is never below the screen."""
    if available is None or available.width() <= 0 or available.height() <= 0:
        return 1280, 800
    return min(1280, available.width()), min(800, available.height())
