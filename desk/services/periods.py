"""Reporting periods: a month, with the calendar cut-off or the 15th-to-14th one of Decree 09/2019.

A period is [start, end) in office time. The statistics count over it and the workbook names it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from desk.errors import ValidationError
from desk.i18n import _
from desk.services.clock import LOCAL_TZ
from desk.services.limits import FIRST_YEAR, LAST_YEAR, year_in_range

CUTOFFS = ("calendar", "15th")
_PERIOD = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


@dataclass(frozen=True)
class Period:
    """A reporting period [start, end) in office time; ``text`` is the month it is named after."""

    text: str  # "2026-10"
    cutoff: str  # "calendar" | "15th"
    start: datetime  # aware, inclusive
    end: datetime  # aware, exclusive

    @classmethod
    def parse(cls, text: str, cutoff: str = "calendar") -> Period:
        year, month = _parse_month(text)
        return cls.of(year, month, cutoff)

    @classmethod
    def of(cls, year: int, month: int, cutoff: str = "calendar") -> Period:
        """The period of a month already checked (parse) or derived from one (shifted)."""
        if cutoff not in CUTOFFS:
            raise ValidationError({"cutoff": _("The report cut-off must be \"calendar\" or \"15th\" (got: {text})")
                                   .format(text=cutoff)})
        if cutoff == "calendar":
            start = datetime(year, month, 1, tzinfo=LOCAL_TZ)
            end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=LOCAL_TZ)
        else:  # Decree 09/2019/NĐ-CP: from the 15th of the previous month to the 14th of this one
            start = datetime(year - (month == 1), (month - 2) % 12 + 1, 15, tzinfo=LOCAL_TZ)
            end = datetime(year, month, 15, tzinfo=LOCAL_TZ)
        return cls(f"{year:04d}-{month:02d}", cutoff, start, end)

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()

    @property
    def label(self) -> str:
        """"10/2026": how the month is named in tables and charts."""
        return f"{self.text[5:7]}/{self.text[:4]}"

    def describe(self) -> str:
        """The period line of the official table (Biểu số 06/VPCP/KSTT): the month, then its first and last day."""
        return (f"Kỳ báo cáo: Tháng {self.label} (Từ ngày {self.first_day:%d/%m/%Y} "
                f"đến ngày {self.last_day:%d/%m/%Y})")

    def shifted(self, months: int) -> Period:
        """The period ``months`` months later (negative: earlier), same cut-off."""
        year, month = int(self.text[:4]), int(self.text[5:7])
        index = year * 12 + month - 1 + months
        return Period.of(index // 12, index % 12 + 1, self.cutoff)


def _parse_month(text: str) -> tuple[int, int]:
    match = _PERIOD.match(text if isinstance(text, str) else "")
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            if year_in_range(year):
                return year, month
            raise ValidationError({"period": _("The report period must be a month from {first} to {last} (got: "
                                               "{text})").format(first=f"{FIRST_YEAR}-01", last=f"{LAST_YEAR}-12",
                                                                 text=text.strip()[:40])})
    raise ValidationError({"period": _("The report period must be a year and month like 2026-10 (got: {text})")
                           .format(text=str(text)[:40])})


def period_bounds(period: str, cutoff: str = "calendar") -> tuple[datetime, datetime]:
    """[start, end) of a reporting period as aware office-time datetimes."""
    p = Period.parse(period, cutoff)
    return p.start, p.end


def as_period(period: str | Period, cutoff: str = "calendar") -> Period:
    """A Period as given, or the one a "2026-10" text names."""
    return period if isinstance(period, Period) else Period.parse(period, cutoff)
