"""Shared view helpers: error boxes a clerk can act on, confirmations, background work."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import QObject, QThread, pyqtSignal
from PyQt6.QtWidgets import QMessageBox, QWidget

from desk.i18n import _
from desk.services.errors import DeskError

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
        printer.print_file(path)
        return "printed"
    except PrinterUnavailable as exc:
        QMessageBox.information(parent, _("Printer"), str(exc))
        open_document(path)
        return "opened"


class Worker(QObject):
    """Runs one function off the UI thread; the function may report progress and check for cancel."""

    progress = pyqtSignal(int, int)
    finished = pyqtSignal(object)
    failed = pyqtSignal(object)

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any):
        super().__init__()
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def run(self) -> None:
        try:
            result = self.fn(*self.args, **self.kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the UI thread
            self.failed.emit(exc)
        else:
            self.finished.emit(result)


_RUNNING: set[QThread] = set()  # every background thread still running, for a clean exit


def running_threads() -> list[QThread]:
    return list(_RUNNING)


def run_in_background(parent: QObject, worker: Worker) -> QThread:
    """Start ``worker`` on its own thread; both are released on the UI thread once it has finished.

    The worker is never deleted on its own thread (no ``deleteLater`` there): its destructor would take
    Qt's connection lock and then wait for the GIL while the UI thread, holding the GIL, waits for that
    lock — a deadlock seen in the test suite.
    """
    thread = QThread(parent)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.finished.connect(thread.quit)
    worker.failed.connect(thread.quit)
    # Keep Python references while the thread runs; drop them on the UI thread when it is done.
    running = getattr(parent, "_desk_workers", [])
    running.append((thread, worker))
    parent._desk_workers = running

    def forget() -> None:  # queued to the UI thread: the thread object lives there
        _RUNNING.discard(thread)
        if (thread, worker) in running:
            running.remove((thread, worker))
        thread.deleteLater()

    thread.finished.connect(forget)
    _RUNNING.add(thread)
    thread.start()
    return thread


class ChangePoller(QObject):
    """Notices what other desks changed (same database) and tells this desk's screens through the bus.

    A cheap aggregate query every few seconds; a change made here or elsewhere arrives as
    ``bus.dossier_changed("")``, which the dossier list and the dashboard already refresh on.
    """

    def __init__(self, bus, parent: QObject | None = None, interval_ms: int = 3000):
        from PyQt6.QtCore import QTimer

        from desk.services import changes

        super().__init__(parent)
        self.bus = bus
        self._changes = changes
        try:
            self.mark = changes.latest_change()
        except DeskError:
            self.mark = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)
        self.timer.start()

    def poll(self) -> bool:
        """True when something changed since the last look."""
        try:
            mark = self._changes.latest_change()
        except DeskError:  # a database hiccup is not worth a message every 3 s
            return False
        except Exception:  # noqa: BLE001 - logged, polling goes on
            log.exception("change polling failed")
            return False
        if mark == self.mark:
            return False
        self.mark = mark
        self.bus.dossier_changed.emit("")
        return True
