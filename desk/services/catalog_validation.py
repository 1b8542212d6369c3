"""Checking catalog rows: one set of rules for the shipped seed, the Excel import and the edit form.

A check reports every problem of a row (not just the first) with its sheet, row and column, so a
clerk fixes a file in one pass; a row with any problem yields no record, and callers write nothing
unless every row passed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from desk.errors import ValidationError
from desk.i18n import _, ngettext
from desk.models import Field, Procedure
from desk.services.catalog_format import (
    DAY_UNIT_LABELS,
    DOCUMENT_KINDS,
    NO,
    ONLINE_LABELS,
    SHEET_FIELDS,
    SHEET_PROCEDURES,
    YES,
    K,
    clean_multiline,
    code_text,
    is_blank,
    normalise_cutoff,
    parse_bool,
    parse_choice,
    parse_document_line,
    parse_int,
)
from desk.services.dossiers import DocumentItem
from desk.services.kinds import DayUnit, OnlineLevel
from desk.services.limits import char_limit
from desk.text import clean, fold

MAX_DAYS = 365
MAX_PROBLEM_CHARS = 300
_MAX_MESSAGE_LINES = 50

FieldRow = tuple[str, str, int | None]  # a validated field: code, name, sort order (None: keep / 0)
Report = Callable[[str, str], None]  # (logical column, message): how a check tells its problems


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

    def __init__(self, issues: list[ImportProblem]) -> None:
        self.issues = list(issues)
        super().__init__({f"{p.sheet}|{p.row}|{p.column}|{i}": p.describe() for i, p in enumerate(self.issues)})
        lines = [p.describe() for p in self.issues[:_MAX_MESSAGE_LINES]]
        if len(self.issues) > _MAX_MESSAGE_LINES:
            more = len(self.issues) - _MAX_MESSAGE_LINES
            lines.append(ngettext("... and {count} more problem.", "... and {count} more problems.", more).format(count=more))
        self.args = ("\n".join([_("Nothing was imported; please correct the file and try again:"), *lines]),)

    def __str__(self) -> str:
        return str(self.args[0])


class ProblemCollector:
    """The problems found in one sheet (or the form), in the order they were found."""

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.problems: list[ImportProblem] = []

    def add(self, row: int | None, column: str, message: str) -> None:
        # A message quotes the offending cell; a 20,000-character cell must not make a 20,000-character line.
        if len(message) > MAX_PROBLEM_CHARS:
            message = message[: MAX_PROBLEM_CHARS - 1] + "…"
        self.problems.append(ImportProblem(self.sheet, row, column, message))


@dataclass
class ProcedureRecord:
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


class FieldResolver:
    """Turns what a sheet says in its "Lĩnh vực" column (a code or a name) into a field code."""

    def __init__(self, sheet_fields: dict[str, str]) -> None:
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
        """The field code ``value`` names; LookupError (with the message to show) when none or several."""
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


# --- one procedure ---------------------------------------------------------------------------
def check_procedure(
    values: dict[str, Any],
    row: int | None,
    columns: dict[str, str],
    resolver: FieldResolver,
    out: ProblemCollector,
    *,
    documents_as_lines: bool,
) -> ProcedureRecord | None:
    """Validate one procedure (an Excel row, a seed entry or the form); report every problem, not just the first.

    ``columns`` maps the logical names to the titles used in problem reports. The ``active`` key
    is only read when present (absent: the office's choice is kept). None when anything was wrong.
    """
    before = len(out.problems)

    def problem(key: str, message: str) -> None:
        out.add(row, columns[key], message)

    raw_documents = values.get("documents")
    record = ProcedureRecord(
        code=_procedure_code(values.get("code"), problem),
        name=_procedure_name(values.get("name"), problem),
        field=_field_code(values.get("field"), resolver, problem),
        processing_days=_processing_days(values.get("processing_days"), problem),
        day_unit=_choice(values, "day_unit", DAY_UNIT_LABELS, DayUnit.WORKING, problem, _(
            "Unknown kind of days “{value}”; use “ngày làm việc” or “ngày”.")),
        cutoff=_cutoff(values.get("cutoff"), problem),
        fee=_fee(values.get("fee"), problem),
        documents=(_document_lines(raw_documents, problem) if documents_as_lines
                   else _document_items(raw_documents, problem)),
        online_level=_choice(values, "online_level", ONLINE_LABELS, OnlineLevel.NONE, problem, _(
            "Unknown online level “{value}”; use one of: {allowed}.")),
        legal_basis=clean_multiline(values.get("legal_basis")),
        no_appointment_day=bool(_yes_no(values, "no_appointment_day", False, problem)),
        active=_yes_no(values, "active", True, problem) if "active" in values else None,
    )
    return None if len(out.problems) > before else record


def _procedure_code(raw: Any, problem: Report) -> str:
    code = code_text(raw)
    limit = char_limit(Procedure.code)
    if not code:
        problem("code", _("The procedure code is missing."))
    elif len(code) > limit:
        problem("code", _("The procedure code is longer than {limit} characters.").format(limit=limit))
    elif re.search(r"\s", code):
        problem("code", _("The procedure code must not contain spaces: “{code}”.").format(code=code))
    return code


def _procedure_name(raw: Any, problem: Report) -> str:
    name = clean(str(raw or ""))
    if not name:
        problem("name", _("The procedure name is missing."))
    elif len(name) > char_limit(Procedure.name) or len(fold(name)) > char_limit(Procedure.name_folded):
        problem("name", _("The procedure name is longer than {limit} characters.").format(
            limit=char_limit(Procedure.name)))
    return name


def _field_code(raw: Any, resolver: FieldResolver, problem: Report) -> str:
    text = code_text(raw)
    if not text:
        problem("field", _("The field is missing."))
        return ""
    try:
        return resolver.resolve(text)
    except LookupError as exc:
        problem("field", str(exc.args[0]))
        return ""


def _processing_days(raw: Any, problem: Report) -> int:
    if is_blank(raw):
        problem("processing_days", _("The processing time is missing (write 0 for a same-day procedure)."))
        return 0
    try:
        days = parse_int(raw)
    except ValueError:
        problem("processing_days", _("The processing time must be a whole number of days, not “{value}”.")
                .format(value=raw))
        return 0
    if days < 0:
        problem("processing_days", _("The processing time cannot be negative ({value}).").format(value=days))
    elif days > MAX_DAYS:
        problem("processing_days", _("The processing time of {value} days is too long (at most {limit}).")
                .format(value=days, limit=MAX_DAYS))
    return days


def _choice(values: dict[str, Any], key: str, labels: Mapping[K, str], default: K, problem: Report,
            message: str) -> K:
    """A day unit or an online level; ``message`` (already translated) may name {value} and {allowed}."""
    try:
        return parse_choice(values.get(key), labels, default)
    except ValueError:
        problem(key, message.format(value=values.get(key), allowed=", ".join(labels.values())))
        return default


def _cutoff(raw: Any, problem: Report) -> str | None:
    try:
        return normalise_cutoff(raw)
    except ValueError:
        problem("cutoff", _("The cut-off time must be a time of day such as 15:00, not “{value}”.").format(value=raw))
        return None


def _fee(raw: Any, problem: Report) -> str:
    fee = clean(str(raw or ""))
    if len(fee) > char_limit(Procedure.fee):
        problem("fee", _("The fee text is longer than {limit} characters.").format(limit=char_limit(Procedure.fee)))
    return fee


def _document_lines(raw: Any, problem: Report) -> list[DocumentItem]:
    """The Excel cell: one "1 x Name (bản chính)" per line."""
    text = "" if raw is None else str(raw)
    lines = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]
    documents = []
    for number, line in enumerate(lines, start=1):
        try:
            documents.append(parse_document_line(line))
        except ValueError:
            problem("documents", _("Document line {line} “{text}” is not of the form "
                                   "“1 x Name (bản chính)” or “1 x Name (bản sao)”.").format(
                line=number, text=line.strip()))
    return documents


def _document_items(raw: Any, problem: Report) -> list[DocumentItem]:
    """The seed's and the form's list of {"name", "count", "kind"}."""
    documents = []
    for number, item in enumerate(raw or [], start=1):
        try:
            if not isinstance(item, dict):
                raise ValueError(item)
            name = clean(str(item.get("name") or ""))
            count = parse_int(item.get("count", 1))
            kind = item.get("kind")
            if not name or count < 1 or kind not in DOCUMENT_KINDS:
                raise ValueError(item)
            documents.append(DocumentItem(name, count, kind, item.get("no_digitisation") is True))
        except ValueError:
            problem("documents", _("Document {line} needs a name, a count of at least 1 and a kind "
                                   "(original or copy).").format(line=number))
    return documents


def _yes_no(values: dict[str, Any], key: str, default: bool, problem: Report) -> bool | None:
    try:
        return parse_bool(values.get(key), default=default)
    except ValueError:
        problem(key, _("Write {yes} or {no}, not “{value}”.").format(yes=YES, no=NO, value=values.get(key)))
        return default


# --- fields and codes ------------------------------------------------------------------------
def check_field(values: dict[str, Any], row: int | None, columns: dict[str, str], out: ProblemCollector
                ) -> FieldRow | None:
    """Validate one field (lĩnh vực): code, name and an optional sort order; None when anything was wrong."""
    before = len(out.problems)
    code = code_text(values.get("code"))
    if not code:
        out.add(row, columns["code"], _("The field code is missing."))
    elif len(code) > char_limit(Field.code):
        out.add(row, columns["code"], _("The field code is longer than {limit} characters.").format(
            limit=char_limit(Field.code)))
    name = clean(str(values.get("name") or ""))
    if not name:
        out.add(row, columns["name"], _("The field name is missing."))
    elif len(name) > char_limit(Field.name):
        out.add(row, columns["name"], _("The field name is longer than {limit} characters.").format(
            limit=char_limit(Field.name)))
    order: int | None = None
    raw_order = values.get("sort_order")
    if not is_blank(raw_order):
        try:
            order = parse_int(raw_order)
        except ValueError:
            out.add(row, columns["sort_order"], _("The order must be a whole number, not “{value}”.").format(
                value=raw_order))
    if len(out.problems) > before:
        return None
    return code, name, order


def check_duplicates(keys: Sequence[tuple[str, int | None]], column: str, out: ProblemCollector) -> None:
    """Report every code used a second time, naming the row of its first use."""
    first: dict[str, int | None] = {}
    for key, row in keys:
        if key in first:
            out.add(row, column, _("Code {code} is already used in row {row}.").format(code=key, row=first[key]))
        else:
            first[key] = row
