"""The ticket kiosk and the calling display (D50), real widgets on a real database: a touch takes and prints a
ticket; the display follows calls made from two desks, within a second on PostgreSQL (LISTEN/NOTIFY, with its
poll far slower than that) and within a few seconds on SQLite (polling), and announces each call once."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from PyQt6.QtCore import Qt

from desk.config import Settings
from desk.hardware.printing import FakePrinter
from desk.hardware.speech import Announcer
from desk.services import queue
from desk.services.accounts import SYSTEM, create_staff
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.views import queue_display
from desk.views.queue_display import QueueDisplay
from desk.views.ticket_kiosk import TicketKiosk

MORNING = datetime(2026, 11, 26, 8, 5, tzinfo=LOCAL_TZ)


def test_a_touch_takes_a_ticket_shows_it_and_prints_it(qtbot, office, idle):
    printer = FakePrinter()
    kiosk = TicketKiosk(clock=FixedClock(MORNING), settings=Settings(), office_name="UBND phường Trần Phú",
                        printer=printer)
    qtbot.addWidget(kiosk)
    kiosk.resize(1366, 768)
    kiosk.show()
    idle()
    assert list(kiosk.buttons) == ["HT", "CT"]  # one button per catalog field when no group is configured
    qtbot.mouseClick(kiosk.buttons["HT"], Qt.MouseButton.LeftButton)
    idle()
    assert kiosk.pages.currentIndex() == 1 and kiosk.ticket_number.text() == "001"
    assert kiosk.ticket_field.text() == "Hộ tịch" and "08:05" in kiosk.ticket_time.text()
    assert kiosk.ticket_before.text() == "Không có ai chờ trước bạn"
    assert len(printer.printed) == 1 and printer.printed[0].name == "stt_20261126_001.docx"
    assert kiosk.ticket_print.text() == "Xin mời nhận phiếu số thứ tự."
    kiosk.show_buttons()
    qtbot.mouseClick(kiosk.buttons["HT"], Qt.MouseButton.LeftButton)
    idle()
    assert kiosk.ticket_number.text() == "002" and kiosk.ticket_before.text() == "Có 1 người đang chờ trước bạn"
    printer.fail = True
    kiosk.show_buttons()
    qtbot.mouseClick(kiosk.buttons["CT"], Qt.MouseButton.LeftButton)
    idle()
    assert kiosk.ticket_number.text() == "003" and "không in được" in kiosk.ticket_print.text().lower()


@pytest.fixture
def display(qtbot, any_office):
    clock = FixedClock(MORNING)
    screen = QueueDisplay(clock=clock, announcer=Announcer(enabled=False), office_name="UBND phường Trần Phú")
    qtbot.addWidget(screen)
    screen.resize(1366, 768)
    screen.show()
    yield screen, clock
    screen.stop()


def _wait_for(qtbot, test, seconds: float) -> float:
    started = time.monotonic()
    qtbot.waitUntil(test, timeout=int(seconds * 1000))
    return time.monotonic() - started


def test_the_display_follows_two_desks(qtbot, display, any_url, idle):
    screen, clock = display
    one = create_staff("quay1", "Cán bộ quầy một", "clerk", "mật-khẩu-đủ-dài", by=SYSTEM)
    two = create_staff("quay2", "Cán bộ quầy hai", "clerk", "mật-khẩu-đủ-dài", by=SYSTEM)
    for field in ("HT", "CT", "HT"):
        queue.take(field, clock=clock)
    idle()
    screen.refresh()
    idle()
    postgres = any_url.startswith("postgresql")
    assert screen.listening is postgres
    assert screen.poll.interval() == (queue_display.POSTGRES_POLL_MS if postgres else queue_display.SQLITE_POLL_MS)
    limit = 1.0 if postgres else 4.0  # NOTIFY within a second; the SQLite poll every two seconds
    queue.call_next(1, actor=one, clock=clock)
    took = _wait_for(qtbot, lambda: screen.counter_labels[0][1].text() == "001", limit)
    queue.call_next(2, actor=two, clock=clock)
    took = max(took, _wait_for(qtbot, lambda: screen.counter_labels[1][1].text() == "002", limit))
    assert took < limit
    assert [label.text() for label, _n in screen.counter_labels[:2]] == ["1", "2"]
    assert screen.recent.text().splitlines()[0].startswith("002")
    assert "Hộ tịch: 1" in screen.waiting.text()
    assert screen.announcer.said == ["Mời số 1 đến quầy số 1", "Mời số 2 đến quầy số 2"]
    assert screen.banner.text() == "Mời số 002 đến quầy số 2"
    queue.recall(1, actor=one, clock=clock)  # called again: said again
    _wait_for(qtbot, lambda: len(screen.announcer.said) == 3, limit)
    assert screen.announcer.said[-1] == "Mời số 1 đến quầy số 1"
    queue.skip(2, actor=two, clock=clock)
    _wait_for(qtbot, lambda: screen.counter_labels[1][1].text() == "", limit)
    assert len(screen.announcer.said) == 3  # a skip is not a call
