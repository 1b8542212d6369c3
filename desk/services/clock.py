"""Time in one place: the database stores naive UTC, people see Asia/Ho_Chi_Minh (D2).

One clock object is made where the program starts (desk/app.py for the screens, desk/cli.py for a
command) and passed down to the services, so a test sets "now" once and every due date, list and
report agrees. Inside the core a datetime is aware: a naive one has exactly two meanings, each with
its own function — :func:`from_db` (naive UTC read from the database) and :func:`office_time`
(naive office time a person gave: a form, the command line). :func:`aware` refuses the rest.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import overload

from desk.timezone import LOCAL_TZ as LOCAL_TZ
from desk.timezone import OFFICE_OFFSET_HOURS as OFFICE_OFFSET_HOURS
from desk.timezone import OFFICE_OFFSET_TEXT as OFFICE_OFFSET_TEXT
from desk.timezone import OFFICE_UTC_OFFSET as OFFICE_UTC_OFFSET
from desk.timezone import fixed_utc_offset as fixed_utc_offset

# The zone and its offset live in the root module desk/timezone.py (the models need them too); these
# names are re-exported so the services keep reading them here.


class Clock:
    """The real clock; the only reader of the system time in the program (tests use FixedClock)."""

    def now(self) -> datetime:
        """The current moment, timezone-aware UTC."""
        return datetime.now(UTC)

    def today(self) -> date:
        """The office's calendar day now (Asia/Ho_Chi_Minh), whatever the desk's own time zone."""
        return self.now().astimezone(LOCAL_TZ).date()


class FixedClock(Clock):
    """A clock that stays where a test puts it; a naive moment given to it is office time."""

    def __init__(self, moment: datetime):
        self.moment = office_time(moment)

    def now(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        self.moment = office_time(moment)


class NaiveDatetime(ValueError):
    """A naive datetime reached code that needs to know its zone: a programming error, not input."""


def aware(moment: datetime) -> datetime:
    """``moment`` itself, checked to carry its zone; NaiveDatetime when it does not.

    A naive value is never guessed at here: read from the database it is UTC (:func:`from_db`), given
    by a person it is office time (:func:`office_time`); the caller knows which, this function does not.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime(f"naive datetime {moment.isoformat()} inside the core: use from_db or office_time")
    return moment


def office_time(moment: datetime) -> datetime:
    """A moment a person gave (a form, the command line, a test's clock): naive means office time.

    Used only where such input enters a service (intake's time received, lifecycle's ``at`` and new
    appointment, :func:`parse_datetime`); an aware value is returned as it is.
    """
    return moment.replace(tzinfo=LOCAL_TZ) if moment.tzinfo is None else moment


@overload
def to_db(moment: datetime) -> datetime: ...
@overload
def to_db(moment: None) -> None: ...
@overload
def to_db(moment: datetime | None) -> datetime | None: ...
def to_db(moment: datetime | None) -> datetime | None:
    """Aware → naive UTC for storage; a naive value raises NaiveDatetime (see :func:`aware`)."""
    if moment is None:
        return None
    return aware(moment).astimezone(UTC).replace(tzinfo=None, microsecond=0)


@overload
def from_db(moment: datetime | str) -> datetime: ...
@overload
def from_db(moment: None) -> None: ...
@overload
def from_db(moment: datetime | str | None) -> datetime | None: ...
def from_db(moment: datetime | str | None) -> datetime | None:
    """Naive UTC from storage → aware local time; text too (SQLite's raw rows give ISO strings)."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ)


def local_date(moment: datetime) -> date:
    """The office's calendar day of an aware moment."""
    return aware(moment).astimezone(LOCAL_TZ).date()


def parse_datetime(text: str) -> datetime:
    """ISO date or datetime typed by a person; naive means office time."""
    text = text.strip()
    if len(text) == 10:
        return datetime.fromisoformat(text).replace(hour=8, tzinfo=LOCAL_TZ)
    return office_time(datetime.fromisoformat(text))
