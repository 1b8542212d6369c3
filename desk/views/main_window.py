"""The main window: a sidebar of screens, a status bar, and the shortcuts clerks use all day.

Screens are built on first use (so start-up stays fast and heavy libraries load late); each is a
QWidget taking ``(ctx, parent)`` and may offer ``activate()``, ``new_dossier()``, ``focus_search()``,
``scan()`` and ``print_current()``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PyQt6 import sip
from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desk.i18n import N_, _
from desk.services.kinds import ROLE_LABELS, Role
from desk.views.common import PrintOutcome, confirm, open_document, present, scrolling, show_error, word_label
from desk.views.context import AppContext

if TYPE_CHECKING:
    from desk.views.scanning import ScanDispatcher
    from desk.views.session import IdleWatch, LockScreen


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    module: str
    cls: str
    role: Role = Role.CLERK
    shortcut: str = ""


PAGES = (
    Page("intake", N_("Receive (F2)"), "desk.views.intake", "IntakeView", shortcut="F2"),
    Page("dossiers", N_("Dossiers (Ctrl+F)"), "desk.views.dossier_list", "DossierListView", shortcut="Ctrl+F"),
    Page("pickup", N_("Return results (F9)"), "desk.views.pickup", "PickupView", shortcut="F9"),
    Page("reports", N_("Reports"), "desk.views.reports", "ReportsView"),
    Page("catalog", N_("Procedures"), "desk.views.catalog", "CatalogView", role=Role.LEADER),
    Page("calendar", N_("Working calendar"), "desk.views.calendar", "CalendarView", role=Role.LEADER),
    Page("settings", N_("Settings"), "desk.views.settings", "SettingsView"),
)


class MainWindow(QMainWindow):
    switch_requested = pyqtSignal()  # "Đăng xuất / Đổi cán bộ": the session logs this clerk out
    lock_released = pyqtSignal()  # the right password unlocked the screen
    # Set from outside once the window is built (absent until then): by install_scanner and by the Session.
    scan_dispatcher: ScanDispatcher
    idle_watch: IdleWatch

    def __init__(self, ctx: AppContext, pages: tuple[Page, ...] = PAGES):
        super().__init__()
        self.ctx = ctx
        self.lock_screen: LockScreen | None = None  # while the window is locked
        self._hidden_for_lock: list[QWidget] = []
        self._shortcut_objects: list[QShortcut] = []
        self.pages = [p for p in pages if ctx.can(p.role)]
        self.widgets: dict[str, QWidget] = {}
        self.setWindowTitle(_("OneStop Desk — {office}").format(office=ctx.office_name))
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        screen = self.screen()
        self.sidebar.setFixedWidth(sidebar_width(screen.availableGeometry().width() if screen else 0))
        self.sidebar.setEditTriggers(QListWidget.EditTrigger.NoEditTriggers)  # F2 is "new dossier" here
        self.sidebar.setStyleSheet("QListWidget { font-size: 15px; } QListWidget::item { padding: 10px 8px; }")
        self.stack = QStackedWidget()
        for page in self.pages:
            item = QListWidgetItem(_(page.label))
            item.setData(Qt.ItemDataRole.UserRole, page.key)
            self.sidebar.addItem(item)
            self.stack.addWidget(_scroll_pane(QWidget()))
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 6)
        side.setSpacing(4)
        side.addWidget(self.sidebar, 1)
        self.lock_button = QPushButton(_("Lock the screen (Ctrl+L)"))
        self.lock_button.setObjectName("lock_button")
        self.lock_button.setToolTip(_("Hide everything until your password is typed again"))
        self.lock_button.clicked.connect(self.lock)
        self.logout_button = QPushButton(_("Log out / switch clerk"))
        self.logout_button.setObjectName("logout_button")
        self.logout_button.setToolTip(_("Another clerk logs in at this desk; the program stays open"))
        self.logout_button.clicked.connect(self.switch_requested)
        for button in (self.lock_button, self.logout_button):
            button.setFixedWidth(self.sidebar.maximumWidth())
            button.setAutoDefault(False)
            side.addWidget(button)
        layout.addLayout(side)
        layout.addWidget(self.stack, 1)
        self.content = central
        self.outer = QStackedWidget()  # the content, or the lock screen covering it
        self.outer.addWidget(central)
        self.setCentralWidget(self.outer)
        self.sidebar.currentRowChanged.connect(self._show_row)
        self._status = QLabel()
        status_bar = present(self.statusBar())  # QMainWindow makes one on first ask
        status_bar.addPermanentWidget(self._status)
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
        self._printed_path: Path | None = None
        status_bar.addWidget(self.print_status, 1)
        status_bar.addWidget(self.open_printed)
        status_bar.addWidget(self.dismiss_printed)
        ctx.bus.print_reported.connect(self.show_print_outcome)
        self.update_status()
        self._shortcuts()
        ctx.bus.open_dossier.connect(self.open_dossier)
        ctx.bus.office_changed.connect(self._office_changed)
        screen = self.screen()
        self.resize(*initial_size(screen.availableGeometry().size() if screen else None))
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
            old = present(self.stack.widget(index))  # the placeholder pane made in __init__
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

    def current_page(self) -> QWidget | None:
        pane = self.stack.currentWidget()  # None only for a window with no screen
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
            "F4": lambda: self._call("intake", "call_next_ticket"),  # the waiting room (D50)
            "Ctrl+P": self.print_current,
        }
        for keys, slot in bindings.items():
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(slot)
            self._shortcut_objects.append(shortcut)
        lock = QShortcut(QKeySequence("Ctrl+L"), self)
        lock.activated.connect(self.lock)
        self._shortcut_objects.append(lock)

    # -- lock and log out -------------------------------------------------------------------
    @property
    def locked(self) -> bool:
        return self.lock_screen is not None

    def lock(self) -> None:
        """Cover the content: no personal data stays visible, dossier windows hide, shortcuts and scans
        do nothing, until the same clerk's password (or another clerk's log-in) ends it."""
        if self.locked:
            return
        from desk.views.session import LockScreen

        self._hidden_for_lock = [w for w in QApplication.topLevelWidgets()
                                 if w is not self and w.isVisible() and _belongs_to(w, self)]
        for widget in self._hidden_for_lock:
            widget.hide()
        self._set_working(False)
        self.lock_screen = screen = LockScreen(self.ctx, self)
        screen.unlocked.connect(self.unlock)
        screen.switch_requested.connect(self.switch_requested)
        self.outer.addWidget(screen)
        self.outer.setCurrentWidget(screen)
        present(self.statusBar()).clearMessage()
        screen.focus()

    def unlock(self) -> None:
        """Back to work, everything as it was (the lock screen calls this after the right password)."""
        screen = self.lock_screen
        if screen is None:  # not locked
            return
        self.lock_screen = None
        self.outer.setCurrentWidget(self.content)
        self.outer.removeWidget(screen)
        screen.deleteLater()
        self._set_working(True)
        for widget in self._hidden_for_lock:
            if not sip.isdeleted(widget):
                widget.show()
        self._hidden_for_lock = []
        page = self.current_page()
        if page is not None:
            page.setFocus()
        self.lock_released.emit()

    def _set_working(self, working: bool) -> None:
        for shortcut in self._shortcut_objects:
            shortcut.setEnabled(working or shortcut.key().toString() == "Ctrl+L")
        detector = getattr(getattr(self, "scan_dispatcher", None), "detector", None)
        if detector is not None and not sip.isdeleted(detector):
            if not working:
                detector.flush()
            detector.enabled = working

    def may_log_out(self) -> bool:
        """Ask first when the intake form holds what a clerk typed and did not save."""
        intake = self.widgets.get("intake")
        has_unsaved = getattr(intake, "has_unsaved_data", None)
        if has_unsaved is None or not has_unsaved():
            return True
        return confirm(self, _("Log out / switch clerk"), _(
            "The intake form holds data that has not been saved; it will be lost. Log out anyway?"))

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
        """Show one dossier's detail (from a scan, the list, or after intake); nothing while locked."""
        from desk.views.dossier_detail import DossierDetailDialog

        if self.locked:
            return
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
            name=self.ctx.actor.full_name, role=word_label(ROLE_LABELS, self.ctx.actor.role),
            point=point, db=self.ctx.database_label))


def _belongs_to(widget: QWidget, window: QWidget) -> bool:
    """``widget`` (a dialog) was opened from ``window`` or one of its screens."""
    parent = widget.parentWidget()
    while parent is not None:
        if parent is window:
            return True
        parent = parent.parentWidget()
    return False


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
