"""The citizen pickup kiosk's lookup: a signed slip QR → what a citizen may see, and nothing more.

The kiosk stands in a public hall, so this module is deliberately narrow:

- it accepts only a *verified* slip payload (:func:`desk.services.payload.verify_payload` says
  "valid"); a bare typed code, an altered or foreign slip, a CCCD or anything else gets one friendly
  sentence and no dossier data (sequential codes must not become a way to browse other people's files);
- it only reads: no function here writes, and :func:`enforce_read_only` makes the kiosk's database
  connection refuse writes as well (SQLite ``PRAGMA query_only``, PostgreSQL read-only transactions),
  lifted only for a staff login's attempt count and a citizen's rating (:func:`rating_writes`);
- a :class:`KioskAnswer` never carries the full name or the ID number — the name is masked
  ("Nguyễn V. A.") and the ID number is not read at all;
- :class:`KioskLookup` pauses after a burst of invalid scans, so guessing is slow as well as useless.

No Qt here: the kiosk window only shows the answer.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from desk.errors import DeskError
from desk.i18n import _
from desk.services.clock import LOCAL_TZ, Clock
from desk.services.kinds import KioskState, PayloadStatus

if TYPE_CHECKING:  # imported where used, at run time
    from peewee import Database

    from desk.models import Dossier
    from desk.services.calendar import WorkCalendar
    from desk.services.queue import Ticket

log = logging.getLogger("desk.kiosk")

# States of an answer: they decide the colour of the kiosk's banner.
READY = KioskState.READY
WAITING = KioskState.WAITING
SUPPLEMENT = KioskState.SUPPLEMENT
RETURNED = KioskState.RETURNED
CLOSED = KioskState.CLOSED
ERROR = KioskState.ERROR
PAUSED = KioskState.PAUSED

MAX_FAILURES = 5  # invalid scans ...
FAILURE_WINDOW_S = 60  # ... within this many seconds ...
PAUSE_S = 30  # ... pause the kiosk this long
LOOKAHEAD_DAYS = 31  # how far to look for the next day a return point is open

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class KioskAnswer:
    """What the kiosk shows after one scan; plain words only, no full name, no ID number.

    ``ok`` is False for anything that is not a valid slip of a dossier of this office; then only
    ``message`` (and ``state`` "error" or "paused") is set.
    """

    ok: bool
    state: KioskState = ERROR
    status_text: str = ""
    ready_now: bool = False
    masked_name: str = ""
    procedure_name: str = ""
    appointment_at: datetime | None = None
    appointment_text: str = ""  # "17:00, Thứ Sáu 27/11/2026": the date the citizen was told
    where_to_collect: str = ""  # return point's name and address
    collect_when: str = ""  # that point's office hours today or on its next open day
    advice: str = ""  # one more sentence: overdue, already collected on ..., ask the desk
    message: str = ""  # for errors and pauses
    extended_from_text: str = ""  # the first appointment when an apology moved it (then appointment_text is new)
    bring: str = ""  # what to bring when coming to the desk
    office_phone: str = ""  # the office's own number (never a staff member's or the citizen's)

    @property
    def due_text(self) -> str:
        return self.appointment_text


def invalid_answer() -> KioskAnswer:
    return KioskAnswer(False, ERROR, message=_("Invalid QR code. Please ask the staff at the desk."))


def _weekday(day: date) -> str:
    return _(_WEEKDAYS[day.weekday()])


def format_day(day: date) -> str:
    """"Thứ Sáu 27/11/2026"."""
    return _("{weekday} {date}").format(weekday=_weekday(day), date=f"{day:%d/%m/%Y}")


def format_moment(moment: datetime) -> str:
    """"17:00, Thứ Sáu 27/11/2026" in office time."""
    local = moment.astimezone(LOCAL_TZ)
    return _("{time}, {day}").format(time=f"{local:%H:%M}", day=format_day(local.date()))


def _format_periods(periods: tuple[tuple[time, time], ...]) -> str:
    return _(" and ").join(f"{start:%H:%M}–{end:%H:%M}" for start, end in periods)


# -- the return point and when it is open -----------------------------------------------------
@dataclass(frozen=True)
class _Point:
    name: str
    address: str
    weekdays: frozenset[int]
    hours: tuple[tuple[time, time], ...]


def _point_of(row: Dossier) -> _Point | None:
    """The return point of a dossier row (else where it was received, else the office's own desk)."""
    from desk.models import ReceptionPoint
    from desk.services.office import parse_hours, parse_weekdays

    point = row.return_point or row.reception_point
    if point is None:
        point = (ReceptionPoint.select()
                 .where((ReceptionPoint.office == row.office) & (ReceptionPoint.kind == "office"))
                 .order_by(ReceptionPoint.id).first())
    if point is None:
        return None
    try:
        hours = parse_hours(point.hours).periods
        weekdays = parse_weekdays(point.weekdays)
    except DeskError:
        hours, weekdays = parse_hours("07:30-11:30,13:30-17:00").periods, frozenset(range(5))
    return _Point(point.name, point.address or "", weekdays, hours)


def _point_open(calendar: WorkCalendar, point: _Point, day: date) -> bool:
    """Open when the office works that day (a make-up Saturday too) and the point opens that weekday,
    or on a weekend day the point opens that is not a holiday or an office day off."""
    if calendar.is_working_day(day):
        return day.weekday() in point.weekdays or day.weekday() >= 5
    if day.weekday() < 5 or day.weekday() not in point.weekdays:
        return False
    if calendar.overrides.get(day, ("",))[0] == "off":
        return False
    import holidays

    return day not in holidays.country_holidays("VN", years=day.year)


def _collect_when(calendar: WorkCalendar, point: _Point, start: datetime, now: datetime | None = None) -> str:
    """"Hôm nay, 07:30–11:30 và 13:30–17:00" or "Thứ Hai 30/11/2026, 07:30–11:30 và 13:30–17:00"."""
    local = start.astimezone(LOCAL_TZ)
    day = local.date()
    for offset in range(LOOKAHEAD_DAYS):
        candidate = day + timedelta(days=offset)
        if not _point_open(calendar, point, candidate):
            continue
        periods = point.hours
        if candidate == day:
            periods = tuple(p for p in periods if local.time() < p[1])
            if not periods:
                continue
        if candidate == (now or start).astimezone(LOCAL_TZ).date():
            return _("Today, {hours}").format(hours=_format_periods(periods))
        return _("{day}, {hours}").format(day=format_day(candidate), hours=_format_periods(periods))
    return ""


def _start_of_collection(appointment: datetime | None, now: datetime) -> datetime:
    """From when to look for opening hours: the appointment day (all of it), or now when that is today."""
    if appointment is None:
        return now
    day = appointment.astimezone(LOCAL_TZ).date()
    if day <= now.astimezone(LOCAL_TZ).date():
        return now
    return datetime.combine(day, time(0, 0), tzinfo=LOCAL_TZ)


# -- the lookup -------------------------------------------------------------------------------
def lookup(text: str, *, clock: Clock | None = None) -> KioskAnswer:
    """The kiosk's answer for a scanned text; never raises, never writes.

    Only a verified slip payload of this office is looked up. The clock's moment decides "today"
    for the collection hours and whether the appointment has passed.
    """
    return _lookup(text, (clock or Clock()).now())


def _lookup(text: str, now: datetime) -> KioskAnswer:
    """:func:`lookup` as of ``now`` (aware): :class:`KioskLookup` passes the moment it counts the scan at."""
    from desk.services.payload import verify_payload

    try:
        check = verify_payload(text if isinstance(text, str) else "")
        if check.status != PayloadStatus.VALID or not check.code:
            return invalid_answer()
        return _answer_for(check.code, now)
    except DeskError as exc:  # the database is busy or unreachable, the office has no key
        log.warning("kiosk lookup failed: %s", exc)
        return KioskAnswer(False, ERROR, message=_(
            "The information cannot be shown right now. Please ask the staff at the desk."))
    except Exception:  # noqa: BLE001 - a public kiosk must never show a traceback
        log.exception("kiosk lookup failed")
        return KioskAnswer(False, ERROR, message=_(
            "The information cannot be shown right now. Please ask the staff at the desk."))


def _answer_for(code: str, now: datetime) -> KioskAnswer:
    from desk.errors import NotFound
    from desk.services.calendar import load_calendar
    from desk.services.clock import from_db
    from desk.services.dossiers import Status, dossier_row
    from desk.services.identity import mask_name

    try:
        row = dossier_row(code)
    except NotFound:
        return invalid_answer()
    status = Status(row.status)
    appointment = from_db(row.appointment_at)
    point = _point_of(row)
    calendar = load_calendar(row.office)
    where = ""
    if point is not None:
        where = f"{point.name} — {point.address}" if point.address else point.name

    advice = ""
    when = ""
    state = WAITING
    ready = False
    bring = _("Bring this slip and your identity card (CCCD).")
    if status == Status.RESOLVED:
        state, ready = READY, True
        text = _("Result ready — please come and collect it")
        when = _collect_when(calendar, point, now) if point else ""
    elif status in (Status.RECEIVED, Status.PROCESSING):
        text = _("Being processed")
        if appointment is not None and now > appointment:
            advice = _("The appointment date has passed. Please ask the staff at the desk.")
            when = _collect_when(calendar, point, now) if point else ""
        else:
            advice = _("Please come back on the appointment date.")
            when = _collect_when(calendar, point, _start_of_collection(appointment, now), now) if point else ""
    elif status == Status.NEEDS_SUPPLEMENT:
        state = SUPPLEMENT
        text = _("Documents need to be supplemented — please contact the one-stop desk staff")
        bring = _("Bring the documents to supplement, this slip and your identity card (CCCD).")
        when = _collect_when(calendar, point, now) if point else ""
    elif status == Status.RETURNED:
        state = RETURNED
        text = _("Result already returned")
        returned = from_db(row.returned_at)
        if returned is not None:
            advice = _("The result was handed over on {day}.").format(day=format_day(returned.astimezone(
                LOCAL_TZ).date()))
        where = bring = ""
    else:
        state = CLOSED
        text = (_("The dossier was refused — please contact the one-stop desk staff")
                if status == Status.REFUSED else
                _("Handling of the dossier was stopped — please contact the one-stop desk staff")
                if status == Status.STOPPED else
                _("The dossier was withdrawn — please contact the one-stop desk staff"))
        when = _collect_when(calendar, point, now) if point else ""

    return KioskAnswer(
        ok=True,
        state=state,
        status_text=text,
        ready_now=ready,
        masked_name=mask_name(row.applicant_name),
        procedure_name=row.procedure.name,
        appointment_at=appointment,
        appointment_text=format_moment(appointment) if appointment is not None else "",
        where_to_collect=where,
        collect_when=when,
        advice=advice,
        extended_from_text=_extended_from(row, appointment),
        bring=bring,
        office_phone=row.office.phone or "",
    )


def _extended_from(row: Dossier, appointment: datetime | None) -> str:
    """The first appointment, when an apology (Mẫu 04) moved it; "" otherwise. The legal due moment is
    never moved, so an appointment later than it is a new date."""
    from desk.services.clock import from_db

    due = from_db(row.due_at)
    if appointment is None or due is None or appointment <= due:
        return ""
    return format_moment(due)


class KioskLookup:
    """:func:`lookup` with a brake: after ``max_failures`` invalid scans within ``window_s`` seconds,
    every scan is refused for ``pause_s`` seconds (with a message), valid or not.

    Combined with the 40-bit check of a slip, this makes guessing codes useless. Time comes from the
    clock each call passes (the kiosk window's), so tests drive it with a FixedClock; it is read once
    per scan, and ``find`` (text, moment) answers as of that same moment.
    """

    def __init__(self, *, max_failures: int = MAX_FAILURES, window_s: float = FAILURE_WINDOW_S,
                 pause_s: float = PAUSE_S, find: Callable[[str, datetime], KioskAnswer] = _lookup) -> None:
        self.max_failures = max_failures
        self.window = timedelta(seconds=window_s)
        self.pause = timedelta(seconds=pause_s)
        self._find = find
        self._failures: deque[datetime] = deque()
        self.paused_until: datetime | None = None

    def paused(self, *, clock: Clock | None = None) -> bool:
        """Whether scans are refused at the clock's moment."""
        now = (clock or Clock()).now()
        return self.paused_until is not None and now < self.paused_until

    def __call__(self, text: str, *, clock: Clock | None = None) -> KioskAnswer:
        """The answer to one scan, or the pause's message while paused."""
        now = (clock or Clock()).now()
        if self.paused_until is not None and now < self.paused_until:  # self.paused(), narrowed
            seconds = max(1, int((self.paused_until - now).total_seconds() + 0.999))
            return KioskAnswer(False, PAUSED, message=_(
                "Too many invalid codes. Please wait {seconds} seconds or ask the staff at the desk."
            ).format(seconds=seconds))
        answer = self._find(text, now)
        if not answer.ok:
            self._failed(now)
        return answer

    def count_failure(self, *, clock: Clock | None = None) -> None:
        """Count a bad request that is not a scan (the phone page's forged rating form) as an invalid scan."""
        self._failed((clock or Clock()).now())

    def _failed(self, now: datetime) -> None:
        self._failures.append(now)
        while self._failures and now - self._failures[0] > self.window:
            self._failures.popleft()
        if len(self._failures) >= self.max_failures:
            self._failures.clear()
            self.paused_until = now + self.pause
            log.warning("kiosk paused for %s s after %s invalid scans", self.pause.total_seconds(),
                        self.max_failures)


# -- a connection that cannot write -----------------------------------------------------------
def _set_read_only(db: Database, on: bool, *, permanent: bool = True) -> None:
    """Read-only mode of this thread's connection; ``permanent`` (SQLite) also for connections opened later,
    in any thread. PostgreSQL's SET SESSION is always this connection's only (new ones get connect_params)."""
    from peewee import SqliteDatabase

    from desk.models.db import is_postgres

    if is_postgres(db):
        db.execute_sql(f"SET SESSION default_transaction_read_only = {'on' if on else 'off'}")
    else:
        assert isinstance(db, SqliteDatabase)  # the other engine a desk opens
        db.pragma("query_only", 1 if on else 0, permanent=permanent)


def enforce_read_only(db: Database | None = None) -> None:
    """Make the current connection refuse every write (also after a reconnect, for SQLite).

    SQLite: ``PRAGMA query_only``; PostgreSQL: read-only transactions for the session.
    """
    from desk.models.entities import database_proxy

    db = db or database_proxy.obj
    _set_read_only(db, True)
    if not _is_postgres(db):
        return
    # New connections (after a network hiccup) start read-only too.
    options = str(db.connect_params.get("options") or "")
    if "default_transaction_read_only" not in options:
        db.connect_params["options"] = (options + " -c default_transaction_read_only=on").strip()


def _is_postgres(db: Database) -> bool:
    from desk.models.db import is_postgres

    return is_postgres(db)


@contextmanager
def rating_writes(db: Database | None = None) -> Iterator[None]:
    """Lift read-only mode while the kiosk records a citizen's rating (desk.services.ratings.rate, D49).

    The rating is the kiosk's only write besides a staff login's attempt count; it is checked there (the
    dossier's token, once, after the return). Read-only mode is back as soon as the rating is written. Only
    this thread's connection is lifted: the phone page's server (waitress threads, D51) keeps every other
    connection read-only meanwhile, including one a thread opens during the rating.
    """
    from desk.models.entities import database_proxy

    db = db or database_proxy.obj
    _set_read_only(db, False, permanent=False)
    try:
        yield
    finally:
        _set_read_only(db, True)


def take_ticket(group: str, *, clock: Clock | None = None) -> Ticket:
    """The ticket kiosk's one write (D50): the day's next queue ticket of ``group``, on the kiosk's read-only
    connection lifted for this thread and this call only; ``queue.take`` writes the queue tables and nothing
    else (tested), so a fault anywhere else in the kiosk cannot change a dossier."""
    from desk.services.queue import take

    with rating_writes():  # the same per-thread lift: read-only again as soon as the ticket is written
        return take(group, clock=clock)


@contextmanager
def staff_login_writes(db: Database | None = None) -> Iterator[None]:
    """Lift read-only mode while a staff member logs in to leave the kiosk.

    A login records wrong passwords (five lock the account), which is a write; it is the only one
    the kiosk ever makes, and read-only mode is back as soon as the login dialog closes.
    """
    from desk.models.entities import database_proxy

    db = db or database_proxy.obj
    _set_read_only(db, False)
    try:
        yield
    finally:
        _set_read_only(db, True)
