"""The one place that builds a database connection and keeps its schema current."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qs, unquote, urlparse

from peewee import Database, OperationalError, PostgresqlDatabase, SqliteDatabase

from desk.i18n import _
from desk.models.entities import ALL_MODELS, SchemaInfo, database_proxy
from desk.services.errors import DatabaseBusy, DeskError

SCHEMA_VERSION = 1
# target version → function(db) that upgrades from target-1; run in order, each in a transaction.
MIGRATIONS: dict[int, Callable[[Database], None]] = {}

SQLITE_BUSY_TIMEOUT_MS = 30_000
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")

T = TypeVar("T")

# How many times run_write retried lock contention / gave up, in this process (for bench/bench_load.py).
WRITE_RETRIES = 0
WRITE_BUSY_FAILURES = 0


def is_postgres(db: Database | None = None) -> bool:
    db = db or database_proxy.obj
    return isinstance(db, PostgresqlDatabase)


def make_database(url: str) -> Database:
    """Build (not yet open) a peewee database from ``sqlite:///path`` or ``postgresql://...``.

    A ``?schema=NAME`` query on a PostgreSQL URL keeps one office (or one test) in its own schema.
    """
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///office.db is relative to the working folder, sqlite:////abs/office.db absolute
        path = unquote(parsed.netloc + parsed.path)
        path = path[1:] if path.startswith("/") else path
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteDatabase(
            path,
            pragmas={
                "journal_mode": "wal",
                "foreign_keys": 1,
                "synchronous": "full",
                "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
                "cache_size": -65536,  # 64 MB: the dossier indexes of a busy office stay in memory
            },
            timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
        )
    if scheme in ("postgres", "postgresql"):
        query = parse_qs(parsed.query)
        schema = (query.get("schema") or [""])[0]
        kwargs: dict[str, object] = {
            "user": unquote(parsed.username) if parsed.username else None,
            "password": unquote(parsed.password) if parsed.password else None,
            "host": parsed.hostname or "127.0.0.1",
            "port": parsed.port or 5432,
            "connect_timeout": int((query.get("connect_timeout") or ["5"])[0]),
        }
        if schema:
            if not _SCHEMA_NAME.match(schema):
                raise DeskError(_("Invalid PostgreSQL schema name: {name}").format(name=schema))
            kwargs["options"] = f"-c search_path={schema}"
        kwargs["application_name"] = application_name(schema)  # a restore lists the desks still connected
        db = PostgresqlDatabase(parsed.path.lstrip("/") or "postgres", **kwargs)
        db.desk_schema = schema  # type: ignore[attr-defined]
        return db
    raise DeskError(
        _("Unsupported database address: {url}. Use sqlite:///file.db or postgresql://...").format(url=url)
    )


def application_name(schema: str = "") -> str:
    """The PostgreSQL application name of a desk of one office schema (the server keeps 63 characters)."""
    return f"onestop-desk:{schema or 'public'}"[:63]


def connect(url: str, *, create: bool = True) -> Database:
    """Open the database at ``url``, bind the models to it and bring the schema up to date."""
    db = make_database(url)
    try:
        db.connect(reuse_if_open=True)
        schema = getattr(db, "desk_schema", "")
        if schema:
            db.execute_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    except OperationalError as exc:
        raise DeskError(
            _("Cannot open the database ({url}): {error}").format(url=redact(url), error=str(exc).strip())
        ) from exc
    database_proxy.initialize(db)
    if create:
        ensure_schema(db)
    return db


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def schema_version(db: Database) -> int:
    if not SchemaInfo.table_exists():
        return 0
    row = SchemaInfo.get_or_none(SchemaInfo.key == "schema_version")
    return int(row.value) if row else 0


def ensure_schema(db: Database) -> int:
    """Create the tables on an empty database, or run the pending migrations; returns the version."""
    with write_transaction(db):
        current = schema_version(db)
        if current == 0:
            db.create_tables(ALL_MODELS, safe=True)
            _set_version(SCHEMA_VERSION)
            _install_guards(db)
            return SCHEMA_VERSION
        if current > SCHEMA_VERSION:
            raise DeskError(
                _("This database was made by a newer version of the program (schema {found} > {known}). "
                  "Please update the program.").format(found=current, known=SCHEMA_VERSION)
            )
        for target in range(current + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[target](db)
            _set_version(target)
    return SCHEMA_VERSION


def _set_version(version: int) -> None:
    (SchemaInfo.insert(key="schema_version", value=str(version))
     .on_conflict(conflict_target=[SchemaInfo.key], update={SchemaInfo.value: str(version)})
     .execute())


def _install_guards(db: Database) -> None:
    """Database-side refusal to rewrite history: the audit table is append-only."""
    if is_postgres(db):
        db.execute_sql(
            "CREATE OR REPLACE FUNCTION desk_audit_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'dossier_event is append-only'; END; $$ LANGUAGE plpgsql"
        )
        db.execute_sql("DROP TRIGGER IF EXISTS dossier_event_no_update ON dossier_event")
        db.execute_sql(
            "CREATE TRIGGER dossier_event_no_update BEFORE UPDATE OR DELETE ON dossier_event "
            "FOR EACH ROW EXECUTE FUNCTION desk_audit_append_only()"
        )
    else:
        for op in ("UPDATE", "DELETE"):
            db.execute_sql(
                f"CREATE TRIGGER IF NOT EXISTS dossier_event_no_{op.lower()} BEFORE {op} ON dossier_event "
                "BEGIN SELECT RAISE(ABORT, 'dossier_event is append-only'); END"
            )


@contextmanager
def write_transaction(db: Database | None = None):
    """A transaction that takes the write lock up front on SQLite (no lock-upgrade deadlocks)."""
    db = db or database_proxy.obj
    if isinstance(db, SqliteDatabase):
        with db.atomic("IMMEDIATE") as txn:
            yield txn
    else:
        with db.atomic() as txn:
            yield txn


def _is_retryable(exc: Exception) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "busy" in text or "could not serialize" in text or "deadlock" in text


def run_write(work: Callable[[], T], *, attempts: int = 5, db: Database | None = None) -> T:
    """Run ``work`` in a write transaction, retrying lock contention; a persistent lock becomes DatabaseBusy."""
    global WRITE_RETRIES, WRITE_BUSY_FAILURES
    db = db or database_proxy.obj
    delay = 0.05
    for attempt in range(1, attempts + 1):
        try:
            with write_transaction(db):
                return work()
        except OperationalError as exc:
            if not _is_retryable(exc) or attempt == attempts:
                if _is_retryable(exc):
                    WRITE_BUSY_FAILURES += 1
                    raise DatabaseBusy(
                        _("The database is busy (another desk is writing). Nothing was saved; please try again.")
                    ) from exc
                raise
            WRITE_RETRIES += 1
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def close() -> None:
    db = database_proxy.obj
    if db is not None and not db.is_closed():
        db.close()
