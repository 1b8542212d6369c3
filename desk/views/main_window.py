"""The main window: a sidebar of screens, a status bar, and the shortcuts clerks use all day.

Screens are built on first use (so start-up stays fast and heavy libraries load late); each is a
QWidget taking ``(ctx, parent)`` and may offer ``activate()``, ``new_dossier()``, ``focus_search()``,
``scan()`` and ``print_current()``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtGui import QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QWidget,
)

from desk.i18n import N_, _
from desk.views.common import PrintOutcome, open_document, show_error
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
        self.sidebar.setFixedWidth(210)
        self.sidebar.setEditTriggers(QListWidget.EditTrigger.NoEditTriggers)  # F2 is "new dossier" here
        self.sidebar.setStyleSheet("QListWidget { font-size: 15px; } QListWidget::item { padding: 10px 8px; }")
        self.stack = QStackedWidget()
        for page in self.pages:
            item = QListWidgetItem(_(page.label))
            item.setData(Qt.ItemDataRole.UserRole, page.key)
            self.sidebar.addItem(item)
            placeholder = QWidget()
            placeholder.setObjectName(f"page_{page.key}")
            self.stack.addWidget(placeholder)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.sidebar.currentRowChanged.connect(self._show_row)
        self._status = QLabel()
        self.statusBar().addPermanentWidget(self._status)
        # what became of the last print, one line: "sent" only for an accepted job; else the file and Ctrl+P
        self.print_status = QLabel()
        self.print_status.setObjectName("print_status")
        self.print_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.print_status.setWordWrap(True)
        self.print_status.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.open_printed = QPushButton(_("Open the file"))
        self.open_printed.setObjectName("open_printed")
        self.open_printed.setFlat(True)
        self.open_printed.setStyleSheet("color: #0b4f8a; text-decoration: underline;")
        self.open_printed.clicked.connect(lambda: self._printed_path and open_document(self._printed_path))
        self.open_printed.hide()
        self.dismiss_printed = QPushButton("×")
        self.dismiss_printed.setObjectName("dismiss_printed")
        self.dismiss_printed.setFlat(True)
        self.dismiss_printed.setFixedWidth(28)
        self.dismiss_printed.setToolTip(_("Hide this message"))
        self.dismiss_printed.clicked.connect(self.clear_print_outcome)
        self.dismiss_printed.hide()
        self._printed_path = None
        self.statusBar().addWidget(self.print_status, 1)
        self.statusBar().addWidget(self.open_printed)
        self.statusBar().addWidget(self.dismiss_printed)
        ctx.bus.print_reported.connect(self.show_print_outcome)
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
            self.stack.insertWidget(index, widget)
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
        self.stack.setCurrentWidget(widget)
        activate = getattr(widget, "activate", None)
        if activate:
            activate()

    def current_page(self) -> QWidget:
        return self.stack.currentWidget()

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

    def show_print_outcome(self, outcome: PrintOutcome) -> None:
        """A print ended (this screen's or another's): its one line, with "Open the file" when it failed."""
        failed = not outcome.sent
        self.print_status.setText(outcome.short_message())
        self.print_status.setToolTip(outcome.message())
        self.print_status.setStyleSheet("color: #b00020; font-weight: 600;" if failed else "color: #1b5e20;")
        self._printed_path = outcome.path if failed else None
        self.open_printed.setVisible(self._printed_path is not None)
        self.dismiss_printed.setVisible(failed)
        self._status.setVisible(not failed)  # a failure gets the whole line until it is dealt with
        QTimer.singleShot(0, self._fit_print_status)

    def _fit_print_status(self) -> None:
        """As many lines as the message needs at the width it got (a wrapped label in a status bar guesses)."""
        label = self.print_status
        label.setMaximumHeight(max(label.fontMetrics().height(), label.heightForWidth(max(label.width(), 1))))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        QTimer.singleShot(0, self._fit_print_status)

    def clear_print_outcome(self) -> None:
        """The clerk has read the failure: the status line shows who and where again."""
        self.print_status.clear()
        self.print_status.setToolTip("")
        self._printed_path = None
        self.open_printed.hide()
        self.dismiss_printed.hide()
        self._status.show()

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


def initial_size(available) -> tuple[int, int]:
    """1280×800 where the screen has room, otherwise the screen's free area (taskbar excluded), so the
    status bar of a 1366×768 desk is never below the screen."""
    if available is None or available.width() <= 0 or available.height() <= 0:
        return 1280, 800
    return min(1280, available.width()), min(800, available.height())
