"""Move a whole office database (normally the SQLite file) into PostgreSQL, and prove it arrived whole.

Every table is copied in dependency order with its ids, in one target transaction; the PostgreSQL id
sequences are then moved past the copied ids, and each table's row count and checksum are compared
on both sides before the transaction commits. A target that already holds office data is refused.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from peewee import (
    AutoField,
    BlobField,
    BooleanField,
    CharField,
    Database,
    DateField,
    DateTimeField,
    Field,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from desk.errors import DeskError
from desk.i18n import _
from desk.models.db import SCHEMA_VERSION, database_proxy, ensure_schema, is_postgres, make_database, redact
from desk.models.db import schema_version as read_schema_version
from desk.models.entities import ALL_MODELS, SchemaInfo
from desk.services.accounts import Actor, require
from desk.services.kinds import Role

BATCH = 5000
Progress = Callable[[str, int, int], None]  # table, rows copied, rows in the table


@dataclass
class TableReport:
    table: str
    source_rows: int
    target_rows: int
    source_sha256: str
    target_sha256: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_sha256 == self.target_sha256


@dataclass
class MigrationReport:
    target: str  # redacted URL
    tables: list[TableReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return bool(self.tables) and all(t.ok for t in self.tables)

    def to_json(self) -> dict:
        return {
            "target": self.target, "ok": self.ok, "seconds": round(self.seconds, 2),
            "tables": [{"table": t.table, "rows": t.source_rows, "target_rows": t.target_rows,
                        "sha256": t.source_sha256, "target_sha256": t.target_sha256, "ok": t.ok}
                       for t in self.tables],
        }


def _columns(model: type[Model]) -> list[tuple[str, Field]]:
    return [(f.column_name, f) for f in model._meta.sorted_fields]


def _pk_column(model: type[Model]) -> str:
    pk = model._meta.primary_key
    assert pk, f"{model._meta.table_name} has no primary key"  # every table of ours has one
    return pk.column_name


def _normal(value: Any, fld: Field) -> str:
    """One text form per value on both engines: SQLite keeps dates as text and booleans as 0/1.

    ``value`` is what the driver's cursor gave for the column (any of its types).
    """
    if value is None:
        return "\x00"
    if isinstance(fld, BooleanField):
        return "1" if value in (True, 1, "1", "t", "true") else "0"
    if isinstance(fld, DateTimeField):
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return moment.isoformat(" ", timespec="microseconds")
    if isinstance(fld, DateField):
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        return day.isoformat()
    if isinstance(fld, AutoField | IntegerField | ForeignKeyField):
        return str(int(value))
    if isinstance(fld, BlobField):  # bytes from SQLite, a memoryview from psycopg2: compare the bytes
        return hashlib.sha256(bytes(value)).hexdigest()
    return str(value)


def _rows(db: Database, model: type[Model], batch: int = BATCH) -> Iterator[list[tuple[Any, ...]]]:
    names = ", ".join(f'"{c}"' for c, _f in _columns(model))
    cursor = db.execute_sql(f'SELECT {names} FROM "{model._meta.table_name}" ORDER BY "{_pk_column(model)}"')
    while True:
        chunk = cursor.fetchmany(batch)
        if not chunk:
            return
        yield chunk


def table_checksum(db: Database, model: type[Model]) -> tuple[int, str]:
    """Row count and sha256 of a table's rows in primary-key order, values in engine-neutral text."""
    fields = [f for _c, f in _columns(model)]
    digest = hashlib.sha256()
    count = 0
    for chunk in _rows(db, model):
        for row in chunk:
            digest.update("\x1f".join(_normal(v, f) for v, f in zip(row, fields, strict=True)).encode())
            digest.update(b"\x1e")
            count += 1
    return count, digest.hexdigest()


def _to_target(row: tuple[Any, ...], fields: list[Field]) -> tuple[Any, ...]:
    """SQLite's 0/1 booleans become real booleans; text dates are cast by PostgreSQL itself."""
    return tuple(bool(v) if v is not None and isinstance(f, BooleanField) else v
                 for v, f in zip(row, fields, strict=True))


def _insert(target: Database, model: type[Model], rows: list[tuple[Any, ...]]) -> None:
    columns = _columns(model)
    names = ", ".join(f'"{c}"' for c, _f in columns)
    fields = [f for _c, f in columns]
    values = [_to_target(r, fields) for r in rows]
    cursor = target.cursor()
    if is_postgres(target):
        from psycopg2.extras import execute_values

        execute_values(cursor, f'INSERT INTO "{model._meta.table_name}" ({names}) VALUES %s', values,
                       page_size=1000)
    else:
        marks = ", ".join("?" * len(columns))
        cursor.executemany(f'INSERT INTO "{model._meta.table_name}" ({names}) VALUES ({marks})', values)


def _count(target: Database, model: type[Model]) -> int:
    return target.execute_sql(f'SELECT COUNT(*) FROM "{model._meta.table_name}"').fetchone()[0]


def migrate_to(target_url: str, *, actor: Actor, progress: Progress | None = None) -> MigrationReport:
    """Copy the open database, whole, into the empty database at ``target_url``; administrators only
    (it copies every ID number and every account).

    Raises DeskError (and leaves no data in the target) if the target holds office data, or if any
    table's count or checksum differs after the copy.
    """
    require(actor, Role.ADMIN)
    started = time.monotonic()
    source = database_proxy.obj
    if source is None:
        raise DeskError(_("No database is open."))
    if read_schema_version(source) != SCHEMA_VERSION:
        raise DeskError(_("The current database is not at the program's schema version; run init first."))
    _refuse_unfit_values(source)
    target = make_database(target_url)
    report = MigrationReport(target=redact(target_url))
    try:
        target.connect()
        schema = getattr(target, "desk_schema", "")
        if schema:
            target.execute_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    except Exception as exc:  # noqa: BLE001 - any connection failure is reported the same way
        raise DeskError(_("Cannot open the database ({url}): {error}").format(
            url=redact(target_url), error=redact(str(exc).strip()))) from exc
    try:
        same = (type(target) is type(source) and target.database == source.database
                and getattr(target, "desk_schema", "") == getattr(source, "desk_schema", ""))
        if same and target.connect_params.get("host") == source.connect_params.get("host"):
            raise DeskError(_("The target is the current database."))
        with target.bind_ctx(ALL_MODELS):
            ensure_schema(target)
            busy = [m._meta.table_name for m in ALL_MODELS if m is not SchemaInfo and _count(target, m)]
            if busy:
                raise DeskError(_("The target {url} already holds office data (tables: {tables}). Migrate only "
                                  "into an empty database; nothing was changed.")
                                .format(url=redact(target_url), tables=", ".join(busy)))
        with source.atomic(), target.atomic():  # a consistent snapshot in, all-or-nothing out
            target.execute_sql('DELETE FROM "schema_info"')
            for model in ALL_MODELS:
                total = source.execute_sql(f'SELECT COUNT(*) FROM "{model._meta.table_name}"').fetchone()[0]
                done = 0
                for chunk in _rows(source, model):
                    _insert(target, model, chunk)
                    done += len(chunk)
                    if progress:
                        progress(model._meta.table_name, done, total)
            if is_postgres(target):
                _reset_sequences(target)
            for model in ALL_MODELS:
                count, digest = table_checksum(source, model)
                target_count, target_digest = table_checksum(target, model)
                report.tables.append(TableReport(model._meta.table_name, count, target_count, digest,
                                                 target_digest))
            if not report.ok:
                bad = ", ".join(t.table for t in report.tables if not t.ok)
                raise DeskError(_("The copy differs from the original in: {tables}. Nothing was kept in the "
                                  "target.").format(tables=bad))
    finally:
        target.close()
    report.seconds = time.monotonic() - started
    return report


def _unfit_values(db: Database) -> list[str]:
    """Where the source holds a value PostgreSQL would refuse: longer than its column's max_length, or NUL.

    SQLite enforces neither. One query per text column (at most 5 rows each), so the copy is refused
    before anything reaches the target. LENGTH counts characters on both engines but stops at a NUL on
    SQLite, hence the separate NUL test on the bytes.
    """
    found: list[str] = []
    sqlite = not is_postgres(db)
    for model in ALL_MODELS:
        table, pk = model._meta.table_name, _pk_column(model)
        for column, fld in _columns(model):
            if not isinstance(fld, CharField | TextField):
                continue
            limit = getattr(fld, "max_length", None)
            if isinstance(fld, CharField) and limit is not None:
                rows = db.execute_sql(f'SELECT "{pk}", LENGTH("{column}") FROM "{table}" '
                                      f'WHERE LENGTH("{column}") > {int(limit)} ORDER BY "{pk}" LIMIT 5').fetchall()
                found.extend(_("table {table}, row {row}, field {field}: {length} characters, at most {limit}")
                             .format(table=table, row=row_id, field=column, length=length, limit=limit)
                             for row_id, length in rows)
            if sqlite:
                rows = db.execute_sql(f'SELECT "{pk}" FROM "{table}" WHERE INSTR(CAST("{column}" AS BLOB), '
                                      f'X\'00\') > 0 ORDER BY "{pk}" LIMIT 5').fetchall()
                found.extend(_("table {table}, row {row}, field {field}: holds a NUL character").format(
                    table=table, row=row_id, field=column) for (row_id,) in rows)
    return found


def _refuse_unfit_values(db: Database) -> None:
    found = _unfit_values(db)
    if not found:
        return
    more = _(" (and more)") if len(found) > 5 else ""
    raise DeskError(_("Some values do not fit the target database, so nothing was copied: {problems}{more}. "
                      "They were saved before lengths were checked: shorten them in the SQLite file (after "
                      "a backup), then migrate again.").format(
        problems="; ".join(found[:5]), more=more))


def _reset_sequences(target: Database) -> None:
    """Next ids continue after the copied ones (ids were inserted explicitly, bypassing the sequences)."""
    for model in ALL_MODELS:
        pk = model._meta.primary_key
        if not isinstance(pk, AutoField):
            continue
        table, column = model._meta.table_name, pk.column_name
        target.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
            f'COALESCE((SELECT MAX("{column}") FROM "{table}"), 1), '
            f'(SELECT MAX("{column}") FROM "{table}") IS NOT NULL)'
        )
