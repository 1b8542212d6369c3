"""The office's zone and offset in one root module: the models' SQL and the demo's text derive from it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from peewee import SqliteDatabase

from desk import timezone as office_zone
from desk.models import db as models_db
from desk.services import clock, demo


def test_one_zone_one_offset_re_exported_by_the_clock():
    assert clock.LOCAL_TZ is office_zone.LOCAL_TZ and clock.OFFICE_UTC_OFFSET is office_zone.OFFICE_UTC_OFFSET
    assert office_zone.OFFICE_UTC_OFFSET.total_seconds() == 7 * 3600
    assert (office_zone.OFFICE_OFFSET_HOURS, office_zone.OFFICE_OFFSET_TEXT) == (7, "+07:00")
    assert datetime(2026, 11, 22, 9, tzinfo=office_zone.LOCAL_TZ).isoformat().endswith(office_zone.OFFICE_OFFSET_TEXT)


def test_the_offset_helpers():
    assert office_zone.iso_offset(timedelta(hours=-3, minutes=-30)) == "-03:30"
    assert office_zone.whole_hours(timedelta(hours=-5)) == -5
    with pytest.raises(AssertionError):
        office_zone.whole_hours(timedelta(hours=5, minutes=30))
    with pytest.raises(AssertionError):
        office_zone.fixed_utc_offset(ZoneInfo("Europe/Berlin"))  # daylight saving: no SQL offset
    assert office_zone.fixed_utc_offset(timezone(timedelta(hours=9))) == timedelta(hours=9)


def test_the_migrations_date_receipts_by_the_one_offset(monkeypatch):
    monkeypatch.setattr(models_db, "OFFICE_OFFSET_HOURS", 5)
    sqlite = SqliteDatabase(":memory:")
    assert models_db._local_date_sql(sqlite) == "date(received_at, '+5 hours')"
    monkeypatch.setattr(models_db, "is_postgres", lambda _db=None: True)
    assert models_db._local_date_sql(sqlite) == "CAST(received_at + INTERVAL '5 hours' AS date)"


def test_demo_events_write_the_one_offset(monkeypatch):
    monkeypatch.setattr(demo, "OFFICE_OFFSET_TEXT", "+05:00")
    received = datetime(2026, 11, 23, 9, 0)
    facts = demo._Facts("Nguyễn Văn An", "direct", received, received + timedelta(days=3), demo.Status.RECEIVED,
                        None, None, None)
    (event,) = demo._events_of(1, 1, facts, "Dữ liệu mẫu")
    assert '"due_at": "2026-11-26T09:00:00+05:00"' in event[-1]
