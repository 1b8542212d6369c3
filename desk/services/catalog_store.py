"""Writing checked catalog rows: the one upsert behind the seed, the Excel import and the edit form.

Rows reach it only after catalog_validation passed every one of them; rows it is not given are left
alone, and a row equal to what is stored counts as unchanged (running the same seed twice changes
nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

from desk.models import Field, Procedure
from desk.services.accounts import Actor, require
from desk.services.catalog_format import documents_from_json, documents_to_json, is_json_list
from desk.services.catalog_validation import FieldRow, ProcedureRecord
from desk.services.kinds import Role
from desk.text import fold


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


def apply_changes(fields: list[FieldRow], records: list[ProcedureRecord], *, by: Actor) -> ImportSummary:
    """Create or update the given fields, then the procedures (leaders and admins).

    Runs inside the caller's write transaction; callers pass only rows that passed validation.
    """
    require(by, Role.LEADER)
    summary = ImportSummary()
    by_code = _apply_fields(fields, summary)
    for record in records:
        field = by_code.get(record.field) or Field.get(Field.code == record.field)
        by_code[record.field] = field
        _apply_procedure(record, field, summary)
    return summary


def _apply_fields(fields: list[FieldRow], summary: ImportSummary) -> dict[str, Field]:
    by_code: dict[str, Field] = {}
    for code, name, order in fields:
        field = Field.get_or_none(Field.code == code)
        if field is None:
            by_code[code] = Field.create(code=code, name=name, sort_order=order or 0)
            summary.fields_created += 1
            continue
        changes: dict[str, object] = {}
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
    return by_code


def _apply_procedure(record: ProcedureRecord, field: Field, summary: ImportSummary) -> None:
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
        Procedure.create(code=record.code, documents=documents_to_json(record.documents),
                         active=True if record.active is None else record.active, **values)
        summary.procedures_created += 1
        return
    changes = {key: value for key, value in values.items()
               if (procedure.field_id if key == "field" else getattr(procedure, key)) != value}
    if documents_from_json(procedure.documents) != record.documents or not is_json_list(procedure.documents):
        changes["documents"] = documents_to_json(record.documents)
    if record.active is not None and bool(procedure.active) != record.active:
        changes["active"] = record.active
    if changes:
        Procedure.update(**changes).where(Procedure.id == procedure.id).execute()
        summary.procedures_updated += 1
    else:
        summary.procedures_unchanged += 1
