"""Mẫu 06 of Circular 01/2018/TT-VPCP: the log book of the dossiers received in a date range.

Landscape A4 with the column headings repeated on every page; the rows are plain text written as
one piece of XML, so a month of a busy office is written in a moment.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from desk.errors import ValidationError
from desk.i18n import _
from desk.models import Dossier, DossierEvent, Procedure
from desk.models.rows import tuples
from desk.services.accounts import Actor, require
from desk.services.clock import LOCAL_TZ, Clock, from_db, to_db
from desk.services.documents._blocks import Form, header, title
from desk.services.documents._kit import (
    LAYOUTS,
    cant_split,
    cell_margins,
    fast_rows,
    fill,
    new_document,
    para,
    repeat_header,
    save,
    set_widths,
)
from desk.services.documents._wording import short_date, two
from desk.services.dossiers import Status, classify
from desk.services.kinds import Role
from desk.services.limits import day_problem
from desk.services.office import current_office, require_set_up

NUMBER = "06"
TITLE = "SỔ THEO DÕI HỒ SƠ"
MAX_LOG_ROWS = 20_000  # a bigger log book belongs in a spreadsheet export; ask for a shorter range
LOG_HEADERS = [
    "STT", "Mã hồ sơ", "Tên TTHC", "Số lượng hồ sơ (bộ)", "Tên cá nhân, tổ chức", "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết", "Ngày nhận hồ sơ", "Ngày hẹn trả kết quả", "Ngày chuyển hồ sơ",
    "Ngày có kết quả/ chuyển trả hồ sơ", "Ngày trả kết quả/ hồ sơ", "Ký nhận", "Ghi chú",
]
LOG_WIDTHS = [0.8, 2.55, 2.7, 1.1, 2.3, 3.0, 2.2, 1.75, 1.75, 1.75, 1.75, 1.75, 1.2, 1.6]


def _log_note(status: str, due: datetime, appointment: datetime, resolved: datetime | None,
              closed: datetime | None, at: datetime) -> str:
    notes = []
    if status == Status.REFUSED:
        notes.append("Từ chối tiếp nhận")
    elif status == Status.WITHDRAWN:
        notes.append("Rút hồ sơ")
    elif status == Status.NEEDS_SUPPLEMENT:
        notes.append("Chờ bổ sung")
    if appointment != due:
        notes.append(f"Xin lỗi, hẹn lại {short_date(appointment)}")
    outcome = classify(status, due, resolved, closed, at)
    if outcome in ("late", "overdue"):
        notes.append("Quá hạn")
    return "; ".join(notes)


def log_rows(date_from: date, date_to: date, at: datetime, *, actor: Actor) -> list[list[str]]:
    """The log book lines of dossiers received in [date_from, date_to] (office days), oldest first.

    Two queries whatever the range: the dossiers, then the hand-over times of all of them. Names,
    addresses and phone numbers: staff only.
    """
    require(actor, Role.CLERK)
    problems = {key: problem for key, day, label in (("date_from", date_from, _("The start date")),
                                                     ("date_to", date_to, _("The end date")))
                if (problem := day_problem(day, label))}
    if problems:
        raise ValidationError(problems)
    if date_to < date_from:
        raise ValidationError({"range": _("The end date is before the start date")})
    start = to_db(datetime.combine(date_from, time.min, LOCAL_TZ))
    end = to_db(datetime.combine(date_to + timedelta(days=1), time.min, LOCAL_TZ))
    in_range = (Dossier.received_at >= start) & (Dossier.received_at < end)
    office = current_office()
    query = (Dossier.select(Dossier.id, Dossier.code, Procedure.name, Dossier.sets, Dossier.applicant_name,
                            Dossier.address, Dossier.phone, Dossier.received_at, Dossier.due_at,
                            Dossier.appointment_at, Dossier.status, Dossier.resolved_at, Dossier.returned_at,
                            Dossier.closed_at)
             .join(Procedure).where(in_range).order_by(Dossier.received_at, Dossier.id)
             .limit(MAX_LOG_ROWS + 1))
    dossiers = list(tuples(query))
    if len(dossiers) > MAX_LOG_ROWS:
        raise ValidationError({"range": _("More than {count} dossiers in this range; choose a shorter period")
                               .format(count=f"{MAX_LOG_ROWS:,}")})
    sent: dict[int, datetime] = {}
    moves = (DossierEvent.select(DossierEvent.dossier, DossierEvent.at).join(Dossier)
             .where(in_range & (DossierEvent.from_status == Status.RECEIVED)
                    & (DossierEvent.to_status == Status.PROCESSING)))
    for dossier_id, moved_at in tuples(moves):
        sent.setdefault(dossier_id, moved_at)
    rows = []
    for i, (dossier_id, code, procedure, sets, name, address, phone, received, due, appointment, status,
            resolved, returned, closed) in enumerate(dossiers, start=1):
        received, due, appointment = from_db(received), from_db(due), from_db(appointment)
        resolved, returned, closed = from_db(resolved), from_db(returned), from_db(closed)
        contact = ", ".join(x for x in (address, phone) if x)
        handed_back = closed if status in (Status.REFUSED, Status.WITHDRAWN) else None
        rows.append([
            str(i), code, procedure, two(sets), name, contact, office.name,
            short_date(received), short_date(due), short_date(from_db(sent.get(dossier_id))),
            short_date(resolved or handed_back), short_date(returned or handed_back), "",
            _log_note(status, due, appointment, resolved, closed, at),
        ])
    return rows


def log_book(date_from: date, date_to: date, out: Path | str, *, actor: Actor,
             clock: Clock | None = None) -> Path:
    """Mẫu 06, the log book of dossiers received in a date range: landscape A4, header on every page."""
    at = (clock or Clock()).now()
    require(actor, Role.CLERK)
    office = require_set_up()
    rows = log_rows(date_from, date_to, at, actor=actor)
    layout = LAYOUTS["A4-landscape"]
    doc = new_document(layout, landscape=True)
    header(doc, layout, office, None, at.astimezone(LOCAL_TZ).date())
    span = f"Từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}"
    title(doc, layout, TITLE, f"Quyển số: {date_from.year}. {span}")
    size = layout.small
    table = doc.add_table(rows=2, cols=len(LOG_HEADERS))
    table.style = doc.styles["Table Grid"]
    cell_margins(table, 0.07, 0.02)
    names, numbers = table.rows[0].cells, table.rows[1].cells  # table.cell() re-walks the grid each call
    for i, text in enumerate(LOG_HEADERS):
        fill(names[i], text, bold=True, align="center", size=size)
        fill(numbers[i], f"({i + 1})", italic=True, align="center", size=size)
    for row in table.rows:
        repeat_header(row)
        cant_split(row)
    set_widths(table, LOG_WIDTHS)
    fast_rows(table, rows, LOG_WIDTHS, size, center={0, 3, 7, 8, 9, 10, 11})
    if not rows:
        para(doc, "Không có hồ sơ nào được tiếp nhận trong thời gian này.", italic=True, align="center", before=6)
    name = f"mau{NUMBER}_so_theo_doi_{date_from:%Y%m%d}-{date_to:%Y%m%d}.docx"
    return save(doc, out, name)


FORMS = (Form(NUMBER, TITLE, None),)  # not per dossier: log_book() takes a date range
