"""The screens' "today" is the application's clock, never the desk's own (D37)."""

from __future__ import annotations

from datetime import date, datetime

from desk.config import Settings
from desk.services.accounts import Actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.views.calendar import CalendarView
from desk.views.context import AppContext
from desk.views.dossier_list import DossierListView

FROZEN = datetime(2031, 3, 5, 9, 0, tzinfo=LOCAL_TZ)  # years away from the machine's date


def _ctx(role: str = "leader") -> AppContext:
    return AppContext(actor=Actor(None, role, f"Cán bộ {role}", role), clock=FixedClock(FROZEN), settings=Settings(),
                      office_name="UBND phường Trần Phú")


def test_the_list_filters_start_from_the_clocks_today(qtbot, office):
    view = DossierListView(_ctx())
    qtbot.addWidget(view)
    assert view.date_to.date().toPyDate() == date(2031, 3, 5)
    assert view.date_from.date().toPyDate() == date(2031, 2, 5)


def test_the_calendar_marks_the_clocks_today(qtbot, office):
    view = CalendarView(_ctx())
    qtbot.addWidget(view)
    assert view.calendar.today.toPyDate() == date(2031, 3, 5)
    assert view.calendar.selectedDate().toPyDate() == date(2031, 3, 5)
