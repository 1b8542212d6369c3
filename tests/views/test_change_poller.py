"""Another desk's change reaches this desk's screens without a restart."""

from __future__ import annotations

from datetime import datetime

from desk.services.intake import Applicant, IntakeRequest, register
from desk.views.common import ChangePoller
from desk.views.context import EventBus


def test_poller_announces_changes(qtbot, office, admin):
    bus = EventBus()
    poller = ChangePoller(bus, interval_ms=50)
    assert poller.poll() is False  # nothing new yet
    register(IntakeRequest("T-KS", Applicant(name="Phan Thị Hòa"), received_at=datetime(2026, 11, 23, 9)),
             actor=admin)
    with qtbot.waitSignal(bus.dossier_changed, timeout=2000):
        pass  # the timer notices the new dossier by itself
    assert poller.poll() is False  # and reports it once
    poller.timer.stop()
