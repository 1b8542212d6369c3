"""The python-docx toolkit the forms are built with: page set-up, paragraphs, tables, the atomic save.

Nothing here knows a form or a dossier. python-docx's cell API is slow and some of Word's property
elements must come in schema order, so the few pieces of raw OOXML the forms need live here, once.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from xml.sax.saxutils import escape

from docx import Document
from docx.blkcntnr import BlockItemContainer
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.table import CT_Row, CT_Tbl
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from desk.services import files

FONT = "Times New Roman"


# Schema order of OOXML children: Word refuses files whose property elements are out of order.
_AFTER_TBL_IND = ("w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption",
                  "w:tblDescription")
_AFTER_TBL_HEADER = ("w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange")
_AFTER_P_BDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
                "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
                "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


class Row(Protocol):
    """A table row as ``table.rows`` hands it out (python-docx's row class is not public)."""

    @property
    def cells(self) -> Sequence[BlockItemContainer]: ...


# -- the raw XML, reached only through python-docx's public API ---------------------------------------
# ParagraphFormat is a public ElementProxy whose ``element`` is the paragraph's w:p. Rows and tables
# expose no element, so a row's first cell's first paragraph leads up to them (lxml's iterancestors;
# ``cell.paragraphs`` are the cell's own, so the nearest w:tr is that cell's row).
def _paragraph_xml(paragraph: Paragraph) -> BaseOxmlElement:
    element: BaseOxmlElement = paragraph.paragraph_format.element
    return element


def _row_xml(row: Row) -> CT_Row:
    tr: CT_Row = next(_paragraph_xml(row.cells[0].paragraphs[0]).iterancestors(qn("w:tr")))
    return tr


def _table_xml(table: Table) -> CT_Tbl:
    tbl: CT_Tbl = _row_xml(table.rows[0]).getparent()
    return tbl


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
    "A4": Layout(21.0, 29.7, 2.0, 2.0, 3.0, 2.0, body=13, head=12, title=14, small=9, gap=3, sign_gap=44,
                 header_cols=(7.1, 9.5), header_indent=-0.3),
    # A5 is A4 scaled by 0.7 (13 pt → 9.5 pt), except the QR code, which keeps its 3 cm
    "A5": Layout(14.8, 21.0, 1.0, 0.8, 2.0, 1.2, body=9.5, head=8.5, title=10.5, small=7,
                 header_cols=(5.6, 6.6), header_indent=-0.3, sign_gap=24, gap=1.5),
    "A4-landscape": Layout(29.7, 21.0, 2.0, 1.5, 2.0, 1.5, body=13, head=12, title=14, small=8.5,
                           header_cols=(10.0, 16.2)),
}


def _set_fonts(rpr: BaseOxmlElement, size: float) -> None:
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


def new_document(layout: Layout, *, landscape: bool = False) -> DocxDocument:
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
    container: DocxDocument | BlockItemContainer,
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
    """Add one run of text, only the formatting asked for set (the rest comes from the style)."""
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


def short_rule(cell: BlockItemContainer, width_cm: float, column_cm: float) -> None:
    """The short line under the issuing body and the motto (a bottom border on a narrow empty paragraph)."""
    p = cell.add_paragraph()
    side = max(0.0, (column_cm - width_cm) / 2 - 0.2)
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = Cm(side)
    p.paragraph_format.space_after = Pt(2)
    ppr = _paragraph_xml(p).get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.insert_element_before(borders, *_AFTER_P_BDR)
    run(p, "", size=2)
    p.paragraph_format.line_spacing = Pt(2)


def set_widths(table: Table, widths_cm: list[float], *, indent: float | None = None) -> None:
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
    tbl_pr = _table_xml(table).tblPr
    if indent is not None:
        ind = OxmlElement("w:tblInd")
        ind.set(qn("w:w"), str(round(indent * 567)))
        ind.set(qn("w:type"), "dxa")
        tbl_pr.insert_element_before(ind, *_AFTER_TBL_IND)


def cell_margins(table: Table, side_cm: float, top_cm: float = 0.0) -> None:
    """Narrow cell padding, so dates and codes fit narrow columns."""
    margins = OxmlElement("w:tblCellMar")
    for edge, value in (("top", top_cm), ("left", side_cm), ("bottom", top_cm), ("right", side_cm)):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(round(value * 567)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    _table_xml(table).tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")


def first_paragraph(cell: BlockItemContainer) -> Paragraph:
    """The cell's existing empty paragraph (python-docx starts each cell with one)."""
    return cell.paragraphs[0]


def fill(cell: BlockItemContainer, text: str, **kw: Any) -> Paragraph:
    """Write text into a fresh cell's first paragraph (no stray empty line)."""
    p = first_paragraph(cell)
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


def repeat_header(row: Row) -> None:
    """Mark a row as a header row Word and LibreOffice repeat at the top of every page."""
    _row_xml(row).get_or_add_trPr().insert_element_before(OxmlElement("w:tblHeader"), *_AFTER_TBL_HEADER)


def cant_split(row: Row) -> None:
    """Keep a row on one page (a signature block or a hand-over never breaks across pages)."""
    _row_xml(row).get_or_add_trPr().insert_element_before(OxmlElement("w:cantSplit"), "w:trHeight", "w:tblHeader",
                                                    *_AFTER_TBL_HEADER)


def bordered(doc: DocxDocument, headers: list[str], widths: list[float], rows: Iterable[list[str]],
              *, size: float, center: Set[int] = frozenset()) -> Table:
    """A ruled table with a bold header row repeated on every page."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _header_cell(cell, text, size)
    repeat_header(table.rows[0])
    cell_margins(table, 0.1, 0.03)
    for values in rows:
        row = table.add_row()
        cant_split(row)
        cells = row.cells
        for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
            fill(cell, text, size=size, align="center" if i in center else "left")
    set_widths(table, widths)
    return table


def _header_cell(cell: BlockItemContainer, text: str, size: float) -> None:
    """A column heading: bold first line, any further lines (the form's explanations) in italic."""
    head, *rest = text.split("\n")
    fill(cell, head, bold=True, align="center", size=size)
    for line in rest:
        para(cell, line, italic=True, align="center", size=size)

def fast_rows(table: Table, rows: list[list[str]], widths_cm: list[float], size: float,
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
    tbl = _table_xml(table)
    for tr in list(parse_xml("".join(parts))):
        tbl.append(tr)

def save(doc: DocxDocument, out: Path | str, default_name: str) -> Path:
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
