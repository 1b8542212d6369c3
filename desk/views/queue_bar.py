"""The clerk's calling bar on the intake screen (D50): call next (F4), call again, skip (not present).

It shows the ticket called to this desk's counter (Settings: queue_counter) and how many wait. Every
call runs in the background (views/ops.py); the intake links the dossier it registers to the ticket
shown here when the save started.
"""

from __future__ import annotations

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from desk.i18n import _
from desk.services import queue
from desk.services.kinds import TicketState
from desk.services.queue import Ticket
from desk.views.common import error_text
from desk.views.context import AppContext
from desk.views.ops import Operation


class QueueBar(QFrame):
    """The called number and the three calling buttons, in one line above the intake form."""

    called = pyqtSignal(object)  # the Ticket now at this counter, or None

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("queue_bar")
        self.setStyleSheet("#queue_bar { background: #eef5fb; border: 1px solid #b8d3ea; border-radius: 4px; }")
        self.current: Ticket | None = None
        self.busy: Operation | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 3, 8, 3)
        self.counter_label = QLabel()
        self.number = QLabel()
        self.number.setObjectName("queue_number")
        self.number.setStyleSheet("font-size: 18px; font-weight: bold; color: #0b4f8a;")
        self.note = QLabel()
        self.note.setObjectName("queue_note")
        self.note.setWordWrap(True)
        self.call_button = QPushButton(_("Call next (F4)"))
        self.call_button.setObjectName("queue_call")
        self.recall_button = QPushButton(_("Call again"))
        self.recall_button.setObjectName("queue_recall")
        self.skip_button = QPushButton(_("Skip: not present"))
        self.skip_button.setObjectName("queue_skip")
        for button in (self.call_button, self.recall_button, self.skip_button):
            button.setAutoDefault(False)
        self.call_button.clicked.connect(self.call_next)
        self.recall_button.clicked.connect(self.recall)
        self.skip_button.clicked.connect(self.skip)
        row.addWidget(self.counter_label)
        row.addWidget(self.number)
        row.addWidget(self.note, 1)
        row.addWidget(self.call_button)
        row.addWidget(self.recall_button)
        row.addWidget(self.skip_button)
        self._show(None)
        self.refresh()

    @property
    def counter(self) -> int:
        return self.ctx.settings.queue_counter

    def _show(self, ticket: Ticket | None, note: str = "") -> None:
        self.current = ticket
        self.counter_label.setText(_("Counter {n}:").format(n=self.counter))
        self.number.setText(ticket.label if ticket else "—")
        self.number.setToolTip(ticket.group_name if ticket else "")
        self.note.setText(note or (ticket.group_name if ticket else _("no ticket called")))
        self.recall_button.setEnabled(ticket is not None)
        self.skip_button.setEnabled(ticket is not None and ticket.state == TicketState.CALLED)
        self.call_button.setEnabled(True)
        self.called.emit(ticket)

    def _run(self, fn, *args, **kw) -> Operation | None:
        if self.busy is not None:
            return None
        for button in (self.call_button, self.recall_button, self.skip_button):
            button.setEnabled(False)
        self.busy = (Operation(self, fn, *args, clock=self.ctx.clock, label="queue call", **kw)
                     .on_success(self._done).on_failure(self._failed).start())
        return self.busy

    def _done(self, ticket: Ticket | None) -> None:
        self.busy = None
        if ticket is not None and ticket.state == TicketState.SKIPPED:
            self._show(None, _("{label} skipped: not present.").format(label=ticket.label))
        else:
            self._show(ticket, "" if ticket else _("Nobody is waiting for this counter."))

    def _failed(self, exc: BaseException) -> None:
        self.busy = None
        self._show(self.current, error_text(exc))

    def refresh(self) -> Operation | None:
        """Read the counter's current ticket (after a restart the called number is still there)."""
        return self._run(queue.current_ticket, self.counter)

    def call_next(self) -> Operation | None:
        """F4: finish the current ticket and call the oldest waiting one this counter serves."""
        return self._run(queue.call_next, self.counter, actor=self.ctx.actor)

    def recall(self) -> Operation | None:
        return self._run(queue.recall, self.counter, actor=self.ctx.actor) if self.current else None

    def skip(self) -> Operation | None:
        return self._run(queue.skip, self.counter, actor=self.ctx.actor) if self.current else None
