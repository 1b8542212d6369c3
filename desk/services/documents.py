"""Official slips and the log book of Circular 01/2018/TT-VPCP as Word files (python-docx).

Forms 01-05 are per dossier, form 06 (the log book) covers a date range. The wording is Vietnamese
literal text, never translated; only error messages go through ``_()``. Layout follows Decree
30/2020 on administrative documents: Times New Roman 13 pt, A4 with a 3 cm left margin, the
issuing body top left and the national motto top right.

Every function writes to a temporary file next to the target and renames it, so a crash or a full
disk never leaves a half-written slip where the clerk expects a good one.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import segno
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from desk.errors import ValidationError
from desk.i18n import _
from desk.models import Dossier, DossierEvent, Office, Procedure
from desk.services import files
from desk.services.accounts import SYSTEM, Actor, require
from desk.services.barcode import code128_png, module_count
from desk.services.calendar import load_calendar
from desk.services.clock import LOCAL_TZ, Clock, aware, from_db, to_db
from desk.services.dossiers import DossierInfo, EventInfo, Status, classify, dossier_row, history, to_info
from desk.services.kinds import Channel, DayUnit, Role
from desk.services.limits import day_problem
from desk.services.office import current_office, require_set_up
from desk.services.payload import make_payload

FONT = "Times New Roman"
DESK = "Bộ phận TN&TKQ"
SPECIALIST = "Công chức chuyên môn"
BLANK = "…………………………"
# Under the header of every document of a demo office (office.demo, D27).
DEMO_MARK = "DỮ LIỆU MẪU ĐỂ DÙNG THỬ - KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"
SIGN_NOTE = "(Ký và ghi rõ họ tên)"
MAX_LOG_ROWS = 20_000  # a bigger log book belongs in a spreadsheet export; ask for a shorter range

TITLES = {
    "01": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "02": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "03": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    "04": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
    "05": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
    "06": "SỔ THEO DÕI HỒ SƠ",
}
KINDS = {"original": "Bản chính", "copy": "Bản sao"}


# Schema order of OOXML children: Word refuses files whose property elements are out of order.
_AFTER_TBL_IND = ("w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption",
                  "w:tblDescription")
_AFTER_TBL_HEADER = ("w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange")
_AFTER_P_BDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
                "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
                "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


# -- page set-up ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Layout:
    """Paper, margins (cm), type sizes (pt) and header columns of one kind of page."""

    width: float
    height: float
    top: float
    bottom: float
    left: float
    right: float
    body: float  # body text size
    head: float  # header block and small tables
    title: float
    small: float
    header_cols: tuple[float, float]  # issuing body | motto; may exceed the text width by -header_indent
    header_indent: float = 0.0
    sign_gap: float = 52  # room to sign, pt
    gap: float = 4  # space after a body line, pt

    @property
    def text_width(self) -> float:
        return self.width - self.left - self.right


LAYOUTS = {
    "A4": Layout(21.0, 29.7, 2.0, 2.0, 3.0, 2.0, body=13, head=12, title=14, small=9,
                 header_cols=(7.1, 9.5), header_indent=-0.3),
    # A5 is A4 scaled by 0.7 (13 pt → 9.5 pt), except the QR code, which keeps its 3 cm
    "A5": Layout(14.8, 21.0, 1.2, 1.0, 2.0, 1.2, body=9.5, head=8.5, title=10.5, small=7,
                 header_cols=(5.6, 6.6), header_indent=-0.3, sign_gap=30, gap=1.5),
    "A4-landscape": Layout(29.7, 21.0, 2.0, 1.5, 2.0, 1.5, body=13, head=12, title=14, small=8.5,
                           header_cols=(10.0, 16.2)),
}


def _set_fonts(rpr, size: float) -> None:
    """Times New Roman for every script slot, so LibreOffice and Word never fall back to Calibri."""
    for child in rpr.findall(qn("w:rFonts")) + rpr.findall(qn("w:sz")) + rpr.findall(qn("w:szCs")) \
            + rpr.findall(qn("w:lang")):
        rpr.remove(child)
    fonts = OxmlElement("w:rFonts")
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    rpr.insert(0, fonts)
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(round(size * 2)))
        rpr.append(el)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")
    lang.set(qn("w:bidi"), "ar-SA")
    rpr.append(lang)


def _new_document(layout: Layout, *, landscape: bool = False) -> DocxDocument:
    """A blank document with the page, margins and Times New Roman set once, in the styles."""
    doc = Document()
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    _set_fonts(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")), layout.body)
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    normal = doc.styles["Normal"]
    _set_fonts(normal.element.get_or_add_rPr(), layout.body)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(layout.width), Cm(layout.height)
    section.top_margin, section.bottom_margin = Cm(layout.top), Cm(layout.bottom)
    section.left_margin, section.right_margin = Cm(layout.left), Cm(layout.right)
    section.header_distance = section.footer_distance = Cm(0.8)
    props = doc.core_properties
    props.author = props.last_modified_by = "OneStop Desk"
    props.language = "vi-VN"
    return doc


# -- text helpers -----------------------------------------------------------------------------------
def para(
    container: DocxDocument | _Cell,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float | None = None,
    align: str = "left",
    before: float = 0,
    after: float = 0,
    indent: float | None = None,
    keep_next: bool = False,
) -> Paragraph:
    """Add one paragraph (to a document or a table cell) with one run; ``indent`` is first-line, cm."""
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                     "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if indent is not None:
        fmt.first_line_indent = Cm(indent)
    if keep_next:
        fmt.keep_with_next = True
    if text:
        run(paragraph, text, bold=bold, italic=italic, underline=underline, size=size)
    return paragraph


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """Drop characters XML cannot hold (control characters pasted into a note would break the file)."""
    return _NOT_XML.sub("", text)


def run(paragraph: Paragraph, text: str, *, bold: bool = False, italic: bool = False, underline: bool = False,
        size: float | None = None) -> Run:
    r = paragraph.add_run(xml_safe(text))
    if bold:
        r.bold = True
    if italic:
        r.italic = True
    if underline:
        r.underline = True
    if size is not None:
        r.font.size = Pt(size)
    return r


def _short_rule(cell: _Cell, width_cm: float, column_cm: float) -> None:
    """The short line under the issuing body and the motto (a bottom border on a narrow empty paragraph)."""
    p = cell.add_paragraph()
    side = max(0.0, (column_cm - width_cm) / 2 - 0.2)
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = Cm(side)
    p.paragraph_format.space_after = Pt(2)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.insert_element_before(borders, *_AFTER_P_BDR)
    run(p, "", size=2)
    p.paragraph_format.line_spacing = Pt(2)


def _widths(table: Table, widths_cm: list[float], *, indent: float | None = None) -> None:
    """Fixed column widths honoured by both Word (cell widths) and LibreOffice (the grid).

    Without ``indent`` the table is centred; with it, it starts ``indent`` cm from the left margin.
    """
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER if indent is None else WD_TABLE_ALIGNMENT.LEFT
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    tbl_pr = table._tbl.tblPr
    if indent is not None:
        ind = OxmlElement("w:tblInd")
        ind.set(qn("w:w"), str(round(indent * 567)))
        ind.set(qn("w:type"), "dxa")
        tbl_pr.insert_element_before(ind, *_AFTER_TBL_IND)


def _cell_margins(table: Table, side_cm: float, top_cm: float = 0.0) -> None:
    """Narrow cell padding, so dates and codes fit narrow columns."""
    margins = OxmlElement("w:tblCellMar")
    for edge, value in (("top", top_cm), ("left", side_cm), ("bottom", top_cm), ("right", side_cm)):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(round(value * 567)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    table._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")


def _first(cell: _Cell):
    """The cell's existing empty paragraph (python-docx starts each cell with one)."""
    return cell.paragraphs[0]


def _fill(cell: _Cell, text: str, **kw):
    """Write text into a fresh cell's first paragraph (no stray empty line)."""
    p = _first(cell)
    fmt = p.paragraph_format
    fmt.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                     "right": WD_ALIGN_PARAGRAPH.RIGHT}[kw.pop("align", "left")]
    fmt.space_before, fmt.space_after = Pt(kw.pop("before", 0)), Pt(kw.pop("after", 0))
    lines = text.split("\n")
    for i, line in enumerate(lines):
        r = run(p, line, **kw)
        if i < len(lines) - 1:
            r.add_break()
    return p


def _repeat_header(row) -> None:
    """Mark a row as a header row Word and LibreOffice repeat at the top of every page."""
    row._tr.get_or_add_trPr().insert_element_before(OxmlElement("w:tblHeader"), *_AFTER_TBL_HEADER)


def _cant_split(row) -> None:
    row._tr.get_or_add_trPr().insert_element_before(OxmlElement("w:cantSplit"), "w:trHeight", "w:tblHeader",
                                                    *_AFTER_TBL_HEADER)


def two(n: int) -> str:
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
    return "" if moment is None else f"{aware(moment).astimezone(LOCAL_TZ):%d/%m/%Y}"


def short_time(moment: datetime) -> str:
    return f"{aware(moment).astimezone(LOCAL_TZ):%H:%M %d/%m/%Y}"


def honorific(gender: str) -> str:
    return {"Nam": "Ông", "Nữ": "Bà"}.get(gender, "Ông/Bà")


def processing_time(days: int, unit: str, cutoff: str | None, late: bool) -> str:
    """Item 3 of Mẫu 01: the legal processing time as the procedure states it (literal Vietnamese).

    ``late`` is the calendar's own answer (``WorkCalendar.after_cutoff``), the one the due date was
    computed with, so the slip's wording and its appointment never disagree."""
    if days <= 0:
        text = "trong ngày"
        try:
            limit = time.fromisoformat(cutoff) if late and cutoff else None
        except ValueError:  # a cut-off the catalog got wrong must not stop the receipt
            limit = None
        if limit is not None:
            text += f" (hồ sơ nhận từ {limit:%H} giờ {limit:%M} được giải quyết trong ngày làm việc tiếp theo)"
        return text
    return f"{days:02d} ngày" if unit == DayUnit.CALENDAR else f"{days:02d} ngày làm việc"


def timeliness(at: datetime, due: datetime) -> str:
    """Trước hạn / Đúng hạn / Quá hạn of a hand-over against the dossier's legal due moment."""
    if at > due:
        return "Quá hạn"
    return "Trước hạn" if at.date() < due.date() else "Đúng hạn"


def _person(name: str) -> str:
    """An actor's name for print; the built-in system account is nobody's signature."""
    return "" if not name or name == SYSTEM.full_name else name


def _moment(data: object, key: str) -> datetime | None:
    """An ISO datetime stored in an event's JSON data; None when missing or unreadable."""
    try:
        return aware(datetime.fromisoformat(data[key]))  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None


def _split_items(text: str) -> list[str]:
    return [part.strip(" .") for part in text.replace("\n", ";").split(";") if part.strip(" .")]


# -- shared blocks ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Dossier:
    info: DossierInfo
    office: Office
    procedure: Procedure
    return_point: str
    return_address: str


def _load(code: str) -> _Dossier:
    office = require_set_up()  # no official document under an identity nobody gave (D27)
    row = dossier_row(code)
    point = row.return_point
    return _Dossier(to_info(row), office, row.procedure, point.name if point else office.name,
                    (point.address if point else office.address) or "")


def _header(doc, layout: Layout, office: Office, code: str | None, when: date) -> None:
    """Issuing body top left, national motto top right, then the dossier code and the place and date."""
    widths = list(layout.header_cols)
    table = doc.add_table(rows=2, cols=2)
    _widths(table, widths, indent=layout.header_indent)
    _cell_margins(table, 0.05)
    left, right = table.cell(0, 0), table.cell(0, 1)
    size = layout.head
    parent = " ".join((office.parent_name or "").split()).upper()
    if parent:  # without a superior line the office stands alone at the top, no empty line above it
        _fill(left, parent, align="center", size=size)
        para(left, office.name.upper(), bold=True, align="center", size=size)
    else:
        _fill(left, office.name.upper(), bold=True, align="center", size=size)
    unit = para(left, "BỘ PHẬN TIẾP NHẬN", bold=True, align="center", size=size)
    unit.runs[0].add_break()  # a balanced two-line name: the column is too narrow for one line
    run(unit, "VÀ TRẢ KẾT QUẢ", bold=True, size=size)
    _short_rule(left, 2.5, widths[0])
    _fill(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, align="center", size=size)
    motto = para(right, "", align="center")
    run(motto, "Độc lập - Tự do - Hạnh phúc", bold=True, underline=True, size=size + 1)
    if code:
        _fill(table.cell(1, 0), f"Mã hồ sơ: {code}", align="center", size=size, before=4)
    place = office.place_name or BLANK
    _fill(table.cell(1, 1), f"{place}, {long_date(when)}", italic=True, align="center", size=size + 1, before=4)
    if office.demo:  # a database for trying the program: nothing it prints may pass for a real paper
        para(doc, DEMO_MARK, bold=True, align="center", size=size + 1, before=4)


def _title(doc, layout: Layout, form: str, subtitle: str = "") -> None:
    para(doc, TITLES[form], bold=True, align="center", size=layout.title, before=14, after=0 if subtitle else 10,
         keep_next=True)
    if subtitle:
        para(doc, subtitle, italic=True, align="center", after=10, keep_next=True)


def _line(doc, layout: Layout, label: str, value: str, *, after: float | None = None,
          bold_value: bool = False) -> None:
    p = para(doc, after=layout.gap if after is None else after)
    run(p, label)
    run(p, value or BLANK, bold=bold_value)


def _signatures(doc, layout: Layout, blocks: list[tuple[str, str, str]], *, before: float = 10,
                keep_with_next: bool = False) -> None:
    """Signature blocks side by side: bold role, italic note, room to sign, the printed name.

    ``keep_with_next`` keeps them on the page of what follows (the receipt's QR code).
    """
    cols = 2
    table = doc.add_table(rows=1, cols=cols)
    half = round(layout.text_width / 2, 2)
    _widths(table, [half, round(layout.text_width - half, 2)])
    start = cols - len(blocks)  # a single block sits on the right, as in the forms
    for offset, (role, note, name) in enumerate(blocks):
        cell = table.cell(0, start + offset)
        _fill(cell, role, bold=True, align="center", before=before)
        para(cell, note, italic=True, align="center", size=layout.head, after=layout.sign_gap)
        para(cell, name, bold=True, align="center")
    _cant_split(table.rows[0])
    if keep_with_next:
        for cell in table.rows[0].cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def _bordered(doc, layout: Layout, headers: list[str], widths: list[float], rows: Iterable[list[str]],
              *, size: float, center: set[int] = frozenset()) -> Table:
    """A ruled table with a bold header row repeated on every page."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _header_cell(cell, text, size)
    _repeat_header(table.rows[0])
    _cell_margins(table, 0.1, 0.03)
    for values in rows:
        row = table.add_row()
        _cant_split(row)
        cells = row.cells
        for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
            _fill(cell, text, size=size, align="center" if i in center else "left")
    _widths(table, widths)
    return table


def _header_cell(cell: _Cell, text: str, size: float) -> None:
    """A column heading: bold first line, any further lines (the form's explanations) in italic."""
    head, *rest = text.split("\n")
    _fill(cell, head, bold=True, align="center", size=size)
    for line in rest:
        para(cell, line, italic=True, align="center", size=size)


def _qr_image(payload: str) -> tuple[bytes, float]:
    """The QR code PNG and its printed width (cm) for a symbol of at least 3 cm plus its quiet zone."""
    qr = segno.make(payload, error="m", micro=False)
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=10, border=4)
    side = qr.symbol_size(scale=1, border=4)[0]
    return buf.getvalue(), 3.1 * side / (side - 8)  # the image includes 4 quiet modules on each side


CODES_CAPTION = "Quét mã để tra cứu tình trạng hồ sơ; xuất trình giấy này khi nhận kết quả."


def _barcode_lines(cell: _Cell, layout: Layout, payload: str, width_cm: float) -> None:
    """Code 128 of the payload (~0.21 mm a module, fine for laser and imager scanners), then its text."""
    bar_cm = min(0.21 * module_count(payload) / 10, 9.0, width_cm - 0.2)
    p = _fill(cell, "", align="center")
    p.add_run().add_picture(io.BytesIO(code128_png(payload)), width=Cm(bar_cm), height=Cm(1.0))
    para(cell, payload, align="center", size=layout.small)
    para(cell, CODES_CAPTION, italic=True, align="center", size=layout.small)


def _qr_block(doc, layout: Layout, payload: str) -> None:
    """The pickup QR code (the symbol at least 3 cm) with the same payload as Code 128 and as text.

    The barcode sits beside the QR code rather than under it: stacked, the block is 2 cm taller
    and a receipt listing four documents of the seed catalog no longer fits on one A4 page.
    """
    png, qr_cm = _qr_image(payload)
    table = doc.add_table(rows=1, cols=2)
    left_cm = round(qr_cm + 0.2, 2)
    _widths(table, [left_cm, round(layout.text_width - left_cm, 2)])
    _cell_margins(table, 0.05)
    qr_cell, bar_cell = table.cell(0, 0), table.cell(0, 1)
    qr_cell.vertical_alignment = bar_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _first(qr_cell).add_run().add_picture(io.BytesIO(png), width=Cm(qr_cm))
    _barcode_lines(bar_cell, layout, payload, layout.text_width - left_cm)
    _cant_split(table.rows[0])


def _signatures_beside_qr(doc, layout: Layout, blocks: list[tuple[str, str, str]], payload: str) -> None:
    """A5: the two signature blocks and the QR code on one row, the barcode under them all."""
    png, qr_cm = _qr_image(payload)
    right = round(qr_cm + 0.2, 2)
    half = round((layout.text_width - right) / 2, 2)
    table = doc.add_table(rows=2, cols=3)
    _widths(table, [half, round(layout.text_width - right - half, 2), right])
    _cell_margins(table, 0.05)
    for col, (role, note, name) in enumerate(blocks):
        cell = table.cell(0, col)
        head, _sep, tail = role.rpartition(" HỒ SƠ")  # two even lines, so the names line up
        _fill(cell, f"{head}\nHỒ SƠ{tail}" if head else role, bold=True, align="center", before=4)
        para(cell, note, italic=True, align="center", size=layout.head, after=layout.sign_gap)
        para(cell, name, bold=True, align="center")
    qr_cell = table.cell(0, 2)
    qr_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _first(qr_cell).add_run().add_picture(io.BytesIO(png), width=Cm(qr_cm))
    codes = table.cell(1, 0).merge(table.cell(1, 2))
    _barcode_lines(codes, layout, payload, layout.text_width)
    for row in table.rows:
        _cant_split(row)
    for cell in table.rows[0].cells:
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True


def _save(doc, out: Path | str, default_name: str) -> Path:
    """Write next to the target and rename (desk.services.files): the target is the old file or the whole new one."""
    target = Path(out)
    if target.is_dir():
        target = target / default_name
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise files.write_error(target, exc) from exc
    data = io.BytesIO()
    try:
        doc.save(data)  # the zip is built in memory: a full disk fails our plain write, never ZipFile's
    except OSError as exc:
        raise files.write_error(target, exc) from exc
    files.write_bytes(target, data.getvalue())
    return target


def _file_name(form: str, code: str) -> str:
    return f"mau{form}_{code}.docx"


def _last_event(events: list[EventInfo], test: Callable[[EventInfo], bool]) -> EventInfo | None:
    return next((e for e in reversed(events) if test(e)), None)


# -- Mẫu 01 ----------------------------------------------------------------------------------------
def _applicant_block(doc, layout: Layout, d: _Dossier) -> None:
    """Who submitted what: the opening lines Mẫu 01 and Mẫu 03 share."""
    info = d.info
    p = para(doc, align="justify", after=layout.gap)
    run(p, f"Bộ phận tiếp nhận và trả kết quả {d.office.name} tiếp nhận hồ sơ của: ")
    run(p, f"{honorific(info.gender)} {info.applicant_name}", bold=True)
    _line(doc, layout, "Địa chỉ: ", info.address)
    p = para(doc, after=layout.gap)
    run(p, "Số điện thoại: " + (info.phone or BLANK))
    run(p, "\tEmail: " + (info.email or BLANK))
    p.paragraph_format.tab_stops.add_tab_stop(Cm(layout.text_width * 0.5))
    _line(doc, layout, "Nội dung yêu cầu giải quyết: ", info.procedure_name, bold_value=True)


def receipt(code: str, out: Path | str, *, actor: Actor, paper: str = "A4", now: datetime | None = None) -> Path:
    """Mẫu 01, the receipt and appointment slip, with the signed pickup QR code and barcode.

    The place-and-date line shows ``now`` when given, otherwise the moment of receipt, so a
    reprint carries the same date as the original. Slips carry personal data: staff only.
    """
    require(actor, Role.CLERK)
    if paper not in ("A4", "A5"):
        raise ValidationError({"paper": _("Paper must be A4 or A5")})
    d = _load(code)
    info, layout = d.info, LAYOUTS[paper]
    doc = _new_document(layout)
    when = aware(now).astimezone(LOCAL_TZ).date() if now else info.received_at.date()
    _header(doc, layout, d.office, info.code, when)
    _title(doc, layout, "01")
    _applicant_block(doc, layout, d)
    para(doc, "1. Hồ sơ gồm có:", after=layout.gap, keep_next=True)
    w = layout.text_width
    widths = [1.2, round(w - 1.2 - 3.6 - 1.8, 2), 3.6, 1.8] if paper == "A4" else [0.9, round(w - 4.8, 2), 2.4, 1.5]
    items = [[str(i), item.name, KINDS.get(item.kind, item.kind), two(item.count)]
             for i, item in enumerate(info.documents, start=1)] or [["1", BLANK, "", ""]]
    _bordered(doc, layout, ["STT", "Tên giấy tờ", "Hình thức (bản chính, bản sao)", "Số lượng"], widths, items,
              size=layout.head, center={0, 2, 3})
    para(doc, f"2. Số lượng hồ sơ: {two(info.sets)} (bộ)", before=layout.gap, after=layout.gap)
    late = d.procedure.processing_days <= 0 and load_calendar().after_cutoff(d.procedure, info.received_at)
    days_text = processing_time(d.procedure.processing_days, d.procedure.day_unit, d.procedure.cutoff, late)
    _line(doc, layout, "3. Thời gian giải quyết hồ sơ theo quy định là: ", days_text)
    _line(doc, layout, "4. Thời gian nhận hồ sơ: ", long_time(info.received_at))
    _line(doc, layout, "5. Thời gian trả kết quả giải quyết hồ sơ: ", long_time(info.appointment_at), bold_value=True)
    where = d.return_point + (f" ({d.return_address})" if d.return_address else "")
    _line(doc, layout, "6. Đăng ký nhận kết quả tại: ", where)
    number = info.code.rsplit("-", 1)[-1]
    para(doc, f"Vào Sổ theo dõi hồ sơ, Quyển số: {info.received_at.year}, Số thứ tự: {number}", after=0)
    signatures = [("NGƯỜI NỘP HỒ SƠ", SIGN_NOTE, info.applicant_name),
                  ("NGƯỜI TIẾP NHẬN HỒ SƠ", SIGN_NOTE, _person(info.received_by))]
    payload = make_payload(info.code, d.office.secret)
    if paper == "A5":
        _signatures_beside_qr(doc, layout, signatures, payload)
    else:
        _signatures(doc, layout, signatures, before=6, keep_with_next=True)
        _qr_block(doc, layout, payload)
    return _save(doc, out, _file_name("01", info.code))


# -- Mẫu 02 ----------------------------------------------------------------------------------------
def supplement_request(
    code: str,
    out: Path | str,
    *,
    items: list[str] | None = None,
    reason: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    now: datetime | None = None,
    actor: Actor,
) -> Path:
    """Mẫu 02: what the applicant must add and why; by default from the latest "needs supplement" note."""
    require(actor, Role.CLERK)
    d = _load(code)
    info, layout = d.info, LAYOUTS["A4"]
    event = _last_event(history(code, actor=actor),
                        lambda e: e.to_status == Status.NEEDS_SUPPLEMENT and e.action == "advance")
    if items is None:
        if event is None:
            raise ValidationError({"items": _("Dossier {code} has no request to supplement yet; list what to add "
                                              "to print one").format(code=info.code)})
        items = _split_items(event.note)
    items = [i.strip() for i in items if i and i.strip()] or [BLANK]
    staff = _person(event.actor) if event else ""
    contact_name = contact_name.strip() or staff
    contact_phone = contact_phone.strip() or d.office.phone
    when = (aware(now) if now else event.at if event else Clock().now()).astimezone(LOCAL_TZ).date()
    doc = _new_document(layout)
    _header(doc, layout, d.office, info.code, when)
    _title(doc, layout, "02")
    hon = honorific(info.gender)
    p = para(doc, align="justify", after=layout.gap)
    run(p, f"Bộ phận tiếp nhận và trả kết quả {d.office.name} tiếp nhận hồ sơ của: ")
    run(p, f"{hon} {info.applicant_name}", bold=True)
    _line(doc, layout, "Nội dung yêu cầu giải quyết: ", info.procedure_name, bold_value=True)
    _line(doc, layout, "Ngày tiếp nhận hồ sơ: ", long_time(info.received_at))
    para(doc, f"Sau khi xem xét, đối chiếu với quy định, hồ sơ của {hon} chưa đầy đủ, hợp lệ. Đề nghị {hon} bổ "
              "sung, hoàn thiện hồ sơ gồm những nội dung sau:", align="justify", before=layout.gap, after=layout.gap)
    for i, item in enumerate(items, start=1):
        para(doc, f"{i}. {item}", align="justify", after=2, indent=0.75)
    _line(doc, layout, "Lý do: ", reason.strip(), after=layout.gap)
    p = para(doc, align="justify", after=layout.gap)
    run(p, f"Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, {hon} liên hệ với ")
    run(p, contact_name or BLANK, bold=bool(contact_name))
    run(p, ", số điện thoại: ")
    run(p, contact_phone or BLANK, bold=bool(contact_phone))
    run(p, " để được hướng dẫn./.")
    _signatures(doc, layout, [("NGƯỜI HƯỚNG DẪN", SIGN_NOTE, staff)])
    return _save(doc, out, _file_name("02", info.code))


# -- Mẫu 03 ----------------------------------------------------------------------------------------
def refusal(code: str, out: Path | str, *, actor: Actor, reasons: list[str] | None = None,
            now: datetime | None = None) -> Path:
    """Mẫu 03: the concrete reasons a dossier is refused; by default from the refusal's note."""
    require(actor, Role.CLERK)
    d = _load(code)
    info, layout = d.info, LAYOUTS["A4"]
    event = _last_event(history(code, actor=actor), lambda e: e.to_status == Status.REFUSED)
    if reasons is None:
        if event is None:
            raise ValidationError({"reasons": _("Dossier {code} has not been refused; give the reasons to print "
                                                "a refusal slip").format(code=info.code)})
        reasons = _split_items(event.note)
    reasons = [r.strip() for r in reasons if r and r.strip()] or [BLANK]
    when = (aware(now) if now else event.at if event else Clock().now()).astimezone(LOCAL_TZ).date()
    doc = _new_document(layout)
    _header(doc, layout, d.office, info.code, when)
    _title(doc, layout, "03")
    _applicant_block(doc, layout, d)
    hon = honorific(info.gender)
    basis = " ".join((d.procedure.legal_basis or "").split())
    lead = f"Căn cứ quy định tại {basis}, hồ sơ" if basis else "Căn cứ quy định hiện hành, hồ sơ"
    para(doc, f"{lead} của {hon} không đủ điều kiện tiếp nhận, giải quyết vì lý do sau:", align="justify",
         before=layout.gap, after=layout.gap)
    for i, reason in enumerate(reasons, start=1):
        para(doc, f"{i}. {reason}", align="justify", after=2, indent=0.75)
    para(doc, f"Xin thông báo để {hon} được biết và thực hiện./.", before=layout.gap)
    _signatures(doc, layout, [("NGƯỜI TIẾP NHẬN HỒ SƠ", SIGN_NOTE, _person(event.actor) if event else "")])
    return _save(doc, out, _file_name("03", info.code))


# -- Mẫu 04 ----------------------------------------------------------------------------------------
def apology(code: str, out: Path | str, *, actor: Actor, now: datetime | None = None) -> Path:
    """Mẫu 04: the apology and the new return date, from the latest apology recorded for the dossier."""
    require(actor, Role.CLERK)
    d = _load(code)
    info, layout = d.info, LAYOUTS["A4"]
    event = _last_event(history(code, actor=actor), lambda e: e.action == "apology")
    if event is None:
        raise ValidationError({"apology": _("Dossier {code} has no apology with a new return date yet; record "
                                            "one first").format(code=info.code)})
    previous = _moment(event.data, "previous_appointment") or info.due_at
    new = _moment(event.data, "new_appointment") or info.appointment_at
    when = (aware(now) if now else event.at).astimezone(LOCAL_TZ).date()
    doc = _new_document(layout)
    _header(doc, layout, d.office, info.code, when)
    _title(doc, layout, "04")
    hon = honorific(info.gender)
    p = para(doc, align="center", after=8)
    run(p, "Kính gửi: ")
    run(p, f"{hon} {info.applicant_name}", bold=True)
    body = [
        f"{long_date(info.received_at.date()).capitalize()}, Bộ phận tiếp nhận và trả kết quả {d.office.name} "
        f"tiếp nhận hồ sơ của {hon} đề nghị giải quyết thủ tục hành chính: {info.procedure_name}.",
        f"Thời hạn trả kết quả giải quyết hồ sơ: {long_time(previous)}.",
        f"Tuy nhiên, đến nay {d.office.name} chưa trả kết quả giải quyết hồ sơ cho {hon} đúng thời hạn ghi trong "
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả.",
    ]
    for text in body:
        para(doc, text, align="justify", after=4, indent=1.0)
    p = para(doc, align="justify", after=4, indent=1.0)
    run(p, "Lý do: ")
    run(p, event.note or BLANK)
    p = para(doc, align="justify", after=4, indent=1.0)
    run(p, f"Sự chậm trễ này đã gây phiền hà cho {hon}. {d.office.name} xin lỗi {hon} và sẽ trả kết quả giải "
           f"quyết hồ sơ cho {hon} vào ")
    run(p, long_time(new), bold=True)
    run(p, ".")
    para(doc, "Trân trọng./.", after=4, indent=1.0)
    _signatures(doc, layout, [("THỦ TRƯỞNG CƠ QUAN", "(Ký, ghi rõ họ tên và đóng dấu)", "")])
    return _save(doc, out, _file_name("04", info.code))


# -- Mẫu 05 ----------------------------------------------------------------------------------------
def handovers(info: DossierInfo, events: list[EventInfo]) -> list[list[str]]:
    """One row per audit event: who gave the dossier to whom, when, how it stood, and a note."""
    citizen = f"{honorific(info.gender)} {info.applicant_name}"
    rows = []
    for i, e in enumerate(events, start=1):
        actor = _person(e.actor)
        result = timeliness(e.at, info.due_at)
        note = e.note
        if e.action == "receive":
            giver, taker, giver_name, taker_name, result = citizen, DESK, "", actor, ""
            note = {Channel.ONLINE: "Nộp trực tuyến", Channel.POSTAL: "Nộp qua bưu chính"}.get(info.channel, "Nộp trực tiếp")
        elif e.action == "apology":
            giver, taker, giver_name, taker_name = DESK, citizen, actor, info.applicant_name
            when = short_date(_moment(e.data, "new_appointment")) or BLANK
            note = f"Phiếu xin lỗi, hẹn lại ngày {when}. Lý do: {e.note}"
        elif e.to_status == Status.PROCESSING and e.from_status == Status.RECEIVED:
            # whoever moves a dossier into processing becomes its handler (lifecycle.advance)
            giver, taker, giver_name, taker_name = DESK, SPECIALIST, _person(info.received_by), actor
            note = "Chuyển giải quyết"
        elif e.to_status == Status.PROCESSING:
            giver, taker, giver_name, taker_name = DESK, SPECIALIST, actor, _person(info.handler)
            note = "Đã bổ sung hồ sơ"
        elif e.to_status == Status.NEEDS_SUPPLEMENT:
            giver, taker, giver_name, taker_name = SPECIALIST, DESK, actor, ""
            note = f"Yêu cầu bổ sung: {e.note}"
        elif e.to_status == Status.RESOLVED:
            giver, taker, giver_name, taker_name = SPECIALIST, DESK, actor, ""
            note = "Có kết quả giải quyết"
        elif e.to_status == Status.RETURNED:
            receiver = e.data.get("returned_to") or info.returned_to or info.applicant_name
            giver, taker, giver_name, taker_name = DESK, receiver, actor, receiver
            note = "Trả kết quả"
        elif e.to_status == Status.REFUSED:
            giver, taker, giver_name, taker_name = DESK, citizen, actor, info.applicant_name
            note = f"Từ chối tiếp nhận: {e.note}"
        elif e.to_status == Status.WITHDRAWN:
            giver, taker, giver_name, taker_name = DESK, citizen, actor, info.applicant_name
            note = "Công dân rút hồ sơ" + (f": {e.note}" if e.note else "")
        else:
            giver, taker, giver_name, taker_name = DESK, DESK, actor, ""
        who = f"{i}. Giao: {giver}\nNhận: {taker}"
        signed = f"{short_time(e.at)}\nNgười giao: {giver_name}\nNgười nhận: {taker_name}"
        rows.append([who, signed, result, note])
    return rows


def control_slip(code: str, out: Path | str, *, actor: Actor, now: datetime | None = None) -> Path:
    """Mẫu 05: the hand-overs of a dossier between the desk, specialists and the citizen, from its audit trail."""
    require(actor, Role.CLERK)
    d = _load(code)
    info, layout = d.info, LAYOUTS["A4"]
    events = history(code, actor=actor)
    when = aware(now).astimezone(LOCAL_TZ).date() if now else info.received_at.date()
    doc = _new_document(layout)
    _header(doc, layout, d.office, info.code, when)
    _title(doc, layout, "05", f"(Kèm theo hồ sơ của {honorific(info.gender)} {info.applicant_name})")
    _line(doc, layout, "Tên thủ tục hành chính: ", info.procedure_name, bold_value=True)
    _line(doc, layout, "Cơ quan (bộ phận) giải quyết hồ sơ: ", d.office.name)
    _line(doc, layout, "Cơ quan phối hợp giải quyết hồ sơ: ", "")
    _line(doc, layout, "Thời hạn giải quyết theo quy định: ", long_time(info.due_at), after=6)
    w = layout.text_width
    widths = [4.6, 4.9, 3.0, round(w - 12.5, 2)]
    _bordered(doc, layout,
              ["TÊN CƠ QUAN", "THỜI GIAN GIAO, NHẬN HỒ SƠ", "KẾT QUẢ GIẢI QUYẾT HỒ SƠ\n(Trước hạn/đúng hạn/quá hạn)",
               "GHI CHÚ"],
              widths, handovers(info, events), size=layout.head - 1, center={2})
    para(doc, "Ghi chú: Trường hợp hồ sơ được chuyển qua dịch vụ bưu chính thì thời gian giao, nhận hồ sơ và việc "
              "ký nhận thể hiện trong hóa đơn của cơ quan Bưu chính.", italic=True, size=layout.head - 1,
         align="justify", before=4)
    return _save(doc, out, _file_name("05", info.code))


# -- Mẫu 06 ----------------------------------------------------------------------------------------
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
             .limit(MAX_LOG_ROWS + 1).tuples())
    dossiers = list(query)
    if len(dossiers) > MAX_LOG_ROWS:
        raise ValidationError({"range": _("More than {count} dossiers in this range; choose a shorter period")
                               .format(count=f"{MAX_LOG_ROWS:,}")})
    sent: dict[int, datetime] = {}
    moves = (DossierEvent.select(DossierEvent.dossier, DossierEvent.at).join(Dossier)
             .where(in_range & (DossierEvent.from_status == Status.RECEIVED)
                    & (DossierEvent.to_status == Status.PROCESSING))
             .tuples())
    for dossier_id, moved_at in moves:
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


def _fast_rows(table: Table, rows: list[list[str]], widths_cm: list[float], size: float,
               center: set[int]) -> None:
    """Append plain-text rows as one parsed XML string: python-docx's cell API costs ~1 ms a cell."""
    widths = [round(w * 567) for w in widths_cm]
    sz = round(size * 2)
    run_props = f'<w:rPr><w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/></w:rPr>'
    parts = [f'<w:tbl {nsdecls("w")}>']
    for values in rows:
        parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        for col, (text, width) in enumerate(zip(values, widths, strict=True)):
            parts.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr><w:p>')
            if col in center:
                parts.append('<w:pPr><w:jc w:val="center"/></w:pPr>')
            if text:
                parts.append(f'<w:r>{run_props}<w:t xml:space="preserve">{escape(xml_safe(text))}</w:t></w:r>')
            parts.append("</w:p></w:tc>")
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    tbl = table._tbl
    for tr in list(parse_xml("".join(parts))):
        tbl.append(tr)


def log_book(date_from: date, date_to: date, out: Path | str, *, actor: Actor,
             now: datetime | None = None) -> Path:
    """Mẫu 06, the log book of dossiers received in a date range: landscape A4, header on every page."""
    at = aware(now) if now else Clock().now()
    require(actor, Role.CLERK)
    office = require_set_up()
    rows = log_rows(date_from, date_to, at, actor=actor)
    layout = LAYOUTS["A4-landscape"]
    doc = _new_document(layout, landscape=True)
    _header(doc, layout, office, None, at.astimezone(LOCAL_TZ).date())
    span = f"Từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}"
    _title(doc, layout, "06", f"Quyển số: {date_from.year}. {span}")
    size = layout.small
    table = doc.add_table(rows=2, cols=len(LOG_HEADERS))
    table.style = doc.styles["Table Grid"]
    _cell_margins(table, 0.07, 0.02)
    names, numbers = table.rows[0].cells, table.rows[1].cells  # table.cell() re-walks the grid each call
    for i, text in enumerate(LOG_HEADERS):
        _fill(names[i], text, bold=True, align="center", size=size)
        _fill(numbers[i], f"({i + 1})", italic=True, align="center", size=size)
    for row in table.rows:
        _repeat_header(row)
        _cant_split(row)
    _widths(table, LOG_WIDTHS)
    _fast_rows(table, rows, LOG_WIDTHS, size, center={0, 3, 7, 8, 9, 10, 11})
    if not rows:
        para(doc, "Không có hồ sơ nào được tiếp nhận trong thời gian này.", italic=True, align="center", before=6)
    name = f"mau06_so_theo_doi_{date_from:%Y%m%d}-{date_to:%Y%m%d}.docx"
    return _save(doc, out, name)


# -- for the CLI ------------------------------------------------------------------------------------
FORMS: dict[str, Callable[..., Path]] = {
    "01": receipt,
    "02": supplement_request,
    "03": refusal,
    "04": apology,
    "05": control_slip,
}


def render_form(code: str, form: str, out: Path | str, *, actor: Actor, **kw) -> Path:
    """Write form ``form`` ("01".."05", "1".."5" or "mau01") of dossier ``code``; see FORMS."""
    require(actor, Role.CLERK)
    key = str(form).lower().removeprefix("mau").removeprefix("mẫu").strip().zfill(2)
    if key not in FORMS:
        raise ValidationError({"form": _("Unknown form {form}. Choose one of: {choices}").format(
            form=form, choices=", ".join(FORMS))})
    return FORMS[key](code, out, actor=actor, **kw)


__all__ = [
    "FORMS", "TITLES", "apology", "control_slip", "handovers", "log_book", "log_rows", "receipt", "refusal",
    "render_form", "supplement_request",
]
