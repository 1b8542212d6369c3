"""Editing the procedure catalog from the screen: leaders and admins only.

The checks are the catalog's own (the same rules as the Excel import and the seed), so a
procedure saved from the form is one the import would accept, and the other way round.
Every change runs in one write transaction.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any

from desk.errors import NotFound, ValidationError
from desk.i18n import _
from desk.models import Procedure
from desk.models.db import run_write
from desk.services import catalog
from desk.services.accounts import Actor, require
from desk.services.catalog_format import code_text
from desk.services.catalog_read import FieldInfo, ProcedureInfo
from desk.services.catalog_store import ImportSummary, apply_changes
from desk.services.catalog_validation import FieldResolver, ProblemCollector, check_field, check_procedure
from desk.services.dossiers import DocumentItem
from desk.services.kinds import DayUnit, OnlineLevel, Role

# The keys of a procedure as the form (and ValidationError.problems) name them.
PROCEDURE_KEYS = ("code", "name", "field_code", "processing_days", "day_unit", "cutoff", "fee", "documents",
                  "online_level", "legal_basis", "no_appointment_day", "active")
_FORM = "form"


def _values_of(info: Any, overrides: dict[str, Any]) -> dict[str, Any]:
    """A ProcedureInfo, any object with the same attributes, a dict, or keyword arguments → plain values."""
    values: dict[str, Any] = {}
    if isinstance(info, dict):
        values.update(info)
    elif info is not None:
        names = [f.name for f in dataclass_fields(info)] if hasattr(info, "__dataclass_fields__") else PROCEDURE_KEYS
        values.update({name: getattr(info, name) for name in names if hasattr(info, name)})
    values.update(overrides)
    unknown = set(values) - set(PROCEDURE_KEYS) - {"field_name", "field"}
    if unknown:
        raise TypeError(f"unknown procedure attributes: {sorted(unknown)}")
    if "field" in values and "field_code" not in values:
        values["field_code"] = values.pop("field")
    return values


def _document_dicts(documents: Any) -> list[Any]:
    """DocumentItem objects (or dicts) → the dicts the catalog's checker reads."""
    result: list[Any] = []
    for item in documents or []:
        if isinstance(item, DocumentItem):
            result.append({"name": item.name, "count": item.count, "kind": item.kind,
                           "no_digitisation": item.no_digitisation})
        else:
            result.append(item)
    return result


def _problems(out: ProblemCollector) -> ValidationError:
    """The collector's problems keyed like the form: {"processing_days": "...", ...}."""
    found: dict[str, list[str]] = {}
    for problem in out.problems:
        key = "field_code" if problem.column == "field" else problem.column
        found.setdefault(key, []).append(problem.message)
    return ValidationError({key: " ".join(messages) for key, messages in found.items()})


def save_procedure(info: Any = None, *, by: Actor, create: bool | None = None, **values: Any) -> ProcedureInfo:
    """Create or update one procedure with the catalog's validation; returns it as stored.

    ``info`` is a ProcedureInfo (or anything with its attributes, or a dict); keyword arguments
    override it. ``create=True`` refuses a code that exists (a new procedure from the form),
    ``create=False`` refuses one that does not; None saves either way. An ``active`` of None keeps
    the current value (new procedures start active). Problems come back as one ValidationError
    whose keys are the attribute names (code, name, field_code, processing_days, ...).
    """
    require(by, Role.LEADER)
    data = _values_of(info, values)
    code = code_text(data.get("code"))
    exists = bool(code) and Procedure.select().where(Procedure.code == code).exists()
    if create is True and exists:
        raise ValidationError({"code": _("Code {code} is already used by another procedure.").format(code=code)})
    if create is False and not exists:
        raise NotFound(_("There is no procedure with code {code} in the catalog.").format(code=code))

    checked = {
        "code": data.get("code"),
        "name": data.get("name"),
        "field": data.get("field_code"),
        "processing_days": data.get("processing_days"),
        "day_unit": data.get("day_unit") or DayUnit.WORKING,
        "cutoff": data.get("cutoff"),
        "fee": data.get("fee"),
        "documents": _document_dicts(data.get("documents")),
        "online_level": data.get("online_level") or OnlineLevel.NONE,
        "legal_basis": data.get("legal_basis"),
        "no_appointment_day": bool(data.get("no_appointment_day")),
    }
    if data.get("active") is not None:
        checked["active"] = bool(data["active"])
    out = ProblemCollector(_FORM)
    columns = {key: key for key in checked} | {"active": "active"}
    record = check_procedure(checked, None, columns, FieldResolver({}), out, documents_as_lines=False)
    if record is None:
        raise _problems(out)
    run_write(lambda: apply_changes([], [record], by=by))
    return catalog.get_procedure(record.code)


def set_procedure_active(code: str, active: bool, *, by: Actor) -> ProcedureInfo:
    """Retire a procedure (it leaves the intake list; old dossiers keep it) or bring it back."""
    require(by, Role.LEADER)
    procedure = catalog.get_procedure(code)  # NotFound names the code
    run_write(lambda: Procedure.update(active=bool(active)).where(Procedure.code == procedure.code).execute())
    return catalog.get_procedure(procedure.code)


def save_field(code: str, name: str, sort_order: int | None = None, *, by: Actor) -> FieldInfo:
    """Create a field (lĩnh vực) or rename / reorder one; the order is the statistics' row order."""
    require(by, Role.LEADER)
    out = ProblemCollector(_FORM)
    checked = check_field({"code": code, "name": name, "sort_order": sort_order}, None,
                           {"code": "code", "name": "name", "sort_order": "sort_order"}, out)
    if checked is None:
        raise _problems(out)
    run_write(lambda: apply_changes([checked], [], by=by))
    return next(f for f in catalog.list_fields() if f.code == checked[0])


def import_catalog(path: Path | str, *, by: Actor) -> ImportSummary:
    """catalog.import_xlsx for leaders: all or nothing, CatalogImportError lists every bad row."""
    require(by, Role.LEADER)
    return catalog.import_xlsx(path, by=by)


def export_catalog(path: Path | str, *, by: Actor) -> int:
    """catalog.export_xlsx for leaders; returns the number of procedures written."""
    require(by, Role.LEADER)
    return catalog.export_xlsx(path)
