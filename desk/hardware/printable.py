"""Our generated .docx slips read back as one page description Qt's text engine can lay out (no Qt here).

Printing must not need LibreOffice or Word, so desk.hardware.printing lays the slip out itself with a
QTextDocument. This module turns a .docx that desk.services.documents wrote into what that needs: HTML
in the subset QTextDocument understands, the pictures it shows (QR code, Code 128), the paper, the
margins and the base font. It reads the file through python-docx's public API; it is not a general
Word renderer, only as much of Word as our forms use (see services/documents/): paragraphs with alignment,
spacing, indents and one tab stop; bold/italic/underlined runs with sizes and line breaks; tables with
fixed widths, horizontally merged cells, vertical alignment, "Table Grid" rules and repeated header
rows; inline pictures; the short rule under the issuing body.

Lengths in the HTML are CSS pixels (96 per inch) and font sizes points: QTextDocument scales both to
whatever paint device it lays out on, so the same description serves a PDF and a printer.

The text of the description is exactly the text of the document, paragraph by paragraph and cell by
cell in document order (tests/hardware/test_printing.py compares it with the printed PDF).
"""

from __future__ import annotations

import html
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from docx import Document
from docx.document import Document as DocxDocument
from docx.drawing import Drawing
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.shared import Length
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from desk.errors import DeskError
from desk.i18n import _

EMU_PER_PX = 914400 / 96  # a CSS pixel is 1/96 inch
CELL_PADDING_PX = 2.5  # left/right padding of table cells (the documents set 0.05–0.1 cm)
RULE_PX = 1.0  # thickness of paragraph rules (the short line under the issuing body)

_ALIGN = {WD_ALIGN_PARAGRAPH.CENTER: "center", WD_ALIGN_PARAGRAPH.RIGHT: "right",
          WD_ALIGN_PARAGRAPH.JUSTIFY: "justify", WD_ALIGN_PARAGRAPH.LEFT: "left"}
_VALIGN: dict[WD_CELL_VERTICAL_ALIGNMENT | None, str] = {
    WD_CELL_VERTICAL_ALIGNMENT.CENTER: "middle", WD_CELL_VERTICAL_ALIGNMENT.BOTTOM: "bottom",
    WD_CELL_VERTICAL_ALIGNMENT.TOP: "top"}


@dataclass(frozen=True)
class Picture:
    """An inline picture: PNG (or JPEG) bytes and the size it has on the page, in CSS pixels."""

    data: bytes
    width_px: float
    height_px: float


@dataclass(frozen=True)
class Printable:
    """What a printer needs to lay a .docx slip out: HTML, its pictures, the paper and the margins."""

    html: str
    images: dict[str, Picture]
    width_mm: float  # of the page as it lies (landscape: the long side)
    height_mm: float
    margins_mm: tuple[float, float, float, float]  # left, top, right, bottom
    landscape: bool
    font_family: str  # the document's base font, e.g. "Times New Roman"
    font_pt: float
    title: str = ""


def _px(length: Length | int | None) -> float:
    return 0.0 if length is None else length / EMU_PER_PX


def _mm(length: Length | int | None) -> float:
    return 0.0 if length is None else length / 36000


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


# -- the two things python-docx 1.2 does not expose -------------------------------------------------
# Both read one property element from the raw XML that python-docx hands out publicly
# (ParagraphFormat is an ElementProxy: its ``element`` is the paragraph's w:p), with lxml's own API:
def _has_bottom_rule(paragraph: Paragraph) -> bool:
    """A bottom border on the paragraph (w:pPr/w:pBdr/w:bottom): documents' short_rule draws its line so."""
    p = paragraph.paragraph_format.element  # no public API for paragraph borders
    bottom = p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}")
    return bottom is not None and bottom.get(qn("w:val")) not in (None, "nil", "none")


def _in_header_row(paragraph: Paragraph) -> bool:
    """The paragraph's table row is one Word repeats at the top of each page (w:trPr/w:tblHeader):
    documents' repeat_header. A row has no public element, so its first cell's first paragraph leads there."""
    tr = next(paragraph.paragraph_format.element.iterancestors(qn("w:tr")), None)  # nearest row: the cell's own
    flag = None if tr is None else tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}")
    return flag is not None and flag.get(qn("w:val")) not in ("0", "false", "off")


class _Cell(Protocol):
    """What a row's cell (python-docx's table cell, whose class is not public) offers the reader."""

    @property
    def grid_span(self) -> int: ...
    @property
    def width(self) -> Length | None: ...
    @property
    def vertical_alignment(self) -> WD_CELL_VERTICAL_ALIGNMENT | None: ...
    @property
    def paragraphs(self) -> list[Paragraph]: ...
    def iter_inner_content(self) -> Iterator[Paragraph | Table]: ...


# -- reading ---------------------------------------------------------------------------------------
class _Reader:
    def __init__(self, doc: DocxDocument, text_width_px: float):
        self.doc = doc
        self.text_width_px = text_width_px
        self.shapes = list(doc.inline_shapes)  # document order, the order the walk meets the drawings
        self.shape_index = 0
        self.images: dict[str, Picture] = {}
        normal = doc.styles["Normal"]
        self.base_align = normal.paragraph_format.alignment

    def body(self) -> str:
        return "".join(self.block(item, self.text_width_px) for item in self.doc.iter_inner_content())

    def block(self, item: Paragraph | Table, width_px: float) -> str:
        return self.paragraph(item) if isinstance(item, Paragraph) else self.table(item, width_px)

    # paragraphs
    def paragraph(self, p: Paragraph) -> str:
        fmt = p.paragraph_format
        styles = [f"margin-top:{_num(_px(fmt.space_before))}px", f"margin-bottom:{_num(_px(fmt.space_after))}px"]
        left, right = _px(fmt.left_indent), _px(fmt.right_indent)
        if left:
            styles.append(f"margin-left:{_num(left)}px")
        if right:
            styles.append(f"margin-right:{_num(right)}px")
        if fmt.first_line_indent:
            styles.append(f"text-indent:{_num(_px(fmt.first_line_indent))}px")
        align = _ALIGN.get(fmt.alignment if fmt.alignment is not None else self.base_align, "left")
        if _has_bottom_rule(p) and not p.text.strip():
            # the short rule: a line as wide as the paragraph between its indents, a little under the text
            # above it (Word: exactly 2 pt line, the border 1 pt below)
            styles[0] = f"margin-top:{_num(max(_px(fmt.space_before), 4))}px"
            return (f'<table width="100%" cellspacing="0" cellpadding="0" style="{";".join(styles)}">'
                    f'<tr><td style="border-bottom:{_num(RULE_PX)}px solid black;font-size:1pt">&nbsp;'
                    "</td></tr></table>")
        pieces = self.inline(p)
        if len(pieces) > 1 and fmt.tab_stops:
            return self.tabbed(p, pieces, styles)
        content = "&#9;".join(pieces) or "&nbsp;"  # an empty paragraph keeps its line, as in Word
        return f'<p align="{align}" style="{";".join(styles)}">{content}</p>'

    def tabbed(self, p: Paragraph, pieces: list[str], styles: list[str]) -> str:
        """Text at tab stops as cells of a borderless row, each starting at its stop (left stops, as ours)."""
        start = _px(p.paragraph_format.left_indent)
        stops = [_px(stop.position) - start for stop in p.paragraph_format.tab_stops
                 if stop.alignment != WD_TAB_ALIGNMENT.CLEAR]
        cells, previous = [], 0.0
        for i, piece in enumerate(pieces):
            if i < len(stops) and i + 1 < len(pieces):
                width = f' width="{_num(max(stops[i] - previous, 1))}"'
                previous = stops[i]
            else:
                width = ""
            cells.append(f'<td{width} style="padding:0">{piece or "&nbsp;"}</td>')
        return (f'<table width="100%" cellspacing="0" cellpadding="0" style="{";".join(styles)}">'
                f'<tr>{"".join(cells)}</tr></table>')

    def inline(self, p: Paragraph) -> list[str]:
        """The paragraph's runs as HTML, split at its tabs."""
        pieces = [""]
        for item in p.iter_inner_content():
            for run in item.runs if not isinstance(item, Run) else [item]:
                style = self.run_style(run)
                for content in run.iter_inner_content():
                    if isinstance(content, str):
                        for i, part in enumerate(content.split("\t")):
                            if i:
                                pieces.append("")
                            if part:
                                text = html.escape(part, quote=False).replace("\n", "<br/>")
                                pieces[-1] += f'<span style="{style}">{text}</span>' if style else text
                    elif isinstance(content, Drawing):
                        pieces[-1] += self.picture(content)
        return pieces

    @staticmethod
    def run_style(run: Run) -> str:
        styles = []
        if run.bold:
            styles.append("font-weight:bold")
        if run.italic:
            styles.append("font-style:italic")
        if run.underline:
            styles.append("text-decoration:underline")
        if run.font.size is not None:
            styles.append(f"font-size:{_num(run.font.size.pt)}pt")
        return ";".join(styles)

    def picture(self, drawing: Drawing) -> str:
        shape = self.shapes[self.shape_index] if self.shape_index < len(self.shapes) else None
        self.shape_index += 1  # every inline drawing is one of doc.inline_shapes, picture or not
        if not drawing.has_picture:
            return ""
        image = drawing.image
        width = _px(shape.width) if shape is not None else image.px_width
        height = _px(shape.height) if shape is not None else image.px_height
        name = f"image{len(self.images) + 1}.{image.ext or 'png'}"
        self.images[name] = Picture(image.blob, width, height)
        return f'<img src="{name}" width="{_num(width)}" height="{_num(height)}"/>'

    # tables
    def table(self, table: Table, width_px: float) -> str:
        ruled = table.style is not None and table.style.name == "Table Grid"
        columns = [_px(column.width) for column in table.columns]
        rows, header_rows = [], 0
        for index, row in enumerate(table.rows):
            cells = row.cells
            if header_rows == index and cells and cells[0].paragraphs and _in_header_row(cells[0].paragraphs[0]):
                header_rows += 1
            rows.append(self.row(cells, row.grid_cols_before, columns, ruled))
        head = "".join(rows[:header_rows])
        body = "".join(rows[header_rows:])
        styles = ["margin:0"]
        overhang = sum(columns) - width_px
        if overhang > 0.5:  # wider than the text (the header's two columns): centred over it, as Word does
            styles = [f"margin-left:{_num(-overhang / 2)}px", f"margin-right:{_num(-overhang / 2)}px",
                      "margin-top:0", "margin-bottom:0"]
        align = ' align="center"' if table.alignment == WD_TABLE_ALIGNMENT.CENTER and overhang <= 0.5 else ""
        if ruled:
            styles += ["border-collapse:collapse", "border-style:solid", "border-color:black"]
        border = "1" if ruled else "0"
        return (f'<table{align} border="{border}" cellspacing="0" cellpadding="0" width="{_num(sum(columns))}" '
                f'style="{";".join(x for x in styles if x)}">'
                + (f"<thead>{head}</thead>" if head else "") + body + "</table>")

    def row(self, row_cells: Sequence[_Cell], grid_before: int, columns: list[float], ruled: bool) -> str:
        """One table row; ``row_cells`` one per grid column, as python-docx's ``row.cells`` gives them."""
        cells: list[tuple[_Cell, int]] = []
        # A horizontally merged cell comes once per grid column it spans. (Vertical merges, which our forms
        # never make, would repeat the cell above: telling them apart needs w:vMerge, not public.)
        for cell in row_cells:
            if cells and cells[-1][0] is cell:
                continue
            cells.append((cell, cell.grid_span))
        column = grid_before
        parts = []
        for cell, span in cells:
            width = sum(columns[column:column + span]) or _px(cell.width)
            column += span
            # Word's width holds the cell's padding and rule, and so does Qt's (padding set in CSS, rules collapsed)
            inner = max(width - 2 * CELL_PADDING_PX - (1 if ruled else 0), 1)  # what the cell's text gets
            attrs = f' width="{_num(width)}"'
            if span > 1:
                attrs += f' colspan="{span}"'
            attrs += f' valign="{_VALIGN.get(cell.vertical_alignment, "top")}"'
            style = f"padding-left:{_num(CELL_PADDING_PX)}px;padding-right:{_num(CELL_PADDING_PX)}px"
            content = "".join(self.block(item, inner) for item in cell.iter_inner_content())
            parts.append(f'<td{attrs} style="{style}">{content}</td>')
        return f"<tr>{''.join(parts)}</tr>"


def read_printable(path: Path | str) -> Printable:
    """The page description of a .docx slip; a DeskError when the file is missing or not a Word file."""
    path = Path(path)
    if not path.is_file():
        raise DeskError(_("The document to print does not exist: {name}").format(name=path.name))
    try:
        doc = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DeskError(_("{name} is not a Word document this program can print.").format(name=path.name)) from exc
    section = doc.sections[0]
    width, height = _mm(section.page_width), _mm(section.page_height)
    margins = (_mm(section.left_margin), _mm(section.top_margin), _mm(section.right_margin),
               _mm(section.bottom_margin))
    # Table.style looks the document's default table style up afresh for every unstyled table (~6 ms
    # each): the styles do not change while we read, so remember each answer.
    doc.part.get_style = lru_cache(maxsize=None)(doc.part.get_style)  # type: ignore[method-assign]
    normal = doc.styles["Normal"].font
    reader = _Reader(doc, (width - margins[0] - margins[2]) / 25.4 * 96)
    body = reader.body()
    font_pt = normal.size.pt if normal.size is not None else 11.0
    page = (f'<html><body style="font-size:{_num(font_pt)}pt;white-space:pre-wrap">{body}</body></html>')
    return Printable(
        html=page, images=reader.images, width_mm=width, height_mm=height, margins_mm=margins,
        landscape=section.orientation == WD_ORIENT.LANDSCAPE or width > height,
        font_family=normal.name or "Times New Roman", font_pt=font_pt,
        title=doc.core_properties.title or path.stem,
    )


__all__ = ["Picture", "Printable", "read_printable"]
