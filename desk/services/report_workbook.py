"""The monthly report workbook: the official table, its charts and the dossiers behind every number.

Sheets: "Tổng hợp" (the official table in the shape of Biểu số 06/VPCP/KSTT, Circular 01/2020/TT-VPCP,
then our own columns labelled as additions: stopped, refused/withdrawn, the rates (D42); totals and
rates as Excel formulas), "Biểu đồ" (native
charts over the table and the 12-month trend), "Chi tiết" (every dossier counted in the table, with
the column it is counted in) and "Quá hạn" (open past the legal due date at the report moment); then our
additions of issue 13 (D49), for the whole office whatever the field filter: "Mức độ hài lòng" (ratings per
field and per clerk) and "Bộ chỉ số 766" (the scorecard's 12 months).
The numbers come from desk.services.statistics, the classification of each dossier from
desk.services.dossiers.classify, so the table, the detail rows, the screen and the CLI agree.

Everything is written through openpyxl's public write-only API, except the long rows of the two
data sheets, which desk.services.xlsx_rows streams as sheet XML (why: D28 in docs/DECISIONS.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
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

from desk.errors import DeskError
from desk.i18n import _
from desk.services import files, xlsx_rows
from desk.services.accounts import Actor, require
from desk.services.attachments import DigitisationRow, digitisation_counts
from desk.services.calendar import WorkCalendar, load_calendar
from desk.services.clock import LOCAL_TZ, OFFICE_UTC_OFFSET, Clock, local_date
from desk.services.dossiers import Outcome, Status
from desk.services.kinds import RATING_VI, Channel, RatingLevel, Role
from desk.services.office import current_office
from desk.services.periods import Period, as_period
from desk.services.queue_report import SHEET_QUEUE, queue_rows, write_queue_sheet
from desk.services.ratings import Satisfaction, SatisfactionRow, satisfaction
from desk.services.scorecard import Scorecard, compute_scorecard
from desk.services.statistics import (
    CHUNK,
    Statistics,
    TrendPoint,
    compute_statistics,
    detail_rows,
    monthly_trend,
    snapshot,
)

Sheet = Any  # openpyxl's write-only worksheet: its class lives in a private module
CellValue = str | float | datetime | None  # what a write-only cell takes (a formula is a str)

# compute_statistics and monthly_trend are also what the report screen and the CLI read through this module.


@dataclass(frozen=True)
class DigitisationTable:
    """The digitisation figures beside a statistics table: one row per row of the table, then the total.

    The base of a rate is the dossiers received in the period (whatever became of them), not a column of
    the table: a carried-over dossier was counted in the period it came in."""

    rows: tuple[DigitisationRow, ...]
    total: DigitisationRow

    def row_of(self, field_code: str) -> DigitisationRow:
        """The field's row (zeros when it is not in the table)."""
        return next((r for r in self.rows if r.field_code == field_code), DigitisationRow(field_code, "", 0, 0))

    def to_json(self) -> dict:
        def one(row: DigitisationRow) -> dict:
            return {"field_code": row.field_code, "field_name": row.field_name, "received": row.total,
                    "digitised": row.digitised, "rate": row.digitised / row.total if row.total else None}

        return {"rows": [one(r) for r in self.rows], "total": one(self.total)}


def period_digitisation(stats: Statistics, *, actor: Actor) -> DigitisationTable:
    """The digitised dossiers of ``stats``' period, aligned with its rows (the field filter included), so the
    screen, the workbook and the CLI's JSON show the same figures. Counts only: any staff role."""
    p = stats.period
    by_field = {d.field_code: d for d in digitisation_counts(p.first_day, p.last_day, actor=actor)}
    rows = tuple(by_field.get(r.field_code, DigitisationRow(r.field_code, r.field_name, 0, 0)) for r in stats.rows)
    total = DigitisationRow("", "Tổng cộng", sum(r.digitised for r in rows), sum(r.total for r in rows))
    return DigitisationTable(rows, total)


def statistics_json(stats: Statistics, digitisation: DigitisationTable) -> dict:
    """The statistics as JSON (``report --json``) with the digitisation figures under "digitisation"."""
    return {**stats.to_json(), "digitisation": digitisation.to_json()}

# Official wording is always Vietnamese (like the slips): these labels do not go through gettext.
CHANNEL_VI: dict[str, str] = {  # keyed by Channel, a StrEnum: a detail row carries it as str
    Channel.DIRECT: "Trực tiếp", Channel.ONLINE: "Trực tuyến", Channel.POSTAL: "Bưu chính"}
STATUS_VI: dict[str, str] = {  # keyed by Status, a StrEnum: a detail row carries its status as str
    Status.RECEIVED: "Đã tiếp nhận",
    Status.PROCESSING: "Đang giải quyết",
    Status.NEEDS_SUPPLEMENT: "Yêu cầu bổ sung",
    Status.RESOLVED: "Đã có kết quả",
    Status.RETURNED: "Đã trả kết quả",
    Status.REFUSED: "Từ chối",
    Status.WITHDRAWN: "Rút hồ sơ",
    Status.STOPPED: "Dừng giải quyết",
}
OUTCOME_VI = {  # "Phân loại trong kỳ": the column of the official table a dossier is counted in
    Outcome.EARLY: "Trước hạn", Outcome.ON_TIME: "Đúng hạn", Outcome.LATE: "Quá hạn",
    Outcome.IN_TIME: "Trong hạn", Outcome.OVERDUE: "Quá hạn (đang giải quyết)",
    Outcome.REFUSED: "Từ chối", Outcome.WITHDRAWN: "Rút hồ sơ", Outcome.STOPPED: "Dừng giải quyết",
}
CARRIED_LABEL, NEW_LABEL = "Kỳ trước chuyển qua", "Mới tiếp nhận"
SHEET_SUMMARY, SHEET_CHARTS, SHEET_DETAIL, SHEET_OVERDUE = "Tổng hợp", "Biểu đồ", "Chi tiết", "Quá hạn"
SHEET_SATISFACTION, SHEET_SCORECARD = "Mức độ hài lòng", "Bộ chỉ số 766"  # our additions (issue 13, D49)
FORM_NUMBER = "Biểu số 06/VPCP/KSTT"
REPORT_TITLE = ("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT "
                "THỦ TỤC HÀNH CHÍNH")
ADDITIONS_LABEL = "Cột bổ sung (không thuộc Biểu 06)"


class ReportCancelled(DeskError):
    """The user stopped the export; no file was written."""


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


def _cell(ws: Sheet, value: CellValue = None, *, bold: bool = False, italic: bool = False, size: int = 11,
          align: Alignment | None = None, border: bool = False, fill: PatternFill | None = None,
          number_format: str | None = None) -> Cell:
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


def _merge(ws: Sheet, ref: str) -> None:
    ws.merged_cells.add(CellRange(ref))


def _print_setup(ws: Sheet, *, landscape: bool = True, fit_height: int = 0,
                 title_rows: str | None = None) -> None:
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
# Columns A..M are Biểu số 06/VPCP/KSTT's (as third-party copies of Circular 01/2020 give them: *verify*);
# N..S are ours, under a header that says so, so the official part can be copied upward as it is.
SUMMARY_WIDTHS = [5, 26] + [10.5] * 11 + [10.5, 10.5, 12.5, 12.5, 12.5, 12.5]  # A..S
OFFICIAL_COLUMNS = 13  # A..M
FIRST_DATA_ROW = 9
RATE_FIRST_COLUMN = 16  # P, Q
DIGITISED_COLUMN, DIGITISED_RATE_COLUMN = 18, 19  # R, S: values from the attachments (issue 12)
# (column, key): the counts written as values; the others are formulas.
_VALUE_COLUMNS = {4: "new_online", 5: "new_direct", 6: "carried_over", 8: "resolved_early", 9: "resolved_on_time",
                  10: "resolved_late", 12: "pending_in_time", 13: "pending_overdue", 14: "stopped",
                  15: "refused_or_withdrawn"}
_HEADERS = [  # (range, text); the line breaks keep narrow columns from wrapping one word alone
    ("A5:A7", "TT"), ("B5:B7", "Lĩnh vực"),
    ("C5:F5", "Số hồ sơ nhận giải quyết"), ("C6:C7", "Tổng số"), ("D6:E6", "Trong kỳ"),
    ("D7:D7", "Trực tuyến"), ("E7:E7", "Trực tiếp và\ndịch vụ\nbưu chính"), ("F6:F7", "Từ kỳ trước"),
    ("G5:J5", "Số hồ sơ đã giải quyết"), ("G6:G7", "Tổng số"), ("H6:H7", "Trước hạn"), ("I6:I7", "Đúng hạn"),
    ("J6:J7", "Quá hạn"),
    ("K5:M5", "Số hồ sơ đang giải quyết"), ("K6:K7", "Tổng số"), ("L6:L7", "Trong hạn"), ("M6:M7", "Quá hạn"),
    ("N5:S5", ADDITIONS_LABEL), ("N6:N7", "Dừng\ngiải quyết"), ("O6:O7", "Từ chối,\nrút hồ sơ"),
    ("P6:P7", "Tỷ lệ đúng hạn (%)"), ("Q6:Q7", "Tỷ lệ trực tuyến (%)"),
    ("R6:R7", "Số hồ sơ đã số hóa đủ thành phần"), ("S6:S7", "Tỷ lệ số hóa (%)"),
]
COLUMN_NUMBERS = ["(1)", "(2)", "(3)=(4)+(5)+(6)", "(4)", "(5)", "(6)", "(7)=(8)+(9)+(10)", "(8)", "(9)", "(10)",
                  "(11)=(12)+(13)", "(12)", "(13)", "(14)", "(15)", "(16)=((8)+(9))/(7)", "(17)=(4)/((4)+(5))",
                  "(18)", "(19)"]


def row_formulas(r: int) -> dict[int, str]:
    """The formula columns of data row ``r``: the three totals and the two rates."""
    return {
        3: f"=D{r}+E{r}+F{r}",
        7: f"=H{r}+I{r}+J{r}",
        11: f"=L{r}+M{r}",
        16: f'=IF(G{r}=0,"",(H{r}+I{r})/G{r})',
        17: f'=IF((D{r}+E{r})=0,"",D{r}/(D{r}+E{r}))',
    }


def _write_summary(ws: Sheet, stats: Statistics, digitised: list[DigitisationRow], office_parent: str,
                   place: str, today: date) -> int:
    """The official table; returns the total row's number. A write-only sheet: rows go in order."""
    _summary_frame(ws)
    _summary_titles(ws, stats, office_parent)
    _summary_headers(ws)
    total_row = _summary_rows(ws, stats, digitised)
    sign_row = _summary_footer(ws, total_row, place, today)
    ws.print_area = f"A1:{get_column_letter(len(SUMMARY_WIDTHS))}{sign_row + 5}"
    return total_row


def _summary_frame(ws: Sheet) -> None:
    """Column widths, frozen panes, page set-up and row heights: sheet properties precede the first row."""
    for i, width in enumerate(SUMMARY_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = f"C{FIRST_DATA_ROW}"
    _print_setup(ws, title_rows="5:8")  # sheet properties must precede the first row in write-only mode
    heights = {1: 30, 2: 40, 3: 18, 4: 16, 5: 30, 6: 34, 7: 62, 8: 30}
    for r, h in heights.items():
        ws.row_dimensions[r].height = h


def _period_line(stats: Statistics) -> str:
    """The period under the title ("Kỳ báo cáo: … (Từ ngày … đến ngày …)"), with the data's moment when the
    period is not over, the field, the rule."""
    p = stats.period
    line = p.describe()
    if stats.as_of < p.end:
        line += f" (số liệu đến {stats.as_of:%H:%M} ngày {stats.as_of:%d/%m/%Y})"
    if stats.field_code and stats.rows:
        line += f" – Lĩnh vực: {stats.rows[0].field_name}"
    if p.cutoff == "15th":
        line += " – theo Nghị định 09/2019/NĐ-CP"
    return line


def _summary_titles(ws: Sheet, stats: Statistics, office_parent: str) -> None:
    """Rows 1-4: the form's number and the reporting unit, the title, the period, the unit of count."""
    unit = stats.office_name if not office_parent else f"{office_parent} – {stats.office_name}"
    ws.append([_cell(ws, FORM_NUMBER, bold=True, align=_LEFT)] + [None] * 10
              + [_cell(ws, f"Đơn vị báo cáo: {unit}", bold=True, align=_LEFT)])
    for text, bold, size in ((REPORT_TITLE, True, 14), (_period_line(stats), False, 12)):
        ws.append([_cell(ws, text, bold=bold, size=size, align=_CENTER)])
    ws.append([_cell(ws, "Đơn vị tính: hồ sơ", italic=True, align=Alignment(horizontal="right"))])
    last_col = get_column_letter(len(SUMMARY_WIDTHS))
    _merge(ws, "A1:F1")
    _merge(ws, f"L1:{last_col}1")
    for r in (2, 3, 4):
        _merge(ws, f"A{r}:{last_col}{r}")


def _summary_headers(ws: Sheet) -> None:
    """Three header rows and the column numbers: every cell of a merged block is written with a border so
    the grid is whole."""
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
                   for c in range(1, len(SUMMARY_WIDTHS) + 1)])
    ws.append([_cell(ws, text, italic=True, size=9, align=_CENTER, border=True) for text in COLUMN_NUMBERS])


def _digitisation_cells(row: DigitisationRow | None) -> tuple[float, float | None]:
    """Columns R and S as values: the rate's base (dossiers received, whatever became of them) is no column
    of the table, so it cannot be a formula. A field with nothing received shows no rate, like P and Q."""
    if row is None or not row.total:
        return 0, None
    return row.digitised, row.digitised / row.total


def _summary_rows(ws: Sheet, stats: Statistics, digitised: list[DigitisationRow]) -> int:
    """One row per field, then the total row (sums and the same formulas); returns the total row's number."""
    ncols = len(SUMMARY_WIDTHS)
    by_field = {d.field_code: d for d in digitised}
    shown = [by_field[row.field_code] for row in stats.rows if row.field_code in by_field]
    r = FIRST_DATA_ROW
    for index, row in enumerate(stats.rows, 1):
        values: list[CellValue] = [None] * ncols
        values[0], values[1] = index, row.field_name
        for col, key in _VALUE_COLUMNS.items():
            values[col - 1] = getattr(row, key)
        for col, formula in row_formulas(r).items():
            values[col - 1] = formula
        values[DIGITISED_COLUMN - 1], values[DIGITISED_RATE_COLUMN - 1] = \
            _digitisation_cells(by_field.get(row.field_code))
        ws.append([_summary_cell(ws, c, v) for c, v in enumerate(values, 1)])
        r += 1
    total_row = r
    first, last = FIRST_DATA_ROW, total_row - 1
    values = ["Tổng cộng", None]
    for col in range(3, RATE_FIRST_COLUMN):
        letter = get_column_letter(col)
        values.append(f"=SUM({letter}{first}:{letter}{last})" if stats.rows else 0)
    formulas = row_formulas(total_row)
    values += [formulas[RATE_FIRST_COLUMN], formulas[RATE_FIRST_COLUMN + 1]]
    values += list(_digitisation_cells(DigitisationRow("", "", sum(d.digitised for d in shown),
                                                       sum(d.total for d in shown))))
    ws.append([_summary_cell(ws, c, v, total=True) for c, v in enumerate(values, 1)])
    _merge(ws, f"A{total_row}:B{total_row}")
    ws.row_dimensions[total_row].height = 20
    return total_row


def _summary_footer(ws: Sheet, total_row: int, place: str, today: date) -> int:
    """The note, the place and date, the two signatures; returns the signatures' first row."""
    last_col = get_column_letter(len(SUMMARY_WIDTHS))
    ws.append([])
    note = ("Ghi chú: cột (1)–(13) theo Biểu số 06/VPCP/KSTT (Thông tư 01/2020/TT-VPCP); cột (14)–(19) là cột "
            "bổ sung; (19) = (18) / số hồ sơ tiếp nhận trong kỳ (thành phần không phải số hóa không tính). "
            "(3) = (7) + (11) + (14) + (15) ở mọi dòng. Hồ sơ giải quyết quá hạn được tính theo hạn giải "
            "quyết theo quy định, kể cả khi đã có phiếu xin lỗi và đề nghị gia hạn thời gian giải quyết.")
    ws.append([_cell(ws, note, italic=True, size=10, align=_LEFT)])
    _merge(ws, f"A{total_row + 2}:{last_col}{total_row + 2}")
    ws.row_dimensions[total_row + 2].height = 30
    ws.append([])
    sign_row = total_row + 4
    place_line = f"{place + ', ' if place else ''}ngày {today.day:02d} tháng {today.month:02d} năm {today.year}"
    ws.append([None] * 10 + [_cell(ws, place_line, italic=True, align=_CENTER)])
    ws.append([None, _cell(ws, "NGƯỜI LẬP BIỂU", bold=True, align=_CENTER)] + [None] * 8
              + [_cell(ws, "THỦ TRƯỞNG ĐƠN VỊ", bold=True, align=_CENTER)])
    _merge(ws, f"K{sign_row}:{last_col}{sign_row}")
    _merge(ws, f"B{sign_row + 1}:E{sign_row + 1}")
    _merge(ws, f"K{sign_row + 1}:{last_col}{sign_row + 1}")
    return sign_row


def _summary_cell(ws: Sheet, col: int, value: CellValue, *, total: bool = False) -> Cell:
    if col == 1:
        return _cell(ws, value, bold=total, align=_CENTER, border=True, fill=_TOTAL_FILL if total else None)
    if col == 2:
        return _cell(ws, value, bold=total, align=_CENTER if total else _LEFT, border=True,
                     fill=_TOTAL_FILL if total else None)
    number_format = PERCENT_FORMAT if col in (16, 17, DIGITISED_RATE_COLUMN) else COUNT_FORMAT
    bold = total or col in (3, 7, 11)
    return _cell(ws, value, bold=bold, align=_RIGHT, border=True, number_format=number_format,
                 fill=_TOTAL_FILL if total else None)


# -- "Biểu đồ" ----------------------------------------------------------------------------------
def _write_charts(ws: Sheet, summary: Sheet, stats: Statistics, trend: list[TrendPoint],
                  total_row: int) -> None:
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


def _text_categories(chart: BarChart | LineChart, ref: Reference) -> None:
    """Category labels are text (field names, "10/2026"): a string reference, which Excel shows as is."""
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(ref)))


def _style_chart(chart: BarChart | LineChart) -> None:
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
_DAY = timedelta(days=1)
# Excel serial 0 at office time, in UTC like the detail rows' moments (same zone: a plain subtraction).
# The fixed offset, not LOCAL_TZ: 1899 is before the zone's +07:00.
_EXCEL_EPOCH = (datetime(1899, 12, 30) - OFFICE_UTC_OFFSET).replace(tzinfo=UTC)


def _serial(moment: datetime | None) -> float | None:
    """An aware moment → the Excel date serial of its office time (what the cell shows), in one subtraction."""
    return None if moment is None else (moment - _EXCEL_EPOCH) / _DAY


def _style_id(ws: Sheet, **style: Any) -> int:
    """The workbook's id of a cell style, for rows streamed by xlsx_rows."""
    return _cell(ws, None, **style).style_id


def _data_sheet(ws: Sheet, widths: list[int], header_row: int) -> None:
    """Column widths, frozen header and codes, before any row is written (write-only order)."""
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = f"C{header_row + 1}"
    _print_setup(ws, title_rows=f"{header_row}:{header_row}")


# -- the workbook -------------------------------------------------------------------------------
# The waiting room's sheet (D50) is ours, like the other additions after Biểu 06.
QUEUE_NOTE = "Bảng bổ sung (không thuộc Biểu 06): thời gian chờ và phục vụ theo phiếu số thứ tự"


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

    ``progress(done, total)`` counts detail rows; ``cancel()`` is asked between chunks and True
    raises ReportCancelled. No Qt: a worker thread or the CLI calls it. ``by`` must be a leader or
    admin: the detail sheets list applicants by name. The rows are streamed first (inside one
    snapshot with the numbers), the sheets' frames, table and charts written after them.
    """
    require(by, Role.LEADER)
    target = Path(path)
    p = as_period(period, cutoff)
    wb = Workbook(write_only=True)
    sheets = [wb.create_sheet(name) for name in (SHEET_SUMMARY, SHEET_CHARTS, SHEET_DETAIL, SHEET_OVERDUE,
                                                 SHEET_SATISFACTION, SHEET_SCORECARD, SHEET_QUEUE)]
    streams: list[xlsx_rows.SheetRows] = []
    try:
        detail = xlsx_rows.SheetRows(SHEET_DETAIL, first_row=2)
        streams.append(detail)
        overdue = xlsx_rows.SheetRows(SHEET_OVERDUE, first_row=OVERDUE_HEADER_ROW + 1)
        streams.append(overdue)
        with snapshot():
            stats = compute_statistics(p, field_code=field_code, clock=clock)
            _check_cancel(cancel)
            trend = monthly_trend(p, p.cutoff, 12, field_code=field_code)
            _check_cancel(cancel)
            digitised = list(period_digitisation(stats, actor=by).rows)
            rated = satisfaction(p, by=by)
            card = compute_scorecard(p, by=by, clock=clock)
            waiting = queue_rows(p.first_day, p.last_day, clock=clock)
            _check_cancel(cancel)
            _stream_rows(sheets[2], detail, overdue, stats, progress, cancel, by)
        _check_cancel(cancel)
        office = current_office()
        today = (clock or Clock()).now().astimezone(LOCAL_TZ).date()
        # The target's folder is checked first: openpyxl's sheets, once begun, end only in a save.
        with files.atomic_path(target) as temp:
            total_row = _write_summary(sheets[0], stats, digitised, office.parent_name, office.place_name, today)
            _write_charts(sheets[1], sheets[0], stats, trend, total_row)
            _detail_frame(sheets[2], detail)
            _overdue_frame(sheets[3], overdue, stats)
            _write_satisfaction(sheets[4], rated, stats.office_name)
            _write_scorecard(sheets[5], card)
            write_queue_sheet(sheets[6], waiting, p.first_day, p.last_day, QUEUE_NOTE)
            xlsx_rows.save(wb, temp, streams, clock=clock)
    except OSError as exc:  # the sheet scratch files in the temporary folder
        raise files.write_error(target, exc) from exc
    finally:
        for stream in streams:
            stream.discard()
    return target


def _check_cancel(cancel: Callable[[], bool] | None) -> None:
    if cancel is not None and cancel():
        raise ReportCancelled(_("The report was cancelled; no file was written."))


def _stream_rows(ws: Sheet, detail: xlsx_rows.SheetRows, overdue: xlsx_rows.SheetRows, stats: Statistics,
                 progress: Callable[[int, int], None] | None, cancel: Callable[[], bool] | None,
                 by: Actor) -> None:
    """The detail and overdue rows, chunk by chunk; the counts must equal the table's."""
    text = _style_id(ws, border=True, align=Alignment(vertical="center"))
    number = _style_id(ws, border=True, align=_RIGHT, number_format=COUNT_FORMAT)
    moment = _style_id(ws, border=True, align=_CENTER, number_format=DATETIME_FORMAT)
    detail_styles = [number] + [text] * (len(DETAIL_HEADER) - 1)
    for col in DETAIL_DATES:
        detail_styles[col] = moment
    overdue_styles = [number] + [text] * (len(OVERDUE_HEADER) - 1)
    for col in OVERDUE_DATES:
        overdue_styles[col] = moment
    overdue_styles[9] = number

    calendar = load_calendar(current_office())
    as_of_day = (stats.as_of - timedelta(seconds=1)).date()
    late_days: dict[date, int] = {}
    total = stats.total.received_total
    done = 0
    if progress:
        progress(0, total)
    with closing(detail_rows(stats, CHUNK, by=by)) as chunks:  # a cancel closes the cursor inside the snapshot
        for rows in chunks:
            _check_cancel(cancel)
            for row in rows:
                done += 1
                status = STATUS_VI.get(row.status, row.status)
                detail.append([
                    done, row.code, row.field_name, row.procedure_name, row.applicant_name,
                    CHANNEL_VI.get(row.channel, row.channel), row.reception_point, _serial(row.received_at),
                    _serial(row.due_at), _serial(row.resolved_at), _serial(row.returned_at), status,
                    CARRIED_LABEL if row.carried_over else NEW_LABEL, OUTCOME_VI[row.outcome],
                ], detail_styles)
                if row.outcome == Outcome.OVERDUE:
                    due_day = local_date(row.due_at)
                    days = late_days.get(due_day)
                    if days is None:
                        days = late_days[due_day] = _working_days_late(calendar, due_day, as_of_day)
                    overdue.append([
                        overdue.count + 1, row.code, row.field_name, row.procedure_name, row.applicant_name,
                        row.phone, _serial(row.received_at), _serial(row.due_at), _serial(row.appointment_at),
                        days, row.handler or "", status,
                    ], overdue_styles)
            if progress:
                progress(done, total)
    _check_cancel(cancel)
    if done != total or overdue.count != stats.total.pending_overdue:  # impossible in one snapshot
        raise DeskError(_("The report's detail rows ({rows}) do not match its table ({total}); "
                          "nothing was written. Please report this problem.").format(rows=done, total=total))


def _detail_frame(ws: Sheet, rows: xlsx_rows.SheetRows) -> None:
    """"Chi tiết" around its streamed rows: widths, panes, filter, print set-up and the header row."""
    _data_sheet(ws, DETAIL_WIDTHS, 1)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(DETAIL_HEADER))}{rows.last_row}"
    ws.row_dimensions[1].height = 32
    ws.append([_cell(ws, h, bold=True, align=_CENTER, border=True, fill=_HEADER_FILL) for h in DETAIL_HEADER])


def _overdue_frame(ws: Sheet, rows: xlsx_rows.SheetRows, stats: Statistics) -> None:
    """"Quá hạn": its title, the unit and count line and the header row above the streamed rows."""
    _data_sheet(ws, OVERDUE_WIDTHS, OVERDUE_HEADER_ROW)
    last_col = get_column_letter(len(OVERDUE_HEADER))
    ws.auto_filter.ref = f"A{OVERDUE_HEADER_ROW}:{last_col}{rows.last_row}"
    _merge(ws, f"A1:{last_col}1")
    _merge(ws, f"A2:{last_col}2")
    ws.row_dimensions[1].height = 22
    ws.row_dimensions[OVERDUE_HEADER_ROW].height = 45
    as_of_day = (stats.as_of - timedelta(seconds=1)).date()
    count = f"{stats.total.pending_overdue:,}".replace(",", ".")
    ws.append([_cell(ws, "DANH SÁCH HỒ SƠ QUÁ HẠN ĐANG GIẢI QUYẾT", bold=True, size=14)])
    ws.append([_cell(ws, f"Đơn vị: {stats.office_name}. Tính đến hết ngày {as_of_day:%d/%m/%Y}: {count} hồ sơ.",
                     italic=True)])
    ws.append([_cell(ws, h, bold=True, align=_CENTER, border=True, fill=_HEADER_FILL) for h in OVERDUE_HEADER])


def _working_days_late(calendar: WorkCalendar, due_day: date, as_of_day: date) -> int:
    """Working days after the due date up to the report day: 0 = overdue since less than a working day."""
    return calendar.count_working_days(due_day, as_of_day) if as_of_day > due_day else 0


# -- "Mức độ hài lòng" and "Bộ chỉ số 766": our additions (issue 13, D49) ---------------------------
ADDITIONS_NOTE = "Số liệu bổ sung (không thuộc Biểu 06)"
SATISFACTION_TITLE = "MỨC ĐỘ HÀI LÒNG CỦA NGƯỜI DÂN, TỔ CHỨC"
SATISFACTION_HEADER = [*(RATING_VI[level] for level in RatingLevel), "Số lượt đánh giá", "Tỷ lệ hài lòng (%)"]
SATISFACTION_WIDTHS = [6, 34, 13, 13, 15, 14, 14]
SATISFACTION_HEADER_ROW = 4  # the fields' table; the clerks' follows it after one empty row
SCORECARD_TITLE = "BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP (QUYẾT ĐỊNH 766/QĐ-TTg)"
SCORECARD_HEADER_ROW = 4
SCORECARD_FIRST_MONTH_COLUMN = 4  # D: the oldest month; A criterion, B indicator, C definition
_COUNT_INDICATORS = ("overdue", "ratings")


def _satisfaction_table(ws: Sheet, caption: str, rows: tuple[SatisfactionRow, ...], total: SatisfactionRow) -> None:
    ws.append([_cell(ws, h, bold=True, align=_CENTER, border=True, fill=_HEADER_FILL)
               for h in ["TT", caption, *SATISFACTION_HEADER]])
    for index, row in enumerate((*rows, total), 1):
        last = index == len(rows) + 1
        fill = _TOTAL_FILL if last else None
        values: list[CellValue] = [row.very_satisfied, row.satisfied, row.dissatisfied, row.ratings]
        ws.append([_cell(ws, None if last else index, bold=last, align=_CENTER, border=True, fill=fill),
                   _cell(ws, "Tổng cộng" if last else row.name, bold=last, align=_LEFT, border=True, fill=fill)]
                  + [_cell(ws, v, bold=last, align=_RIGHT, border=True, number_format=COUNT_FORMAT, fill=fill)
                     for v in values]
                  + [_cell(ws, row.rate, bold=last, align=_RIGHT, border=True, number_format=PERCENT_FORMAT,
                           fill=fill)])


def _write_satisfaction(ws: Sheet, rated: Satisfaction, office_name: str) -> None:
    """Ratings given in the period per field, then per clerk who returned the result: the three levels,
    their number and the rate (very satisfied + satisfied) / ratings."""
    for i, width in enumerate(SATISFACTION_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    _print_setup(ws, landscape=False)
    ws.append([_cell(ws, SATISFACTION_TITLE, bold=True, size=14)])
    ws.append([_cell(ws, f"Đơn vị: {office_name}. {rated.period.describe()}. {ADDITIONS_NOTE}.", italic=True)])
    ws.append([_cell(ws, "Tỷ lệ hài lòng = (rất hài lòng + hài lòng) / số lượt đánh giá; mỗi hồ sơ được đánh giá "
                         "một lần, sau khi trả kết quả; tính theo ngày đánh giá.", italic=True, size=10)])
    _satisfaction_table(ws, "Lĩnh vực", rated.by_field, rated.total)
    ws.append([])
    clerks_total = SatisfactionRow("", "Tổng cộng", sum(r.very_satisfied for r in rated.by_clerk),
                                   sum(r.satisfied for r in rated.by_clerk), sum(r.dissatisfied for r in rated.by_clerk))
    _satisfaction_table(ws, "Cán bộ trả kết quả", rated.by_clerk, clerks_total)


def _write_scorecard(ws: Sheet, card: Scorecard) -> None:
    """The indicators (rows) over the months (columns), each with its criterion and definition."""
    widths = [20, 26, 48] + [10] * len(card.months)
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = f"D{SCORECARD_HEADER_ROW + 1}"
    _print_setup(ws, fit_height=1)
    for r in range(SCORECARD_HEADER_ROW + 1, SCORECARD_HEADER_ROW + 1 + len(card.indicators)):
        ws.row_dimensions[r].height = 48
    ws.append([_cell(ws, SCORECARD_TITLE, bold=True, size=14)])
    ws.append([_cell(ws, f"Đơn vị: {card.office_name}. {card.describe()}. {ADDITIONS_NOTE}.", italic=True)])
    ws.append([])
    ws.append([_cell(ws, h, bold=True, align=_CENTER, border=True, fill=_HEADER_FILL)
               for h in ["Nhóm tiêu chí", "Chỉ số", "Định nghĩa", *(m.period.label for m in card.months)]])
    for indicator in card.indicators:
        number_format = COUNT_FORMAT if indicator.key in _COUNT_INDICATORS else PERCENT_FORMAT
        ws.append([_cell(ws, indicator.criterion, align=_LEFT, border=True),
                   _cell(ws, indicator.name, bold=True, align=_LEFT, border=True),
                   _cell(ws, indicator.definition, size=9, align=_LEFT, border=True)]
                  + [_cell(ws, m.value(indicator.key), align=_RIGHT, border=True, number_format=number_format)
                     for m in card.months])
    ws.append([])
    running = [m for m in card.months if m.as_of < m.period.end]
    note = "Ô trống: chưa có số liệu để tính tỷ lệ (mẫu số bằng 0)."
    if running:
        last = running[-1]
        note += f" Tháng {last.period.label}: số liệu đến {last.as_of:%H:%M} ngày {last.as_of:%d/%m/%Y}."
    ws.append([_cell(ws, note, italic=True, size=10)])
