"""Mẫu 07 of Circular 03/2025/TT-VPCP (Phụ lục I; Mẫu 06 of Circular 01/2018): the log book of the dossiers
received in a date range, for all fields or one field or group of fields.

Landscape A4 with the column headings repeated on every page; the rows are plain text written as
one piece of XML, so a month of a busy office is written in a moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path

from desk.errors import ValidationError
from desk.i18n import _
from desk.models import Dossier, Field, Procedure
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
from desk.services.documents._wording import short_date
from desk.services.dossiers import Status, classify
from desk.services.kinds import Channel, Role
from desk.services.limits import day_problem
from desk.services.office import current_office, require_set_up

NUMBER = "07"
TITLE = "SỔ THEO DÕI HỒ SƠ"
MAX_LOG_ROWS = 20_000  # a bigger log book belongs in a spreadsheet export; ask for a shorter range
LOG_HEADERS = [
    "STT", "Mã hồ sơ", "Tên TTHC", "Tên tổ chức, cá nhân", "Địa chỉ, số điện thoại", "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ", "Hẹn trả kết quả", "Trả kết quả", "Phương thức nhận kết quả", "Ký nhận", "Ghi chú",
]
LOG_WIDTHS = [0.8, 2.7, 3.6, 2.6, 3.4, 2.3, 1.75, 1.75, 1.75, 2.0, 1.6, 1.95]
# How the result goes back, from how the dossier came in (a dossier records no separate choice, D44)
METHODS: dict[str, str] = {Channel.ONLINE: "Trực tuyến", Channel.POSTAL: "Qua bưu chính"}


def _log_note(status: str, due: datetime, appointment: datetime, resolved: datetime | None,
              closed: datetime | None, at: datetime) -> str:
    notes = []
    if status == Status.REFUSED:
        notes.append("Từ chối tiếp nhận")
    elif status == Status.WITHDRAWN:
        notes.append("Rút hồ sơ")
    elif status == Status.STOPPED:
        notes.append("Dừng giải quyết")
    elif status == Status.NEEDS_SUPPLEMENT:
        notes.append("Chờ bổ sung")
    if appointment != due:
        notes.append(f"Gia hạn đến {short_date(appointment)}")
    outcome = classify(status, due, resolved, closed, at)
    if outcome in ("late", "overdue"):
        notes.append("Quá hạn")
    return "; ".join(notes)


def _book_fields(codes: Sequence[str]) -> list[tuple[int, str]]:
    """The fields (id, name) a book is kept for, in the catalog's order; unknown codes are an error."""
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not wanted:
        return []
    found = {code: (fid, name) for fid, code, name in tuples(
        Field.select(Field.id, Field.code, Field.name).where(Field.code.in_(wanted))
        .order_by(Field.sort_order, Field.id))}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise ValidationError({"field": _("Unknown field {field}").format(field=", ".join(unknown))})
    return [found[c] for c in wanted]


def log_rows(date_from: date, date_to: date, at: datetime, *, actor: Actor,
             fields: Sequence[str] = ()) -> list[list[str]]:
    """The log book lines of dossiers received in [date_from, date_to] (office days), oldest first.

    One query for the dossiers whatever the range (and one for the fields when ``fields``, field
    codes, keeps the book to one field or a group of them). Names, addresses and phone numbers:
    staff only.
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
    chosen = _book_fields(fields)
    if chosen:
        in_range &= Procedure.field.in_([fid for fid, _name in chosen])
    office = current_office()
    query = (Dossier.select(Dossier.code, Procedure.name, Dossier.applicant_name, Dossier.address, Dossier.phone,
                            Dossier.channel, Dossier.received_at, Dossier.due_at,
                            Dossier.appointment_at, Dossier.status, Dossier.resolved_at, Dossier.returned_at,
                            Dossier.closed_at)
             .join(Procedure).where(in_range).order_by(Dossier.received_at, Dossier.id)
             .limit(MAX_LOG_ROWS + 1))
    dossiers = list(tuples(query))
    if len(dossiers) > MAX_LOG_ROWS:
        raise ValidationError({"range": _("More than {count} dossiers in this range; choose a shorter period")
                               .format(count=f"{MAX_LOG_ROWS:,}")})
    rows = []
    for i, (code, procedure, name, address, phone, channel, received, due, appointment, status, resolved,
            returned, closed) in enumerate(dossiers, start=1):
        received, due, appointment = from_db(received), from_db(due), from_db(appointment)
        resolved, returned, closed = from_db(resolved), from_db(returned), from_db(closed)
        contact = ", ".join(x for x in (address, phone) if x)
        handed_back = closed if status in (Status.REFUSED, Status.WITHDRAWN, Status.STOPPED) else None
        rows.append([
            str(i), code, procedure, name, contact, office.name, short_date(received), short_date(due),
            short_date(returned or handed_back), METHODS.get(channel, "Trực tiếp"), "",
            _log_note(status, due, appointment, resolved, closed, at),
        ])
    return rows


def log_book(date_from: date, date_to: date, out: Path | str, *, actor: Actor,
             clock: Clock | None = None, fields: Sequence[str] = ()) -> Path:
    """Mẫu 07, the log book of dossiers received in a date range: landscape A4, header on every page.

    Circular 03/2025 keeps one book per field or group of fields: ``fields`` (field codes) keeps
    the book to those, named under the title; empty, the book holds every field.
    """
    at = (clock or Clock()).now()
    require(actor, Role.CLERK)
    office = require_set_up()
    rows = log_rows(date_from, date_to, at, actor=actor, fields=fields)
    chosen = _book_fields(fields)
    layout = LAYOUTS["A4-landscape"]
    doc = new_document(layout, landscape=True)
    header(doc, layout, office, None, at.astimezone(LOCAL_TZ).date())
    span = f"Từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}"
    scope = f"Lĩnh vực: {'; '.join(name for _fid, name in chosen)}. " if chosen else ""
    title(doc, layout, TITLE, f"{scope}Quyển số: {date_from.year}. {span}")
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
    fast_rows(table, rows, LOG_WIDTHS, size, center={0, 6, 7, 8, 9})
    if not rows:
        para(doc, "Không có hồ sơ nào được tiếp nhận trong thời gian này.", italic=True, align="center", before=6)
    group = "".join(f"_{code.strip()}" for code in dict.fromkeys(fields) if code.strip())
    name = f"mau{NUMBER}_so_theo_doi_{date_from:%Y%m%d}-{date_to:%Y%m%d}{group}.docx"
    return save(doc, out, name)


FORMS = (Form(NUMBER, TITLE, None),)  # not per dossier: log_book() takes a date range
