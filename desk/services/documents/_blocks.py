"""The blocks the forms share: the dossier as a slip reads it, the header, title, lines, signatures, codes.

Layout follows Decree 30/2020 on administrative documents: the issuing body top left and the
national motto top right, the place and date under the motto.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import segno
from docx.blkcntnr import BlockItemContainer
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.shared import Cm

from desk.models import Office, Procedure
from desk.services.accounts import SYSTEM
from desk.services.barcode import code128_png, module_count
from desk.services.clock import LOCAL_TZ, Clock, aware
from desk.services.documents._kit import (
    Layout,
    cant_split,
    cell_margins,
    fill,
    first_paragraph,
    para,
    run,
    set_widths,
    short_rule,
)
from desk.services.documents._wording import honorific, long_date
from desk.services.dossiers import DossierInfo, EventInfo, dossier_row, to_info
from desk.services.office import require_set_up

BLANK = "…………………………"
# Under the header of every document of a demo office (office.demo, D27).
DEMO_MARK = "DỮ LIỆU MẪU ĐỂ DÙNG THỬ - KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"
SIGN_NOTE = "(Ký và ghi rõ họ tên)"


@dataclass(frozen=True)
class Form:
    """One form of the circular: its number, its title, and how to write it for one dossier.

    ``write`` is ``write(code, out, *, actor, **options) -> Path``; None for a form that is not
    per dossier (the log book covers a date range and has its own entry point).
    """

    number: str
    title: str
    write: Callable[..., Path] | None


def person(name: str) -> str:
    """An actor's name for print; the built-in system account is nobody's signature."""
    return "" if not name or name == SYSTEM.full_name else name


def event_moment(data: object, key: str) -> datetime | None:
    """An ISO datetime stored in an event's JSON data; None when missing or unreadable."""
    try:
        return aware(datetime.fromisoformat(data[key]))  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class SlipDossier:
    """A dossier with what its slips print beside it: the office, the procedure, where to collect the result."""

    info: DossierInfo
    office: Office
    procedure: Procedure
    return_point: str
    return_address: str


def load_dossier(code: str) -> SlipDossier:
    """The dossier ``code`` for a slip; refused while the office has not been given its identity."""
    office = require_set_up()  # no official document under an identity nobody gave (D27)
    row = dossier_row(code)
    point = row.return_point
    return SlipDossier(to_info(row), office, row.procedure, point.name if point else office.name,
                       (point.address if point else office.address) or "")


def header(doc: DocxDocument, layout: Layout, office: Office, code: str | None, when: date) -> None:
    """Issuing body top left, national motto top right, then the dossier code and the place and date."""
    widths = list(layout.header_cols)
    table = doc.add_table(rows=2, cols=2)
    set_widths(table, widths, indent=layout.header_indent)
    cell_margins(table, 0.05)
    left, right = table.cell(0, 0), table.cell(0, 1)
    size = layout.head
    parent = " ".join((office.parent_name or "").split()).upper()
    if parent:  # without a superior line the office stands alone at the top, no empty line above it
        fill(left, parent, align="center", size=size)
        para(left, office.name.upper(), bold=True, align="center", size=size)
    else:
        fill(left, office.name.upper(), bold=True, align="center", size=size)
    unit = para(left, "BỘ PHẬN TIẾP NHẬN", bold=True, align="center", size=size)
    unit.runs[0].add_break()  # a balanced two-line name: the column is too narrow for one line
    run(unit, "VÀ TRẢ KẾT QUẢ", bold=True, size=size)
    short_rule(left, 2.5, widths[0])
    fill(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, align="center", size=size)
    motto = para(right, "", align="center")
    run(motto, "Độc lập - Tự do - Hạnh phúc", bold=True, underline=True, size=size + 1)
    if code:
        fill(table.cell(1, 0), f"Mã hồ sơ: {code}", align="center", size=size, before=4)
    place = office.place_name or BLANK
    fill(table.cell(1, 1), f"{place}, {long_date(when)}", italic=True, align="center", size=size + 1, before=4)
    if office.demo:  # a database for trying the program: nothing it prints may pass for a real paper
        para(doc, DEMO_MARK, bold=True, align="center", size=size + 1, before=4)


def title(doc: DocxDocument, layout: Layout, text: str, subtitle: str = "") -> None:
    """The form's title in capitals, and the line under it some forms have; both kept with what follows."""
    para(doc, text, bold=True, align="center", size=layout.title, before=14, after=0 if subtitle else 10,
         keep_next=True)
    if subtitle:
        para(doc, subtitle, italic=True, align="center", after=10, keep_next=True)


def line(doc: DocxDocument, layout: Layout, label: str, value: str, *, after: float | None = None,
         bold_value: bool = False) -> None:
    """A label and its value on one line; a dotted line where the value is missing, to fill in by hand."""
    p = para(doc, after=layout.gap if after is None else after)
    run(p, label)
    run(p, value or BLANK, bold=bold_value)


def signatures(doc: DocxDocument, layout: Layout, blocks: list[tuple[str, str, str]], *, before: float = 10,
               keep_with_next: bool = False) -> None:
    """Signature blocks side by side: bold role, italic note, room to sign, the printed name.

    ``keep_with_next`` keeps them on the page of what follows (the receipt's QR code).
    """
    cols = 2
    table = doc.add_table(rows=1, cols=cols)
    half = round(layout.text_width / 2, 2)
    set_widths(table, [half, round(layout.text_width - half, 2)])
    start = cols - len(blocks)  # a single block sits on the right, as in the forms
    for offset, (role, note, name) in enumerate(blocks):
        cell = table.cell(0, start + offset)
        fill(cell, role, bold=True, align="center", before=before)
        para(cell, note, italic=True, align="center", size=layout.head, after=layout.sign_gap)
        para(cell, name, bold=True, align="center")
    cant_split(table.rows[0])
    if keep_with_next:
        for cell in table.rows[0].cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def qr_image(payload: str) -> tuple[bytes, float]:
    """The QR code PNG and its printed width (cm) for a symbol of at least 3 cm plus its quiet zone."""
    qr = segno.make(payload, error="m", micro=False)
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=10, border=4)
    side = qr.symbol_size(scale=1, border=4)[0]
    return buf.getvalue(), 3.1 * side / (side - 8)  # the image includes 4 quiet modules on each side


CODES_CAPTION = "Quét mã để tra cứu tình trạng hồ sơ; xuất trình giấy này khi nhận kết quả."


def _barcode_lines(cell: BlockItemContainer, layout: Layout, payload: str, width_cm: float) -> None:
    """Code 128 of the payload (~0.21 mm a module, fine for laser and imager scanners), then its text."""
    bar_cm = min(0.21 * module_count(payload) / 10, 9.0, width_cm - 0.2)
    p = fill(cell, "", align="center")
    p.add_run().add_picture(io.BytesIO(code128_png(payload)), width=Cm(bar_cm), height=Cm(1.0))
    para(cell, payload, align="center", size=layout.small)
    para(cell, CODES_CAPTION, italic=True, align="center", size=layout.small)


def qr_block(doc: DocxDocument, layout: Layout, payload: str) -> None:
    """The pickup QR code (the symbol at least 3 cm) with the same payload as Code 128 and as text.

    The barcode sits beside the QR code rather than under it: stacked, the block is 2 cm taller
    and a receipt listing four documents of the seed catalog no longer fits on one A4 page.
    """
    png, qr_cm = qr_image(payload)
    table = doc.add_table(rows=1, cols=2)
    left_cm = round(qr_cm + 0.2, 2)
    set_widths(table, [left_cm, round(layout.text_width - left_cm, 2)])
    cell_margins(table, 0.05)
    qr_cell, bar_cell = table.cell(0, 0), table.cell(0, 1)
    qr_cell.vertical_alignment = bar_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    first_paragraph(qr_cell).add_run().add_picture(io.BytesIO(png), width=Cm(qr_cm))
    _barcode_lines(bar_cell, layout, payload, layout.text_width - left_cm)
    cant_split(table.rows[0])


def signatures_beside_qr(doc: DocxDocument, layout: Layout, blocks: list[tuple[str, str, str]], payload: str,
                         qr_text: str | None = None) -> None:
    """The receipt's foot: the two signature blocks and the QR code on one row, the barcode under them all.

    The QR code holds ``qr_text`` (the look-up link, payload.slip_qr_text), the barcode and the printed
    line the payload itself. No merged cell spans rows and no table is nested: the desk's own printing
    lays out neither.
    """
    png, qr_cm = qr_image(qr_text or payload)
    right = round(qr_cm + 0.2, 2)
    half = round((layout.text_width - right) / 2, 2)
    table = doc.add_table(rows=2, cols=3)
    set_widths(table, [half, round(layout.text_width - right - half, 2), right])
    cell_margins(table, 0.05)
    for col, (role, note, name) in enumerate(blocks):
        cell = table.cell(0, col)
        head, _sep, tail = role.rpartition(" HỒ SƠ")  # two even lines, so the names line up
        fill(cell, f"{head}\nHỒ SƠ{tail}" if head else role, bold=True, align="center", before=4)
        para(cell, note, italic=True, align="center", size=layout.head, after=layout.sign_gap)
        para(cell, name, bold=True, align="center")
    qr_cell = table.cell(0, 2)
    qr_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    first_paragraph(qr_cell).add_run().add_picture(io.BytesIO(png), width=Cm(qr_cm))
    codes = table.cell(1, 0).merge(table.cell(1, 2))
    _barcode_lines(codes, layout, payload, layout.text_width)
    for row in table.rows:
        cant_split(row)
    for cell in table.rows[0].cells:
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True


def file_name(form: str, code: str) -> str:
    """The default name of a per-dossier form's file: ``mau01_<code>.docx``."""
    return f"mau{form}_{code}.docx"


def last_event(events: list[EventInfo], test: Callable[[EventInfo], bool]) -> EventInfo | None:
    """The latest event that passes ``test``: the one a slip printed from the history speaks of."""
    return next((e for e in reversed(events) if test(e)), None)


def slip_day(now: datetime | None, event: EventInfo | None) -> date:
    """The date a slip about ``event`` carries: ``now`` when given, else the event's, else today (office time)."""
    return (aware(now) if now else event.at if event else Clock().now()).astimezone(LOCAL_TZ).date()


def reception_day(now: datetime | None, info: DossierInfo) -> date:
    """The date of a slip about the reception: ``now`` when given, else the day of receipt, so a reprint
    carries the date of the original."""
    return aware(now).astimezone(LOCAL_TZ).date() if now else info.received_at.date()


def received_from(doc: DocxDocument, layout: Layout, d: SlipDossier) -> None:
    """The opening line of Mẫu 01, 02 and 03: the desk received the dossier of this applicant."""
    p = para(doc, align="justify", after=layout.gap)
    run(p, f"Bộ phận tiếp nhận và trả kết quả {d.office.name} tiếp nhận hồ sơ của: ")
    run(p, f"{honorific(d.info.gender)} {d.info.applicant_name}", bold=True)


ID_LABEL = "Số định danh cá nhân/Mã số định danh của tổ chức: "


def identity_line(doc: DocxDocument, layout: Layout, info: DossierInfo) -> None:
    """The applicant's số định danh cá nhân (the CCCD number), which Circular 03/2025 asks on every slip."""
    line(doc, layout, ID_LABEL, info.id_number)


def contact_line(doc: DocxDocument, layout: Layout, phone: str, email: str) -> None:
    """Phone and email on one line, the email at the middle of the text width."""
    p = para(doc, after=layout.gap)
    run(p, "Số điện thoại: " + (phone or BLANK))
    run(p, "\tEmail: " + (email or BLANK))
    p.paragraph_format.tab_stops.add_tab_stop(Cm(layout.text_width * 0.5))


SHORT_BLANK = "……………"


def authorised_block(doc: DocxDocument, layout: Layout, *, compact: bool = False) -> None:
    """Mẫu 01's lines for a person who submits on the applicant's behalf, left to fill in by hand.

    A dossier records no authorised person yet (D44), so the lines are printed blank rather than
    left out: the clerk writes them when someone submits with a power of attorney. Two lines on A4,
    one on A5 (``compact``: the rest is written beside it), so a receipt listing four documents
    still fits its page.
    """
    line(doc, layout, "Người được ủy quyền (nếu có): ", f"{SHORT_BLANK} Số định danh cá nhân: {SHORT_BLANK}")
    if not compact:
        line(doc, layout, "Địa chỉ, điện thoại, email, giấy tờ ủy quyền: ", "")


def applicant_block(doc: DocxDocument, layout: Layout, d: SlipDossier, *, authorised: bool = False) -> None:
    """Who submitted what: the opening lines Mẫu 01 and Mẫu 03 share (Mẫu 01 with the authorised person)."""
    info = d.info
    received_from(doc, layout, d)
    identity_line(doc, layout, info)
    line(doc, layout, "Địa chỉ: ", info.address)
    contact_line(doc, layout, info.phone, info.email)
    if authorised:
        authorised_block(doc, layout, compact=layout.width < 20)
    line(doc, layout, "Nội dung yêu cầu giải quyết: ", info.procedure_name, bold_value=True)
