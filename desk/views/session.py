"""Shared desks: lock the screen when nobody works at it, log out and let another clerk log in.

A desk is often shared by clerks who take turns. :class:`IdleWatch` sees every keyboard, mouse, wheel
and touch input of the application (an application-wide event filter, like the scanner's) and, after
``idle_lock_minutes`` of none, the main window covers its content with a :class:`LockScreen`: no
citizen's data stays visible, the open dossier windows are hidden, shortcuts and scans do nothing. The
same clerk's password unlocks it and everything is back as it was (a half-filled intake form included);
"Đổi cán bộ" lets another clerk log in instead.

:class:`Session` owns the one main window: switching the clerk asks first when the intake form holds
unsaved data, asks who logs in, builds a new main window for the new account (so every screen, role
check and status line is the new clerk's, nothing of the previous one's screens is reused) and then
disposes of the old window. Passwords are checked by :func:`desk.services.accounts.login` (its lockout
rules apply), in the background.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PyQt6 import sip
from PyQt6.QtCore import QEvent, QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk.config import IDLE_LOCK_MINUTES_MAX, Settings
from desk.i18n import _
from desk.services import accounts
from desk.services.accounts import Actor
from desk.views.common import error_text
from desk.views.context import AppContext, EventBus
from desk.views.ops import Operation

if TYPE_CHECKING:
    from desk.views.main_window import MainWindow

log = logging.getLogger("desk.views.session")

MAX_IDLE_MINUTES = IDLE_LOCK_MINUTES_MAX

_INPUT = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.InputMethod,
    QEvent.Type.TabletPress,
})


def idle_minutes(settings: Settings) -> int:
    """The idle time before the screen locks, in minutes; 0 = never (desk.config checked it on load)."""
    return settings.idle_lock_minutes


class IdleWatch(QObject):
    """Emits :attr:`idle` once after ``interval_ms`` without any input anywhere in the application.

    Installed as an application-wide event filter; it only looks at events, never eats one, so the
    scanner's filter and every widget get them as before. :meth:`remove` takes it out (at quit too).
    ``interval_ms`` 0: never idle.
    """

    idle = pyqtSignal()

    def __init__(self, interval_ms: int, parent: QObject | None = None):
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self.interval_ms = 0
        self._installed = False
        self.set_interval(interval_ms)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
            self._installed = True
            app.aboutToQuit.connect(self.remove)

    def set_interval(self, interval_ms: int) -> None:
        self.interval_ms = max(0, int(interval_ms))
        self.restart()

    def restart(self) -> None:
        """Count the idle time from now (after input, after an unlock)."""
        if self.interval_ms:
            self._timer.start(self.interval_ms)
        else:
            self._timer.stop()

    def pause(self) -> None:
        """Stop counting (while the screen is locked)."""
        self._timer.stop()

    @property
    def counting(self) -> bool:
        return self._timer.isActive()

    def remove(self) -> None:
        app = QApplication.instance()
        if self._installed and app is not None and not sip.isdeleted(self) and not sip.isdeleted(app):
            app.removeEventFilter(self)
        self._installed = False
        if not sip.isdeleted(self):
            self._timer.stop()

    def eventFilter(self, obj: QObject | None, event: QEvent | None) -> bool:  # noqa: N802 - Qt's name
        if event is not None and event.type() in _INPUT and self._timer.isActive():
            self._timer.start(self.interval_ms)
        return False


class LockScreen(QWidget):
    """What a locked window shows: who is logged in, a password box, and "switch clerk"."""

    unlocked = pyqtSignal()
    switch_requested = pyqtSignal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.checking: Operation | None = None
        self.setObjectName("lock_screen")
        self.setAutoFillBackground(True)
        self.setStyleSheet("QLabel, QLineEdit, QPushButton { font-size: 16px; }"
                           " QLineEdit { padding: 6px; } QPushButton { padding: 6px 16px; }")
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        box = QVBoxLayout()
        box.setSpacing(10)
        title = QLabel(_("The screen is locked"))
        title.setObjectName("lock_title")
        title.setStyleSheet("font-size: 26px; font-weight: bold; color: #1a4c8b;")
        title.setContentsMargins(0, 6, 0, 0)  # room for stacked Vietnamese marks
        box.addWidget(title)
        who = QLabel(_("{name} ({username}) is logged in. Type the password to go on, or let another clerk "
                       "log in.").format(name=ctx.actor.full_name, username=ctx.actor.username))
        who.setObjectName("lock_who")
        who.setWordWrap(True)
        box.addWidget(who)
        row = QHBoxLayout()
        self.password = QLineEdit()
        self.password.setObjectName("unlock_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(_("Password"))
        self.password.setMinimumWidth(240)
        self.password.returnPressed.connect(self.try_unlock)
        row.addWidget(self.password, 1)
        self.unlock_button = QPushButton(_("Unlock"))
        self.unlock_button.setObjectName("unlock")
        self.unlock_button.clicked.connect(self.try_unlock)
        row.addWidget(self.unlock_button)
        box.addLayout(row)
        self.message = QLabel()
        self.message.setObjectName("lock_message")
        self.message.setStyleSheet("color: #b00020")
        self.message.setWordWrap(True)
        box.addWidget(self.message)
        self.switch_button = QPushButton(_("Log out / switch clerk"))
        self.switch_button.setObjectName("lock_switch")
        self.switch_button.clicked.connect(self.switch_requested)
        switch_row = QHBoxLayout()
        switch_row.addWidget(self.switch_button)
        switch_row.addStretch(1)
        box.addLayout(switch_row)
        middle = QHBoxLayout()
        middle.addStretch(1)
        panel = QWidget()
        panel.setMaximumWidth(600)
        panel.setLayout(box)
        middle.addWidget(panel, 3)
        middle.addStretch(1)
        outer.addLayout(middle)
        outer.addStretch(3)

    def focus(self) -> None:
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def try_unlock(self) -> Operation | None:
        """Check the logged-in clerk's password in the background; the account's lockout rules apply."""
        if self.checking is not None:
            return None
        password = self.password.text()
        if not password:
            self.message.setText(_("Type your password."))
            return None
        self.message.setText(_("Checking…"))
        self.unlock_button.setEnabled(False)
        self.checking = (Operation(self, accounts.login, self.ctx.actor.username, password, label="unlock screen")
                         .on_success(self._checked).on_failure(self._refused).start())
        return self.checking

    def _checked(self, actor: Actor) -> None:
        self.checking = None
        self.unlock_button.setEnabled(True)
        self.password.clear()
        if actor.id != self.ctx.actor.id:  # cannot happen with the same user name; never unlock for another
            self.message.setText(_("Wrong user name or password"))
            return
        self.message.clear()
        self.unlocked.emit()

    def _refused(self, exc: BaseException) -> None:
        self.checking = None
        self.unlock_button.setEnabled(True)
        self.message.setText(error_text(exc))
        self.password.clear()
        self.focus()


LoginFn = Callable[[str, str, "QWidget | None"], "Actor | None"]


class Session(QObject):
    """The clerk working at this desk now and the main window built for them (see the module's text).

    ``build(ctx)`` makes a main window (desk.app.build_main_window: scanner, change poller);
    ``login(office_name, last_username, parent)`` asks who logs in (desk.views.login.ask_login), None when
    they give up, which quits the program as the log-in dialog's "Quit" button says.
    """

    def __init__(self, ctx: AppContext, build: Callable[[AppContext], MainWindow], login: LoginFn | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        from desk.views.login import ask_login

        self.ctx = ctx
        self.build = build
        self.login = login or ask_login
        self.window: MainWindow | None = None
        self.idle = IdleWatch(idle_minutes(ctx.settings) * 60_000, self)
        self.idle.idle.connect(self.lock)

    def start(self) -> MainWindow:
        """Build and show the first main window; returns it."""
        self.window = window = self._make(self.ctx)
        window.show()
        return window

    def _make(self, ctx: AppContext) -> MainWindow:
        window = self.build(ctx)
        window.idle_watch = self.idle
        window.switch_requested.connect(self.switch)
        window.lock_released.connect(self.idle.restart)
        ctx.bus.office_changed.connect(self._settings_saved)  # the settings screen says so after a save
        return window

    def _settings_saved(self) -> None:
        wanted = idle_minutes(self.ctx.settings) * 60_000
        if wanted != self.idle.interval_ms:
            self.idle.set_interval(wanted)

    def lock(self) -> None:
        if self.window is not None and not sip.isdeleted(self.window):
            self.idle.pause()
            self.window.lock()

    def switch(self) -> bool:
        """Log out and let a clerk log in; False when the clerk kept the unsaved form (nothing changed)."""
        old = self.window
        if old is None or not old.may_log_out():
            return False
        old.lock()  # nothing of the old clerk's stays visible while the next one logs in
        old.hide()
        self.idle.pause()
        actor = self.login(self.ctx.office_name, "", None)
        if actor is None:
            app = QApplication.instance()
            if app is not None:
                app.quit()
            return False
        self.ctx.settings.username = actor.username
        try:
            self.ctx.settings.save()
        except OSError:  # the last user name is a convenience, not worth stopping the desk
            log.warning("could not remember the last user name", exc_info=True)
        self.ctx = dataclasses.replace(self.ctx, actor=actor, bus=EventBus())
        self.window = window = self._make(self.ctx)
        window.show()
        self.idle.restart()
        dispose_window(old)
        log.info("clerk switched to %s", actor.username)
        return True

    def stop(self) -> None:
        self.idle.remove()


def dispose_window(window) -> None:
    """Take a main window down while the program goes on: its scanner filter leaves the application,
    its dialogs close; results of its running operations are dropped (desk.views.ops)."""
    app = QApplication.instance()
    detector = getattr(getattr(window, "scan_dispatcher", None), "detector", None)
    if app is not None and detector is not None and not sip.isdeleted(detector):
        app.removeEventFilter(detector)
    poller = getattr(window, "change_poller", None)
    if poller is not None and not sip.isdeleted(poller):
        poller.timer.stop()
    for child in window.findChildren(QWidget):
        if child.isWindow() and child.isVisible():
            child.close()
    window.hide()
    window.deleteLater()
