"""The waiting room's figures as a worksheet (D50): per field and day, per field for the period, and in total.

Kept apart from report_workbook.py: ``add_queue_sheet`` adds the sheet to any openpyxl workbook (the monthly
report's, write-only, included), ``write_queue_workbook`` writes it alone for a date range. The words are
Vietnamese, as on the monthly report; times are minutes with one decimal.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from desk.errors import ValidationError
from desk.i18n import _
from desk.services import files
from desk.services.accounts import Actor, require
from desk.services.clock import Clock
from desk.services.kinds import Role
from desk.services.queue import QueueFigures, queue_figures

SHEET_QUEUE = "Thời gian chờ"
QUEUE_HEADERS = ("Ngày", "Lĩnh vực", "Số phiếu", "Đã phục vụ", "Vắng mặt khi gọi", "Về khi chưa được phục vụ",
                 "Chờ trung bình (phút)", "Chờ P90 (phút)", "Phục vụ trung bình (phút)", "Phục vụ P90 (phút)")
PERIOD = "Cả kỳ"
TOTAL = "Tổng cộng"
MAX_DAYS = 400


def merged(rows: list[QueueFigures], group: str, name: str, day: date | None = None) -> QueueFigures:
    """Several rows' tickets as one (a period per field, or every field): the lists joined, not averaged."""
    out = QueueFigures(group, name, day)
    for row in rows:
        out.tickets += row.tickets
        out.served += row.served
        out.skipped += row.skipped
        out.left += row.left
        out.waits += row.waits
        out.services += row.services
    return out


def _minutes(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _cells(first: str, row: QueueFigures) -> list[Any]:
    return [first, row.group_name, row.tickets, row.served, row.skipped, row.left, _minutes(row.wait_average),
            _minutes(row.wait_p90), _minutes(row.service_average), _minutes(row.service_p90)]


def queue_rows(date_from: date, date_to: date, *, clock: Clock | None = None) -> list[list[Any]]:
    """The sheet's rows under its headers: each day's fields, then each field for the period, then the total."""
    if date_to < date_from or (date_to - date_from).days > MAX_DAYS:
        raise ValidationError({"period": _("Choose a period of at most {days} days, its end not before its start")
                               .format(days=MAX_DAYS)})
    daily = queue_figures(date_from, date_to, clock=clock)
    out = [_cells(f"{row.day:%d/%m/%Y}", row) for row in daily]
    groups: dict[str, list[QueueFigures]] = {}
    for row in daily:
        groups.setdefault(row.group, []).append(row)
    for code, rows in groups.items():
        out.append(_cells(PERIOD, merged(rows, code, rows[0].group_name)))
    out.append(_cells(TOTAL, merged(daily, "", "Tất cả lĩnh vực")))
    return out


def add_queue_sheet(wb: Workbook, date_from: date, date_to: date, *, clock: Clock | None = None) -> None:
    """Append the sheet to ``wb`` (a write-only workbook too); call inside the caller's checked export."""
    write_queue_sheet(wb.create_sheet(SHEET_QUEUE), queue_rows(date_from, date_to, clock=clock), date_from, date_to)


def write_queue_sheet(ws: Any, rows: list[list[Any]], date_from: date, date_to: date, note: str = "") -> None:
    """The sheet's title, an optional note line, the headers and ``rows`` (queue_rows, read beforehand: the
    monthly report reads them inside its snapshot with the other figures)."""
    ws.append([f"THỜI GIAN CHỜ VÀ THỜI GIAN PHỤC VỤ TẠI BỘ PHẬN MỘT CỬA, TỪ {date_from:%d/%m/%Y} ĐẾN "
               f"{date_to:%d/%m/%Y}"])
    if note:
        ws.append([note])
    ws.append(list(QUEUE_HEADERS))
    for row in rows:
        ws.append(row)


def write_queue_workbook(out: Path | str, date_from: date, date_to: date, *, by: Actor,
                         clock: Clock | None = None) -> Path:
    """The waiting-time sheet alone as an .xlsx (leaders, like the monthly report); whole or not at all."""
    require(by, Role.LEADER)
    target = Path(out)
    wb = Workbook(write_only=True)
    add_queue_sheet(wb, date_from, date_to, clock=clock)
    data = io.BytesIO()
    wb.save(data)
    files.write_bytes(target, data.getvalue())
    return target
