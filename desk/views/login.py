"""Login, and on the very first start the admin's new password."""

from __future__ import annotations

from PyQt6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from desk.errors import DeskError
from desk.i18n import _
from desk.services import accounts
from desk.services.accounts import Actor
from desk.services.clock import Clock
from desk.views.widgets import message_and_buttons


class LoginDialog(QDialog):
    """User name + password; Enter logs in. ``actor`` holds who logged in."""

    def __init__(self, office_name: str, username: str = "", parent=None, *, clock: Clock | None = None):
        super().__init__(parent)
        self.clock = clock  # the program's clock: the lockout counts by it
        self.actor: Actor | None = None
        self.setWindowTitle(_("Log in — {office}").format(office=office_name))
        layout = QVBoxLayout(self)
        title = QLabel(f"<h2>{office_name}</h2>" + _("One-stop reception desk"))
        layout.addWidget(title)
        form = QFormLayout()
        self.username = QLineEdit(username)
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("User name"), self.username)
        form.addRow(_("Password"), self.password)
        layout.addLayout(form)
        self.message = message_and_buttons(layout, self, _("Log in"), _("Quit"), on_ok=self.try_login, wrap=True)
        (self.password if username else self.username).setFocus()

    def try_login(self) -> None:
        try:
            self.actor = accounts.login(self.username.text(), self.password.text(), clock=self.clock)
        except DeskError as exc:
            self.message.setText(str(exc))
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()


class NewPasswordDialog(QDialog):
    """Choose a password: at first start for the admin, or when an account must change it."""

    def __init__(self, title: str, explanation: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        text = QLabel(explanation)
        text.setWordWrap(True)
        layout.addWidget(text)
        form = QFormLayout()
        self.first = QLineEdit()
        self.first.setObjectName("new_password")
        self.second = QLineEdit()
        self.second.setObjectName("repeat_password")
        for edit in (self.first, self.second):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("New password"), self.first)
        form.addRow(_("Repeat it"), self.second)
        layout.addLayout(form)
        self.message = message_and_buttons(layout, self, _("Set the password"), _("Cancel"), on_ok=self._check,
                                           wrap=True)
        self.password = ""

    def _check(self) -> None:
        if self.first.text() != self.second.text():
            self.message.setText(_("The two passwords are different"))
            return
        if len(self.first.text()) < 8:
            self.message.setText(_("Password must have at least 8 characters"))
            return
        self.password = self.first.text()
        self.accept()


def ask_login(office_name: str, last_username: str = "", parent=None, *, clock: Clock | None = None) -> Actor | None:
    """The whole log-in conversation; None when the person gives up."""
    if accounts.first_start_pending():
        dialog = NewPasswordDialog(
            _("First start"),
            _("Welcome. This is the first start of the program: choose the password of the administrator "
              "account (user name: admin). Keep it safe; the administrator creates the staff accounts."),
            parent)
        if not dialog.exec():
            return None
        return accounts.set_first_admin_password(dialog.password)
    login = LoginDialog(office_name, last_username, parent, clock=clock)
    if not login.exec() or login.actor is None:
        return None
    actor = login.actor
    if accounts.needs_new_password(actor):
        dialog = NewPasswordDialog(_("New password"), _("Your password was set by an administrator. "
                                                         "Please choose your own."), parent)
        if not dialog.exec():
            return None
        accounts.change_password(actor, dialog.password)
    return actor
