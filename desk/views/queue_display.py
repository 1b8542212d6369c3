"""The calling display (màn hình gọi số, D50): for a TV in the waiting room, full screen.

It shows the number at each counter, the last calls and how many wait per field, and announces every new
call (and every call again) with a chime and "Mời số 12 đến quầy số 2". It reads queue.status in the
background: on PostgreSQL a listener thread hears each change at once (LISTEN/NOTIFY, queue
.listen_for_changes) and a slow poll covers a lost connection; on SQLite it polls every two seconds.
"""

from __future__ import annotations

import threading

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desk.hardware.speech import Announcer
from desk.i18n import _
from desk.services import queue
from desk.services.clock import LOCAL_TZ, Clock
from desk.services.queue import QueueStatus
from desk.views.ops import Operation

SQLITE_POLL_MS = 2_000
POSTGRES_POLL_MS = 15_000  # NOTIFY does the work; the poll only covers a listener that lost its connection
COUNTER_ROWS = 6


class QueueDisplay(QWidget):
    """Counters and their numbers on the left, the last calls and the waiting counts on the right."""

    changed = pyqtSignal()  # from the listener thread: something in the queue changed (queued to the UI thread)

    def __init__(self, *, clock: Clock, announcer: Announcer, office_name: str = "", listen: bool | None = None):
        super().__init__()
        self.clock, self.announcer = clock, announcer
        self.setObjectName("queue_display")
        self.setWindowTitle(_("Calling display"))
        self.setStyleSheet("#queue_display { background: #0d2238; } QLabel { color: white; }")
        self.reading: Operation | None = None
        self.again = False  # a change came while reading: read once more
        self.state: QueueStatus | None = None
        self._seen: set[tuple[int, int]] | None = None  # (ticket id, calls) already announced
        outer = QVBoxLayout(self)
        outer.setContentsMargins(30, 16, 30, 16)
        head = QHBoxLayout()
        office = QLabel(office_name.upper())
        office.setStyleSheet("font-size: 26px; font-weight: bold;")
        self.clock_label = QLabel()
        self.clock_label.setStyleSheet("font-size: 26px;")
        head.addWidget(office, 1)
        head.addWidget(self.clock_label)
        outer.addLayout(head)
        body = QHBoxLayout()
        body.setSpacing(24)
        outer.addLayout(body, 1)
        self.counters = QFrame()
        self.counters.setStyleSheet("QFrame { background: #133558; border-radius: 12px; }")
        self.counter_grid = QGridLayout(self.counters)
        self.counter_grid.setContentsMargins(18, 12, 18, 12)
        for column, text in enumerate((_("COUNTER"), _("NUMBER"))):
            label = QLabel(text)
            label.setStyleSheet("font-size: 30px; font-weight: bold; color: #9cc9f0;")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.counter_grid.addWidget(label, 0, column)
        self.counter_labels: list[tuple[QLabel, QLabel]] = []
        for row in range(1, COUNTER_ROWS + 1):
            pair = (QLabel(), QLabel())
            pair[0].setStyleSheet("font-size: 54px; font-weight: bold;")
            pair[1].setStyleSheet("font-size: 72px; font-weight: bold; color: #ffd54f;")
            for column, label in enumerate(pair):
                label.setAlignment(Qt.AlignmentFlag.AlignCenter)
                self.counter_grid.addWidget(label, row, column)
            self.counter_labels.append(pair)
        body.addWidget(self.counters, 3)
        side = QVBoxLayout()
        body.addLayout(side, 2)
        recent_title = QLabel(_("Just called"))
        recent_title.setStyleSheet("font-size: 30px; font-weight: bold; color: #9cc9f0;")
        side.addWidget(recent_title)
        self.recent = QLabel()
        self.recent.setObjectName("recent_calls")
        self.recent.setStyleSheet("font-size: 34px;")
        self.recent.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        side.addWidget(self.recent, 1)
        waiting_title = QLabel(_("Waiting"))
        waiting_title.setStyleSheet("font-size: 30px; font-weight: bold; color: #9cc9f0;")
        side.addWidget(waiting_title)
        self.waiting = QLabel()
        self.waiting.setObjectName("waiting_counts")
        self.waiting.setStyleSheet("font-size: 26px;")
        self.waiting.setWordWrap(True)
        side.addWidget(self.waiting)
        self.banner = QLabel()
        self.banner.setObjectName("call_banner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setStyleSheet("font-size: 44px; font-weight: bold; color: #0d2238; background: #ffd54f;"
                                  " border-radius: 10px; padding: 8px;")
        self.banner.hide()
        outer.addWidget(self.banner)
        self.changed.connect(self.refresh)
        self.listening = queue.hears_changes() if listen is None else listen
        self._stop = threading.Event()
        self._listener: threading.Thread | None = None
        if self.listening:
            self._listener = threading.Thread(target=queue.listen_for_changes, args=(self.changed.emit, self._stop),
                                              daemon=True, name="desk-queue-listener")
            self._listener.start()
        self.poll = QTimer(self)
        self.poll.timeout.connect(self.refresh)
        self.poll.start(POSTGRES_POLL_MS if self.listening else SQLITE_POLL_MS)
        self.banner_timer = QTimer(self)
        self.banner_timer.setSingleShot(True)
        self.banner_timer.timeout.connect(self.banner.hide)
        self.refresh()

    def refresh(self) -> Operation | None:
        """Read the queue in the background (one read at a time; a change meanwhile reads once more)."""
        if self.reading is not None:
            self.again = True
            return None
        self.reading = (Operation(self, queue.status, clock=self.clock, label="queue display")
                        .on_success(self._show).on_failure(self._failed).start())
        return self.reading

    def _failed(self, exc: BaseException) -> None:
        self.reading = None  # the next poll tries again; the screen keeps what it showed

    def _show(self, state: QueueStatus) -> None:
        self.reading = None
        self.state = state
        self.clock_label.setText(f"{self.clock.now().astimezone(LOCAL_TZ):%H:%M  %d/%m/%Y}")
        serving = state.serving[:COUNTER_ROWS]
        for (counter, number), ticket in zip(self.counter_labels, serving + [None] * (COUNTER_ROWS - len(serving)),
                                             strict=True):
            counter.setText(str(ticket.counter) if ticket else "")
            number.setText(ticket.label if ticket else "")
        self.recent.setText("\n".join(_("{label}  →  counter {counter}").format(label=t.label, counter=t.counter)
                                      for t in state.recent))
        self.waiting.setText("\n".join(f"{g.name}: {n}" for g, n in state.waiting if n))
        calls = {(t.id, t.calls) for t in state.recent}
        if self._seen is not None:  # the first read shows the room as it is; only later calls are announced
            for ticket in reversed(state.recent):  # oldest first, as they were called
                if (ticket.id, ticket.calls) not in self._seen:
                    self.banner.setText(_("Number {label}, please come to counter {counter}").format(
                        label=ticket.label, counter=ticket.counter))
                    self.banner.show()
                    self.banner_timer.start(8_000)
                    self.announcer.announce(queue.announcement(ticket))
        self._seen = (self._seen or set()) | calls
        if self.again:
            self.again = False
            self.refresh()

    def stop(self) -> None:
        """End the listener and the poll (the window is closing)."""
        self._stop.set()
        self.poll.stop()
        if self._listener is not None:
            self._listener.join(timeout=2)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.stop()
        super().closeEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.key() == Qt.Key.Key_Escape and self.isFullScreen():
            self.showNormal()
            return
        super().keyPressEvent(event)
