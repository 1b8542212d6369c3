"""Long sheets at the speed of text: rows written as sheet XML, put into the workbook openpyxl saved.

openpyxl builds and serialises an object per cell: through its public write-only API
(``ws.append`` of ``WriteOnlyCell``s) 24,000 dossiers × 14 columns take about ten seconds, five
times the whole report's budget (docs/PERFORMANCE.md, D28 in docs/DECISIONS.md). Here a row is
one string, with inline strings as openpyxl's own write-only cells have, streamed to a scratch
file, so memory stays flat however long the sheet is.

Everything else — the sheet's frame (columns, panes, filter, merges, print set-up, header rows),
styles, charts, formulas — is written through openpyxl's public API. ``save`` lets openpyxl save
the workbook (with the frames) into memory with ``Workbook.save``, then copies that package to the
target and, in each sheet that has streamed rows, puts them at the end of its ``<sheetData>``; the
modification time openpyxl stamps from the system clock is replaced by the injected clock's. It
relies on the file format only (ECMA-376: the sheet's part is the one xl/workbook.xml and its
relationships name; the time is docProps/core.xml's ``dcterms:modified``), never on openpyxl's
internals.
"""

from __future__ import annotations

import io
import posixpath
import re
import tempfile
from collections.abc import Sequence
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from desk.services import files
from desk.services.clock import Clock

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
_SHEET_DATA = re.compile(r"<sheetData\s*/>|</sheetData>")
_MODIFIED = re.compile(r"(<(?:[\w.-]+:)?modified\b[^>]*>)[^<]*(</(?:[\w.-]+:)?modified>)")
_CORE = "docProps/core.xml"
_EXCEL_EPOCH = datetime(1899, 12, 30)
_DAY = timedelta(days=1)


class SheetRows:
    """The rows of one long sheet, from row ``first_row`` on, in a scratch file until ``save``.

    ``append`` takes plain values — text (always text, never a formula), numbers, booleans, naive
    datetimes (written as Excel serials; pass office time) or None — and the style id of each
    column (``WriteOnlyCell(ws, ...).style_id`` of a cell styled through openpyxl).
    """

    def __init__(self, sheet_name: str, first_row: int = 1) -> None:
        self.sheet_name = sheet_name
        self.first_row = first_row
        self.count = 0
        # A scratch file named like every temporary of the program, so a killed export's is cleaned up later.
        self.path = files.new_temp(Path(tempfile.gettempdir()) / "report-sheet.xml", clean=False)
        self._out = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()/discard()
        self._letters = [get_column_letter(i) for i in range(1, 65)]
        self._starts: dict[tuple[int, ...], list[str]] = {}

    @property
    def last_row(self) -> int:
        """The sheet's last row once these are in (first_row - 1 when there are none)."""
        return self.first_row + self.count - 1

    def append(self, values: Sequence, styles: Sequence[int], height: float | None = None) -> None:
        r = self.first_row + self.count
        self.count += 1
        key = tuple(styles)
        starts = self._starts.get(key)
        if starts is None:  # '<c s="7" r="B' per column: only the row number and the value change
            starts = self._starts[key] = [f'<c s="{style}" r="{self._letters[i]}' for i, style in enumerate(key)]
        parts = [f'<row r="{r}" ht="{height}" customHeight="1">' if height else f'<row r="{r}">']
        for i, value in enumerate(values):
            if value is None:
                if styles[i]:
                    parts.append(f'{starts[i]}{r}"/>')
            elif isinstance(value, str):
                parts.append(f'{starts[i]}{r}" t="inlineStr"><is>{xml_text(value)}</is></c>')
            elif isinstance(value, datetime):
                parts.append(f'{starts[i]}{r}"><v>{(value - _EXCEL_EPOCH) / _DAY!r}</v></c>')
            elif isinstance(value, bool):
                parts.append(f'{starts[i]}{r}" t="b"><v>{int(value)}</v></c>')
            else:
                parts.append(f'{starts[i]}{r}"><v>{value!r}</v></c>')
        parts.append("</row>")
        self._out.write("".join(parts))

    def close(self) -> None:
        if not self._out.closed:
            self._out.close()

    def discard(self) -> None:
        """Remove the scratch file (after save, or instead of it)."""
        self.close()
        with suppress(OSError):
            self.path.unlink()


@lru_cache(maxsize=8192)  # field, procedure, status and point names repeat on every row
def xml_text(value: str) -> str:
    """<t> element of an inline string: no control characters, XML-escaped, spaces kept."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if value[:1].isspace() or value[-1:].isspace():
        return f'<t xml:space="preserve">{value}</t>'
    return f"<t>{value}</t>"


def save(wb: Workbook, target: Path, streamed: Sequence[SheetRows], *, compresslevel: int = 1,
         clock: Clock | None = None) -> None:
    """Save ``wb`` into ``target`` with the streamed rows inside their sheets, dated by ``clock``.

    Compression level 1: a third of the time of openpyxl's default, a file about 15 % larger.
    ``Workbook.save`` dates the package from the system clock; the copy puts the clock's time in
    docProps/core.xml instead, so a report made on a given clock is the same whenever it is made.
    """
    for rows in streamed:
        rows.close()
    now = (clock or Clock()).now().astimezone(UTC).replace(tzinfo=None, microsecond=0)  # as openpyxl
    wb.properties.created = now  # else the system time the Workbook was made at
    frame = io.BytesIO()  # the workbook without the long rows: small
    wb.save(frame)
    with ZipFile(frame) as source, ZipFile(target, "w", ZIP_DEFLATED, allowZip64=True,
                                           compresslevel=compresslevel) as out:
        parts = _sheet_parts(source)
        by_part: dict[str, SheetRows] = {}
        for rows in streamed:
            if rows.sheet_name not in parts:
                raise AssertionError(f"no sheet named {rows.sheet_name!r} in the workbook")
            by_part[parts[rows.sheet_name]] = rows
        for info in source.infolist():
            data = source.read(info)
            sheet = by_part.get(info.filename)
            if sheet is not None:
                _write_sheet(out, info.filename, data.decode("utf-8"), sheet)
            elif info.filename == _CORE:
                out.writestr(info.filename, _dated(data.decode("utf-8"), now).encode("utf-8"))
            else:
                out.writestr(info.filename, data)


def _dated(core: str, now: datetime) -> str:
    """The core properties part with ``dcterms:modified`` (W3CDTF, UTC) set to ``now``."""
    stamp = now.isoformat() + "Z"
    dated, found = _MODIFIED.subn(lambda m: f"{m.group(1)}{stamp}{m.group(2)}", core, count=1)
    if not found:
        raise AssertionError(f"{_CORE} has no dcterms:modified")
    return dated


def _sheet_parts(package: ZipFile) -> dict[str, str]:
    """Sheet name → its part in the package, as the workbook part and its relationships say."""
    book = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.findall("rel:Relationship", _NS)}
    parts = {}
    for sheet in book.iterfind("m:sheets/m:sheet", _NS):
        target = targets[sheet.get(f"{{{_NS['r']}}}id")]
        parts[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else \
            posixpath.normpath(posixpath.join("xl", target))
    return parts


def _write_sheet(out: ZipFile, name: str, frame: str, rows: SheetRows) -> None:
    match = _SHEET_DATA.search(frame)
    if match is None:
        raise AssertionError(f"the sheet part {name} has no <sheetData>")
    head, tail = frame[:match.start()], frame[match.end():]
    if not match.group().startswith("</"):  # else the rows openpyxl wrote (the header) come first
        head += "<sheetData>"
    tail = "</sheetData>" + tail
    with out.open(name, "w", force_zip64=True) as member, open(rows.path, "rb") as body:
        member.write(head.encode("utf-8"))
        while block := body.read(1 << 20):
            member.write(block)
        member.write(tail.encode("utf-8"))
