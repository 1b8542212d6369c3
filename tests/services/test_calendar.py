"""Working days and due moments around the Vietnamese calendar and office overrides."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk.errors import ValidationError
from desk.services import calendar
from desk.services.accounts import SYSTEM, Actor
from desk.services.calendar import WorkCalendar, load_calendar
from desk.services.catalog_format import normalise_cutoff
from desk.services.clock import LOCAL_TZ


def proc(days: int, cutoff: str | None = None, rule: bool = False, unit: str = "working") -> SimpleNamespace:
    return SimpleNamespace(processing_days=days, cutoff=cutoff, no_appointment_day=rule, day_unit=unit)


def at(y, m, d, hh=9, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def due(cal: WorkCalendar, p, received: datetime) -> tuple[date, str]:
    moment = cal.due_at(p, received)
    return moment.date(), moment.strftime("%H:%M")


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar(no_appointment_weekdays=frozenset({2}))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 1, 1), False),  # Tết Dương lịch
        (date(2026, 2, 16), False),  # 29 Tết (lunar)
        (date(2026, 2, 20), False),  # mùng 4 Tết
        (date(2026, 2, 23), True),
        (date(2026, 4, 26), False),  # Giỗ Tổ 10/3 lunar (Sunday)
        (date(2026, 4, 27), False),  # … observed on Monday
        (date(2026, 4, 30), False),
        (date(2026, 5, 1), False),
        (date(2026, 8, 22), True),  # Saturday made a working day for the 2/9 bridge
        (date(2026, 8, 31), False),
        (date(2026, 9, 2), False),
        (date(2026, 11, 24), False),  # Ngày Văn hóa Việt Nam, from 2026
        (date(2026, 11, 21), False),  # Saturday
        (date(2027, 4, 16), False),  # Giỗ Tổ 2027 (lunar date moves)
        (date(2027, 2, 10), False),  # Tết 2027
    ],
)
def test_statutory_days(cal, day, working):
    assert cal.is_working_day(day) is working


def test_weekend_and_cultural_day(cal):
    # Fri + 3 working days: Mon 23, (Tue 24/11 is a holiday), Wed 25, Thu 26.
    assert due(cal, proc(3), at(2026, 11, 20, 10)) == (date(2026, 11, 26), "17:00")


def test_tet_pushes_due_date(cal):
    assert due(cal, proc(3), at(2026, 2, 13, 9)) == (date(2026, 2, 25), "17:00")
    # received on a Tết day (online): the clock starts on the first working day after Tết
    assert due(cal, proc(0), at(2026, 2, 17, 10)) == (date(2026, 2, 23), "17:00")


def test_reunification_and_labour_day(cal):
    assert due(cal, proc(2), at(2026, 4, 29, 10)) == (date(2026, 5, 5), "17:00")


def test_national_day_with_make_up_saturday(cal):
    assert due(cal, proc(1), at(2026, 8, 28, 10)) == (date(2026, 9, 3), "17:00")
    assert due(cal, proc(0), at(2026, 8, 22, 10)) == (date(2026, 8, 22), "17:00")
    assert due(cal, proc(1), at(2026, 8, 21, 10)) == (date(2026, 8, 22), "17:00")


def test_lunar_hung_kings_2027(cal):
    assert due(cal, proc(1), at(2027, 4, 15, 10)) == (date(2027, 4, 19), "17:00")


def test_cutoff_for_certification(cal):
    cert = proc(0, "15:00")
    assert due(cal, cert, at(2026, 11, 23, 14, 59)) == (date(2026, 11, 23), "17:00")
    assert due(cal, cert, at(2026, 11, 23, 15, 0)) == (date(2026, 11, 25), "17:00")  # 24/11 is off
    assert due(cal, cert, at(2026, 11, 27, 15, 30)) == (date(2026, 11, 30), "17:00")  # Friday → Monday


@pytest.mark.parametrize("text", ["15:00Z", "15:00+07:00", "24:00", "15:60", "15:00:30", "1500", "١٥:٠٠", "15h"])
def test_a_cutoff_is_hh_mm_office_time_and_nothing_else(cal, text):
    # the catalog's rule (normalise_cutoff) is the calendar's: a zone used to pass here, then
    # at_or_after raised TypeError comparing an aware time with a naive one
    with pytest.raises(ValidationError):
        calendar.parse_cutoff(text)
    with pytest.raises(ValidationError):
        cal.due_at(proc(0, text), at(2026, 11, 23, 14, 0))
    with pytest.raises(ValueError):
        normalise_cutoff(text)


def test_the_cutoff_readers_agree():
    for text in ("15:00", "9:30", " 11:00 ", "00:00", "23:59"):
        assert calendar.parse_cutoff(text).strftime("%H:%M") == normalise_cutoff(text)
    assert calendar.parse_cutoff(None) is None and calendar.parse_cutoff("") is None


def test_same_day_without_cutoff_and_outside_hours(cal):
    assert due(cal, proc(0), at(2026, 11, 23, 16, 50)) == (date(2026, 11, 23), "17:00")
    assert due(cal, proc(0), at(2026, 11, 23, 17, 30)) == (date(2026, 11, 25), "17:00")
    assert due(cal, proc(0), at(2026, 11, 23, 6, 0)) == (date(2026, 11, 23), "17:00")
    assert due(cal, proc(2), at(2026, 11, 23, 18, 0)) == (date(2026, 11, 27), "17:00")


def test_no_appointment_wednesday(cal):
    wednesday = at(2026, 11, 25, 10)
    assert due(cal, proc(3, rule=True), wednesday) == (date(2026, 11, 25), "17:00")
    assert due(cal, proc(3, rule=False), wednesday) == (date(2026, 11, 30), "17:00")
    assert due(cal, proc(3, rule=True), at(2026, 11, 25, 15, 30)) == (date(2026, 11, 30), "17:00")
    assert due(cal, proc(3, rule=True), at(2026, 11, 26, 10)) == (date(2026, 12, 1), "17:00")


def test_office_overrides_from_database(office):
    calendar.set_day(date(2026, 12, 1), "off", "Nghỉ bù tổ chức đại hội", by=SYSTEM)
    calendar.set_day(date(2026, 12, 5), "work", "Làm bù", by=SYSTEM)
    cal = load_calendar()
    assert not cal.is_working_day(date(2026, 12, 1))
    assert cal.is_working_day(date(2026, 12, 5))
    assert due(cal, proc(1), at(2026, 11, 30, 10)) == (date(2026, 12, 2), "17:00")
    assert due(cal, proc(1), at(2026, 12, 4, 10)) == (date(2026, 12, 5), "17:00")
    calendar.set_day(date(2026, 12, 1), "", by=SYSTEM)
    assert load_calendar().is_working_day(date(2026, 12, 1))
    assert [d.day for d in calendar.list_overrides()] == [date(2026, 12, 5)]


def test_clerk_cannot_change_calendar(office):
    from desk.errors import PermissionDenied

    clerk = Actor(None, "c", "Cán bộ", "clerk")
    with pytest.raises(PermissionDenied):
        calendar.set_day(date(2026, 12, 1), "off", by=clerk)
    assert calendar.list_overrides() == []


def test_office_hours_change_due_time(office):
    from desk.services.office import current_office

    o = current_office()
    o.hours = "08:00-12:00,13:00-16:30"
    o.save()
    assert due(load_calendar(), proc(1), at(2026, 11, 23, 10)) == (date(2026, 11, 25), "16:30")


def test_calendar_day_procedures(cal):
    # khiếu nại: 30 days from Mon 2/11/2026 ends Wed 2/12 (a working day)
    assert due(cal, proc(30, unit="calendar"), at(2026, 11, 2, 10)) == (date(2026, 12, 2), "17:00")
    # 30 days from Fri 6/11 ends Sun 6/12 → Monday 7/12
    assert due(cal, proc(30, unit="calendar"), at(2026, 11, 6, 10)) == (date(2026, 12, 7), "17:00")
    # received on Saturday at an e-point: counting starts on Monday
    assert due(cal, proc(10, unit="calendar"), at(2026, 11, 28, 9)) == (date(2026, 12, 10), "17:00")


def test_count_working_days(cal):
    assert cal.count_working_days(date(2026, 11, 20), date(2026, 11, 26)) == 3
    assert cal.count_working_days(date(2026, 11, 26), date(2026, 11, 26)) == 0


# -- properties ---------------------------------------------------------------------------------
moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)).map(
    lambda d: d.replace(tzinfo=LOCAL_TZ))
overrides = st.dictionaries(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 3, 1)),
    st.sampled_from([("off", ""), ("work", "")]), max_size=30)


@settings(max_examples=400, deadline=None)
@given(received=moments, days=st.integers(0, 40), cutoff=st.sampled_from([None, "15:00", "11:00"]),
       rule=st.booleans(), extra=overrides, unit=st.sampled_from(["working", "calendar"]))
def test_due_invariants(received, days, cutoff, rule, extra, unit):
    cal = WorkCalendar(overrides=extra, no_appointment_weekdays=frozenset({2}))
    p = proc(days, cutoff, rule, unit)
    moment = cal.due_at(p, received)
    assert cal.is_working_day(moment.date())
    assert moment >= received
    assert moment.time() == cal.hours.closes
    assert cal.due_at(proc(days + 1, cutoff, rule, unit), received) >= moment
    if not rule and unit == "working":
        # the processing time elapsed is exactly the procedure's (counted from the receipt day)
        start = cal.effective_receipt(received).date()
        if days > 0:
            assert cal.count_working_days(start, moment.date()) == days


@settings(max_examples=200, deadline=None)
@given(received=moments, later=st.integers(0, 10_000), days=st.integers(0, 20))
def test_due_is_monotone_in_receipt_time(received, later, days):
    cal = WorkCalendar()
    assert cal.due_at(proc(days), received + timedelta(minutes=later)) >= cal.due_at(proc(days), received)
