"""Shared view helpers: error boxes a clerk can act on, confirmations, printing, polling for other desks' changes.

Background work goes through desk.views.ops (the one background-operation helper); printing goes through
:class:`PrintRun`, which writes and prints off the UI thread and says "sent" only for an accepted job."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from PyQt6 import sip
from PyQt6.QtCore import QObject, QSize, Qt, pyqtSignal
from PyQt6.QtGui import QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError
from desk.hardware import printing
from desk.hardware.printing import PrinterUnavailable, PrintJob
from desk.i18n import _
from desk.views.ops import Operation

if TYPE_CHECKING:
    from PyQt6.QtPrintSupport import QPrinter

    from desk.views.context import AppContext

log = logging.getLogger("desk.views")

T = TypeVar("T")
Word = TypeVar("Word", bound=str)


def present(value: T | None) -> T:
    """A Qt accessor's object where one always exists: a button box's standard button, a view's header, a
    window's status bar or layout. PyQt's stubs allow None for every pointer it returns; this says it cannot be."""
    if value is None:
        raise RuntimeError("Qt returned no object where one always exists")
    return value


def word_label(labels: Mapping[Word, str], word: str) -> str:
    """The translated label of a stored word, or the word itself when the table has none.

    The tables are keyed by the vocabulary's members (desk/services/kinds.py) while rows carry the plain
    word the database holds; a StrEnum member equals and hashes as its word, so looking the word up finds it."""
    return _(cast("Mapping[str, str]", labels).get(word, word))


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


def resize_within_screen(widget: QWidget, width: int, height: int) -> None:
    """Open at ``width``×``height``, or at the screen's free area where that is smaller (a 1366×768
    desk, a 1280×720 laptop at 125 %), so no title bar or button starts below the task bar."""
    screen = widget.screen() or QApplication.primaryScreen()
    if screen is not None:
        free = screen.availableGeometry()
        width, height = min(width, free.width() - 16), min(height, free.height() - 40)  # frame and title bar
    widget.resize(width, height)


class CompactTable(QTableWidget):
    """A table that asks for little room (it scrolls) and grows with its layout's stretch: a dialog with
    two of them still fits a 1280×720 laptop at 125 %."""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(320, 90)


def scrolling(content: QWidget) -> QScrollArea:
    """``content`` inside a frameless pane that scrolls when the room is smaller than it needs."""
    pane = QScrollArea()
    pane.setWidgetResizable(True)
    pane.setFrameShape(QFrame.Shape.NoFrame)
    pane.setWidget(content)
    return pane


def push_button(text: str, name: str, on_click: Callable[[], object] | None = None) -> QPushButton:
    """A named button (tests and the screenshots find it by ``name``) wired to ``on_click``."""
    button = QPushButton(text)
    button.setObjectName(name)
    if on_click is not None:
        button.clicked.connect(lambda _checked=False: on_click())
    return button


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


@dataclass(frozen=True)
class PrintOutcome:
    """What became of one print: the document (None when it could not be written) and the accepted job.

    ``job`` is set only when the print system accepted the document; ``problem`` says why not otherwise.
    ``code`` is the dossier the run was started for (captured then, never read back from a form).
    """

    code: str
    title: str
    path: Path | None
    job: PrintJob | None
    problem: str = ""
    retry: str = ""

    @property
    def sent(self) -> bool:
        return self.job is not None

    def message(self) -> str:
        """The one line the clerk reads in the status line."""
        retry = self.retry or _("Press Ctrl+P to try again.")
        if self.job is not None:
            if self.job.job_id:
                return _("{title} of dossier {code} sent to the printer {printer} (job {job}).").format(
                    title=self.title, code=self.code, printer=self.job.printer, job=self.job.job_id)
            return _("{title} of dossier {code} sent to the printer {printer}.").format(
                title=self.title, code=self.code, printer=self.job.printer)
        if self.path is None:
            return _("{title} of dossier {code} could not be made: {problem} {retry}").format(
                title=self.title, code=self.code, problem=self.problem, retry=retry)
        return _("{title} of dossier {code} was not printed: {problem} The file is saved at {path}. {retry}").format(
            title=self.title, code=self.code, problem=self.problem, path=self.path, retry=retry)


    def short_message(self) -> str:
        """The status bar's line: no reason (the screen and the tooltip have it), still the file and Ctrl+P."""
        if self.job is not None or self.path is None:
            return self.message()
        return _("{title} of dossier {code} was not printed. The file is saved at {path}. {retry}").format(
            title=self.title, code=self.code, path=self.path, retry=self.retry or _("Press Ctrl+P to try again."))


def _problem(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, PrinterUnavailable) else error_text(exc)


class PrintPreview(QDialog):
    """The document as it will come out of the printer; "Print" hands it to the desk's printer path.

    Pages are laid out by ``desk.hardware.printing.paint_document`` (one renderer for preview and print).
    Pressing Print accepts the dialog and the caller prints through ``print_document``, so the desk says
    "sent" only when the print system accepted the job, exactly as without a preview.
    """

    def __init__(self, parent: QWidget | None, path: Path, printer_name: str, title: str):
        from PyQt6.QtPrintSupport import QPrinter, QPrintPreviewWidget

        super().__init__(parent)
        self.setObjectName("print_preview")
        self.setWindowTitle(_("Print preview — {title}").format(title=title))
        self.path = Path(path)
        self.problem = ""
        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if printer_name:
            self.printer.setPrinterName(printer_name)
        layout = QVBoxLayout(self)
        self.preview = QPrintPreviewWidget(self.printer, self)
        self.preview.setObjectName("preview_pages")
        self.preview.paintRequested.connect(self._paint)
        layout.addWidget(self.preview, 1)
        self.message = QLabel()
        self.message.setObjectName("preview_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020")
        self.message.hide()
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.print_button = QPushButton(_("Print (Ctrl+P)"))
        self.print_button.setObjectName("preview_print")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.accept)
        close = QPushButton(_("Close without printing (Esc)"))
        close.setObjectName("preview_close")
        close.clicked.connect(self.reject)
        buttons.addWidget(self.print_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        QShortcut(QKeySequence("Ctrl+P"), self).activated.connect(self.accept)
        resize_within_screen(self, 760, 700)

    def _paint(self, printer: QPrinter) -> None:
        try:
            printing.paint_document(self.path, printer)
        except Exception as exc:  # noqa: BLE001 - a preview that cannot draw still lets the clerk print
            self.problem = _problem(exc)
            self.message.setText(self.problem)
            self.message.show()


class PrintRun(QObject):
    """One document written (when ``write`` is given) and printed, off the UI thread, then reported once.

    The outcome goes to ``ctx.bus.print_reported`` (the main window's status line) and to ``on_done`` while
    ``screen`` is still open. The operations belong to the bus, not to the screen: a dialog closed while its
    slip prints still gets its print reported. With a preview (``preview=True``, or the desk's setting) the
    clerk sees the pages first; closing it prints nothing and says so.
    """

    finished = pyqtSignal(object)  # PrintOutcome

    def __init__(self, ctx: AppContext, *, code: str, title: str, screen: QWidget,
                 write: Callable[[], Path] | None = None, path: Path | None = None,
                 on_done: Callable[[PrintOutcome], object] | None = None, preview: bool | None = None,
                 retry: str = ""):
        super().__init__()
        self.ctx, self.code, self.title, self.screen = ctx, code, title, screen
        self.write, self.path, self.on_done, self.retry = write, path, on_done, retry
        self.preview = ctx.settings.preview_first if preview is None else preview
        self.printer_name = ctx.settings.printer  # the printer chosen when the run started
        self.outcome: PrintOutcome | None = None
        self.dialog: PrintPreview | None = None
        self.operation: Operation | None = None

    @property
    def running(self) -> bool:
        return self.outcome is None

    def start(self) -> PrintRun:
        if self.write is not None or self.path is None or not self.path.exists():
            write = self.write
            if write is None:
                self._finish(None, _("The document is gone and cannot be made here."))
                return self
            self.operation = (Operation(self.ctx.bus, write, label=f"write {self.code}")
                              .on_success(self._written).on_failure(lambda exc: self._finish(None, _problem(exc)))
                              .start())
        else:
            self._written(self.path)
        return self

    def _written(self, path: Path) -> None:
        self.path = Path(path)
        if self.preview and self._screen_open():
            self._show_preview()
        else:
            self._print()

    def _screen_open(self) -> bool:
        return self.screen is not None and not sip.isdeleted(self.screen)

    def _show_preview(self) -> None:
        assert self.path is not None
        self.dialog = PrintPreview(self.screen, self.path, self.printer_name, self.title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.finished.connect(self._previewed)
        self.dialog.open()  # modal for its window, but the event loop is the application's own

    def _previewed(self, result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()
        if result == QDialog.DialogCode.Accepted:
            self._print()
        else:
            self._finish(self.path, _("The preview was closed without printing."))

    def _print(self) -> None:
        assert self.path is not None
        self.operation = (Operation(self.ctx.bus, self.ctx.printer.print_document, self.path,
                                    printer=self.printer_name, title=f"{self.title} {self.code}",
                                    label=f"print {self.code}")
                          .on_success(lambda job: self._finish(self.path, "", job))
                          .on_failure(lambda exc: self._finish(self.path, _problem(exc))).start())

    def _finish(self, path: Path | None, problem: str, job: PrintJob | None = None) -> None:
        self.outcome = PrintOutcome(self.code, self.title, path, job, problem, self.retry)
        self.ctx.bus.print_reported.emit(self.outcome)
        self.finished.emit(self.outcome)
        if self.on_done is not None and self._screen_open():
            self.on_done(self.outcome)


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

