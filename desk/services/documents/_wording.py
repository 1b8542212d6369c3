"""How the forms say counts, dates, times, honorifics and processing times: literal Vietnamese, never translated.

Decree 30/2020 decides the padding of days and months; Circular 03/2025 (Phụ lục I) the wording of the items.
"""

from __future__ import annotations

from datetime import date, datetime

from desk.errors import ValidationError
from desk.services.calendar import parse_cutoff
from desk.services.clock import LOCAL_TZ, aware
from desk.services.dossiers import Outcome, resolution_outcome
from desk.services.kinds import DayUnit


def two(n: int) -> str:
    """A count as the forms write it: two digits ("01 (bộ)")."""
    return f"{n:02d}"


def long_date(day: date) -> str:
    """"ngày 05 tháng 01 năm 2026": Decree 30 pads days below 10 and months 1, 2 with a zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def long_time(moment: datetime) -> str:
    """"09 giờ 15 phút, ngày 23 tháng 11 năm 2026" in office time."""
    local = aware(moment).astimezone(LOCAL_TZ)
    return f"{local:%H} giờ {local:%M} phút, {long_date(local.date())}"


def short_date(moment: datetime | None) -> str:
    """"05/01/2026" in office time; empty for a moment that has not come (a table cell left blank)."""
    return "" if moment is None else f"{aware(moment).astimezone(LOCAL_TZ):%d/%m/%Y}"


def short_time(moment: datetime) -> str:
    """"09:15 05/01/2026" in office time, for the hand-overs of the control slip."""
    return f"{aware(moment).astimezone(LOCAL_TZ):%H:%M %d/%m/%Y}"


def honorific(gender: str) -> str:
    """Ông, Bà, or Ông/Bà when the gender was not recorded."""
    return {"Nam": "Ông", "Nữ": "Bà"}.get(gender, "Ông/Bà")


def processing_time(days: int, unit: str, cutoff: str | None, late: bool) -> str:
    """Item 3 of Mẫu 01: the legal processing time as the procedure states it (literal Vietnamese).

    ``late`` is the calendar's own answer (``WorkCalendar.after_cutoff``), the one the due date was
    computed with, so the slip's wording and its appointment never disagree."""
    if days <= 0:
        text = "trong ngày"
        try:
            limit = parse_cutoff(cutoff) if late else None  # the one reader of a cut-off
        except ValidationError:  # a cut-off the catalog got wrong must not stop the receipt
            limit = None
        if limit is not None:
            text += f" (hồ sơ nhận từ {limit:%H} giờ {limit:%M} được giải quyết trong ngày làm việc tiếp theo)"
        return text
    return f"{days:02d} ngày" if unit == DayUnit.CALENDAR else f"{days:02d} ngày làm việc"


OUTCOME_WORDS = {Outcome.EARLY: "Trước hạn", Outcome.ON_TIME: "Đúng hạn", Outcome.LATE: "Quá hạn"}


def timeliness(at: datetime, due: datetime) -> str:
    """Trước hạn / Đúng hạn / Quá hạn of a hand-over against the dossier's legal due moment.

    The words of ``dossiers.resolution_outcome`` (the one rule, office-local days), so the control
    slip and the statistics never disagree about a dossier."""
    return OUTCOME_WORDS[resolution_outcome(at, due)]
