"""The catalog as an Excel workbook: export for leaders to read and edit, import all or nothing.

The import checks every row of both sheets before touching the database, so a half-right sheet
never leaves a half-updated catalog behind; every problem is reported with its sheet, row and column.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from desk.i18n import _
from desk.models.db import run_write
from desk.services import files
from desk.services.accounts import Actor, require
from desk.services.catalog_format import (
    COL_CODE,
    COL_DAY_UNIT,
    COL_DAYS,
    COLUMN_WIDTHS,
    DAY_UNIT_LABELS,
    FIELD_COLUMNS,
    FIELD_REQUIRED_COLUMNS,
    FIELD_TITLES,
    LEGACY_COL_DAYS,
    NO,
    ONLINE_LABELS,
    PROCEDURE_COLUMNS,
    PROCEDURE_TITLES,
    SHEET_FIELDS,
    SHEET_PROCEDURES,
    YES,
    code_text,
    format_document,
    is_blank,
)
from desk.services.catalog_read import list_fields, list_procedures
from desk.services.catalog_store import ImportSummary, apply_changes
from desk.services.catalog_validation import (
    CatalogImportError,
    FieldResolver,
    FieldRow,
    ProblemCollector,
    ProcedureRecord,
    check_duplicates,
    check_field,
    check_procedure,
)
from desk.services.kinds import Role
from desk.text import fold


def _cell_text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _write_sheet(sheet: Any, headers: tuple[str, ...], rows: list[list[Any]], widths: dict[str, int]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    wrap = Alignment(wrap_text=True, vertical="top")
    for row_index, values in enumerate(rows, start=2):
        for col_index, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_index, column=col_index)
            if isinstance(value, str):
                cell.value = _cell_text(value)
                cell.data_type = "s"  # never let a leading "=" turn into a formula
                cell.number_format = "@"
            else:
                cell.value = value
            cell.alignment = wrap
    for col_index, title in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(col_index)].width = widths.get(title, 16)
    sheet.freeze_panes = "A2"


def export_xlsx(path: Path | str) -> int:
    """Write the whole catalog (retired procedures too) to ``path``; returns the number of procedures.

    The workbook is saved to a temporary file next to the target and renamed over it, so a crash
    or a full disk never leaves a half-written catalog where the old one was.
    """
    from openpyxl import Workbook

    path = Path(path)
    fields = list_fields()
    procedures = list_procedures(active_only=False)
    workbook = Workbook()
    sheet = workbook.worksheets[0]  # a new workbook has one empty worksheet
    sheet.title = SHEET_PROCEDURES
    name_uses: dict[str, int] = {}
    for f in fields:
        name_uses[fold(f.name)] = name_uses.get(fold(f.name), 0) + 1
    rows = [[
        p.code, p.name, p.field_name if name_uses.get(fold(p.field_name)) == 1 else p.field_code, p.processing_days,
        DAY_UNIT_LABELS[p.day_unit], p.cutoff or "", p.fee,
        "\n".join(format_document(d) for d in p.documents), ONLINE_LABELS[p.online_level], p.legal_basis,
        YES if p.no_appointment_day else NO, YES if p.active else NO,
    ] for p in procedures]
    _write_sheet(sheet, PROCEDURE_COLUMNS, rows, COLUMN_WIDTHS)
    _write_sheet(workbook.create_sheet(SHEET_FIELDS), FIELD_COLUMNS,
                 [[f.code, f.name, f.sort_order] for f in fields], COLUMN_WIDTHS)

    path.parent.mkdir(parents=True, exist_ok=True)
    data = io.BytesIO()
    try:
        workbook.save(data)  # built in memory (a few hundred kB): a full disk fails our write, not openpyxl's zip
    except OSError as exc:
        raise files.write_error(path, exc) from exc
    files.write_bytes(path, data.getvalue())
    return len(procedures)


def _header_map(header: tuple[Any, ...], wanted: tuple[str, ...]) -> dict[str, int]:
    """Column title → index, matched without accents or case so a retyped header still works."""
    found: dict[str, int] = {}
    folded = {fold(title): title for title in wanted}
    for index, value in enumerate(header):
        title = folded.get(fold(str(value))) if value is not None else None
        if title and title not in found:
            found[title] = index
    return found


def _read_rows(sheet: Any) -> list[tuple[Any, ...]]:
    """All rows from A1 on, so list positions are Excel row numbers minus one."""
    if sheet.max_row < 1 or sheet.max_column < 1:
        return []
    return [tuple(row) for row in sheet.iter_rows(min_row=1, min_col=1, values_only=True)]


def import_xlsx(path: Path | str, *, by: Actor) -> ImportSummary:
    """Update the catalog from an Excel file in the export format; all or nothing (leaders and admins).

    Every row is checked first and every problem is reported with its sheet, row and column;
    if there is any, CatalogImportError is raised and the database is not touched. Otherwise all
    fields and procedures in the file are created or updated in one transaction; procedures that
    are not in the file stay as they are.
    """
    require(by, Role.LEADER)
    from openpyxl import load_workbook

    path = Path(path)
    file_problem = ProblemCollector(path.name)
    try:
        workbook = load_workbook(path, data_only=True)
    except FileNotFoundError as exc:
        file_problem.add(None, "", _("The file {name} does not exist.").format(name=str(path)))
        raise CatalogImportError(file_problem.problems) from exc
    except Exception as exc:  # noqa: BLE001 - not a zip, not xlsx, broken XML: all mean "damaged"
        file_problem.add(None, "", _("The file {name} is not an Excel workbook (.xlsx) or it is damaged.")
                         .format(name=path.name))
        raise CatalogImportError(file_problem.problems) from exc
    try:
        sheet_names = {fold(name): name for name in workbook.sheetnames}
        if fold(SHEET_PROCEDURES) not in sheet_names:
            file_problem.add(None, "", _("The workbook has no sheet named “{sheet}”.").format(sheet=SHEET_PROCEDURES))
            raise CatalogImportError(file_problem.problems)
        procedure_rows = _read_rows(workbook[sheet_names[fold(SHEET_PROCEDURES)]])
        field_rows = (_read_rows(workbook[sheet_names[fold(SHEET_FIELDS)]])
                      if fold(SHEET_FIELDS) in sheet_names else None)
    except CatalogImportError:
        raise
    except Exception as exc:  # noqa: BLE001 - any unreadable part means "damaged file", never a traceback
        file_problem.add(None, "", _("The file {name} is not an Excel workbook (.xlsx) or it is damaged.")
                         .format(name=path.name))
        raise CatalogImportError(file_problem.problems) from exc
    finally:
        workbook.close()

    fields_out = ProblemCollector(SHEET_FIELDS)
    fields: list[FieldRow] = []
    if field_rows is not None:
        fields = _parse_field_rows(field_rows, fields_out)
    out = ProblemCollector(SHEET_PROCEDURES)
    records = _parse_procedure_rows(procedure_rows, {code: name for code, name, _o in fields}, out)
    problems = fields_out.problems + out.problems
    if problems:
        raise CatalogImportError(problems)
    return run_write(lambda: apply_changes(fields, records, by=by))


def _non_blank_rows(rows: list[tuple[Any, ...]]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    for number, row in enumerate(rows[1:], start=2):
        if not all(is_blank(value) for value in row):
            yield number, row


def _parse_field_rows(rows: list[tuple[Any, ...]], out: ProblemCollector) -> list[FieldRow]:
    header = _header_map(rows[0] if rows else (), FIELD_COLUMNS)
    missing = [title for title in FIELD_REQUIRED_COLUMNS if title not in header]
    for title in missing:
        out.add(1, title, _("The column is missing from the header row."))
    if missing:
        return []
    columns = FIELD_TITLES
    result = []
    keys = []
    for number, row in _non_blank_rows(rows):
        values = {key: (row[header[title]] if title in header and header[title] < len(row) else None)
                  for key, title in columns.items()}
        checked = check_field(values, number, columns, out)
        if checked:
            result.append(checked)
            keys.append((checked[0], number))
    check_duplicates(keys, FIELD_TITLES["code"], out)
    return result


def _parse_procedure_rows(rows: list[tuple[Any, ...]], sheet_fields: dict[str, str], out: ProblemCollector
                          ) -> list[ProcedureRecord]:
    header = _header_map(rows[0] if rows else (), PROCEDURE_COLUMNS)
    optional: set[str] = set()
    if COL_DAYS not in header and COL_DAY_UNIT not in header:
        # An export from before the day unit: its days column title says they are working days.
        legacy = _header_map(rows[0] if rows else (), (LEGACY_COL_DAYS,))
        if LEGACY_COL_DAYS in legacy:
            header[COL_DAYS] = legacy[LEGACY_COL_DAYS]
            optional.add(COL_DAY_UNIT)
    missing = [title for title in PROCEDURE_COLUMNS if title not in header and title not in optional]
    for title in missing:
        out.add(1, title, _("The column is missing from the header row."))
    if missing:
        return []
    columns = PROCEDURE_TITLES
    resolver = FieldResolver(sheet_fields)
    records = []
    keys: list[tuple[str, int | None]] = []
    for number, row in _non_blank_rows(rows):
        values = {key: (row[header[title]] if title in header and header[title] < len(row) else None)
                  for key, title in columns.items()}
        code = code_text(values["code"])
        if code:
            keys.append((code, number))
        record = check_procedure(values, number, columns, resolver, out, documents_as_lines=True)
        if record:
            records.append(record)
    check_duplicates(keys, COL_CODE, out)
    out.problems.sort(key=lambda p: (p.row or 0, PROCEDURE_COLUMNS.index(p.column) if p.column in PROCEDURE_COLUMNS
                                     else len(PROCEDURE_COLUMNS)))
    return records
