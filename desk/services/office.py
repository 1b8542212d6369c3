"""Office identity, reception points and office hours: shared by every desk of an office."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import time

from desk.i18n import _
from desk.models import Office, ReceptionPoint
from desk.services.errors import NotFound, ValidationError

DEFAULT_HOURS = "07:30-11:30,13:30-17:00"


@dataclass(frozen=True)
class OfficeHours:
    """Working periods of a day, e.g. ((07:30, 11:30), (13:30, 17:00))."""

    periods: tuple[tuple[time, time], ...]

    @property
    def opens(self) -> time:
        return self.periods[0][0]

    @property
    def closes(self) -> time:
        return self.periods[-1][1]

    def contains(self, moment: time) -> bool:
        return any(start <= moment <= end for start, end in self.periods)


def parse_hours(text: str) -> OfficeHours:
    """"07:30-11:30,13:30-17:00" → OfficeHours; raises ValidationError on anything else."""
    periods: list[tuple[time, time]] = []
    try:
        for part in (text or "").split(","):
            start_text, end_text = part.strip().split("-")
            start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
            if end <= start or (periods and start < periods[-1][1]):
                raise ValueError(part)
            periods.append((start, end))
    except ValueError as exc:
        raise ValidationError(
            {"hours": _("Office hours must look like 07:30-11:30,13:30-17:00 (got: {text})").format(text=text)}
        ) from exc
    if not periods:
        raise ValidationError({"hours": _("Office hours are empty")})
    return OfficeHours(tuple(periods))


def parse_weekdays(text: str) -> frozenset[int]:
    """"0,1,2" (Monday = 0) → {0, 1, 2}."""
    days = set()
    for part in (text or "").replace(" ", "").split(","):
        if not part:
            continue
        if not part.isdigit() or int(part) > 6:
            raise ValidationError({"weekdays": _("Weekdays are numbers 0 (Monday) to 6 (Sunday): {text}").format(
                text=text)})
        days.add(int(part))
    return frozenset(days)


def current_office() -> Office:
    """The office this database serves (the first one; one database holds one office)."""
    office = Office.select().order_by(Office.id).first()
    if office is None:
        raise NotFound(_("The database has no office yet. Run: python main.py init"))
    return office


def ensure_office(
    code: str,
    name: str,
    *,
    parent_name: str = "",
    address: str = "",
    place_name: str = "",
    hours: str = DEFAULT_HOURS,
    no_appointment_weekdays: str = "",
) -> Office:
    """Create the office on first init; later inits keep what leaders changed."""
    parse_hours(hours)
    parse_weekdays(no_appointment_weekdays)
    office = Office.get_or_none(Office.code == code)
    if office is None:
        office = Office.create(
            code=code,
            name=name,
            parent_name=parent_name,
            address=address,
            place_name=place_name,
            hours=hours,
            no_appointment_weekdays=no_appointment_weekdays,
            secret=secrets.token_hex(32),
        )
    return office


def ensure_point(office: Office, name: str, *, kind: str = "office", address: str = "",
                 weekdays: str = "0,1,2,3,4", hours: str = DEFAULT_HOURS) -> ReceptionPoint:
    parse_hours(hours)
    parse_weekdays(weekdays)
    point, _created = ReceptionPoint.get_or_create(
        office=office, name=name,
        defaults={"kind": kind, "address": address, "weekdays": weekdays, "hours": hours},
    )
    return point


def find_point(name_or_id: str | int | None) -> ReceptionPoint | None:
    """A reception point by id or exact name; None when not given."""
    if name_or_id in (None, ""):
        return None
    office = current_office()
    query = ReceptionPoint.select().where(ReceptionPoint.office == office)
    text = str(name_or_id).strip()
    point = query.where(ReceptionPoint.id == int(text)).first() if text.isdigit() else None
    point = point or query.where(ReceptionPoint.name == text).first()
    if point is None:
        raise ValidationError({"reception_point": _("Unknown reception point: {name}").format(name=text)})
    return point
