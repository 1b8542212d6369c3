"""Shared view helpers: error boxes a clerk can act on, confirmations, polling for other desks' changes.

Background work goes through desk.views.ops (the one background-operation helper)."""

from __future__ import annotations

import logging
import traceback

from PyQt6.QtCore import QObject
from PyQt6.QtWidgets import QMessageBox, QWidget

from desk.i18n import _
from desk.services.errors import DeskError
from desk.views.ops import Operation

log = logging.getLogger("desk.views")


def error_text(exc: BaseException) -> str:
    """What the clerk reads: the service's own message, or a generic one (details go to the log)."""
    if isinstance(exc, DeskError):
        return str(exc)
    log.error("unexpected error\n%s", "".join(traceback.format_exception(exc)))
    if isinstance(exc, OSError):
        return _("The file could not be written: {error}. Check the folder, the free disk space and try again.").format(
            error=exc.strerror or exc)
    return _("An unexpected error occurred. Nothing you typed was lost; please try again. "
             "Details were written to the log file.")


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None) -> None:
    QMessageBox.warning(parent, title or _("Cannot do that"), error_text(exc))


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes = box.addButton(_("Yes"), QMessageBox.ButtonRole.YesRole)
    box.addButton(_("No"), QMessageBox.ButtonRole.NoRole)
    box.setDefaultButton(yes)
    box.exec()
    return box.clickedButton() is yes


def open_document(path) -> bool:
    """Open a generated slip or report with the desk's default program."""
    from PyQt6.QtCore import QUrl
    from PyQt6.QtGui import QDesktopServices

    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def print_or_open(parent: QWidget | None, printer, path) -> str:
    """Print a slip; if no printer is ready, say so and open it instead. Returns "printed" or "opened"."""
    from desk.hardware.printing import PrinterUnavailable

    try:
        printer.print_document(path)
        return "printed"
    except PrinterUnavailable as exc:
        QMessageBox.information(parent, _("Printer"), str(exc))
        open_document(path)
        return "opened"


class ChangePoller(QObject):
    """Notices what other desks changed (same database) and tells this desk's screens through the bus.

    A cheap aggregate query every few seconds, asked off the UI thread (a slow network to PostgreSQL
    must never freeze the window); a change made here or elsewhere arrives as
    ``bus.dossier_changed("")``, which the dossier list and the dashboard already refresh on. While
    one look is on its way, the next tick is skipped: looks never pile up behind a slow network.
    """

    def __init__(self, bus, parent: QObject | None = None, interval_ms: int = 3000):
        from PyQt6.QtCore import QTimer

        super().__init__(parent)
        self.bus = bus
        self.mark = None
        self._primed = False  # the first answer only sets the mark
        self.looks = 0  # answers received (tests and diagnostics)
        self.pending: Operation | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)
        self.timer.start()
        self.poll()

    def poll(self) -> Operation | None:
        """Ask for the current mark in the background; None when the previous look has not come back."""
        from desk.services import changes

        if self.pending is not None and self.pending.running:
            return None
        self.pending = (Operation(self, changes.latest_change, label="change poll")
                        .on_success(self._answered).on_failure(self._failed).start())
        return self.pending

    def _answered(self, mark) -> None:
        self.looks += 1
        if not self._primed:
            self._primed, self.mark = True, mark
            return
        if mark == self.mark:
            return
        self.mark = mark
        self.bus.dossier_changed.emit("")

    def _failed(self, exc: BaseException) -> None:
        self.looks += 1
        if not isinstance(exc, DeskError):  # a database hiccup is not worth a message every 3 s
            log.error("change polling failed", exc_info=exc)
