"""The one place that builds a database connection and keeps its schema current.

It also refuses, before anything is written, a file that is not an office database (random bytes,
another program's SQLite file, a truncated copy, a folder, a device): such a file is left exactly as
it was, with no ``-wal``/``-shm``/``-journal`` beside it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlparse

from peewee import (
    Database,
    DatabaseError,
    InterfaceError,
    OperationalError,
    PostgresqlDatabase,
    ProgrammingError,
    SqliteDatabase,
)

from desk.errors import DatabaseBusy, DeskError
from desk.i18n import _
from desk.models.entities import (
    ALL_MODELS,
    Attachment,
    DailySequence,
    QueueCounter,
    QueueGroup,
    QueueSequence,
    QueueTicket,
    Rating,
    SchemaInfo,
    database_proxy,
)
from desk.redaction import protect, redact
from desk.timezone import OFFICE_OFFSET_HOURS

log = logging.getLogger(__name__)

# The version that adds the waiting room's tables (D50): one constant, so renumbering it at a merge is one edit.
QUEUE_SCHEMA_VERSION = 7
SCHEMA_VERSION = QUEUE_SCHEMA_VERSION
# target version → function(db) that upgrades from target-1; run in order, in one transaction.
MIGRATIONS: dict[int, Callable[[Database], None]] = {}

SQLITE_BUSY_TIMEOUT_MS = 30_000
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_SQLITE_MAGIC = b"SQLite format 3\x00"

T = TypeVar("T")

# How many times run_write retried lock contention / gave up, in this process (for bench/bench_load.py).
WRITE_RETRIES = 0
WRITE_BUSY_FAILURES = 0


class DiskFull(DeskError):
    """The disk (or the PostgreSQL server's disk) has no room for the write; nothing was saved."""


def is_postgres(db: Database | None = None) -> bool:
    db = db or database_proxy.obj
    return isinstance(db, PostgresqlDatabase)


def _one_line(exc: BaseException) -> str:
    """A driver's message on one line (libpq's span several, with tabs)."""
    return redact(" ".join(str(exc).split()))


def make_database(url: str) -> Database:
    """Build (not yet open, nothing created on disk) a peewee database from ``sqlite:///path`` or
    ``postgresql://...``.

    A ``?schema=NAME`` query on a PostgreSQL URL keeps one office (or one test) in its own schema.
    """
    protect(url)  # from now on no message or log line shows a piece of its password
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///office.db is relative to the working folder, sqlite:////abs/office.db absolute; the rest
        # is the path as typed ("#" or "?" in a folder name are not a fragment or a query)
        path = unquote(url.split("://", 1)[1] if "://" in url else url.split(":", 1)[1])
        path = path[1:] if path.startswith("/") else path
        if not path:
            raise DeskError(_("The database address {url} names no file. Use sqlite:///file.db.").format(url=url))
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
        timeout_text = (query.get("connect_timeout") or ["5"])[0]
        try:
            timeout = int(timeout_text)
        except ValueError:
            timeout = -1
        if not 0 <= timeout <= 3600:
            raise DeskError(_("connect_timeout in the database address must be a whole number of seconds "
                              "from 0 to 3600: {value}").format(value=timeout_text))
        try:
            port = parsed.port or 5432
        except ValueError:
            port = 0
        if not 1 <= port <= 65535:
            raise DeskError(_("The port in the database address must be a number from 1 to 65535: {url}")
                            .format(url=redact(url)))
        kwargs: dict[str, Any] = {  # psycopg2's connect() keywords, passed through
            "user": unquote(parsed.username) if parsed.username else None,
            "password": unquote(parsed.password) if parsed.password else None,
            "host": parsed.hostname or "127.0.0.1",
            "port": port,
            "connect_timeout": timeout,
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
        _("Unsupported database address: {url}. Use sqlite:///file.db or postgresql://...").format(url=redact(url))
    )


def application_name(schema: str = "") -> str:
    """The PostgreSQL application name of a desk of one office schema (the server keeps 63 characters)."""
    return f"onestop-desk:{schema or 'public'}"[:63]


def connect(url: str, *, create: bool = True, allow_new: bool = True) -> Database:
    """Open the database at ``url``, bind the models to it and bring the schema up to date.

    ``allow_new``: a missing SQLite file, an empty file or an empty PostgreSQL schema becomes a new
    office database; otherwise (every command but ``init``) that is refused and nothing is created.
    ``create=False`` only opens: no table is created or upgraded.
    """
    db = make_database(url)
    if isinstance(db, SqliteDatabase) and db.database != ":memory:":
        state = inspect_sqlite_file(db.database)
        if state != "ours" and not allow_new:
            raise DeskError(_("The database {path} does not exist (or is empty). Nothing was created; to make a "
                              "new database there, run the init command with this --db.").format(path=db.database))
        if state == "missing":
            try:
                Path(db.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DeskError(_("Cannot create the database {path}: {error}").format(
                    path=db.database, error=exc.strerror or exc)) from exc
    try:
        db.connect(reuse_if_open=True)
    except (DatabaseError, InterfaceError) as exc:
        raise _translate(exc, url) from exc
    database_proxy.initialize(db)
    if create:
        try:
            ensure_schema(db, allow_new=allow_new)
        except DeskError:
            db.close()
            raise
        except (DatabaseError, InterfaceError) as exc:
            db.close()
            raise _translate(exc, url) from exc
    return db


def _translate(exc: BaseException, url: str) -> DeskError:
    """A driver error met while opening → the one-line message a person can act on."""
    if _is_disk_full(exc):
        return DiskFull(_disk_full_message())
    if _is_permission_denied(exc):
        return DeskError(_("Your PostgreSQL account may not change this database's tables (it is not their "
                           "owner). Run init once with the owner's account ({error}).").format(error=_one_line(exc)))
    return DeskError(_("Cannot open the database ({url}): {error}").format(url=redact(url), error=_one_line(exc)))


# -- is this file an office database? ----------------------------------------------------------
def _damaged(path: str, reason: str) -> DeskError:
    return DeskError(_("The database {path} is damaged ({reason}). Nothing was changed; restore the latest "
                       "backup (restore command).").format(path=path, reason=reason))


# The schema version that added a table (a table not named here is in every version).
_TABLE_ADDED_IN = {"attachment": 5, "rating": 6, "queue_group": QUEUE_SCHEMA_VERSION, "queue_counter": QUEUE_SCHEMA_VERSION,
                   "queue_sequence": QUEUE_SCHEMA_VERSION, "queue_ticket": QUEUE_SCHEMA_VERSION}


def tables_of_version(version: int = SCHEMA_VERSION) -> list[str]:
    """The tables a database of schema ``version`` has (a migration that adds one says so above); a backup
    of an older version is checked against these."""
    return [m._meta.table_name for m in ALL_MODELS if _TABLE_ADDED_IN.get(m._meta.table_name, 0) <= version]


_model_tables = tables_of_version


def inspect_sqlite_file(path: str) -> str:
    """``"missing"``, ``"empty"`` (no tables yet) or ``"ours"``; raises DeskError for anything else.

    Reads the file without SQLite's locking or journals (``immutable``) unless a write-ahead log
    beside it shows that SQLite is using it, so a foreign or damaged file gets no companion files.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        raise DeskError(_("Cannot open the database {path}: {error}").format(
            path=path, error=exc.strerror or exc)) from exc
    if stat.S_ISDIR(info.st_mode):
        raise DeskError(_("{path} is a folder, not a database file. Nothing was changed.").format(path=path))
    if not stat.S_ISREG(info.st_mode):
        raise DeskError(_("{path} is not a regular file, so it cannot be a database. Nothing was changed.")
                        .format(path=path))
    if info.st_size == 0:
        return "empty"
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise DeskError(_("Cannot open the database {path}: {error}").format(
            path=path, error=exc.strerror or exc)) from exc
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise DeskError(_("{path} is not a database file of this program (not SQLite). Nothing was changed.")
                        .format(path=path))
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1) or header[21:24] != b"\x40\x20\x20":
        raise _damaged(path, _("its header is not valid"))
    logs = [Path(f"{path}{suffix}") for suffix in ("-wal", "-journal")]
    in_use = any(p.exists() and p.stat().st_size > 0 for p in logs)
    if not in_use:  # with a log beside it the file may legitimately lag behind its header
        pages = int.from_bytes(header[28:32], "big")
        header_valid = header[24:28] == header[92:96]
        if info.st_size % page_size or (header_valid and pages * page_size > info.st_size):
            raise _damaged(path, _("the file is shorter than it should be: it was cut off"))
    uri = Path(path).resolve().as_uri() + "?mode=ro" + ("" if in_use else "&immutable=1")
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise _damaged(path, _one_line(exc)) from exc
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return "empty"
        if SchemaInfo._meta.table_name not in tables:
            raise DeskError(_("{path} is a SQLite database of another program (it has no OneStop Desk tables). "
                              "Nothing was changed.").format(path=path))
        row = conn.execute("SELECT value FROM schema_info WHERE key = 'schema_version'").fetchone()
        version = _parse_version(path, row[0] if row else None)
        if version == 0:
            raise _damaged(path, _("it has tables but no schema version"))
        if version <= SCHEMA_VERSION:
            missing = [t for t in _model_tables(version) if t not in tables]
            if missing:
                raise _damaged(path, _("tables missing: {tables}").format(tables=", ".join(missing)))
        for table in tables & set(_model_tables()):
            conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchall()  # each table's first page is readable
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise DatabaseBusy(_("The database {path} is in use by another program and did not become free; "
                                 "nothing was changed. Please try again.").format(path=path)) from exc
        raise _damaged(path, _one_line(exc)) from exc
    except sqlite3.Error as exc:
        raise _damaged(path, _one_line(exc)) from exc
    finally:
        conn.close()
    return "ours"


def _parse_version(where: str, value: object) -> int:
    if value is None:
        return 0
    try:
        version = int(str(value).strip())
    except ValueError:
        version = -1
    if version < 0:
        raise _damaged(where, _("its schema version is not a number: {value}").format(value=str(value)[:40]))
    return version


# -- schema version and upgrade ----------------------------------------------------------------
def schema_version(db: Database) -> int:
    if not SchemaInfo.table_exists():
        return 0
    row = SchemaInfo.get_or_none(SchemaInfo.key == "schema_version")
    return _parse_version(_describe(db), row.value if row else None)


def _describe(db: Database) -> str:
    if is_postgres(db):
        schema = getattr(db, "desk_schema", "") or "public"
        return f"{db.database} (schema {schema})"
    return str(db.database)


def _pg_schema_exists(db: Database) -> bool:
    schema = getattr(db, "desk_schema", "")
    if not schema:
        return True
    return db.execute_sql("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone() is not None


def _tables(db: Database) -> set[str]:
    return set(db.get_tables())


def _schema_is_current(db: Database) -> bool:
    if is_postgres(db) and not _pg_schema_exists(db):
        return False
    tables = _tables(db)
    return (SchemaInfo._meta.table_name in tables and schema_version(db) == SCHEMA_VERSION
            and not [t for t in _model_tables() if t not in tables])


def lock_schema(db: Database | None = None) -> None:
    """Inside a write transaction: one process at a time creates, upgrades or sets up this office.

    PostgreSQL: a transaction-scoped advisory lock per schema (four ``init`` at once on an empty
    database otherwise race in the catalog); SQLite: ``BEGIN IMMEDIATE`` already serialises.
    """
    db = db or database_proxy.obj
    if is_postgres(db):
        name = f"onestop-desk schema {getattr(db, 'desk_schema', '') or 'public'}"
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (key,))


def ensure_schema(db: Database, *, allow_new: bool = True) -> int:
    """Create the tables on an empty database, or run the pending migrations; returns the version.

    A current schema is only read (a desk's PostgreSQL role that owns nothing can connect).
    """
    if _schema_is_current(db):
        return SCHEMA_VERSION
    with write_transaction(db):
        lock_schema(db)
        if is_postgres(db) and not _pg_schema_exists(db):
            schema = getattr(db, "desk_schema", "")
            if not allow_new:
                raise DeskError(_("The PostgreSQL schema {name} does not exist. Nothing was created; to make it, "
                                  "run the init command.").format(name=schema))
            db.execute_sql(f'CREATE SCHEMA "{schema}"')
        tables = _tables(db)
        current = schema_version(db)
        if current == 0:
            ours = [t for t in _model_tables() if t in tables]
            if ours:
                raise _damaged(_describe(db), _("it has tables but no schema version"))
            if not allow_new:
                raise DeskError(_("The database {name} has no OneStop Desk tables yet. Nothing was created; to "
                                  "make them, run the init command.").format(name=_describe(db)))
            db.create_tables(ALL_MODELS, safe=False)
            _set_version(SCHEMA_VERSION)
            install_guards(db)
            _pg_search_layout(db)
            return SCHEMA_VERSION
        if current > SCHEMA_VERSION:
            raise DeskError(
                _("This database was made by a newer version of the program (schema {found} > {known}). "
                  "Please update the program.").format(found=current, known=SCHEMA_VERSION)
            )
        missing = [t for t in _model_tables(current) if t not in tables]
        if missing:
            raise _damaged(_describe(db), _("tables missing: {tables}").format(tables=", ".join(missing)))
        for target in range(current + 1, SCHEMA_VERSION + 1):
            log.info("upgrading the database schema to version %s", target)
            MIGRATIONS[target](db)
            _set_version(target)
        if is_postgres(db):
            for role in desk_roles(db):  # a migration may have made tables the desks' roles cannot reach yet
                _grant_desk_role(db, role)
    return SCHEMA_VERSION


def _set_version(version: int) -> None:
    (SchemaInfo.insert(key="schema_version", value=str(version))
     .on_conflict(conflict_target=[SchemaInfo.key], update={SchemaInfo.value: str(version)})
     .execute())


# -- guards: history cannot be rewritten, even from a SQL console -------------------------------
_DOSSIER_FIXED = ("id", "code", "office_id", "received_at", "due_at")
_SQLITE_GUARDS = {
    # the audit trail: no UPDATE, no DELETE, and no REPLACE (it deletes without firing delete triggers,
    # but an INSERT trigger fires before conflict resolution). New rows get id -1 inside the trigger.
    "dossier_event_no_update": "BEFORE UPDATE ON dossier_event BEGIN "
                               "SELECT RAISE(ABORT, 'dossier_event is append-only'); END",
    "dossier_event_no_delete": "BEFORE DELETE ON dossier_event BEGIN "
                               "SELECT RAISE(ABORT, 'dossier_event is append-only'); END",
    "dossier_event_no_replace": "BEFORE INSERT ON dossier_event "
                                "WHEN NEW.id > 0 AND EXISTS (SELECT 1 FROM dossier_event WHERE id = NEW.id) BEGIN "
                                "SELECT RAISE(ABORT, 'dossier_event is append-only: an event is never replaced'); END",
    "dossier_event_positive_id": "AFTER INSERT ON dossier_event WHEN NEW.id <= 0 BEGIN "
                                 "SELECT RAISE(ABORT, 'dossier_event ids are positive'); END",
    # dossiers: never deleted or replaced (their history would be orphaned), id and code never change
    "dossier_no_delete": "BEFORE DELETE ON dossier BEGIN SELECT RAISE(ABORT, 'dossiers are never deleted'); END",
    "dossier_no_replace": "BEFORE INSERT ON dossier WHEN (NEW.id > 0 AND EXISTS (SELECT 1 FROM dossier "
                          "WHERE id = NEW.id)) OR EXISTS (SELECT 1 FROM dossier WHERE code = NEW.code) BEGIN "
                          "SELECT RAISE(ABORT, 'dossiers are never replaced: this id or code exists'); END",
    "dossier_positive_id": "AFTER INSERT ON dossier WHEN NEW.id <= 0 BEGIN "
                           "SELECT RAISE(ABORT, 'dossier ids are positive'); END",
    # ... and the facts of its receipt: where, when, and the legal due moment (which never moves, D4)
    "dossier_keeps_identity": f"BEFORE UPDATE OF {', '.join(_DOSSIER_FIXED)} ON dossier WHEN "
                              + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _DOSSIER_FIXED)
                              + " BEGIN SELECT RAISE(ABORT, 'a dossier keeps its id, code, office, receipt time "
                                "and due time'); END",
    # digitised files (schema 5, D43): attached once, never rewritten, removed or replaced
    "attachment_no_update": "BEFORE UPDATE ON attachment BEGIN "
                            "SELECT RAISE(ABORT, 'attachment is append-only'); END",
    "attachment_no_delete": "BEFORE DELETE ON attachment BEGIN "
                            "SELECT RAISE(ABORT, 'attachment is append-only'); END",
    "attachment_no_replace": "BEFORE INSERT ON attachment "
                             "WHEN NEW.id > 0 AND EXISTS (SELECT 1 FROM attachment WHERE id = NEW.id) BEGIN "
                             "SELECT RAISE(ABORT, 'attachment is append-only: a file is never replaced'); END",
    "attachment_positive_id": "AFTER INSERT ON attachment WHEN NEW.id <= 0 BEGIN "
                              "SELECT RAISE(ABORT, 'attachment ids are positive'); END",
    # day counters only go up, so a number once handed out is never handed out again
    "daily_sequence_no_delete": "BEFORE DELETE ON daily_sequence BEGIN "
                                "SELECT RAISE(ABORT, 'day counters are never deleted'); END",
    "daily_sequence_only_up": "BEFORE UPDATE ON daily_sequence WHEN NEW.last_value < OLD.last_value "
                              "OR NEW.day IS NOT OLD.day OR NEW.office_id IS NOT OLD.office_id OR NEW.id IS NOT OLD.id "
                              "BEGIN SELECT RAISE(ABORT, 'day counters only go up'); END",
    # the queue's day counters (D50): the same rule, so a ticket number is never handed out twice
    "queue_sequence_no_delete": "BEFORE DELETE ON queue_sequence BEGIN "
                                "SELECT RAISE(ABORT, 'day counters are never deleted'); END",
    "queue_sequence_only_up": "BEFORE UPDATE ON queue_sequence WHEN NEW.last_value < OLD.last_value "
                              "OR NEW.day IS NOT OLD.day OR NEW.office_id IS NOT OLD.office_id OR NEW.id IS NOT OLD.id "
                              "BEGIN SELECT RAISE(ABORT, 'day counters only go up'); END",
}

_PG_GUARDS = {
    "dossier_event_no_update": ("BEFORE UPDATE OR DELETE ON dossier_event FOR EACH ROW",
                                "dossier_event is append-only"),
    "dossier_event_no_truncate": ("BEFORE TRUNCATE ON dossier_event FOR EACH STATEMENT",
                                  "dossier_event is append-only"),
    "attachment_no_update": ("BEFORE UPDATE OR DELETE ON attachment FOR EACH ROW", "attachment is append-only"),
    "attachment_no_truncate": ("BEFORE TRUNCATE ON attachment FOR EACH STATEMENT", "attachment is append-only"),
    "dossier_no_delete": ("BEFORE DELETE ON dossier FOR EACH ROW", "dossiers are never deleted"),
    "dossier_no_truncate": ("BEFORE TRUNCATE ON dossier FOR EACH STATEMENT", "dossiers are never deleted"),
    "dossier_keeps_identity": (f"BEFORE UPDATE OF {', '.join(_DOSSIER_FIXED)} ON dossier FOR EACH ROW WHEN ("
                               + " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _DOSSIER_FIXED) + ")",
                               "a dossier keeps its id, code, office, receipt time and due time"),
    "daily_sequence_no_delete": ("BEFORE DELETE ON daily_sequence FOR EACH ROW", "day counters are never deleted"),
    "daily_sequence_no_truncate": ("BEFORE TRUNCATE ON daily_sequence FOR EACH STATEMENT",
                                   "day counters are never deleted"),
    "daily_sequence_only_up": ("BEFORE UPDATE ON daily_sequence FOR EACH ROW WHEN (NEW.last_value < OLD.last_value "
                               "OR NEW.day IS DISTINCT FROM OLD.day OR NEW.office_id IS DISTINCT FROM OLD.office_id "
                               "OR NEW.id IS DISTINCT FROM OLD.id)", "day counters only go up"),
    "queue_sequence_no_delete": ("BEFORE DELETE ON queue_sequence FOR EACH ROW", "day counters are never deleted"),
    "queue_sequence_no_truncate": ("BEFORE TRUNCATE ON queue_sequence FOR EACH STATEMENT",
                                   "day counters are never deleted"),
    "queue_sequence_only_up": ("BEFORE UPDATE ON queue_sequence FOR EACH ROW WHEN (NEW.last_value < OLD.last_value "
                               "OR NEW.day IS DISTINCT FROM OLD.day OR NEW.office_id IS DISTINCT FROM OLD.office_id "
                               "OR NEW.id IS DISTINCT FROM OLD.id)", "day counters only go up"),
}


def install_guards(db: Database) -> None:
    """Database-side refusal to rewrite history (idempotent): see _SQLITE_GUARDS / _PG_GUARDS."""
    if is_postgres(db):
        db.execute_sql(
            "CREATE OR REPLACE FUNCTION desk_refuse() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION USING MESSAGE = TG_ARGV[0]; END; $$ LANGUAGE plpgsql"
        )
        present = set(db.get_tables())  # an older schema's upgrade step: later tables get theirs when made
        for name, (when, message) in _PG_GUARDS.items():
            table = when.split(" ON ")[1].split()[0]
            if table not in present:
                continue
            db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
            db.execute_sql(f"CREATE TRIGGER \"{name}\" {when} EXECUTE FUNCTION desk_refuse('{message}')")
        db.execute_sql("DROP FUNCTION IF EXISTS desk_audit_append_only()")  # version 1's, now unused
    else:
        present = set(db.get_tables())
        for name, body in _SQLITE_GUARDS.items():
            if body.split(" ON ")[1].split()[0] not in present:
                continue
            db.execute_sql(f'CREATE TRIGGER IF NOT EXISTS "{name}" {body}')


# -- version 2: day counters keyed by the full date; the guards above -------------------------
def _local_date_sql(db: Database) -> str:
    # Vietnam has kept +07:00 without daylight saving since 1975: the one fixed offset (desk.timezone),
    # the same rule as the reports.
    if is_postgres(db):
        return f"CAST(received_at + INTERVAL '{OFFICE_OFFSET_HOURS} hours' AS date)"
    return f"date(received_at, '{OFFICE_OFFSET_HOURS:+d} hours')"


def _to_v2(db: Database) -> None:
    """``daily_sequence.day`` was ``yymmdd`` text, so a 1926 receipt took a 2026 day's number. Each old
    counter becomes one per full date that has dossiers with that yymmdd (20yy when none has), each
    keeping the old value, so no number once handed out can come round again."""
    old = db.execute_sql("SELECT office_id, day, last_value FROM daily_sequence").fetchall()
    dates: dict[tuple[int, str], dict[date, int]] = {}
    for office_id, day, count in db.execute_sql(
            f"SELECT office_id, {_local_date_sql(db)} AS d, COUNT(*) FROM dossier GROUP BY office_id, d").fetchall():
        day = day if isinstance(day, date) else date.fromisoformat(str(day)[:10])
        dates.setdefault((office_id, f"{day:%y%m%d}"), {})[day] = count
    rows: dict[tuple[int, date], int] = {}
    for office_id, key, last_value in old:
        key = str(key)
        found = dates.pop((office_id, key), None)
        if not found:
            try:
                found = {date(2000 + int(key[:2]), int(key[2:4]), int(key[4:6])): 0}
            except ValueError:
                log.warning("schema 2: skipped a day counter with a malformed day %r", key)
                continue
        for day in found:
            rows[(office_id, day)] = max(rows.get((office_id, day), 0), int(last_value))
    for (office_id, _key), found in dates.items():  # dossiers without a counter: start after them
        for day, count in found.items():
            rows[(office_id, day)] = max(rows.get((office_id, day), 0), count)
    if is_postgres(db):
        db.execute_sql("DELETE FROM daily_sequence")
        db.execute_sql("ALTER TABLE daily_sequence ALTER COLUMN day TYPE date USING NULL::date")
    else:
        db.execute_sql("DROP TABLE daily_sequence")
        DailySequence.create_table(safe=False)
    if rows:
        (DailySequence.insert_many([{"office": o, "day": d, "last_value": v} for (o, d), v in sorted(rows.items())])
         .execute())
    install_guards(db)


MIGRATIONS[2] = _to_v2


# -- version 3: an office is set up only once a person gave its identity (D27) -------------------
# The identity that init gave every office before version 3 (the sample ward). An office still
# carrying it was never told who it is; frozen here because a migration describes the past.
_V2_SAMPLE_CODE = "000.00.13.H42"
_V2_SAMPLE_NAME = "UBND phường Trần Phú"


def _to_v3(db: Database) -> None:
    """``office.set_up_at`` (NULL: not set up) and ``office.demo``; the code column widens to 35 characters.

    A database that demo filled is a demo office; an office whose code and name both differ from the
    sample's was set up by a person (now, as far as anyone knows); an office that still has the sample
    code or name stays not set up, with or without dossiers: those keep their codes, and nothing new is
    received or printed until someone confirms or corrects the identity.
    """
    if is_postgres(db):
        db.execute_sql('ALTER TABLE "office" ADD COLUMN "set_up_at" TIMESTAMP NULL, '
                       'ADD COLUMN "demo" BOOLEAN NOT NULL DEFAULT FALSE, ALTER COLUMN "code" TYPE VARCHAR(35)')
    else:  # SQLite keeps any length in a VARCHAR(32); the declared type only documents it
        db.execute_sql('ALTER TABLE "office" ADD COLUMN "set_up_at" DATETIME')
        db.execute_sql('ALTER TABLE "office" ADD COLUMN "demo" INTEGER NOT NULL DEFAULT 0')
    now = datetime.now(UTC).replace(tzinfo=None)
    row = db.execute_sql("SELECT value FROM schema_info WHERE key = 'demo_dossiers'").fetchone()
    try:
        demo_filled = int(str(row[0]).strip()) > 0 if row else False
    except ValueError:
        demo_filled = False
    p = "%s" if is_postgres(db) else "?"
    if demo_filled:  # demo refuses a database with real dossiers, so this one was made for trying
        db.execute_sql(f'UPDATE "office" SET "demo" = {p}, "set_up_at" = {p}', (True, now))
    db.execute_sql(f'UPDATE "office" SET "set_up_at" = {p} WHERE "set_up_at" IS NULL AND "code" <> {p} '
                   f'AND "name" <> {p}', (now, _V2_SAMPLE_CODE, _V2_SAMPLE_NAME))


MIGRATIONS[3] = _to_v3


# -- version 4: PostgreSQL finds and orders dossiers as SQLite does, whatever its collation (D35) -
# The dossier's machine keys (codes, unaccented names, ID and phone numbers) compare in code-point order,
# as SQLite compares them, even on a database made with a linguistic collation (a Windows installer's
# system locale, ICU vi-VN): prefix searches are index ranges there too, and the list sorts the same.
PG_KEY_COLUMNS = {"code": "VARCHAR(64)", "applicant_name_folded": "VARCHAR(200)", "id_number": "VARCHAR(12)",
                  "phone": "VARCHAR(20)"}
# SQLite's one-column indexes end in the rowid, so "status = x ORDER BY id" reads one index in order;
# PostgreSQL's indexes need the id spelled out (the list sorted by status or by procedure).
PG_INDEXES = {"dossier_status_id": ("status", "id"), "dossier_procedure_id_id": ("procedure_id", "id")}


def _pg_search_layout(db: Database) -> None:
    """The C collation on the key columns and the (value, id) indexes; nothing to do on SQLite.

    Idempotent. On a full table the collation change rebuilds those columns' indexes (the rows are not
    rewritten); the identity guard names ``code`` and is dropped around it, then reinstalled.
    """
    if not is_postgres(db):
        return
    db.execute_sql('DROP TRIGGER IF EXISTS "dossier_keeps_identity" ON "dossier"')
    changes = ", ".join(f'ALTER COLUMN "{column}" TYPE {kind} COLLATE "C"' for column, kind in PG_KEY_COLUMNS.items())
    db.execute_sql(f'ALTER TABLE "dossier" {changes}')
    for name, columns in PG_INDEXES.items():
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "dossier" ({", ".join(columns)})')
    install_guards(db)


MIGRATIONS[4] = _pg_search_layout


# -- version 5: digitised files (số hóa hồ sơ, D43) ---------------------------------------------
def _to_v5(db: Database) -> None:
    """The ``attachment`` table and its append-only guards. The procedures' "needs no digitisation" marks
    live in their JSON component lists (absent reads as False), so no other table changes."""
    Attachment.create_table(safe=True)  # idempotent, like every step of an upgrade
    install_guards(db)


MIGRATIONS[5] = _to_v5


# -- version 6: citizens' ratings of the service (D49) and the office's public look-up address (D48) ----
def _to_v6_rating(db: Database) -> None:
    """The ``rating`` table with its unique key on ``dossier`` (one rating per dossier); nothing else
    changes. Idempotent, like every step of an upgrade."""
    Rating.create_table(safe=True)


def _to_v6_lookup_url(db: Database) -> None:
    """``office.lookup_url``: "" (no public page; slips keep the bare payload) for every existing office.
    Idempotent: a column already there is left as it is."""
    column = '"lookup_url" VARCHAR(200) NOT NULL DEFAULT \'\''
    if is_postgres(db):  # the schema in use is the search path's, which get_columns would not look in
        db.execute_sql(f'ALTER TABLE "office" ADD COLUMN IF NOT EXISTS {column}')
    elif "lookup_url" not in {c.name for c in db.get_columns("office")}:
        db.execute_sql(f'ALTER TABLE "office" ADD COLUMN {column}')


def _to_v6(db: Database) -> None:
    """Version 6 (issue 13): the ratings' table and the office's public look-up address."""
    _to_v6_rating(db)
    _to_v6_lookup_url(db)


MIGRATIONS[6] = _to_v6


# -- the waiting room: queue tickets, counters, ticket groups (D50) ----------------------------
def _to_queue_tables(db: Database) -> None:
    """The queue's four tables and its day counter's guards; nothing else changes (self-contained, so the
    step can move to another version number by changing QUEUE_SCHEMA_VERSION alone)."""
    db.create_tables([QueueGroup, QueueCounter, QueueSequence, QueueTicket], safe=True)
    install_guards(db)


MIGRATIONS[QUEUE_SCHEMA_VERSION] = _to_queue_tables


def pg_collation(db: Database | None = None) -> tuple[str, list[str]]:
    """The PostgreSQL database's own collation ("C.UTF-8", "vi-VN (ICU)") and the key columns of
    PG_KEY_COLUMNS that do not compare in code-point order (none once the schema is current)."""
    db = db or database_proxy.obj
    cursor = db.execute_sql("SELECT * FROM pg_database WHERE datname = current_database()")
    row = dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))
    icu = row.get("daticulocale") or row.get("datlocale")  # the column's name before / since PostgreSQL 17
    name = f"{icu} (ICU)" if row.get("datlocprovider") == "i" and icu else str(row.get("datcollate"))
    found = dict(db.execute_sql(
        "SELECT a.attname, c.collname FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation "
        "WHERE a.attrelid = 'dossier'::regclass AND a.attnum > 0").fetchall())
    return name, [column for column in PG_KEY_COLUMNS if found.get(column) not in ("C", "POSIX")]


# -- a PostgreSQL role for the desks that owns nothing ------------------------------------------
# What the desk program does to each table; everything else (ALTER, DROP, TRUNCATE, triggers) is
# the owner's alone.
_DESK_PRIVILEGES = {"schema_info": "SELECT", "dossier_event": "SELECT, INSERT", "attachment": "SELECT, INSERT",
                    "rating": "SELECT, INSERT",
                    "calendar_day": "SELECT, INSERT, UPDATE, DELETE"}
_DESK_DEFAULT_PRIVILEGES = "SELECT, INSERT, UPDATE"


def desk_roles(db: Database) -> list[str]:
    """The desk roles set up by ``init --desk-role`` (kept in schema_info, re-granted after upgrades)."""
    keys = [row.key for row in SchemaInfo.select(SchemaInfo.key)]
    return [key.split(":", 1)[1] for key in keys if key.startswith("desk_role:")]


def _grant_desk_role(db: Database, role: str) -> None:
    schema = db.execute_sql("SELECT current_schema()").fetchone()[0]
    db.execute_sql(f'GRANT CONNECT ON DATABASE "{db.database}" TO "{role}"')
    db.execute_sql(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
    present = set(db.get_tables())  # an old schema lacks later tables: the upgrade grants them
    for model in ALL_MODELS:  # exactly these privileges on exactly our tables and their id sequences
        table = model._meta.table_name
        if table not in present:
            continue
        db.execute_sql(f'REVOKE ALL ON "{table}" FROM "{role}"')
        db.execute_sql(f'GRANT {_DESK_PRIVILEGES.get(table, _DESK_DEFAULT_PRIVILEGES)} ON "{table}" TO "{role}"')
        pk = model._meta.primary_key
        assert pk, f"{table} has no primary key"  # every model of ours has one (narrows for the type checker)
        sequence = db.execute_sql("SELECT pg_get_serial_sequence(%s, %s)", (f'"{table}"', pk.column_name)).fetchone()[0]
        if sequence:
            db.execute_sql(f'REVOKE ALL ON SEQUENCE {sequence} FROM "{role}"')
            db.execute_sql(f'GRANT USAGE ON SEQUENCE {sequence} TO "{role}"')


def check_desk_role(role: str, db: Database) -> None:
    """Refuse, before anything is opened or created, a desk role on SQLite or a name that is not plain."""
    if not is_postgres(db):
        raise DeskError(_("A desk role exists only on PostgreSQL; a SQLite file is protected by the "
                          "computer's file permissions."))
    if not _ROLE_NAME.match(role or ""):
        raise DeskError(_("A role name is lower-case letters, digits and _, starting with a letter: {name}")
                        .format(name=role))


def setup_desk_role(role: str, password: str, db: Database | None = None) -> bool:
    """Create (or update the password of) a login role that can work the register but owns nothing.

    Refuses a role that could do more than that (superuser, may create roles or databases, owns
    objects here, or is a member of the owner). The password is sent already SCRAM-hashed. Returns
    True when the role was created, False when it existed.
    """
    db = db or database_proxy.obj
    check_desk_role(role, db)
    if not password:
        raise DeskError(_("The desk role needs a password."))
    from psycopg2.extensions import encrypt_password

    with write_transaction(db):
        lock_schema(db)
        owner = db.execute_sql("SELECT current_user").fetchone()[0]
        if role == owner:
            raise DeskError(_("The desk role must not be the owner's own role ({name}).").format(name=role))
        row = db.execute_sql(
            "SELECT oid, rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls, "
            "pg_has_role(oid, current_user, 'MEMBER') FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        hashed = encrypt_password(password, role, db.connection(), "scram-sha-256")
        try:
            if row is None:
                db.execute_sql(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION '
                               f"NOBYPASSRLS PASSWORD %s", (hashed,))
            else:
                oid, powerful, member_of_owner = row
                owned = db.execute_sql(
                    "SELECT (SELECT COUNT(*) FROM pg_class WHERE relowner = %s) + (SELECT COUNT(*) FROM pg_proc "
                    "WHERE proowner = %s) + (SELECT COUNT(*) FROM pg_namespace WHERE nspowner = %s)",
                    (oid, oid, oid)).fetchone()[0]
                if powerful or member_of_owner or owned:
                    raise DeskError(_("The role {name} already exists and can do more than a desk may (it is a "
                                      "superuser, may create roles or databases, owns objects here, or belongs to "
                                      "the owner). Choose another name.").format(name=role))
                db.execute_sql(f'ALTER ROLE "{role}" LOGIN PASSWORD %s', (hashed,))
            _grant_desk_role(db, role)
        except ProgrammingError as exc:
            if _is_permission_denied(exc):
                raise DeskError(_("Your PostgreSQL account may not create roles or grant on these tables: {error}. "
                                  "Run init --desk-role with the owner's account (it needs CREATEROLE).")
                                .format(error=_one_line(exc))) from exc
            raise
        (SchemaInfo.insert(key=f"desk_role:{role}", value="select-insert-update")
         .on_conflict_ignore().execute())
    return row is None


# -- writes ------------------------------------------------------------------------------------
def _is_disk_full(exc: BaseException | None) -> bool:
    while exc is not None:
        text = str(exc).lower()
        if ("disk is full" in text or "no space left" in text or "could not extend file" in text
                or getattr(getattr(exc, "orig", None), "pgcode", None) == "53100"
                or getattr(exc, "pgcode", None) == "53100"):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _is_permission_denied(exc: BaseException) -> bool:
    code = getattr(getattr(exc, "orig", None), "pgcode", None) or getattr(exc, "pgcode", None)
    return code == "42501" or "permission denied" in str(exc).lower() or "must be owner" in str(exc).lower()


def _disk_full_message() -> str:
    return _("The disk holding the database is full. Nothing was saved; free some disk space and try again.")


@contextmanager
def write_transaction(db: Database | None = None) -> Iterator[object]:
    """A transaction that takes the write lock up front on SQLite (no lock-upgrade deadlocks).

    A full disk becomes DiskFull (SQLite has then already rolled back, so peewee's own ROLLBACK
    fails with "cannot rollback"; that second error is not what happened).
    """
    db = db or database_proxy.obj
    try:
        if isinstance(db, SqliteDatabase):
            with db.atomic("IMMEDIATE") as txn:
                yield txn
        else:
            with db.atomic() as txn:
                yield txn
    except DatabaseError as exc:
        if _is_disk_full(exc):
            raise DiskFull(_disk_full_message()) from exc
        raise


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
