"""One clock, and no naive datetime read as office time by accident (D2, D37)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from desk.services.accounts import get_actor
from desk.services.clock import (
    LOCAL_TZ,
    Clock,
    FixedClock,
    NaiveDatetime,
    aware,
    from_db,
    local_date,
    office_time,
    parse_datetime,
    to_db,
)
from desk.services.intake import Applicant, IntakeRequest, register

NAIVE = datetime(2026, 11, 23, 9, 30)


def test_a_naive_moment_is_refused_inside_the_core():
    for refuses in (aware, to_db, local_date):
        with pytest.raises(NaiveDatetime, match="naive"):
            refuses(NAIVE)
    assert isinstance(NaiveDatetime("x"), ValueError)


def test_each_naive_meaning_has_its_own_function():
    assert from_db(NAIVE) == datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # stored: UTC
    assert office_time(NAIVE) == datetime(2026, 11, 23, 9, 30, tzinfo=LOCAL_TZ)  # typed: office time
    assert parse_datetime("2026-11-23 09:30") == office_time(NAIVE)
    assert to_db(office_time(NAIVE)) == datetime(2026, 11, 23, 2, 30)  # back to naive UTC
    moment = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
    assert aware(moment) is moment and office_time(moment) is moment


def test_today_is_the_offices_day_not_the_desks():
    late = FixedClock(datetime(2026, 11, 23, 17, 30, tzinfo=UTC))  # 00:30 on the 24th in Hà Nội
    assert late.today() == date(2026, 11, 24) == local_date(late.now())
    assert Clock().now().tzinfo is not None
    assert abs(Clock().now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_frozen_clock_decides_the_due_date(office):
    admin = get_actor("admin")
    monday = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL_TZ))
    tuesday = FixedClock(datetime(2026, 11, 24, 9, 0, tzinfo=LOCAL_TZ))
    first = register(IntakeRequest("T-KS", Applicant(name="Nguyễn Văn An")), clock=monday, actor=admin)
    later = register(IntakeRequest("T-KS", Applicant(name="Nguyễn Văn An")), clock=tuesday, actor=admin)
    assert first.received_at == monday.now() and later.received_at == tuesday.now()
    assert first.code.split("-")[1] == "261123" and later.code.split("-")[1] == "261124"
    assert later.due_at > first.due_at
