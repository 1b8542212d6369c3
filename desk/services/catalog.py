"""The procedure catalog (danh mục TTHC): shipped seed, lookup, search, Excel export and import.

Offices keep their catalog in an Excel sheet they can hand to leaders and edit; the import
checks every row before touching the database, so a half-right sheet never leaves a
half-updated catalog behind. No Qt here: the views and the CLI call these functions.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import datetime, time
from importlib.resources import files as package_files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from desk.errors import NotFound, ValidationError
from desk.i18n import _
from desk.models import Field, Procedure
from desk.models.db import run_write
from desk.services import files
from desk.services.accounts import Actor, require
from desk.services.dossiers import DocumentItem  # also imported from here by catalog callers
from desk.services.kinds import DayUnit, OnlineLevel, Role
from desk.services.limits import max_length
from desk.text import clean, fold

# Read through the package (a checkout, an installed package or a bundle), never the working directory.
SEED_PATH: Traversable = package_files("desk") / "resources" / "catalog" / "seed_catalog.json"

ONLINE_LEVELS = tuple(OnlineLevel)
DOCUMENT_KINDS = ("original", "copy")
DAY_UNITS = tuple(DayUnit)  # as the law states the time: "05 ngày làm việc" or "30 ngày"

# --- the Excel format (official Vietnamese titles; they are data, not UI text) ---------------
SHEET_PROCEDURES = "Danh mục TTHC"
SHEET_FIELDS = "Lĩnh vực"

COL_CODE = "Mã TTHC"
COL_NAME = "Tên thủ tục"
COL_FIELD = "Lĩnh vực"
COL_DAYS = "Thời hạn giải quyết"
COL_DAY_UNIT = "Loại ngày"
COL_CUTOFF = "Giờ chốt"
COL_FEE = "Lệ phí"
COL_DOCUMENTS = "Thành phần hồ sơ"
COL_ONLINE = "Mức độ trực tuyến"
COL_LEGAL = "Căn cứ pháp lý"
COL_NO_APPOINTMENT = "Không hẹn"
COL_ACTIVE = "Đang áp dụng"
PROCEDURE_COLUMNS = (
    COL_CODE, COL_NAME, COL_FIELD, COL_DAYS, COL_DAY_UNIT, COL_CUTOFF, COL_FEE, COL_DOCUMENTS,
    COL_ONLINE, COL_LEGAL, COL_NO_APPOINTMENT, COL_ACTIVE,
)
# Files exported before the day unit existed: their days column said working days and had no "Loại ngày".
LEGACY_COL_DAYS = "Thời hạn (ngày làm việc)"
FIELD_COL_CODE = "Mã lĩnh vực"
FIELD_COL_NAME = "Tên lĩnh vực"
FIELD_COL_ORDER = "Thứ tự"
FIELD_COLUMNS = (FIELD_COL_CODE, FIELD_COL_NAME, FIELD_COL_ORDER)
FIELD_REQUIRED_COLUMNS = (FIELD_COL_CODE, FIELD_COL_NAME)

ONLINE_LABELS = {OnlineLevel.NONE: "Không", OnlineLevel.PARTIAL: "Một phần", OnlineLevel.FULL: "Toàn trình"}
KIND_LABELS = {"original": "bản chính", "copy": "bản sao"}
DAY_UNIT_LABELS = {DayUnit.WORKING: "ngày làm việc", DayUnit.CALENDAR: "ngày"}
YES, NO = "Có", "Không"

_COLUMN_WIDTHS = {
    COL_CODE: 14, COL_NAME: 60, COL_FIELD: 22, COL_DAYS: 12, COL_DAY_UNIT: 14, COL_CUTOFF: 9, COL_FEE: 40,
    COL_DOCUMENTS: 80, COL_ONLINE: 14, COL_LEGAL: 50, COL_NO_APPOINTMENT: 10, COL_ACTIVE: 12,
}
_CUTOFF_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
_DOCUMENT_RE = re.compile(r"^(\d+)\s*[xX×*]\s*(.+?)\s*\(([^()]*)\)$")
_MAX_DAYS = 365
_MAX_MESSAGE_LINES = 50
MAX_PROBLEM_CHARS = 300


# --- data handed to callers (DocumentItem, "1 x Tờ khai (bản chính)", comes from dossiers) ----
@dataclass(frozen=True)
class FieldInfo:
    code: str
    name: str
    sort_order: int


@dataclass(frozen=True)
class ProcedureInfo:
    code: str
    name: str
    field_code: str
    field_name: str
    processing_days: int  # 0 = within the day
    day_unit: str  # working | calendar: how processing_days count (ngày làm việc / ngày)
    cutoff: str | None  # "15:00": same-day work received later moves to the next working day
    fee: str
    documents: list[DocumentItem]
    online_level: str  # none | partial | full
    legal_basis: str
    no_appointment_day: bool
    active: bool

    @property
    def same_day(self) -> bool:
        return self.processing_days == 0


@dataclass
class ImportSummary:
    """What a seed load or an import did; unchanged rows are counted apart from updated ones."""

    fields_created: int = 0
    fields_updated: int = 0
    fields_unchanged: int = 0
    procedures_created: int = 0
    procedures_updated: int = 0
    procedures_unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.fields_created or self.fields_updated or self.procedures_created
                    or self.procedures_updated)


@dataclass(frozen=True)
class ImportProblem:
    """One reason to refuse an import: where (sheet, Excel row, column title) and why."""

    sheet: str
    row: int | None
    column: str
    message: str

    def describe(self) -> str:
        """"Row 5, column “Giờ chốt”: ..." (the sheet is named when it is not the procedure sheet)."""
        if self.row is None:
            return self.message
        if self.sheet == SHEET_PROCEDURES:
            return _("Row {row}, column “{column}”: {message}").format(
                row=self.row, column=self.column, message=self.message)
        return _("Sheet “{sheet}”, row {row}, column “{column}”: {message}").format(
            sheet=self.sheet, row=self.row, column=self.column, message=self.message)


class CatalogImportError(ValidationError):
    """The file was refused as a whole; ``issues`` lists every problem, nothing was written."""

    def __init__(self, issues: list[ImportProblem]):
        self.issues = list(issues)
        super().__init__({f"{p.sheet}|{p.row}|{p.column}|{i}": p.describe() for i, p in enumerate(self.issues)})
        lines = [p.describe() for p in self.issues[:_MAX_MESSAGE_LINES]]
        if len(self.issues) > _MAX_MESSAGE_LINES:
            lines.append(_("... and {count} more problems.").format(count=len(self.issues) - _MAX_MESSAGE_LINES))
        self.args = ("\n".join([_("Nothing was imported; please correct the file and try again:"), *lines]),)

    def __str__(self) -> str:
        return str(self.args[0])


# --- normalising values (the same rules for the seed, the import and every write) -------------
@dataclass
class _Record:
    """A validated procedure ready to write; ``field`` is a field code."""

    code: str
    name: str
    field: str
    processing_days: int
    day_unit: str
    cutoff: str | None
    fee: str
    documents: list[DocumentItem]
    online_level: str
    legal_basis: str
    no_appointment_day: bool
    active: bool | None  # None: keep the current value (new rows become active)


def _clean_multiline(text: Any) -> str:
    """Tidy each line but keep line breaks (legal basis lists are often one act per line)."""
    if text is None:
        return ""
    lines = [clean(line) for line in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def _documents_from_json(raw: str | None) -> list[DocumentItem]:
    """Read the stored JSON leniently: a damaged row must not stop the catalog from opening."""
    try:
        items = json.loads(raw or "[]")
    except ValueError:
        return []
    result = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not str(item.get("name") or "").strip():
            continue
        try:
            count = max(1, int(item.get("count") or 1))
        except (TypeError, ValueError):
            count = 1
        kind = item.get("kind") if item.get("kind") in DOCUMENT_KINDS else "original"
        result.append(DocumentItem(clean(str(item["name"])), count, kind))
    return result


def _documents_to_json(documents: list[DocumentItem]) -> str:
    return json.dumps([{"name": d.name, "count": d.count, "kind": d.kind} for d in documents], ensure_ascii=False)


def format_document(item: DocumentItem) -> str:
    """The one-line form used in the Excel file: "1 x Tờ khai đăng ký khai sinh (bản chính)"."""
    return f"{item.count} x {item.name} ({KIND_LABELS[item.kind]})"


def parse_document_line(line: str) -> DocumentItem:
    """Inverse of :func:`format_document`; raises ValueError on anything else."""
    match = _DOCUMENT_RE.match(clean(line))
    if not match:
        raise ValueError(line)
    count, name, kind_text = int(match.group(1)), clean(match.group(2)), fold(match.group(3))
    kinds = {fold(label): kind for kind, label in KIND_LABELS.items()}
    kinds.update({kind: kind for kind in DOCUMENT_KINDS})
    if count < 1 or not name or kind_text not in kinds:
        raise ValueError(line)
    return DocumentItem(name, count, kinds[kind_text])


def _normalise_cutoff(value: Any) -> str | None:
    """"15:00", "9:30", a time cell or empty → "HH:MM" / None; ValueError when it is no clock time."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.time()
    if isinstance(value, time):
        return f"{value.hour:02d}:{value.minute:02d}"
    text = str(value).strip()
    if not text:
        return None
    match = _CUTOFF_RE.match(text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(text)
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _to_info(procedure: Procedure, field: Field) -> ProcedureInfo:
    return ProcedureInfo(
        code=procedure.code,
        name=procedure.name,
        field_code=field.code,
        field_name=field.name,
        processing_days=procedure.processing_days,
        day_unit=DayUnit(procedure.day_unit) if procedure.day_unit in DAY_UNITS else DayUnit.WORKING,
        cutoff=procedure.cutoff or None,
        fee=procedure.fee or "",
        documents=_documents_from_json(procedure.documents),
        online_level=OnlineLevel(procedure.online_level) if procedure.online_level in ONLINE_LEVELS else OnlineLevel.NONE,
        legal_basis=procedure.legal_basis or "",
        no_appointment_day=bool(procedure.no_appointment_day),
        active=bool(procedure.active),
    )


# --- reading --------------------------------------------------------------------------------
def list_fields() -> list[FieldInfo]:
    """Fields in the order the office chose (monthly statistics use the same order)."""
    query = Field.select().order_by(Field.sort_order, Field.code)
    return [FieldInfo(f.code, f.name, f.sort_order) for f in query]


def _procedure_query():
    return Procedure.select(Procedure, Field).join(Field).order_by(
        Field.sort_order, Field.code, Procedure.name_folded, Procedure.code)


def list_procedures(*, active_only: bool = True, field_code: str | None = None) -> list[ProcedureInfo]:
    """Procedures grouped by field; retired ones only when asked (old dossiers still refer to them)."""
    query = _procedure_query()
    if active_only:
        query = query.where(Procedure.active == True)  # noqa: E712 - peewee expression
    if field_code:
        query = query.where(Field.code == field_code)
    return [_to_info(p, p.field) for p in query]


def get_procedure(code: str) -> ProcedureInfo:
    """One procedure by its code, active or not; NotFound names the code the clerk typed."""
    code = (code or "").strip()
    procedure = _procedure_query().where(Procedure.code == code).first()
    if procedure is None:
        raise NotFound(_("There is no procedure with code {code} in the catalog.").format(code=code))
    return _to_info(procedure, procedure.field)


def _rank(query: str, code: str, name: str, words: list[str]) -> tuple[int, str, int, str]:
    name_core = name[len("thu tuc "):] if name.startswith("thu tuc ") else name
    padded = f" {name} "
    if code == query:
        tier = 0
    elif code.startswith(query):
        tier = 1
    elif name_core.startswith(query) or name.startswith(query):
        tier = 2
    elif f" {query} " in padded:
        tier = 3
    elif query in name:
        tier = 4
    elif all(f" {w}" in padded for w in words):
        tier = 5
    else:
        tier = 6
    return tier, code if tier <= 1 else "", len(name), name


def search_procedures(text: str, limit: int = 20, *, active_only: bool = True) -> list[ProcedureInfo]:
    """Find procedures the way clerks type: with or without accents, any word order, or by code.

    Every word must appear in the name or the code. Exact and leading code matches come first,
    then names starting with the text, then names holding it as a phrase, shorter names first.
    The catalog holds a few hundred rows, so matching runs in Python (same result on every engine).
    """
    query = fold(text)
    words = query.split()
    if not words or limit <= 0:
        return []
    rows = Procedure.select(Procedure.id, Procedure.code, Procedure.name_folded)
    if active_only:
        rows = rows.where(Procedure.active == True)  # noqa: E712 - peewee expression
    scored = []
    for row in rows:
        code = fold(row.code)
        name = row.name_folded or ""
        haystack = f"{name} {code}"
        if all(word in haystack for word in words):
            scored.append((_rank(query, code, name, words), row.id))
    scored.sort()
    ids = [row_id for _score, row_id in scored[:limit]]
    if not ids:
        return []
    found = {p.id: p for p in Procedure.select(Procedure, Field).join(Field).where(Procedure.id.in_(ids))}
    return [_to_info(found[i], found[i].field) for i in ids if i in found]


# --- validation shared by the seed and the Excel import --------------------------------------
class _Collector:
    def __init__(self, sheet: str):
        self.sheet = sheet
        self.problems: list[ImportProblem] = []

    def add(self, row: int | None, column: str, message: str) -> None:
        # A message quotes the offending cell; a 20,000-character cell must not make a 20,000-character line.
        if len(message) > MAX_PROBLEM_CHARS:
            message = message[: MAX_PROBLEM_CHARS - 1] + "…"
        self.problems.append(ImportProblem(self.sheet, row, column, message))


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _code_text(value: Any) -> str:
    """A code cell as text; a code Excel turned into a number (1.001193) gets its six decimals back."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.6f}"
    return clean(str(value)) if value is not None else ""


def _parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        return int(value)
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(text)
    return int(text)


_TRUE_WORDS = {"co", "x", "yes", "true", "1", "dung"}
_FALSE_WORDS = {"khong", "", "no", "false", "0", "sai"}


def _parse_bool(value: Any, *, default: bool | None) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        raise ValueError(value)
    text = fold(str(value)) if value is not None else ""
    if not text:
        return default
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    raise ValueError(text)


def _parse_day_unit(value: Any) -> DayUnit:
    """"ngày làm việc" / "ngày" (any case, with or without accents), "working" / "calendar"; empty = working."""
    text = fold(str(value)) if value is not None else ""
    if not text:
        return DayUnit.WORKING
    units = {fold(label): unit for unit, label in DAY_UNIT_LABELS.items()}
    units.update({unit: unit for unit in DAY_UNITS})
    if text not in units:
        raise ValueError(text)
    return units[text]


def _parse_online(value: Any) -> OnlineLevel:
    text = fold(str(value)) if value is not None else ""
    if not text:
        return OnlineLevel.NONE
    labels = {fold(label): level for level, label in ONLINE_LABELS.items()}
    labels.update({level: level for level in ONLINE_LEVELS})
    if text not in labels:
        raise ValueError(text)
    return labels[text]


class _FieldResolver:
    """Turns what a sheet says in its "Lĩnh vực" column (a code or a name) into a field code."""

    def __init__(self, sheet_fields: dict[str, str]):
        self.codes: dict[str, str] = {}
        self.names: dict[str, set[str]] = {}
        for field in Field.select(Field.code, Field.name):
            self._add(field.code, field.name)
        for code, name in sheet_fields.items():  # the file wins over the database
            self._add(code, name)

    def _add(self, code: str, name: str) -> None:
        previous = self.codes.get(code)
        if previous is not None:
            self.names.get(fold(previous), set()).discard(code)
        self.codes[code] = name
        self.names.setdefault(fold(name), set()).add(code)

    def resolve(self, value: str) -> str:
        if value in self.codes:
            return value
        matches = {c for c in self.names.get(fold(value), set()) if fold(self.codes[c]) == fold(value)}
        if len(matches) == 1:
            return matches.pop()
        if matches:
            raise LookupError(_("Field name “{field}” is ambiguous ({codes}); use the field code instead.").format(
                field=value, codes=", ".join(sorted(matches))))
        raise LookupError(_("Unknown field “{field}”: it is neither in the “{sheet}” sheet nor in the catalog.")
                          .format(field=value, sheet=SHEET_FIELDS))


def _check_procedure(
    values: dict[str, Any],
    row: int | None,
    columns: dict[str, str],
    resolver: _FieldResolver,
    out: _Collector,
    *,
    documents_as_lines: bool,
) -> _Record | None:
    """Validate one procedure (an Excel row or a seed entry); report every problem, not just the first.

    ``columns`` maps the logical names to the titles used in problem reports.
    """
    before = len(out.problems)

    def problem(key: str, message: str) -> None:
        out.add(row, columns[key], message)

    code = _code_text(values.get("code"))
    if not code:
        problem("code", _("The procedure code is missing."))
    elif len(code) > max_length(Procedure.code):
        problem("code", _("The procedure code is longer than {limit} characters.").format(
            limit=max_length(Procedure.code)))
    elif re.search(r"\s", code):
        problem("code", _("The procedure code must not contain spaces: “{code}”.").format(code=code))

    name = clean(str(values.get("name") or ""))
    if not name:
        problem("name", _("The procedure name is missing."))
    elif len(name) > max_length(Procedure.name) or len(fold(name)) > max_length(Procedure.name_folded):
        problem("name", _("The procedure name is longer than {limit} characters.").format(
            limit=max_length(Procedure.name)))

    field_text = _code_text(values.get("field"))
    field_code = ""
    if not field_text:
        problem("field", _("The field is missing."))
    else:
        try:
            field_code = resolver.resolve(field_text)
        except LookupError as exc:
            problem("field", str(exc.args[0]))

    raw_days = values.get("processing_days")
    days = 0
    if _is_blank(raw_days):
        problem("processing_days", _("The processing time is missing (write 0 for a same-day procedure)."))
    else:
        try:
            days = _parse_int(raw_days)
        except ValueError:
            problem("processing_days", _("The processing time must be a whole number of days, not “{value}”.")
                    .format(value=raw_days))
        else:
            if days < 0:
                problem("processing_days", _("The processing time cannot be negative ({value}).").format(value=days))
            elif days > _MAX_DAYS:
                problem("processing_days", _("The processing time of {value} days is too long (at most {limit}).")
                        .format(value=days, limit=_MAX_DAYS))

    day_unit = DayUnit.WORKING
    try:
        day_unit = _parse_day_unit(values.get("day_unit"))
    except ValueError:
        problem("day_unit", _("Unknown kind of days “{value}”; use “ngày làm việc” or “ngày”.").format(
            value=values.get("day_unit")))

    cutoff = None
    try:
        cutoff = _normalise_cutoff(values.get("cutoff"))
    except ValueError:
        problem("cutoff", _("The cut-off time must be a time of day such as 15:00, not “{value}”.")
                .format(value=values.get("cutoff")))

    fee = clean(str(values.get("fee") or ""))
    if len(fee) > max_length(Procedure.fee):
        problem("fee", _("The fee text is longer than {limit} characters.").format(limit=max_length(Procedure.fee)))

    documents: list[DocumentItem] = []
    raw_documents = values.get("documents")
    if documents_as_lines:
        text = "" if raw_documents is None else str(raw_documents)
        lines = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]
        for number, line in enumerate(lines, start=1):
            try:
                documents.append(parse_document_line(line))
            except ValueError:
                problem("documents", _("Document line {line} “{text}” is not of the form "
                                       "“1 x Name (bản chính)” or “1 x Name (bản sao)”.").format(
                    line=number, text=line.strip()))
    else:
        for number, item in enumerate(raw_documents or [], start=1):
            try:
                if not isinstance(item, dict):
                    raise ValueError(item)
                doc_name = clean(str(item.get("name") or ""))
                count = _parse_int(item.get("count", 1))
                kind = item.get("kind")
                if not doc_name or count < 1 or kind not in DOCUMENT_KINDS:
                    raise ValueError(item)
                documents.append(DocumentItem(doc_name, count, kind))
            except ValueError:
                problem("documents", _("Document {line} needs a name, a count of at least 1 and a kind "
                                       "(original or copy).").format(line=number))

    online = OnlineLevel.NONE
    try:
        online = _parse_online(values.get("online_level"))
    except ValueError:
        problem("online_level", _("Unknown online level “{value}”; use one of: {allowed}.").format(
            value=values.get("online_level"), allowed=", ".join(ONLINE_LABELS.values())))

    legal_basis = _clean_multiline(values.get("legal_basis"))

    no_appointment = False
    try:
        no_appointment = bool(_parse_bool(values.get("no_appointment_day"), default=False))
    except ValueError:
        problem("no_appointment_day", _("Write {yes} or {no}, not “{value}”.").format(
            yes=YES, no=NO, value=values.get("no_appointment_day")))

    active: bool | None = None
    if "active" in values:
        try:
            active = _parse_bool(values.get("active"), default=True)
        except ValueError:
            problem("active", _("Write {yes} or {no}, not “{value}”.").format(
                yes=YES, no=NO, value=values.get("active")))

    if len(out.problems) > before:
        return None
    return _Record(code, name, field_code, days, day_unit, cutoff, fee, documents, online, legal_basis,
                   no_appointment, active)


def _check_field(values: dict[str, Any], row: int | None, columns: dict[str, str], out: _Collector
                 ) -> tuple[str, str, int | None] | None:
    before = len(out.problems)
    code = _code_text(values.get("code"))
    if not code:
        out.add(row, columns["code"], _("The field code is missing."))
    elif len(code) > max_length(Field.code):
        out.add(row, columns["code"], _("The field code is longer than {limit} characters.").format(
            limit=max_length(Field.code)))
    name = clean(str(values.get("name") or ""))
    if not name:
        out.add(row, columns["name"], _("The field name is missing."))
    elif len(name) > max_length(Field.name):
        out.add(row, columns["name"], _("The field name is longer than {limit} characters.").format(
            limit=max_length(Field.name)))
    order: int | None = None
    raw_order = values.get("sort_order")
    if not _is_blank(raw_order):
        try:
            order = _parse_int(raw_order)
        except ValueError:
            out.add(row, columns["sort_order"], _("The order must be a whole number, not “{value}”.").format(
                value=raw_order))
    if len(out.problems) > before:
        return None
    return code, name, order


def _check_duplicates(keys: list[tuple[str, int | None]], column: str, out: _Collector) -> None:
    first: dict[str, int | None] = {}
    for key, row in keys:
        if key in first:
            out.add(row, column, _("Code {code} is already used in row {row}.").format(code=key, row=first[key]))
        else:
            first[key] = row


# --- writing --------------------------------------------------------------------------------
def _apply(fields: list[tuple[str, str, int | None]], records: list[_Record]) -> ImportSummary:
    """Upsert (inside the caller's transaction); rows not mentioned are left alone."""
    summary = ImportSummary()
    by_code: dict[str, Field] = {}
    for code, name, order in fields:
        field = Field.get_or_none(Field.code == code)
        if field is None:
            by_code[code] = Field.create(code=code, name=name, sort_order=order or 0)
            summary.fields_created += 1
            continue
        changes = {}
        if field.name != name:
            changes["name"] = name
        if order is not None and field.sort_order != order:
            changes["sort_order"] = order
        if changes:
            Field.update(**changes).where(Field.id == field.id).execute()
            summary.fields_updated += 1
        else:
            summary.fields_unchanged += 1
        by_code[code] = field
    for record in records:
        field = by_code.get(record.field) or Field.get(Field.code == record.field)
        by_code[record.field] = field
        values = {
            "name": record.name,
            "name_folded": fold(record.name),
            "field": field.id,
            "processing_days": record.processing_days,
            "day_unit": record.day_unit,
            "cutoff": record.cutoff,
            "fee": record.fee,
            "online_level": record.online_level,
            "legal_basis": record.legal_basis,
            "no_appointment_day": record.no_appointment_day,
        }
        procedure = Procedure.get_or_none(Procedure.code == record.code)
        if procedure is None:
            Procedure.create(code=record.code, documents=_documents_to_json(record.documents),
                             active=True if record.active is None else record.active, **values)
            summary.procedures_created += 1
            continue
        changes = {key: value for key, value in values.items()
                   if (procedure.field_id if key == "field" else getattr(procedure, key)) != value}
        if _documents_from_json(procedure.documents) != record.documents or not _valid_json(procedure.documents):
            changes["documents"] = _documents_to_json(record.documents)
        if record.active is not None and bool(procedure.active) != record.active:
            changes["active"] = record.active
        if changes:
            Procedure.update(**changes).where(Procedure.id == procedure.id).execute()
            summary.procedures_updated += 1
        else:
            summary.procedures_unchanged += 1
    return summary


def _valid_json(raw: str | None) -> bool:
    try:
        return isinstance(json.loads(raw or ""), list)
    except ValueError:
        return False


# --- seed -----------------------------------------------------------------------------------
def load_seed(path: Path | str | None = None, *, by: Actor, update_existing: bool = True) -> ImportSummary:
    """Install the shipped catalog; safe to run at every init (leaders and admins).

    Creates missing fields and procedures and (unless ``update_existing`` is False) brings seeded
    ones back to the shipped values. Running it twice changes nothing; procedures the office added
    and the office's active/retired choice are kept.
    """
    require(by, Role.LEADER)
    path: Traversable = Path(path) if path else SEED_PATH
    sheet = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogImportError([ImportProblem(sheet, None, "", _("Cannot read the catalog file {name}: {error}")
                                                .format(name=path.name, error=exc.strerror or exc))]) from exc
    except ValueError as exc:
        raise CatalogImportError([ImportProblem(sheet, None, "", _("The catalog file {name} is not valid JSON: {error}")
                                                .format(name=path.name, error=exc))]) from exc
    if not isinstance(data, dict):
        data = {}

    out = _Collector(sheet)
    field_columns = {"code": "code", "name": "name", "sort_order": "sort_order"}
    fields = []
    for index, item in enumerate(data.get("fields") or [], start=1):
        checked = _check_field(item if isinstance(item, dict) else {}, index, field_columns, out)
        if checked:
            fields.append(checked)
    _check_duplicates([(code, i) for i, (code, _n, _o) in enumerate(fields, start=1)], "code", out)

    resolver = _FieldResolver({code: name for code, name, _order in fields})
    columns = {key: key for key in ("code", "name", "field", "processing_days", "day_unit", "cutoff", "fee",
                                    "documents", "online_level", "legal_basis", "no_appointment_day", "active")}
    records: list[_Record] = []
    rows: list[tuple[str, int | None]] = []
    for index, item in enumerate(data.get("procedures") or [], start=1):
        values = dict(item) if isinstance(item, dict) else {}
        values.pop("active", None)  # the seed never decides whether an office still uses a procedure
        record = _check_procedure(values, index, columns, resolver, out, documents_as_lines=False)
        if record:
            records.append(record)
            rows.append((record.code, index))
    _check_duplicates(rows, "code", out)
    if out.problems:
        raise CatalogImportError(out.problems)

    if not update_existing:
        existing_fields = {f.code for f in Field.select(Field.code)}
        existing = {p.code for p in Procedure.select(Procedure.code)}
        fields = [f for f in fields if f[0] not in existing_fields]
        records = [r for r in records if r.code not in existing]
    return run_write(lambda: _apply(fields, records))


# --- Excel ----------------------------------------------------------------------------------
def _cell_text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _write_sheet(sheet, headers: tuple[str, ...], rows: list[list[Any]], widths: dict[str, int]) -> None:
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
    sheet = workbook.active
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
    _write_sheet(sheet, PROCEDURE_COLUMNS, rows, _COLUMN_WIDTHS)
    _write_sheet(workbook.create_sheet(SHEET_FIELDS), FIELD_COLUMNS,
                 [[f.code, f.name, f.sort_order] for f in fields], {FIELD_COL_NAME: 40, FIELD_COL_CODE: 14})

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


def _read_rows(sheet) -> list[tuple[Any, ...]]:
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
    file_problem = _Collector(path.name)
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

    fields_out = _Collector(SHEET_FIELDS)
    fields: list[tuple[str, str, int | None]] = []
    if field_rows is not None:
        fields = _parse_field_rows(field_rows, fields_out)
    out = _Collector(SHEET_PROCEDURES)
    records = _parse_procedure_rows(procedure_rows, {code: name for code, name, _o in fields}, out)
    problems = fields_out.problems + out.problems
    if problems:
        raise CatalogImportError(problems)
    return run_write(lambda: _apply(fields, records))


def _non_blank_rows(rows: list[tuple[Any, ...]]):
    for number, row in enumerate(rows[1:], start=2):
        if not all(_is_blank(value) for value in row):
            yield number, row


def _parse_field_rows(rows: list[tuple[Any, ...]], out: _Collector) -> list[tuple[str, str, int | None]]:
    header = _header_map(rows[0] if rows else (), FIELD_COLUMNS)
    missing = [title for title in FIELD_REQUIRED_COLUMNS if title not in header]
    for title in missing:
        out.add(1, title, _("The column is missing from the header row."))
    if missing:
        return []
    columns = {"code": FIELD_COL_CODE, "name": FIELD_COL_NAME, "sort_order": FIELD_COL_ORDER}
    result = []
    keys = []
    for number, row in _non_blank_rows(rows):
        values = {key: (row[header[title]] if title in header and header[title] < len(row) else None)
                  for key, title in columns.items()}
        checked = _check_field(values, number, columns, out)
        if checked:
            result.append(checked)
            keys.append((checked[0], number))
    _check_duplicates(keys, FIELD_COL_CODE, out)
    return result


def _parse_procedure_rows(rows: list[tuple[Any, ...]], sheet_fields: dict[str, str], out: _Collector
                          ) -> list[_Record]:
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
    columns = {
        "code": COL_CODE, "name": COL_NAME, "field": COL_FIELD, "processing_days": COL_DAYS,
        "day_unit": COL_DAY_UNIT, "cutoff": COL_CUTOFF, "fee": COL_FEE, "documents": COL_DOCUMENTS,
        "online_level": COL_ONLINE, "legal_basis": COL_LEGAL, "no_appointment_day": COL_NO_APPOINTMENT,
        "active": COL_ACTIVE,
    }
    resolver = _FieldResolver(sheet_fields)
    records = []
    keys: list[tuple[str, int | None]] = []
    for number, row in _non_blank_rows(rows):
        values = {key: (row[header[title]] if title in header and header[title] < len(row) else None)
                  for key, title in columns.items()}
        code = _code_text(values["code"])
        if code:
            keys.append((code, number))
        record = _check_procedure(values, number, columns, resolver, out, documents_as_lines=True)
        if record:
            records.append(record)
    _check_duplicates(keys, COL_CODE, out)
    out.problems.sort(key=lambda p: (p.row or 0, PROCEDURE_COLUMNS.index(p.column) if p.column in PROCEDURE_COLUMNS
                                     else len(PROCEDURE_COLUMNS)))
    return records
