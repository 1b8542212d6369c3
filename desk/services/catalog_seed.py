"""The shipped catalog (seed_catalog.json): checked with the import's rules, then written in one go."""

from __future__ import annotations

import json
from importlib.resources import files as package_files
from importlib.resources.abc import Traversable
from pathlib import Path

from desk.i18n import _
from desk.models import Field, Procedure
from desk.models.db import run_write
from desk.services.accounts import Actor, require
from desk.services.catalog_store import ImportSummary, apply_changes
from desk.services.catalog_validation import (
    CatalogImportError,
    FieldResolver,
    FieldRow,
    ImportProblem,
    ProblemCollector,
    ProcedureRecord,
    check_duplicates,
    check_field,
    check_procedure,
)
from desk.services.kinds import Role

# Read through the package (a checkout, an installed package or a bundle), never the working directory.
SEED_PATH: Traversable = package_files("desk") / "resources" / "catalog" / "seed_catalog.json"

_FIELD_KEYS = {"code": "code", "name": "name", "sort_order": "sort_order"}
_PROCEDURE_KEYS = {key: key for key in ("code", "name", "field", "processing_days", "day_unit", "cutoff", "fee",
                                        "documents", "online_level", "legal_basis", "no_appointment_day", "active")}


def load_seed(path: Path | str | None = None, *, by: Actor, update_existing: bool = True) -> ImportSummary:
    """Install the shipped catalog; safe to run at every init (leaders and admins).

    Creates missing fields and procedures and (unless ``update_existing`` is False) brings seeded
    ones back to the shipped values. Running it twice changes nothing; procedures the office added
    and the office's active/retired choice are kept.
    """
    require(by, Role.LEADER)
    source: Traversable = Path(path) if path else SEED_PATH
    data = _read(source)
    out = ProblemCollector(source.name)
    fields = _seed_fields(data, out)
    records = _seed_procedures(data, {code: name for code, name, _order in fields}, out)
    if out.problems:
        raise CatalogImportError(out.problems)
    if not update_existing:
        existing_fields = {f.code for f in Field.select(Field.code)}
        existing = {p.code for p in Procedure.select(Procedure.code)}
        fields = [f for f in fields if f[0] not in existing_fields]
        records = [r for r in records if r.code not in existing]
    return run_write(lambda: apply_changes(fields, records, by=by))


def _read(source: Traversable) -> dict:
    """The file's JSON object ({} for any other JSON value); CatalogImportError when unreadable."""
    sheet = source.name
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogImportError([ImportProblem(sheet, None, "", _("Cannot read the catalog file {name}: {error}")
                                                .format(name=sheet, error=exc.strerror or exc))]) from exc
    except ValueError as exc:
        raise CatalogImportError([ImportProblem(sheet, None, "", _("The catalog file {name} is not valid JSON: {error}")
                                                .format(name=sheet, error=exc))]) from exc
    return data if isinstance(data, dict) else {}


def _seed_fields(data: dict, out: ProblemCollector) -> list[FieldRow]:
    fields = []
    for index, item in enumerate(data.get("fields") or [], start=1):
        checked = check_field(item if isinstance(item, dict) else {}, index, _FIELD_KEYS, out)
        if checked:
            fields.append(checked)
    check_duplicates([(code, i) for i, (code, _n, _o) in enumerate(fields, start=1)], "code", out)
    return fields


def _seed_procedures(data: dict, seed_fields: dict[str, str], out: ProblemCollector) -> list[ProcedureRecord]:
    resolver = FieldResolver(seed_fields)
    records: list[ProcedureRecord] = []
    rows: list[tuple[str, int | None]] = []
    for index, item in enumerate(data.get("procedures") or [], start=1):
        values = dict(item) if isinstance(item, dict) else {}
        values.pop("active", None)  # the seed never decides whether an office still uses a procedure
        record = check_procedure(values, index, _PROCEDURE_KEYS, resolver, out, documents_as_lines=False)
        if record:
            records.append(record)
            rows.append((record.code, index))
    check_duplicates(rows, "code", out)
    return records
