"""Calendar screen on a real SQLite database: marks move due dates; clerks cannot mark."""

from __future__ import annotations

from datetime import date, datetime

from PyQt6.QtCore import Qt

from desk.config import Settings
from desk.hardware.printing import FakePrinter
from desk.services import calendar as calendar_service
from desk.services import catalog
from desk.services.accounts import Actor
from desk.services.calendar import load_calendar
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.views.calendar import CalendarView, classify
from desk.views.context import AppContext

NOW = datetime(2026, 8, 20, 9, 30, tzinfo=LOCAL_TZ)
FRIDAY = datetime(2026, 9, 4, 9, 0, tzinfo=LOCAL_TZ)


def make_view(qtbot, role: str = "leader") -> CalendarView:
    ctx = AppContext(actor=Actor(None, role, f"Cán bộ {role}", role), clock=FixedClock(NOW), settings=Settings(),
                     office_name="UBND phường Trần Phú", database_label="sqlite:///test.db", printer=FakePrinter())
    view = CalendarView(ctx)
    qtbot.addWidget(view)
    view.resize(1100, 760)
    return view


def test_month_shows_holidays_make_up_days_and_weekends(qtbot, office):
    view = make_view(qtbot)
    assert view.selected_day() == date(2026, 8, 20)
    assert (view.calendar.yearShown(), view.calendar.monthShown()) == (2026, 8)
    cal = view.work_calendar
    assert classify(cal, date(2026, 9, 2))[0] == "holiday"
    assert classify(cal, date(2026, 8, 22))[0] == "makeup"
    assert classify(cal, date(2026, 8, 23))[0] == "weekend"
    assert classify(cal, date(2026, 8, 24)) == ("", "", False)
    view.show()
    assert not view.calendar.grab().isNull()  # paints every kind without error
    view.select_day(date(2026, 9, 2))
    assert view.calendar.monthShown() == 9
    assert "02/09/2026" in view.day_label.text()
    assert not view.clear_button.isEnabled()  # nothing of the office's to remove


def test_marking_a_day_off_moves_due_dates(qtbot, office):
    view = make_view(qtbot)
    procedure = catalog.get_procedure("T-TTHN")  # 3 working days
    assert load_calendar().due_at(procedure, FRIDAY).date() == date(2026, 9, 9)
    view.set_trial("T-TTHN", FRIDAY)
    assert view.update_trial().date() == date(2026, 9, 9)
    view.select_day(date(2026, 9, 7))
    qtbot.keyClicks(view.note, "Nghi theo thong bao")
    with qtbot.waitSignal(view.ctx.bus.calendar_changed, timeout=5000):
        qtbot.mouseClick(view.off_button, Qt.MouseButton.LeftButton)
    assert load_calendar().due_at(procedure, FRIDAY).date() == date(2026, 9, 10)
    assert view.update_trial().date() == date(2026, 9, 10)
    assert "10/09/2026" in view.trial_due.text()
    assert classify(view.work_calendar, date(2026, 9, 7)) == ("office_off", "Nghi theo thong bao", True)
    assert view.marks_table.rowCount() == 1
    assert view.marks_table.item(0, 2).text() == "Nghi theo thong bao"
    assert view.clear_button.isEnabled() and not view.off_button.isEnabled()
    assert "1b5e20" in view.message.styleSheet()


def test_make_up_day_then_remove_the_mark(qtbot, office, finish):
    view = make_view(qtbot)
    saturday = date(2026, 9, 5)
    view.select_day(saturday)
    view.note.setText("Làm bù")
    op = view.mark_selected("work")
    assert view.mark_selected("off") is None  # a second press while saving does nothing
    assert not view.work_button.isEnabled() and view.message.text() == "Đang lưu…"
    assert finish(op).succeeded
    assert calendar_service.load_calendar().is_working_day(saturday)
    assert load_calendar().due_at(catalog.get_procedure("T-TTHN"), FRIDAY).date() == date(2026, 9, 8)
    assert classify(view.work_calendar, saturday)[0] == "makeup"
    view.select_day(saturday)
    with qtbot.waitSignal(view.ctx.bus.calendar_changed, timeout=5000):
        qtbot.mouseClick(view.clear_button, Qt.MouseButton.LeftButton)
    assert not load_calendar().is_working_day(saturday)
    assert view.marks_table.rowCount() == 0


def test_enter_in_the_note_marks_the_obvious_kind(qtbot, office):
    view = make_view(qtbot)
    view.select_day(date(2026, 8, 29))  # a Saturday: Enter makes it a working day
    view.note.setFocus()
    with qtbot.waitSignal(view.ctx.bus.calendar_changed, timeout=5000):
        qtbot.keyClick(view.note, Qt.Key.Key_Return)
    assert load_calendar().is_working_day(date(2026, 8, 29))
    view.select_day(date(2026, 8, 27))  # a Thursday: Enter makes it a day off
    with qtbot.waitSignal(view.ctx.bus.calendar_changed, timeout=5000):
        qtbot.keyClick(view.note, Qt.Key.Key_Return)
    assert not load_calendar().is_working_day(date(2026, 8, 27))


def test_marks_list_follows_the_year_and_jumps_to_the_day(qtbot, office):
    from desk.services.accounts import SYSTEM

    calendar_service.set_day(date(2027, 1, 4), "off", "Năm sau", by=SYSTEM)
    calendar_service.set_day(date(2026, 12, 31), "off", "Cuối năm", by=SYSTEM)
    view = make_view(qtbot)
    assert view.marks_table.rowCount() == 1 and "2026" in view.marks_title.text()
    view.show_month(2027, 1)
    assert view.marks_table.rowCount() == 1 and view.marks_table.item(0, 2).text() == "Năm sau"
    view._jump_to_mark(0)
    assert view.selected_day() == date(2027, 1, 4)


def test_trial_box_same_day_cut_off_and_search(qtbot, office):
    view = make_view(qtbot)
    view.trial_search.setText("ban sao")
    assert view.trial_procedure.count() == 1 and view.trial_procedure.currentData() == "T-BS"
    view.set_trial("T-BS", datetime(2026, 9, 4, 15, 30, tzinfo=LOCAL_TZ))
    assert view.update_trial() == datetime(2026, 9, 7, 17, 0, tzinfo=LOCAL_TZ)
    view.set_trial("T-KT", datetime(2026, 9, 4, 15, 30, tzinfo=LOCAL_TZ))  # not in the search: search cleared
    assert view.update_trial().date() == date(2026, 9, 4)


def test_clerk_cannot_mark_days(qtbot, office, finish):
    view = make_view(qtbot, "clerk")
    for widget in (view.off_button, view.work_button, view.clear_button, view.note):
        assert not widget.isEnabled()
    assert view.message.text()
    assert not finish(view.mark_day(date(2026, 9, 7), "off")).succeeded  # the service refuses too
    assert "b00020" in view.message.styleSheet()
    assert calendar_service.list_overrides() == []
