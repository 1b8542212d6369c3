"""The procedure catalog (danh mục TTHC): shipped seed, lookup, search, Excel export and import.

Offices keep their catalog in an Excel sheet they can hand to leaders and edit; the import
checks every row before touching the database, so a half-right sheet never leaves a
half-updated catalog behind. No Qt here: the views and the CLI call these functions.

This module is the catalog's front door: callers import from here. The work lives in modules
split at the catalog's seams, each importing only the others' public names:

    catalog_format      sheet and column titles, labels, one cell's value (pure)
    catalog_validation  the checks shared by the seed, the import and the form; problems
    catalog_store       the one upsert of checked rows
    catalog_read        fields, procedures, lookup, search, the intake type-ahead's order
    catalog_seed        the shipped seed_catalog.json
    catalog_excel       export to and import from an Excel workbook
    catalog_edit        the leaders' edit form (save, retire, fields)
"""

from __future__ import annotations

from desk.services.catalog_excel import export_xlsx, import_xlsx
from desk.services.catalog_format import (
    COL_ACTIVE,
    COL_CODE,
    COL_CUTOFF,
    COL_DAY_UNIT,
    COL_DAYS,
    COL_DOCUMENTS,
    COL_FEE,
    COL_FIELD,
    COL_LEGAL,
    COL_NAME,
    COL_NO_APPOINTMENT,
    COL_ONLINE,
    DAY_UNIT_LABELS,
    DAY_UNITS,
    DOCUMENT_KINDS,
    FIELD_COL_CODE,
    FIELD_COL_NAME,
    FIELD_COL_ORDER,
    FIELD_COLUMNS,
    FIELD_REQUIRED_COLUMNS,
    KIND_LABELS,
    LEGACY_COL_DAYS,
    NO,
    ONLINE_LABELS,
    ONLINE_LEVELS,
    PROCEDURE_COLUMNS,
    SHEET_FIELDS,
    SHEET_PROCEDURES,
    YES,
    format_document,
    parse_document_line,
)
from desk.services.catalog_read import (
    FieldInfo,
    ProcedureInfo,
    get_procedure,
    initials,
    list_fields,
    list_procedures,
    matching_procedures,
    rank_for_intake,
    search_procedures,
)
from desk.services.catalog_seed import SEED_PATH, load_seed
from desk.services.catalog_store import ImportSummary
from desk.services.catalog_validation import MAX_PROBLEM_CHARS, CatalogImportError, ImportProblem
from desk.services.dossiers import DocumentItem  # also imported from here by catalog callers

__all__ = [
    "COL_ACTIVE", "COL_CODE", "COL_CUTOFF", "COL_DAYS", "COL_DAY_UNIT", "COL_DOCUMENTS", "COL_FEE", "COL_FIELD",
    "COL_LEGAL", "COL_NAME", "COL_NO_APPOINTMENT", "COL_ONLINE", "DAY_UNITS", "DAY_UNIT_LABELS", "DOCUMENT_KINDS",
    "FIELD_COLUMNS", "FIELD_COL_CODE", "FIELD_COL_NAME", "FIELD_COL_ORDER", "FIELD_REQUIRED_COLUMNS", "KIND_LABELS",
    "LEGACY_COL_DAYS", "MAX_PROBLEM_CHARS", "NO", "ONLINE_LABELS", "ONLINE_LEVELS", "PROCEDURE_COLUMNS", "SEED_PATH",
    "SHEET_FIELDS", "SHEET_PROCEDURES", "YES", "CatalogImportError", "DocumentItem", "FieldInfo", "ImportProblem",
    "ImportSummary", "ProcedureInfo", "export_xlsx", "format_document", "get_procedure", "import_xlsx", "initials",
    "list_fields", "list_procedures", "load_seed", "matching_procedures", "parse_document_line", "rank_for_intake",
    "search_procedures",
]
