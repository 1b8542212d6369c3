"""The office's time zone in one place: Asia/Ho_Chi_Minh and its fixed UTC offset (D2).

A root module (it imports nothing of the project) because the models need the offset too: schema
migration 2 dates stored receipts in SQL, and models may not import services. ``services/clock.py``
re-exports these names; everything else (the statistics' SQL, demo data, the workbook) reads them there.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def fixed_utc_offset(zone: tzinfo = LOCAL_TZ, years: range = range(1976, 2101)) -> timedelta:
    """The zone's UTC offset when it is the same all year, every year in ``years``; else AssertionError.

    Why a fixed offset is right for the office: Asia/Ho_Chi_Minh has kept UTC+07:00 since 1975 and
    has no daylight saving, so "stored naive UTC + 7 hours" IS office time for every moment the
    register holds. SQL needs that: SQLite has no zone database, and a plain interval
    (``date(x, '+7 hours')``, ``x + INTERVAL '7 hours'``) keeps the statistics' query on its
    indexes on both engines. Checked for January and July of each year, so a change of LOCAL_TZ to
    a zone with daylight saving fails at import instead of miscounting the reports.
    """
    offsets = {zone.utcoffset(datetime(year, month, 1)) for year in years for month in (1, 7)}
    if len(offsets) != 1 or None in offsets:
        raise AssertionError(f"{zone} has no fixed UTC offset: office dates in SQL need one")
    offset = offsets.pop()
    assert offset is not None
    return offset


def whole_hours(offset: timedelta) -> int:
    """``offset`` in hours, for SQL intervals ("+7 hours"); AssertionError for a part-hour offset."""
    seconds = int(offset.total_seconds())
    if seconds % 3600:
        raise AssertionError(f"the office offset {offset} is not whole hours, as the SQL writes it")
    return seconds // 3600


def iso_offset(offset: timedelta) -> str:
    """``offset`` as ISO 8601 writes it after a time: ``+07:00``."""
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


OFFICE_UTC_OFFSET = fixed_utc_offset()  # +07:00: naive UTC from the database + this = office time
OFFICE_OFFSET_HOURS = whole_hours(OFFICE_UTC_OFFSET)  # 7, for SQL: date(x, '+7 hours')
OFFICE_OFFSET_TEXT = iso_offset(OFFICE_UTC_OFFSET)  # "+07:00", for office time written as text
