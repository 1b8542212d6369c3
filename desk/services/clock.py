"""Time in one place: the database stores naive UTC, people see Asia/Ho_Chi_Minh.

A clock object is injected into services so tests can set "now".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
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


OFFICE_UTC_OFFSET = fixed_utc_offset()  # +07:00: naive UTC from the database + this = office time


class Clock:
    def now(self) -> datetime:
        """The current moment, timezone-aware UTC."""
        return datetime.now(UTC)


class FixedClock(Clock):
    """A clock that stays where a test puts it."""

    def __init__(self, moment: datetime):
        self.moment = aware(moment)

    def now(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        self.moment = aware(moment)


def aware(moment: datetime) -> datetime:
    """Naive datetimes given by people are local office time."""
    return moment.replace(tzinfo=LOCAL_TZ) if moment.tzinfo is None else moment


def to_db(moment: datetime | None) -> datetime | None:
    """Aware (or naive local) → naive UTC for storage."""
    if moment is None:
        return None
    return aware(moment).astimezone(UTC).replace(tzinfo=None, microsecond=0)


def from_db(moment: datetime | None) -> datetime | None:
    """Naive UTC from storage → aware local time."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ)


def local_date(moment: datetime) -> date:
    return aware(moment).astimezone(LOCAL_TZ).date()


def parse_datetime(text: str) -> datetime:
    """ISO date or datetime typed by a person; naive means office time."""
    text = text.strip()
    if len(text) == 10:
        return datetime.fromisoformat(text).replace(hour=8, tzinfo=LOCAL_TZ)
    return aware(datetime.fromisoformat(text))
