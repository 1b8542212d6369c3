"""Another desk's change reaches this desk's screens without a restart, and looking never freezes the window."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import psycopg2
import pytest
from PyQt6.QtCore import QTimer

from desk.models import db as dbmod
from desk.services import changes
from desk.services.intake import Applicant, IntakeRequest, register
from desk.views.common import ChangePoller
from desk.views.context import EventBus


def test_poller_announces_changes(qtbot, office, admin):
    bus = EventBus()
    announced: list[str] = []
    bus.dossier_changed.connect(announced.append)
    poller = ChangePoller(bus, interval_ms=50)
    qtbot.waitUntil(lambda: poller.looks >= 3, timeout=5000)
    assert announced == []  # nothing new yet
    register(IntakeRequest("T-KS", Applicant(name="Phan Thị Hòa"), received_at=datetime(2026, 11, 23, 9)),
             actor=admin)
    with qtbot.waitSignal(bus.dossier_changed, timeout=5000):
        pass  # the timer notices the new dossier by itself
    looks = poller.looks
    qtbot.waitUntil(lambda: poller.looks >= looks + 3, timeout=5000)
    assert announced == [""]  # and reports it once
    poller.timer.stop()


def test_the_poll_queries_off_the_ui_thread(qtbot, office, monkeypatch):
    threads: list[threading.Thread] = []
    real = changes.latest_change

    def watched():
        threads.append(threading.current_thread())
        return real()

    monkeypatch.setattr(changes, "latest_change", watched)
    poller = ChangePoller(EventBus(), interval_ms=30)
    qtbot.waitUntil(lambda: poller.looks >= 3, timeout=5000)
    poller.timer.stop()
    assert threads and threading.main_thread() not in threads


@pytest.mark.postgres
def test_a_blocked_database_does_not_freeze_the_window(qtbot, pg_office):
    """Another connection locks the dossier table for 2 s (as a slow network or a long migration would):
    the poll waits for it in the background, the event loop keeps turning, and no second poll piles up.
    PostgreSQL only: on SQLite (WAL) another desk's write does not hold up this desk's reads."""
    db = dbmod.make_database(pg_office)
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        conn = psycopg2.connect(dbname=db.database, **{k: v for k, v in db.connect_params.items()
                                                       if k in ("user", "password", "host", "port", "options")})
        try:
            with conn.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute("LOCK TABLE dossier IN ACCESS EXCLUSIVE MODE")
                locked.set()
                release.wait(2.0)
            conn.rollback()
        finally:
            conn.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert locked.wait(10)
    bus = EventBus()
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    qtbot.waitUntil(lambda: len(ticks) >= 3)  # the loop turns: a stop from here on shows as a gap
    started = time.monotonic()
    poller = ChangePoller(bus, interval_ms=50)
    first = poller.pending
    assert first is not None and first.running
    qtbot.wait(1000)  # a second of the lock held: nothing may happen meanwhile, so no condition to wait for
    assert first.running and poller.poll() is None  # still waiting for the lock; no second look
    assert poller.looks == 0
    qtbot.waitUntil(lambda: poller.looks >= 1, timeout=10_000)
    poller.timer.stop()
    timer.stop()
    holder.join(5)
    assert time.monotonic() - started >= 1.5  # the lock really held the poll
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert len(ticks) > 40 and max(gaps) < 0.5, max(gaps)  # the UI thread never stopped for long
