"""The ticket kiosk (kiosk bắt số, D50): full screen, one big button per ticket group, a printed ticket.

A citizen touches a field; the kiosk takes the day's next number (queue.take: no staff account, the queue
tables only), shows the ticket (number, field, time, how many wait before) and prints it on the kiosk's
printer through the slips' print path, then returns to the buttons. Nothing here needs a keyboard.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desk.config import Settings, data_dir
from desk.hardware.printing import Printer, SystemPrinter
from desk.i18n import _, ngettext
from desk.services import documents, queue
from desk.services.clock import LOCAL_TZ, Clock
from desk.services.kiosk import take_ticket
from desk.services.queue import Ticket, TicketGroup
from desk.views.common import error_text
from desk.views.ops import Operation

TICKET_SHOWN_MS = 10_000  # how long the ticket stays on the screen before the buttons come back
COLUMNS = 3


def print_ticket(ticket: Ticket, *, printer: Printer, printer_name: str, paper: str, clock: Clock) -> str:
    """On a worker thread: write the ticket's page into today's folder of slips and print it; the job id."""
    folder = data_dir() / "slips" / f"{clock.today():%Y-%m-%d}"
    folder.mkdir(parents=True, exist_ok=True)
    path = documents.queue_ticket(ticket, folder, paper=paper, clock=clock)
    return printer.print_document(path, printer=printer_name, title=f"STT {ticket.label}").job_id


class TicketKiosk(QWidget):
    """The kiosk's one window: the buttons, or the ticket just taken."""

    def __init__(self, *, clock: Clock, settings: Settings, office_name: str = "", printer: Printer | None = None):
        super().__init__()
        self.clock, self.settings = clock, settings
        self.printer = printer or SystemPrinter()
        self.setObjectName("ticket_kiosk")
        self.setWindowTitle(_("Take a queue number"))
        self.setStyleSheet(
            "#ticket_kiosk { background: #f4f8fc; }"
            "QPushButton[group='true'] { font-size: 30px; font-weight: bold; color: white; background: #1565a8;"
            " border-radius: 14px; padding: 18px; min-height: 110px; }"
            "QPushButton[group='true']:pressed { background: #0b4f8a; }")
        self.taking: Operation | None = None
        self.printing: Operation | None = None
        self.last_ticket: Ticket | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 24, 40, 24)
        office = QLabel(office_name.upper())
        office.setObjectName("kiosk_office")
        office.setAlignment(Qt.AlignmentFlag.AlignCenter)
        office.setStyleSheet("font-size: 22px; font-weight: bold; color: #333;")
        title = QLabel(_("Touch the field of your request to take a number"))
        title.setObjectName("kiosk_title")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setWordWrap(True)
        title.setStyleSheet("font-size: 34px; font-weight: bold; color: #0b4f8a; margin: 12px;")
        layout.addWidget(office)
        layout.addWidget(title)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages, 1)
        self.buttons_page = QWidget()
        self.grid = QGridLayout(self.buttons_page)
        self.grid.setSpacing(22)
        self.pages.addWidget(self.buttons_page)
        self.pages.addWidget(self._build_ticket_page())
        self.message = QLabel()
        self.message.setObjectName("kiosk_message")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("font-size: 22px; color: #a31515;")
        layout.addWidget(self.message)
        self.back_timer = QTimer(self)
        self.back_timer.setSingleShot(True)
        self.back_timer.timeout.connect(self.show_buttons)
        self.buttons: dict[str, QPushButton] = {}
        self.load_groups()

    def _build_ticket_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("ticket_page")
        page.setStyleSheet("#ticket_page { background: white; border: 2px solid #1565a8; border-radius: 18px; }")
        box = QVBoxLayout(page)
        box.setContentsMargins(30, 20, 30, 20)
        self.ticket_heading = QLabel(_("YOUR NUMBER"))
        self.ticket_number = QLabel()
        self.ticket_number.setObjectName("ticket_number")
        self.ticket_field = QLabel()
        self.ticket_time = QLabel()
        self.ticket_before = QLabel()
        self.ticket_print = QLabel()
        self.ticket_print.setObjectName("ticket_print")
        styles = ("font-size: 28px; color: #333;", "font-size: 150px; font-weight: bold; color: #0b4f8a;",
                  "font-size: 34px; font-weight: bold;", "font-size: 26px;", "font-size: 30px; color: #1b5e20;",
                  "font-size: 20px; color: #555;")
        for label, style in zip((self.ticket_heading, self.ticket_number, self.ticket_field, self.ticket_time,
                                 self.ticket_before, self.ticket_print), styles, strict=True):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
            label.setStyleSheet(style)
            box.addWidget(label)
        done = QPushButton(_("Done"))
        done.setObjectName("ticket_done")
        done.setStyleSheet("font-size: 26px; padding: 12px 40px;")
        done.clicked.connect(self.show_buttons)
        box.addWidget(done, 0, Qt.AlignmentFlag.AlignCenter)
        return page

    # -- the buttons -------------------------------------------------------------------------------
    def load_groups(self) -> Operation:
        return Operation(self, queue.list_groups, label="kiosk groups").on_success(self._fill).on_failure(
            self._failed).start()

    def _fill(self, groups: list[TicketGroup]) -> None:
        for button in self.buttons.values():
            button.deleteLater()
        self.buttons = {}
        for i, group in enumerate(groups):
            button = QPushButton(group.name)
            button.setObjectName(f"group_{group.code}")
            button.setProperty("group", True)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.clicked.connect(lambda _checked=False, code=group.code: self.take(code))
            self.grid.addWidget(button, i // COLUMNS, i % COLUMNS)
            self.buttons[group.code] = button
        if not groups:
            self.message.setText(_("No fields are set up for tickets yet. Please ask at the desk."))

    def show_buttons(self) -> None:
        self.back_timer.stop()
        self.pages.setCurrentIndex(0)

    # -- a ticket ----------------------------------------------------------------------------------
    def take(self, code: str) -> Operation | None:
        """A touch on a field: one ticket (a second touch while it is being taken does nothing)."""
        if self.taking is not None:
            return None
        self.message.clear()
        self.taking = (Operation(self, take_ticket, code, clock=self.clock, label="take ticket")
                       .on_success(self._taken).on_failure(self._failed).start())
        return self.taking

    def _taken(self, ticket: Ticket) -> None:
        self.taking = None
        self.last_ticket = ticket
        taken = ticket.taken_at.astimezone(LOCAL_TZ)
        self.ticket_number.setText(ticket.label)
        self.ticket_field.setText(ticket.group_name)
        self.ticket_time.setText(_("Taken at {time}, {date}").format(time=f"{taken:%H:%M}", date=f"{taken:%d/%m/%Y}"))
        self.ticket_before.setText(ngettext("{n} person is waiting before you", "{n} people are waiting before you",
                                            ticket.waiting_before).format(n=ticket.waiting_before)
                                   if ticket.waiting_before else _("Nobody is waiting before you"))
        self.ticket_print.setText(_("Printing your ticket…"))
        self.pages.setCurrentIndex(1)
        self.back_timer.start(TICKET_SHOWN_MS)
        self.printing = (Operation(self, print_ticket, ticket, printer=self.printer, printer_name=self.settings.printer,
                                   paper=self.settings.ticket_paper, clock=self.clock, label="print ticket")
                         .on_success(self._printed).on_failure(self._print_failed).start())

    def _printed(self, _job: str) -> None:
        self.printing = None
        self.ticket_print.setText(_("Please take your printed ticket."))

    def _print_failed(self, exc: BaseException) -> None:
        self.printing = None
        self.ticket_print.setText(_("The ticket could not be printed; please remember your number."))

    def _failed(self, exc: BaseException) -> None:
        self.taking = None
        self.message.setText(error_text(exc))

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Esc leaves the full screen for whoever maintains the kiosk (there is no keyboard for citizens)."""
        if event.key() == Qt.Key.Key_Escape and self.isFullScreen():
            self.showNormal()
            return
        super().keyPressEvent(event)
