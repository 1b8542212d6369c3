"""Time in one place: the database stores naive UTC, people see Asia/Ho_Chi_Minh.

A clock object is injected into services so tests can set "now".
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


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
