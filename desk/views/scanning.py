"""One dispatcher for everything scanned: slips open their dossier, CCCD cards fill the intake form.

The USB scanner (desk/hardware/wedge.py) and, later, the webcam both call
:meth:`ScanDispatcher.handle` with the decoded text; what the text means is decided once, in
desk/services/scan.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PyQt6.QtCore import QObject, pyqtSignal
from PyQt6.QtWidgets import QApplication, QMainWindow

from desk.hardware.wedge import WedgeDetector
from desk.i18n import _
from desk.services.scan import CCCD, DOSSIER, ScanResult, describe, interpret, is_scan
from desk.views.context import AppContext

if TYPE_CHECKING:
    from desk.views.main_window import MainWindow

STATUS_MS = 10_000  # how long a scan's line stays in the status bar


class ScanDispatcher(QObject):
    """Turns scanned text into the right action in the main window; emits :attr:`handled` after."""

    handled = pyqtSignal(object)  # ScanResult

    def __init__(self, window: QMainWindow, ctx: AppContext, parent: QObject | None = None):
        super().__init__(parent)
        self.window = window
        self.ctx = ctx
        self.detector: WedgeDetector | None = None

    def _pickup_page(self):
        """The pickup screen when it is the one in front, else None."""
        from desk.views.pickup import PickupView

        current = getattr(self.window, "current_page", None)
        page = current() if callable(current) else None
        return page if isinstance(page, PickupView) else None

    def _status(self, text: str) -> None:
        status_bar = getattr(self.window, "statusBar", None)
        if callable(status_bar):
            status_bar().showMessage(text, STATUS_MS)

    def handle(self, text: str) -> ScanResult:
        """Act on one scan; never raises (a bad scan is a message and a beep, not a crash)."""
        result = interpret(text, clock=self.ctx.clock)
        modal = QApplication.activeModalWidget()
        if modal is not None and modal is not self.window:
            # A confirmation or form is open: acting behind it would change what the clerk is looking at.
            QApplication.beep()
            self._status(_("Close the open window first, then scan again"))
            self.handled.emit(result)
            return result
        pickup = self._pickup_page()
        if pickup is not None and result.kind != CCCD:
            pickup.show_code(text, result=result)
            self._status(describe(result))
            if not result.ok:
                QApplication.beep()
        elif result.kind == DOSSIER:
            self._status(describe(result))
            self.ctx.bus.open_dossier.emit(result.code)
        elif result.kind == CCCD:
            self._status(describe(result))
            # Show the intake screen first: it is built on first use and must be listening.
            show_page = getattr(self.window, "show_page", None)
            if callable(show_page):
                show_page("intake")
            self.ctx.bus.fill_intake.emit(result.identity)
        else:
            self._status(result.message)
            QApplication.beep()
        self.handled.emit(result)
        return result


def install_scanner(window: MainWindow, ctx: AppContext) -> ScanDispatcher:
    """Listen for USB scanner bursts anywhere in the application and route them through one dispatcher.

    Only a burst that is a slip or CCCD payload (services.scan.is_scan) is taken; any other fast
    text is given back, complete and in order, to the field it was typed into.

    The detector and the dispatcher belong to ``window``: closing it uninstalls both. The dispatcher
    is also kept as ``window.scan_dispatcher`` so other sources (the webcam dialog) can reach it.
    """
    dispatcher = ScanDispatcher(window, ctx, parent=window)
    detector = WedgeDetector(window)
    detector.accepts = is_scan  # only a slip or a CCCD is a scan; other bursts go back to the field
    detector.gate = window.isVisible  # a closed window's detector must not eat other windows' keys
    app = QApplication.instance()
    if app is not None:
        app.installEventFilter(detector)
    detector.scanned.connect(dispatcher.handle)
    dispatcher.detector = detector
    window.scan_dispatcher = dispatcher
    return dispatcher
