"""Working days of an office: weekends, Vietnamese public holidays and the office's own overrides.

The statutory days (incl. lunar Tết and Giỗ Tổ, observed days and the government's announced
swaps) come from the ``holidays`` package's VN calendar; the office adds days off and make-up
working days (CalendarDay). Due moments are computed in office-local time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple, Protocol

import holidays

from desk.errors import ValidationError
from desk.i18n import _, ngettext
from desk.models import CalendarDay, Office
from desk.services import limits
from desk.services.accounts import Actor, require
from desk.services.catalog_format import normalise_cutoff
from desk.services.clock import LOCAL_TZ, aware
from desk.services.kinds import DayUnit, Role
from desk.services.office import OfficeHours, current_office, parse_hours, parse_weekdays

# A dossier on the "no-appointment weekday" is resolved the same day only if received before this.
RULE_DEFAULT_CUTOFF = time(15, 0)
MAX_PROCESSING_DAYS = 365


class ReceiptTiming(NamedTuple):
    """What a due date depends on of the moment of receipt (:meth:`WorkCalendar.receipt_timing`)."""

    day: date  # the effective receipt day (a day off or after closing: the next working day)
    after_cutoff: bool  # at or after the procedure's own cut-off (False when it has none)
    after_rule_cutoff: bool  # at or after the no-appointment weekday's cut-off (its own, else 15:00)


class Timing(Protocol):
    """What a deadline depends on; a Procedure row or a ProcedureInfo both fit (read only: ProcedureInfo is frozen)."""

    @property
    def processing_days(self) -> int: ...
    @property
    def cutoff(self) -> str | None: ...
    @property
    def no_appointment_day(self) -> bool: ...
    @property
    def day_unit(self) -> str: ...  # a DayUnit: "working" (ngày làm việc) or "calendar" (ngày)


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    reason: str  # holiday name, "weekend", the office's note, or ""


class WorkCalendar:
    """Answers working-day questions for one office; cheap to query in tight loops."""

    def __init__(
        self,
        hours: OfficeHours | None = None,
        overrides: dict[date, tuple[str, str]] | None = None,
        no_appointment_weekdays: frozenset[int] = frozenset(),
    ):
        self.hours = hours or parse_hours("07:30-11:30,13:30-17:00")
        self.overrides = dict(overrides or {})  # day → (kind "off" | "work", note)
        self.no_appointment_weekdays = no_appointment_weekdays
        self._years: dict[int, holidays.HolidayBase] = {}
        self._working: dict[date, bool] = {}
        self._added: dict[tuple[date, int], date] = {}

    # -- days -----------------------------------------------------------------------------
    def _statutory(self, year: int) -> holidays.HolidayBase:
        cal = self._years.get(year)
        if cal is None:
            cal = holidays.country_holidays("VN", years=year, language="vi")
            self._years[year] = cal
        return cal

    def is_working_day(self, day: date) -> bool:
        cached = self._working.get(day)
        if cached is not None:
            return cached
        override = self.overrides.get(day)
        if override is not None:
            result = override[0] == "work"
        else:
            statutory = self._statutory(day.year)
            if day in statutory:
                result = False
            elif day in statutory.weekend_workdays:
                result = True
            else:
                result = day.weekday() < 5
        self._working[day] = result
        return result

    def describe(self, day: date) -> DayInfo:
        """Why a day is (not) worked, for the calendar screen."""
        override = self.overrides.get(day)
        if override is not None:
            return DayInfo(day, override[0] == "work", override[1])
        statutory = self._statutory(day.year)
        if day in statutory:
            return DayInfo(day, False, statutory.get(day))
        if day in statutory.weekend_workdays:
            return DayInfo(day, True, _("make-up working day"))
        return DayInfo(day, day.weekday() < 5, "" if day.weekday() < 5 else _("weekend"))

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def working_day_on_or_after(self, day: date) -> date:
        return day if self.is_working_day(day) else self.next_working_day(day)

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
        if days < 0:
            raise ValueError("days must be >= 0")
        key = (start, days)
        found = self._added.get(key)
        if found is None:
            found = start
            for _i in range(days):
                found = self.next_working_day(found)
            self._added[key] = found
        return found

    def count_working_days(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many days of processing time elapsed."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    # -- deadlines ------------------------------------------------------------------------
    def effective_receipt(self, received_at: datetime) -> datetime:
        """When the clock starts: outside office days or after closing, the next working morning."""
        local = aware(received_at).astimezone(LOCAL_TZ)
        day, moment = local.date(), local.time().replace(tzinfo=None)
        if not self.is_working_day(day) or moment >= self.hours.closes:
            start = self.next_working_day(day) if self.is_working_day(day) else self.working_day_on_or_after(day)
            return datetime.combine(start, self.hours.opens, LOCAL_TZ)
        if moment < self.hours.opens:
            return datetime.combine(day, self.hours.opens, LOCAL_TZ)
        return local

    def receipt_timing(self, procedure: Timing, received_at: datetime) -> ReceiptTiming:
        """What :meth:`due_at` reads of the moment of receipt, for ``procedure``: the effective receipt
        day and which cut-offs it is at or after. Two receipts with equal timings get the same due date
        (demo data caches due dates by it instead of guessing the cut-off)."""
        start = self.effective_receipt(received_at)
        cutoff = parse_cutoff(procedure.cutoff)
        return ReceiptTiming(start.date(), cutoff is not None and at_or_after(start, cutoff),
                             at_or_after(start, cutoff or RULE_DEFAULT_CUTOFF))

    def after_cutoff(self, procedure: Timing, received_at: datetime) -> bool:
        """Whether a same-day procedure received then is due the next working day (its cut-off passed).

        The receipt's wording (Mẫu 01, item 3) asks this, so the slip and :meth:`due_at` never disagree."""
        return self.receipt_timing(procedure, received_at).after_cutoff

    def due_at(self, procedure: Timing, received_at: datetime) -> datetime:
        """The legal due moment: closing time of the last working day of the processing time.

        Times stated in calendar days (khiếu nại: 30 ngày) count every day, the last one moved
        to the next working day when it is a day off. Same-day procedures (0 days) are due at closing time the day they are received, or the
        next working day when received after the procedure's cut-off hour (chứng thực: 15:00).
        On the office's no-appointment weekday, listed procedures are same-day as well.
        """
        if not limits.moment_in_range(received_at) and (
                problem := limits.day_problem(received_at.date(), _("Time received"))):  # set exactly then
            raise ValidationError({"received_at": problem})
        days = int(procedure.processing_days or 0)
        if days < 0 or days > MAX_PROCESSING_DAYS:
            raise ValidationError({"processing_days": _("Processing time must be 0 to {max} working days").format(
                max=MAX_PROCESSING_DAYS)})
        timing = self.receipt_timing(procedure, received_at)  # all it reads of the moment received
        start = timing.day
        rule_day = (
            procedure.no_appointment_day
            and start.weekday() in self.no_appointment_weekdays
            and not timing.after_rule_cutoff
        )
        if days == 0 or rule_day:
            due_day = self.next_working_day(start) if timing.after_cutoff else start
        elif getattr(procedure, "day_unit", DayUnit.WORKING) == DayUnit.CALENDAR:
            # Times the law gives in calendar days end on the next working day if they fall on a day off.
            due_day = self.working_day_on_or_after(start + timedelta(days=days))
        else:
            due_day = self.add_working_days(start, days)
        return datetime.combine(due_day, self.hours.closes, LOCAL_TZ)


def at_or_after(moment: datetime, cutoff: time) -> bool:
    """The one cut-off rule (D33): a dossier received at 15:00:00 sharp is received after a 15:00 cut-off.

    The cut-off is the last moment a same-day dossier can be taken in; the law's "trước 15 giờ" (before
    15:00) leaves 15:00 itself out. Compared in office time, to the second."""
    return aware(moment).astimezone(LOCAL_TZ).time().replace(tzinfo=None) >= cutoff


def processing_time_label(days: int, unit: DayUnit | str, cutoff: str | None = None) -> str:
    """How the screens and the command line say a procedure's time, as the law states it: "trong ngày
    (chốt 15:00)", "3 ngày làm việc", "30 ngày" (calendar days: complaints, land disputes)."""
    if days <= 0:
        return _("same day") + (", " + _("cut-off {time}").format(time=cutoff) if cutoff else "")
    if unit == DayUnit.CALENDAR:
        return ngettext("{n} day", "{n} days", days).format(n=days)
    return ngettext("{n} working day", "{n} working days", days).format(n=days)


def parse_cutoff(text: str | None) -> time | None:
    """A procedure's cut-off as a time, None for none: the one reader of a stored or typed cut-off.

    The rule is the catalog's (:func:`catalog_format.normalise_cutoff`): H:MM or HH:MM, 00-23 and 00-59,
    ASCII digits, no seconds and no zone; a zone would make :func:`at_or_after` compare an aware time
    with a naive one (TypeError), and the office's hours are office time anyway."""
    try:
        normalised = normalise_cutoff(text)
    except ValueError as exc:
        raise ValidationError({"cutoff": _("Cut-off hour must look like 15:00 (got: {text})").format(
            text=str(text)[:40])}) from exc
    return None if normalised is None else time.fromisoformat(normalised)


def load_calendar(office: Office | None = None) -> WorkCalendar:
    """The office's calendar with its overrides, as stored now."""
    office = office or current_office()
    overrides = {
        row.day if isinstance(row.day, date) else date.fromisoformat(str(row.day)): (row.kind, row.note)
        for row in CalendarDay.select().where(CalendarDay.office == office)
    }
    return WorkCalendar(parse_hours(office.hours), overrides, parse_weekdays(office.no_appointment_weekdays))


def set_day(day: date, kind: str, note: str = "", *, by: Actor, office: Office | None = None) -> None:
    """Mark a day off ("off") or a make-up working day ("work") for the office; "" removes the mark.

    Leaders and admins only: the calendar moves every deadline of the office.
    """
    require(by, Role.LEADER)
    office = office or current_office()
    problems: dict[str, str] = {}
    if kind not in ("off", "work", ""):
        problems["kind"] = _("A calendar day is either a day off or a working day")
    if isinstance(day, datetime):
        day = day.date()
    if not isinstance(day, date):
        problems["day"] = _("Choose a day")
    elif day_problem := limits.day_problem(day, _("The day")):
        problems["day"] = day_problem
    note = limits.check_text(problems, "note", note, _("Note"), CalendarDay.note)
    if problems:
        raise ValidationError(problems)
    from desk.models.db import write_transaction

    with write_transaction():
        CalendarDay.delete().where((CalendarDay.office == office) & (CalendarDay.day == day)).execute()
        if kind:
            CalendarDay.create(office=office, day=day, kind=kind, note=note)


def list_overrides(office: Office | None = None) -> list[DayInfo]:
    office = office or current_office()
    rows = CalendarDay.select().where(CalendarDay.office == office).order_by(CalendarDay.day)
    return [DayInfo(row.day, row.kind == "work", row.note) for row in rows]
