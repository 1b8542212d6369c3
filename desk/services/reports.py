"""Monthly statistics that leaders report upward, and the Excel workbook that carries them.

What is counted (one reporting period [start, end), Decree 09/2019 or calendar month):

* carried over — received before ``start`` and still open at ``start`` (neither resolved nor
  refused/withdrawn before it);
* new — received in the period, split online / direct + postal;
* resolved — ``resolved_at`` in the period, classified against the LEGAL ``due_at`` (an apology's
  new appointment never helps): before the due date (office-local date) → early, on the due date
  by the due time → on time, after → late;
* refused / withdrawn — ``closed_at`` in the period (a dossier that has a ``resolved_at`` is never
  counted as closed);
* pending — still open at ``end``: in time if ``due_at`` ≥ the report moment, else overdue. The
  report moment is ``end``, or now when the period is still running (a future ``end`` would call
  every dossier due before it "overdue").

Every dossier "in" the period is ``received_at < end`` and not finished (resolved or closed) before
``start``; it is carried over or new, and ends the period resolved, closed or pending, so
carried + new = resolved + pending + refused/withdrawn holds per field by construction. The
statistics come from ONE grouped SQL query; the detail sheet lists exactly that set of dossiers.

The office runs on Asia/Ho_Chi_Minh, a fixed UTC+07:00 without daylight saving, and the database
stores naive UTC: the local date of a stored moment is ``date(moment + 7 hours)``, which both SQLite
(``date(x, '+7 hours')``) and PostgreSQL (``CAST(x + INTERVAL '7 hours' AS date)``) compute.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.layout import Layout, ManualLayout
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.writer.excel import ExcelWriter
from peewee import JOIN, SQL, Case, Cast, fn

from desk.i18n import _
from desk.models import Dossier, Field, Procedure, ReceptionPoint, Staff
from desk.models.db import database_proxy, is_postgres
from desk.services import files
from desk.services.accounts import Actor, require
from desk.services.calendar import WorkCalendar, load_calendar
from desk.services.clock import LOCAL_TZ, Clock, to_db
from desk.services.dossiers import CLOSED_STATUSES, OPEN_STATUSES, Status
from desk.services.errors import DeskError, ValidationError
from desk.services.limits import FIRST_YEAR, LAST_YEAR, year_in_range
from desk.services.office import current_office

CUTOFFS = ("calendar", "15th")
# Vietnam has kept UTC+07:00 all year since 1975: a stored naive-UTC moment + 7 h is office time.
UTC_OFFSET = timedelta(hours=7)
_OFFSET_HOURS = 7
if LOCAL_TZ.utcoffset(datetime(2026, 1, 1)) != UTC_OFFSET or LOCAL_TZ.utcoffset(datetime(2026, 7, 1)) != UTC_OFFSET:
    raise AssertionError("reports expect the office zone to be a fixed UTC+07:00")
CHUNK = 2000  # detail rows fetched, written and reported per step (progress and cancel between steps)
_PERIOD = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")

# Official wording is always Vietnamese (like the slips): these labels do not go through gettext.
CHANNEL_VI = {"direct": "Trực tiếp", "online": "Trực tuyến", "postal": "Bưu chính"}
STATUS_VI = {
    Status.RECEIVED: "Đã tiếp nhận",
    Status.PROCESSING: "Đang giải quyết",
    Status.NEEDS_SUPPLEMENT: "Yêu cầu bổ sung",
    Status.RESOLVED: "Đã có kết quả",
    Status.RETURNED: "Đã trả kết quả",
    Status.REFUSED: "Từ chối",
    Status.WITHDRAWN: "Rút hồ sơ",
}
EARLY, ON_TIME, LATE = "Trước hạn", "Đúng hạn", "Quá hạn"
IN_TIME, OVERDUE = "Trong hạn", "Quá hạn (đang giải quyết)"
REFUSED, WITHDRAWN = "Từ chối", "Rút hồ sơ"
CARRIED_LABEL, NEW_LABEL = "Kỳ trước chuyển qua", "Mới tiếp nhận"
SHEET_SUMMARY, SHEET_CHARTS, SHEET_DETAIL, SHEET_OVERDUE = "Tổng hợp", "Biểu đồ", "Chi tiết", "Quá hạn"
REPORT_TITLE = "TỔNG HỢP TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"


class ReportCancelled(DeskError):
    """The user stopped the export; no file was written."""


# -- periods ------------------------------------------------------------------------------------
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
        return cls._of(year, month, cutoff)

    @classmethod
    def _of(cls, year: int, month: int, cutoff: str) -> Period:
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
        """The period line of the official table."""
        return f"Kỳ báo cáo: từ ngày {self.first_day:%d/%m/%Y} đến ngày {self.last_day:%d/%m/%Y}"

    def shifted(self, months: int) -> Period:
        """The period ``months`` months later (negative: earlier), same cut-off."""
        year, month = int(self.text[:4]), int(self.text[5:7])
        index = year * 12 + month - 1 + months
        return Period._of(index // 12, index % 12 + 1, self.cutoff)


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


def _as_period(period: str | Period, cutoff: str) -> Period:
    return period if isinstance(period, Period) else Period.parse(period, cutoff)


# -- statistics ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldStats:
    """One row of the official table; the totals and rates are derived, never stored."""

    field_code: str
    field_name: str
    carried_over: int = 0
    new_online: int = 0
    new_direct: int = 0  # direct + postal
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    pending_in_time: int = 0
    pending_overdue: int = 0
    refused_or_withdrawn: int = 0

    @property
    def new_total(self) -> int:
        return self.new_online + self.new_direct

    @property
    def received_total(self) -> int:
        return self.carried_over + self.new_total

    @property
    def resolved_total(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def pending_total(self) -> int:
        return self.pending_in_time + self.pending_overdue

    @property
    def on_time_rate(self) -> float | None:
        """(early + on time) / resolved, None when nothing was resolved."""
        done = self.resolved_total
        return (self.resolved_early + self.resolved_on_time) / done if done else None

    @property
    def online_rate(self) -> float | None:
        """online / new, None when nothing new came in."""
        return self.new_online / self.new_total if self.new_total else None

    @property
    def balanced(self) -> bool:
        """Conservation: carried + new = resolved + pending + refused/withdrawn."""
        return self.received_total == self.resolved_total + self.pending_total + self.refused_or_withdrawn

    def to_json(self) -> dict:
        return {
            "field_code": self.field_code, "field_name": self.field_name,
            "received_total": self.received_total, "carried_over": self.carried_over,
            "new_online": self.new_online, "new_direct": self.new_direct,
            "resolved_total": self.resolved_total, "resolved_early": self.resolved_early,
            "resolved_on_time": self.resolved_on_time, "resolved_late": self.resolved_late,
            "pending_total": self.pending_total, "pending_in_time": self.pending_in_time,
            "pending_overdue": self.pending_overdue, "refused_or_withdrawn": self.refused_or_withdrawn,
            "on_time_rate": self.on_time_rate, "online_rate": self.online_rate,
        }


COUNT_COLUMNS = ("carried_over", "new_online", "new_direct", "resolved_early", "resolved_on_time",
                 "resolved_late", "pending_in_time", "pending_overdue", "refused_or_withdrawn")


@dataclass(frozen=True)
class Statistics:
    period: Period
    office_name: str
    as_of: datetime  # aware: the moment "pending" is judged (end of period, or now if it is running)
    rows: tuple[FieldStats, ...]
    total: FieldStats
    field_code: str | None = None

    def to_json(self) -> dict:
        return {
            "period": self.period.text, "cutoff": self.period.cutoff,
            "start": self.period.start.isoformat(), "end": self.period.end.isoformat(),
            "as_of": self.as_of.isoformat(), "office": self.office_name, "field": self.field_code,
            "rows": [r.to_json() for r in self.rows], "total": self.total.to_json(),
        }


@dataclass(frozen=True)
class _Bounds:
    """The naive-UTC parameters the queries compare with."""

    start: datetime
    end: datetime
    as_of: datetime


def _bounds(period: Period, clock: Clock | None) -> tuple[_Bounds, datetime]:
    now = (clock or Clock()).now()
    as_of = min(period.end, now.astimezone(LOCAL_TZ))
    as_of = max(as_of, period.start)
    return _Bounds(to_db(period.start), to_db(period.end), to_db(as_of)), as_of.astimezone(LOCAL_TZ)


def _local_date(column):
    """The office-local calendar date of a stored naive-UTC moment, in the database's own SQL."""
    if is_postgres():
        return Cast(column + SQL(f"INTERVAL '{_OFFSET_HOURS} hours'"), "date")
    return fn.date(column, f"+{_OFFSET_HOURS} hours")


def _count(condition):
    return fn.SUM(Case(None, [(condition, 1)], 0))


def _in_period_condition(b: _Bounds):
    """The dossiers a report covers: received before the end, not finished before the start.

    Written as an OR of index-friendly terms — received in the period (received_at index), or
    received before it and then resolved after its start (resolved_at), closed after its start
    (the few refused/withdrawn, status index) or still open (status index) — so that SQLite runs a
    MULTI-INDEX OR and PostgreSQL a BitmapOr instead of reading every older dossier. The status
    terms rely on the lifecycle's invariant: open statuses have neither resolved_at nor closed_at.
    The last factor is the definition itself and only matters for inconsistent rows.
    """
    d = Dossier
    finished = fn.COALESCE(d.resolved_at, d.closed_at)
    indexed = (((d.received_at >= b.start) & (d.received_at < b.end))
               | ((d.resolved_at >= b.start) & (d.received_at < b.start))
               | (d.status.in_(sorted(CLOSED_STATUSES)) & (d.closed_at >= b.start) & (d.received_at < b.start))
               | (d.status.in_(sorted(OPEN_STATUSES)) & (d.received_at < b.start)))
    return indexed & (finished.is_null() | (finished >= b.start))


def _statistics_query(b: _Bounds, field_id: int | None):
    """ONE grouped query: a SUM(CASE …) per column, a row per field that has dossiers."""
    d = Dossier
    finished = fn.COALESCE(d.resolved_at, d.closed_at)
    received_new = (d.received_at >= b.start) & (d.received_at < b.end)
    resolved = (d.resolved_at >= b.start) & (d.resolved_at < b.end)
    early = resolved & (_local_date(d.resolved_at) < _local_date(d.due_at))
    on_time = resolved & (d.resolved_at <= d.due_at) & (_local_date(d.resolved_at) >= _local_date(d.due_at))
    pending = finished.is_null() | (finished >= b.end)
    query = (d.select(
        Procedure.field,
        _count(d.received_at < b.start).alias("carried_over"),
        _count(received_new & (d.channel == "online")).alias("new_online"),
        _count(received_new & (d.channel != "online")).alias("new_direct"),
        _count(early).alias("resolved_early"),
        _count(on_time).alias("resolved_on_time"),
        _count(resolved & (d.resolved_at > d.due_at)).alias("resolved_late"),
        _count(pending & (d.due_at >= b.as_of)).alias("pending_in_time"),
        _count(pending & (d.due_at < b.as_of)).alias("pending_overdue"),
        _count(d.resolved_at.is_null() & (d.closed_at >= b.start) & (d.closed_at < b.end))
        .alias("refused_or_withdrawn"),
    ).join(Procedure, on=(d.procedure == Procedure.id)).where(_in_period_condition(b)))
    if field_id is not None:
        query = query.where(Procedure.field == field_id)
    return query.group_by(Procedure.field).tuples()


def _fields(field_code: str | None) -> list[Field]:
    query = Field.select().order_by(Field.sort_order, Field.name, Field.id)
    if field_code is None:
        return list(query)
    found = list(query.where(Field.code == field_code.strip()))
    if not found:
        raise ValidationError({"field": _("Unknown field code: {code}").format(code=field_code)})
    return found


@contextmanager
def _snapshot() -> Iterator[None]:
    """All queries of one report read the same committed state while desks keep writing."""
    db = database_proxy.obj
    nested = db.in_transaction()
    with db.atomic():
        if is_postgres(db) and not nested:
            db.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def compute_statistics(
    period: str | Period,
    cutoff: str = "calendar",
    *,
    field_code: str | None = None,
    clock: Clock | None = None,
) -> Statistics:
    """The official table's numbers: a row per catalog field (zeros included) and the total."""
    p = _as_period(period, cutoff)
    with _snapshot():
        return _compute(p, field_code, clock)


def _compute(p: Period, field_code: str | None, clock: Clock | None) -> Statistics:
    fields = _fields(field_code)
    b, as_of = _bounds(p, clock)
    counts = {row[0]: row[1:] for row in
              _statistics_query(b, fields[0].id if field_code is not None else None)}
    rows = []
    for f in fields:
        values = counts.get(f.id, (0,) * len(COUNT_COLUMNS))
        rows.append(FieldStats(f.code, f.name, *(int(v or 0) for v in values)))
    total = FieldStats("", "Tổng cộng", *(sum(getattr(r, c) for r in rows) for c in COUNT_COLUMNS))
    return Statistics(p, current_office().name, as_of, tuple(rows), total, field_code)


# -- trend --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrendPoint:
    period: Period
    received: int  # newly received in the period
    resolved: int
    resolved_on_time: int  # early + on time
    received_online: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.resolved_on_time / self.resolved if self.resolved else None

    @property
    def online_rate(self) -> float | None:
        return self.received_online / self.received if self.received else None


def monthly_trend(
    end_period: str | Period,
    cutoff: str = "calendar",
    months: int = 12,
    *,
    field_code: str | None = None,
) -> list[TrendPoint]:
    """Received / resolved / on-time rate for the ``months`` periods ending with ``end_period``."""
    last = _as_period(end_period, cutoff)
    if not 1 <= months <= 120:
        raise ValidationError({"months": _("The trend covers 1 to 120 months")})
    with _snapshot():
        return _trend(last, months, field_code)


def _trend(last: Period, months: int, field_code: str | None) -> list[TrendPoint]:
    periods = [last.shifted(i - months + 1) for i in range(months)]
    edges = [to_db(p.start) for p in periods] + [to_db(last.end)]
    field_id = _fields(field_code)[0].id if field_code is not None else None
    d = Dossier

    def bucket(column):
        return Case(None, [(column < edge, i) for i, edge in enumerate(edges[1:-1])], months - 1)

    def part(column, *values):
        query = d.select(bucket(column).alias("k"), *values).where((column >= edges[0]) & (column < edges[-1]))
        if field_id is None:  # no join: the received_at part then reads its index only
            return query
        return query.join(Procedure, on=(d.procedure == Procedure.id)).where(Procedure.field == field_id)

    received = part(d.received_at, SQL("1").alias("received"), SQL("0").alias("resolved"),
                    SQL("0").alias("on_time"), Case(None, [(d.channel == "online", 1)], 0).alias("online"))
    resolved = part(d.resolved_at, SQL("0"), SQL("1"), Case(None, [(d.resolved_at <= d.due_at, 1)], 0), SQL("0"))
    sql, params = (received + resolved).sql()  # UNION ALL, grouped once by month
    db = database_proxy.obj
    cursor = db.execute_sql(
        f"SELECT u.k, SUM(u.received), SUM(u.resolved), SUM(u.on_time), SUM(u.online) FROM ({sql}) AS u "
        "GROUP BY u.k", params)
    found = {int(k): (int(a or 0), int(r or 0), int(o or 0), int(n or 0)) for k, a, r, o, n in cursor.fetchall()}
    return [TrendPoint(p, *found.get(i, (0, 0, 0, 0))) for i, p in enumerate(periods)]


# -- detail rows --------------------------------------------------------------------------------
def _detail_query(b: _Bounds, field_id: int | None):
    d = Dossier
    handler = Staff.alias("handler")
    point = ReceptionPoint.alias("point")
    query = (d.select(d.code, Field.name, Procedure.name, d.applicant_name, d.phone, d.channel, point.name,
                      d.received_at, d.due_at, d.appointment_at, d.resolved_at, d.returned_at, d.closed_at,
                      d.status, handler.full_name)
             .join(Procedure, on=(d.procedure == Procedure.id))
             .join(Field, on=(Procedure.field == Field.id))
             .switch(d).join(point, JOIN.LEFT_OUTER, on=(d.reception_point == point.id))
             .switch(d).join(handler, JOIN.LEFT_OUTER, on=(d.handler == handler.id))
             .where(_in_period_condition(b))
             .order_by(Field.sort_order, Field.name, Field.id, d.received_at, d.id))  # in the table's order
    return query.where(Procedure.field == field_id) if field_id is not None else query


def _stream(query, chunk: int) -> Iterator[list[tuple]]:
    """Rows in chunks without loading them all: SQLite steps its cursor, PostgreSQL a DECLAREd cursor."""
    db = database_proxy.obj
    sql, params = query.sql()
    if not is_postgres(db):
        cursor = db.execute_sql(sql, params)
        while rows := cursor.fetchmany(chunk):
            yield rows
        return
    cursor = db.cursor()
    cursor.execute(f"DECLARE desk_report_rows NO SCROLL CURSOR FOR {sql}", params)
    try:
        while True:
            cursor.execute(f"FETCH FORWARD {int(chunk)} FROM desk_report_rows")
            rows = cursor.fetchall()
            if not rows:
                return
            yield rows
    finally:
        with suppress(Exception):
            cursor.execute("CLOSE desk_report_rows")


def _naive(value) -> datetime | None:
    """A stored naive-UTC value (datetime, or text on SQLite) → naive UTC datetime."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _serial(value) -> float | None:
    """A stored naive-UTC moment (datetime, or text on SQLite) → Excel date serial in office time.

    Excel keeps a date as days since 30/12/1899 with no zone; the cell shows office time. Writing
    the number straight away saves two datetime objects per cell on a long detail sheet.
    """
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(value)
    return (value - _EXCEL_EPOCH_UTC) / _DAY


def _classify(b: _Bounds, status: str, due: datetime, resolved: datetime | None,
              closed: datetime | None) -> str:
    """The column of the official table a dossier is counted in (the same rules as the SQL)."""
    if resolved is not None and b.start <= resolved < b.end:
        if resolved > due:
            return LATE
        return EARLY if (resolved + UTC_OFFSET).date() < (due + UTC_OFFSET).date() else ON_TIME
    if resolved is None and closed is not None and b.start <= closed < b.end:
        return REFUSED if status == Status.REFUSED else WITHDRAWN
    return IN_TIME if due >= b.as_of else OVERDUE


# -- workbook styles ----------------------------------------------------------------------------
_FONT = "Times New Roman"
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center")
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
PERCENT_FORMAT = "0.00%"
COUNT_FORMAT = "#,##0"


def _cell(ws, value=None, *, bold: bool = False, italic: bool = False, size: int = 11,
          align: Alignment | None = None, border: bool = False, fill: PatternFill | None = None,
          number_format: str | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.font = Font(name=_FONT, size=size, bold=bold, italic=italic)
    if align is not None:
        cell.alignment = align
    if border:
        cell.border = _BORDER
    if fill is not None:
        cell.fill = fill
    if number_format:
        cell.number_format = number_format
    return cell


def _merge(ws, ref: str) -> None:
    ws.merged_cells.add(CellRange(ref))


def _print_setup(ws, *, landscape: bool = True, fit_height: int = 0, title_rows: str | None = None) -> None:
    """A4, fit to the page width; the header rows repeat on every printed page."""
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = fit_height
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "Trang &P/&N"
    if title_rows:
        ws.print_title_rows = title_rows


# -- "Tổng hợp" ---------------------------------------------------------------------------------
SUMMARY_WIDTHS = [5, 26] + [10.5] * 11 + [12, 12.5, 12.5]  # A..P
FIRST_DATA_ROW = 9
# (column, key): the counts written as values; the others are formulas.
_VALUE_COLUMNS = {4: "carried_over", 5: "new_online", 6: "new_direct", 8: "resolved_early", 9: "resolved_on_time",
                  10: "resolved_late", 12: "pending_in_time", 13: "pending_overdue", 14: "refused_or_withdrawn"}
_HEADERS = [  # (range, text); the line breaks keep narrow columns from wrapping one word alone
    ("A5:A7", "STT"), ("B5:B7", "Lĩnh vực"),
    ("C5:F5", "Số hồ sơ nhận giải quyết"), ("C6:C7", "Tổng số"), ("D6:D7", "Kỳ trước chuyển qua"),
    ("E6:F6", "Mới tiếp nhận"), ("E7:E7", "Trực tuyến"), ("F7:F7", "Trực tiếp,\nbưu chính"),
    ("G5:J5", "Số hồ sơ đã giải quyết"), ("G6:G7", "Tổng số"), ("H6:I6", "Đúng thời hạn"),
    ("H7:H7", "Trước hạn"), ("I7:I7", "Đúng hạn"), ("J6:J7", "Quá hạn"),
    ("K5:M5", "Số hồ sơ đang giải quyết"), ("K6:K7", "Tổng số"), ("L6:L7", "Trong hạn"), ("M6:M7", "Quá hạn"),
    ("N5:N7", "Từ chối,\nrút hồ sơ"), ("O5:O7", "Tỷ lệ đúng hạn (%)"), ("P5:P7", "Tỷ lệ trực tuyến (%)"),
]
COLUMN_NUMBERS = ["(1)", "(2)", "(3)=(4)+(5)+(6)", "(4)", "(5)", "(6)", "(7)=(8)+(9)+(10)", "(8)", "(9)", "(10)",
                  "(11)=(12)+(13)", "(12)", "(13)", "(14)", "(15)=((8)+(9))/(7)", "(16)=(5)/((5)+(6))"]


def row_formulas(r: int) -> dict[int, str]:
    """The formula columns of data row ``r``: the three totals and the two rates."""
    return {
        3: f"=D{r}+E{r}+F{r}",
        7: f"=H{r}+I{r}+J{r}",
        11: f"=L{r}+M{r}",
        15: f'=IF(G{r}=0,"",(H{r}+I{r})/G{r})',
        16: f'=IF((E{r}+F{r})=0,"",E{r}/(E{r}+F{r}))',
    }


def _write_summary(ws, stats: Statistics, office_parent: str, place: str, today: date) -> int:
    """The official table; returns the total row's number."""
    ncols = len(SUMMARY_WIDTHS)
    last_col = get_column_letter(ncols)
    for i, width in enumerate(SUMMARY_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = f"C{FIRST_DATA_ROW}"
    _print_setup(ws, title_rows="5:8")  # sheet properties must precede the first row in write-only mode
    heights = {1: 24, 2: 18, 3: 18, 4: 16, 5: 30, 6: 34, 7: 48, 8: 30}
    for r, h in heights.items():
        ws.row_dimensions[r].height = h

    p = stats.period
    unit = stats.office_name if not office_parent else f"{office_parent} – {stats.office_name}"
    period_line = p.describe()
    if stats.as_of < p.end:
        period_line += f" (số liệu đến {stats.as_of:%H:%M} ngày {stats.as_of:%d/%m/%Y})"
    if stats.field_code and stats.rows:
        period_line += f" – Lĩnh vực: {stats.rows[0].field_name}"
    if p.cutoff == "15th":
        period_line += " – theo Nghị định 09/2019/NĐ-CP"
    titles = [(REPORT_TITLE, True, 14), (f"Đơn vị: {unit}", True, 12), (period_line, False, 12)]
    for text, bold, size in titles:
        ws.append([_cell(ws, text, bold=bold, size=size, align=_CENTER)])
    ws.append([_cell(ws, "Đơn vị tính: hồ sơ", italic=True, align=Alignment(horizontal="right"))])
    for r in (1, 2, 3, 4):
        _merge(ws, f"A{r}:{last_col}{r}")

    # Three header rows: every cell of a merged block is written with a border so the grid is whole.
    grid: dict[tuple[int, int], str] = {}
    for ref, text in _HEADERS:
        rng = CellRange(ref)
        grid[(rng.min_row, rng.min_col)] = text
        for row in range(rng.min_row, rng.max_row + 1):
            for col in range(rng.min_col, rng.max_col + 1):
                grid.setdefault((row, col), "")
        if rng.size["rows"] > 1 or rng.size["columns"] > 1:
            _merge(ws, ref)
    for r in (5, 6, 7):
        ws.append([_cell(ws, grid.get((r, c), "") or None, bold=True, align=_CENTER, border=True, fill=_HEADER_FILL)
                   for c in range(1, ncols + 1)])
    ws.append([_cell(ws, text, italic=True, size=9, align=_CENTER, border=True) for text in COLUMN_NUMBERS])

    r = FIRST_DATA_ROW
    for index, row in enumerate(stats.rows, 1):
        values: list = [None] * ncols
        values[0], values[1] = index, row.field_name
        for col, key in _VALUE_COLUMNS.items():
            values[col - 1] = getattr(row, key)
        for col, formula in row_formulas(r).items():
            values[col - 1] = formula
        ws.append([_summary_cell(ws, c, v) for c, v in enumerate(values, 1)])
        r += 1
    total_row = r
    first, last = FIRST_DATA_ROW, total_row - 1
    values = ["Tổng cộng", None]
    for col in range(3, 15):
        letter = get_column_letter(col)
        values.append(f"=SUM({letter}{first}:{letter}{last})" if stats.rows else 0)
    formulas = row_formulas(total_row)
    values += [formulas[15], formulas[16]]
    ws.append([_summary_cell(ws, c, v, total=True) for c, v in enumerate(values, 1)])
    _merge(ws, f"A{total_row}:B{total_row}")
    ws.row_dimensions[total_row].height = 20

    ws.append([])
    note = ("Ghi chú: (3) = (7) + (11) + (14) ở mọi dòng. Hồ sơ giải quyết quá hạn được tính theo hạn giải quyết "
            "theo quy định, kể cả khi đã có phiếu xin lỗi và hẹn lại ngày trả kết quả.")
    ws.append([_cell(ws, note, italic=True, size=10, align=_LEFT)])
    _merge(ws, f"A{total_row + 2}:{last_col}{total_row + 2}")
    ws.row_dimensions[total_row + 2].height = 30
    ws.append([])
    sign_row = total_row + 4
    place_line = f"{place + ', ' if place else ''}ngày {today.day:02d} tháng {today.month:02d} năm {today.year}"
    ws.append([None] * 10 + [_cell(ws, place_line, italic=True, align=_CENTER)])
    ws.append([None, _cell(ws, "NGƯỜI LẬP BIỂU", bold=True, align=_CENTER)] + [None] * 8
              + [_cell(ws, "THỦ TRƯỞNG ĐƠN VỊ", bold=True, align=_CENTER)])
    _merge(ws, f"K{sign_row}:P{sign_row}")
    _merge(ws, f"B{sign_row + 1}:E{sign_row + 1}")
    _merge(ws, f"K{sign_row + 1}:P{sign_row + 1}")
    ws.print_area = f"A1:{last_col}{sign_row + 5}"
    return total_row


def _summary_cell(ws, col: int, value, *, total: bool = False) -> WriteOnlyCell:
    if col == 1:
        return _cell(ws, value, bold=total, align=_CENTER, border=True, fill=_TOTAL_FILL if total else None)
    if col == 2:
        return _cell(ws, value, bold=total, align=_CENTER if total else _LEFT, border=True,
                     fill=_TOTAL_FILL if total else None)
    number_format = PERCENT_FORMAT if col >= 15 else COUNT_FORMAT
    bold = total or col in (3, 7, 11)
    return _cell(ws, value, bold=bold, align=_RIGHT, border=True, number_format=number_format,
                 fill=_TOTAL_FILL if total else None)


# -- "Biểu đồ" ----------------------------------------------------------------------------------
def _write_charts(ws, summary, stats: Statistics, trend: list[TrendPoint], total_row: int) -> None:
    """A bar chart of the table's received vs resolved per field, a line chart of the on-time trend."""
    widths = [14, 14, 14, 16, 16]
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    _print_setup(ws, fit_height=1)
    ws.append([_cell(ws, "BIỂU ĐỒ KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", bold=True, size=14)])
    ws.append([_cell(ws, f"Đơn vị: {stats.office_name}. {stats.period.describe()}", italic=True)])
    table_row = 24  # the bar chart takes rows 3-22
    for _i in range(3, table_row):
        ws.append([])
    ws.append([_cell(ws, "Kết quả giải quyết 12 kỳ gần nhất", bold=True, size=12)])
    header = ["Kỳ", "Tiếp nhận mới", "Đã giải quyết", "Giải quyết đúng hạn", "Tỷ lệ đúng hạn (%)"]
    ws.append([_cell(ws, h, bold=True, align=_CENTER, border=True, fill=_HEADER_FILL) for h in header])
    first = table_row + 2
    for point in trend:
        ws.append([
            _cell(ws, point.period.label, align=_CENTER, border=True),
            _cell(ws, point.received, border=True, number_format=COUNT_FORMAT),
            _cell(ws, point.resolved, border=True, number_format=COUNT_FORMAT),
            _cell(ws, point.resolved_on_time, border=True, number_format=COUNT_FORMAT),
            _cell(ws, point.on_time_rate, border=True, number_format=PERCENT_FORMAT),
        ])
    last = first + len(trend) - 1

    bars = BarChart()
    bars.type, bars.grouping = "col", "clustered"
    bars.title = "Hồ sơ nhận giải quyết và đã giải quyết theo lĩnh vực"
    bars.y_axis.title = "Số hồ sơ"
    bars.y_axis.numFmt = "#,##0"
    if stats.rows:
        first_data, last_data = FIRST_DATA_ROW, total_row - 1
        for col in (3, 7):  # "Tổng số" received, "Tổng số" resolved
            values = Reference(summary, min_col=col, max_col=col, min_row=first_data, max_row=last_data)
            bars.add_data(values, titles_from_data=False)
        bars.series[0].tx = _series_title("Số hồ sơ nhận giải quyết")
        bars.series[1].tx = _series_title("Số hồ sơ đã giải quyết")
        _text_categories(bars, Reference(summary, min_col=2, max_col=2, min_row=first_data, max_row=last_data))
    _style_chart(bars)
    bars.legend.position = "b"
    bars.width, bars.height = 26, 10
    ws.add_chart(bars, "A3")

    line = LineChart()
    line.title = "Tỷ lệ giải quyết đúng hạn theo " + ("tháng" if stats.period.cutoff == "calendar" else "kỳ báo cáo")
    line.y_axis.title = "Tỷ lệ đúng hạn"
    line.y_axis.numFmt = "0%"
    line.y_axis.scaling.max = 1
    line.add_data(Reference(ws, min_col=5, max_col=5, min_row=first - 1, max_row=last), titles_from_data=True)
    _text_categories(line, Reference(ws, min_col=1, max_col=1, min_row=first, max_row=last))
    line.series[0].marker.symbol = "circle"
    line.series[0].smooth = False
    # Every flag explicit: LibreOffice otherwise adds the series and category names to each label.
    line.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False,
                                    showPercent=False, showLeaderLines=False, dLblPos="t")
    _style_chart(line)
    line.legend = None
    line.width, line.height = 17, 8.5
    ws.add_chart(line, "G24")


def _series_title(text: str) -> SeriesLabel:
    return SeriesLabel(v=text)


def _text_categories(chart, ref: Reference) -> None:
    """Category labels are text (field names, "10/2026"): a string reference, which Excel shows as is."""
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(ref)))


def _style_chart(chart) -> None:
    # openpyxl 3.1 marks axes as deleted unless told otherwise: Excel and LibreOffice then hide them.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.layout = Layout(manualLayout=ManualLayout(x=0.06, y=0.12, w=0.9, h=0.72))


# -- "Chi tiết" and "Quá hạn" ---------------------------------------------------------------------
DETAIL_HEADER = ["STT", "Mã hồ sơ", "Lĩnh vực", "Thủ tục hành chính", "Người nộp", "Kênh tiếp nhận",
                 "Nơi tiếp nhận", "Tiếp nhận lúc", "Hạn giải quyết", "Đã giải quyết lúc", "Đã trả kết quả lúc",
                 "Trạng thái hiện nay", "Nguồn", "Phân loại trong kỳ"]
DETAIL_WIDTHS = [7, 27, 16, 40, 24, 13, 30, 16, 16, 16, 16, 17, 19, 24]
DETAIL_DATES = (7, 8, 9, 10)  # 0-based columns holding datetimes
OVERDUE_HEADER = ["STT", "Mã hồ sơ", "Lĩnh vực", "Thủ tục hành chính", "Người nộp", "Điện thoại", "Tiếp nhận lúc",
                  "Hạn giải quyết", "Hẹn trả (sau xin lỗi)", "Số ngày làm việc quá hạn", "Người xử lý",
                  "Trạng thái"]
OVERDUE_WIDTHS = [7, 27, 16, 40, 24, 13, 16, 16, 16, 12, 22, 17]
OVERDUE_DATES = (6, 7, 8)
OVERDUE_HEADER_ROW = 3
_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_EPOCH_UTC = _EXCEL_EPOCH - UTC_OFFSET  # a naive-UTC moment minus this is its office-time serial
_DAY = timedelta(days=1)


class _SheetStream:
    """A long sheet's rows written straight as XML text, then spliced into openpyxl's write-only sheet.

    openpyxl builds and serialises an object per cell (~30 µs): 25,000 dossiers × 14 columns would
    take ten seconds. Here a row is one string, with inline strings as openpyxl's own write-only
    cells have, and the sheet's frame (columns, panes, filter, print set-up) is still openpyxl's,
    so the file is the same as if openpyxl had written every cell.
    """

    def __init__(self, ws) -> None:
        self.ws = ws
        # A scratch file named like every temporary of the program, so a killed export's is cleaned up later.
        self.path = files.new_temp(Path(tempfile.gettempdir()) / "report-sheet.xml", clean=False)
        self.out = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 - closed in finish()/discard()
        self.rows = 0
        self.letters = [get_column_letter(i) for i in range(1, 65)]
        self._starts: dict[tuple[int, ...], list[str]] = {}

    def append(self, values: list, styles: list[int], height: float | None = None) -> None:
        self.rows += 1
        r = self.rows
        key = tuple(styles)
        starts = self._starts.get(key)
        if starts is None:  # '<c s="7" r="B' per column: only the row number and the value change
            starts = self._starts[key] = [f'<c s="{style}" r="{self.letters[i]}' for i, style in enumerate(key)]
        parts = [f'<row r="{r}" ht="{height}" customHeight="1">' if height else f'<row r="{r}">']
        for i, value in enumerate(values):
            if value is None:
                if styles[i]:
                    parts.append(f'{starts[i]}{r}"/>')
            elif isinstance(value, str):
                parts.append(f'{starts[i]}{r}" t="inlineStr"><is>{_xml_text(value)}</is></c>')
            elif isinstance(value, datetime):
                parts.append(f'{starts[i]}{r}"><v>{(value - _EXCEL_EPOCH) / _DAY!r}</v></c>')
            elif isinstance(value, bool):
                parts.append(f'{starts[i]}{r}" t="b"><v>{int(value)}</v></c>')
            else:
                parts.append(f'{starts[i]}{r}"><v>{value!r}</v></c>')
        parts.append("</row>")
        self.out.write("".join(parts))

    def finish(self) -> None:
        """Let openpyxl write the sheet without rows, then put the rows in its <sheetData/>."""
        self.out.close()
        self.ws.close()
        frame_path = Path(self.ws._writer.out)
        frame = frame_path.read_text(encoding="utf-8")
        match = re.search(r"<sheetData\s*/>|<sheetData>\s*</sheetData>", frame)
        if match is None:
            raise AssertionError("openpyxl wrote an unexpected sheet frame")
        with open(frame_path, "w", encoding="utf-8") as out, open(self.path, encoding="utf-8") as rows:
            out.write(frame[:match.start()])
            out.write("<sheetData>")
            while block := rows.read(1 << 20):
                out.write(block)
            out.write("</sheetData>")
            out.write(frame[match.end():])
        self.discard()

    def discard(self) -> None:
        if not self.out.closed:
            self.out.close()
        with suppress(OSError):
            self.path.unlink()


@lru_cache(maxsize=8192)  # field, procedure, status and point names repeat on every row
def _xml_text(value: str) -> str:
    """<t> element of an inline string: no control characters, XML-escaped, spaces kept."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if value[:1].isspace() or value[-1:].isspace():
        return f'<t xml:space="preserve">{value}</t>'
    return f"<t>{value}</t>"


def _style_id(ws, **style) -> int:
    return _cell(ws, None, **style).style_id


def _data_sheet(ws, widths: list[int], header_row: int) -> None:
    """Column widths, frozen header and codes, before any row is written (write-only order)."""
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = f"C{header_row + 1}"
    _print_setup(ws, title_rows=f"{header_row}:{header_row}")


# -- the workbook -------------------------------------------------------------------------------
def write_report(
    path: str | os.PathLike,
    period: str | Period,
    cutoff: str = "calendar",
    *,
    field_code: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    clock: Clock | None = None,
    by: Actor,
) -> Path:
    """Write the monthly report workbook; the file appears whole or not at all.

    Sheets: "Tổng hợp" (the official table, totals and rates as Excel formulas), "Biểu đồ" (charts),
    "Chi tiết" (every dossier counted in the table, with the column it is counted in) and "Quá hạn"
    (open past the legal due date at the end). ``progress(done, total)`` counts detail rows;
    ``cancel()`` is asked between chunks and True raises ReportCancelled. No Qt: a worker thread
    or the CLI calls it. ``by`` must be a leader or admin: the detail sheets list applicants by name.
    """
    require(by, "leader")
    target = Path(path)
    p = _as_period(period, cutoff)
    wb = Workbook(write_only=True)
    streams: list[_SheetStream] = []
    try:
        with _snapshot():
            stats = _compute(p, field_code, clock)
            _check_cancel(cancel)
            trend = _trend(p, 12, field_code)
            _check_cancel(cancel)
            _build(wb, streams, stats, trend, field_code, progress, cancel, clock)
        with files.atomic_path(target) as temp:
            _save(wb, temp)
    except OSError as exc:  # the sheet scratch files in the temporary folder
        raise files.write_error(target, exc) from exc
    finally:
        for stream in streams:
            stream.discard()
        _discard(wb)
    return target


def _save(wb: Workbook, path: Path) -> None:
    """openpyxl's save with a light compression level: a third of the time, a file ~15 % larger."""
    wb.properties.modified = datetime.now(UTC).replace(tzinfo=None)
    with ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=1) as archive:
        ExcelWriter(wb, archive).save()


def _check_cancel(cancel: Callable[[], bool] | None) -> None:
    if cancel is not None and cancel():
        raise ReportCancelled(_("The report was cancelled; no file was written."))


def _build(wb: Workbook, streams: list[_SheetStream], stats: Statistics, trend: list[TrendPoint],
           field_code: str | None, progress: Callable[[int, int], None] | None,
           cancel: Callable[[], bool] | None, clock: Clock | None) -> None:
    office = current_office()
    summary = wb.create_sheet(SHEET_SUMMARY)
    charts = wb.create_sheet(SHEET_CHARTS)
    detail_ws = wb.create_sheet(SHEET_DETAIL)
    overdue_ws = wb.create_sheet(SHEET_OVERDUE)
    today = (clock or Clock()).now().astimezone(LOCAL_TZ).date()
    total_row = _write_summary(summary, stats, office.parent_name, office.place_name, today)
    _write_charts(charts, summary, stats, trend, total_row)

    p = stats.period
    b = _Bounds(to_db(p.start), to_db(p.end), to_db(stats.as_of))
    total = stats.total.received_total
    as_of_day = (stats.as_of - timedelta(seconds=1)).date()

    _data_sheet(detail_ws, DETAIL_WIDTHS, 1)
    _data_sheet(overdue_ws, OVERDUE_WIDTHS, OVERDUE_HEADER_ROW)
    detail, overdue = _SheetStream(detail_ws), _SheetStream(overdue_ws)
    streams += [detail, overdue]
    header = _style_id(detail_ws, bold=True, align=_CENTER, border=True, fill=_HEADER_FILL)
    text = _style_id(detail_ws, border=True, align=Alignment(vertical="center"))
    number = _style_id(detail_ws, border=True, align=_RIGHT, number_format=COUNT_FORMAT)
    moment = _style_id(detail_ws, border=True, align=_CENTER, number_format=DATETIME_FORMAT)
    detail.append(DETAIL_HEADER, [header] * len(DETAIL_HEADER), height=32)
    detail_styles = [number] + [text] * (len(DETAIL_HEADER) - 1)
    for col in DETAIL_DATES:
        detail_styles[col] = moment
    overdue.append(["DANH SÁCH HỒ SƠ QUÁ HẠN ĐANG GIẢI QUYẾT"], [_style_id(overdue_ws, bold=True, size=14)], 22)
    count = f"{stats.total.pending_overdue:,}".replace(",", ".")
    overdue.append([f"Đơn vị: {stats.office_name}. Tính đến hết ngày {as_of_day:%d/%m/%Y}: {count} hồ sơ."],
                   [_style_id(overdue_ws, italic=True)])
    overdue.append(OVERDUE_HEADER, [header] * len(OVERDUE_HEADER), height=45)
    overdue_styles = [number] + [text] * (len(OVERDUE_HEADER) - 1)
    for col in OVERDUE_DATES:
        overdue_styles[col] = moment
    overdue_styles[9] = number

    calendar = load_calendar(office)
    late_days: dict[date, int] = {}
    done = overdue_count = 0
    if progress:
        progress(0, total)
    field_id = _fields(field_code)[0].id if field_code is not None else None
    start = b.start
    chunks = _stream(_detail_query(b, field_id), CHUNK)
    with closing(chunks):  # a cancelled export closes its server-side cursor inside the transaction
        for rows in chunks:
            _check_cancel(cancel)
            for (code, field_name, procedure, applicant, phone, channel, point, received, due, appointment, resolved,
                 returned, closed, status, handler) in rows:
                received, due, resolved, closed = _naive(received), _naive(due), _naive(resolved), _naive(closed)
                outcome = _classify(b, status, due, resolved, closed)
                done += 1
                detail.append([
                    done, code, field_name, procedure, applicant, CHANNEL_VI.get(channel, channel), point,
                    _serial(received), _serial(due), _serial(resolved), _serial(returned),
                    STATUS_VI.get(status, status), CARRIED_LABEL if received < start else NEW_LABEL, outcome,
                ], detail_styles)
                if outcome == OVERDUE:
                    overdue_count += 1
                    due_day = (due + UTC_OFFSET).date()
                    days = late_days.get(due_day)
                    if days is None:
                        days = late_days[due_day] = _working_days_late(calendar, due_day, as_of_day)
                    overdue.append([
                        overdue_count, code, field_name, procedure, applicant, phone, _serial(received),
                        _serial(due), _serial(appointment), days, handler or "", STATUS_VI.get(status, status),
                    ], overdue_styles)
            if progress:
                progress(done, total)
    _check_cancel(cancel)
    if done != total or overdue_count != stats.total.pending_overdue:  # impossible in one snapshot
        raise DeskError(_("The report's detail rows ({rows}) do not match its table ({total}); "
                          "nothing was written. Please report this problem.").format(rows=done, total=total))

    detail_ws.auto_filter.ref = f"A1:{get_column_letter(len(DETAIL_HEADER))}{done + 1}"
    last_col = get_column_letter(len(OVERDUE_HEADER))
    overdue_ws.auto_filter.ref = f"A{OVERDUE_HEADER_ROW}:{last_col}{OVERDUE_HEADER_ROW + overdue_count}"
    _merge(overdue_ws, f"A1:{last_col}1")
    _merge(overdue_ws, f"A2:{last_col}2")
    detail.finish()
    overdue.finish()


def _working_days_late(calendar: WorkCalendar, due_day: date, as_of_day: date) -> int:
    """Working days after the due date up to the report day: 0 = overdue since less than a working day."""
    return calendar.count_working_days(due_day, as_of_day) if as_of_day > due_day else 0


def _discard(wb: Workbook) -> None:
    """Remove the per-sheet temporary files openpyxl streams into when saving never consumed them."""
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        if writer is None:
            continue
        with suppress(Exception):
            if not ws.closed:
                rows = getattr(ws, "_rows", None)
                if rows is not None:
                    rows.close()
                writer.close()
        with suppress(Exception):
            writer.cleanup()


