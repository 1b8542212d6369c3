"""Backups that can be trusted: written whole or not at all, verified, never overwritten; restores that lose nothing.

Backup
  SQLite (the default): SQLite's online backup API copies every page in one step, inside one read
  transaction of the live file. In WAL mode a reader does not block writers, so desks keep
  registering while the copy runs, and the copy cannot be restarted by their writes (a copy in
  small steps restarts on every write and never finished under load). The copy is written without
  a journal into a temporary file of ``desk.services.files`` (a full disk leaves no ``-journal``),
  marked as a self-contained file, verified, then published under its name; an existing file is
  never replaced.
  PostgreSQL: ``pg_dump -Fc`` of the office's schema (the client tools must be on PATH), verified by
  reading the whole archive back.

Restore
  The backup is verified before anything is touched.
  SQLite, over a database in use: in place, through the backup API, into the live file (same file,
  same inode) as one write transaction, so every desk's open connection sees the restored content
  on its next transaction and whatever it writes afterwards lands in the restored database. While
  that transaction holds the write lock (nobody can commit), the live content is first copied to a
  uniquely named ``<name>.before-restore-<time>`` file, and every daily dossier counter of the
  restored content is raised to the live one, so no code already printed on a slip is issued again.
  The dossiers that were in the live database but not in the backup are reported (they remain in
  the kept copy).
  PostgreSQL, over a live schema: refused while desks of this office are connected (each desk's
  session carries the application name ``onestop-desk:<schema>``; they are listed, or disconnected
  on request). Then, in one transaction that first locks every table of the schema, the schema is
  renamed to a unique ``<schema>_before_restore_<time>``, the archive is restored under the original
  name, the counters are raised the same way and every table's row count is checked before commit.
  Into a missing SQLite file or an empty schema the backup is simply written.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlparse

from peewee import Database, SqliteDatabase

from desk.errors import DeskError, PermissionDenied
from desk.i18n import _, ngettext
from desk.models import db as dbmod
from desk.models.db import (
    SCHEMA_VERSION,
    SQLITE_BUSY_TIMEOUT_MS,
    database_proxy,
    is_postgres,
    make_database,
    redact,
)
from desk.models.entities import ALL_MODELS
from desk.services import files
from desk.services.accounts import Actor, acting_staff, require
from desk.services.clock import LOCAL_TZ, Clock
from desk.services.kinds import Role

Progress = Callable[[int, int], None]
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
AUTO_PREFIX = "onestop-"
_AUTO_NAME = re.compile(r"^onestop-(\d{4}-\d{2}-\d{2})\.db$")
TABLES = [m._meta.table_name for m in ALL_MODELS]
BACKUP_ROLE = Role.ADMIN  # a backup holds every ID number, the staff password hashes and the slip QR key
RESTORE_ROLE = Role.ADMIN
SHOWN_CODES = 20  # codes listed in a restore message; the result holds them all
_BUSY_S = SQLITE_BUSY_TIMEOUT_MS / 1000
_SQLITE_OK = 0


@dataclass
class BackupInfo:
    path: Path
    engine: str = "sqlite"  # sqlite | postgres
    ok: bool = False
    schema_version: int = 0
    created_at: datetime | None = None  # aware UTC (the file's time)
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    size: int = 0


@dataclass
class RestoreResult:
    """What a restore did, for the person who ran it."""

    info: BackupInfo
    created: bool = False  # the target did not exist (or was empty): the backup was simply written
    kept: str = ""  # the before-restore copy: a file (SQLite) or a schema (PostgreSQL)
    missing: list[str] = field(default_factory=list)  # codes in the live database, not in the backup
    # codes in both whose later steps or digitised files are only in the kept copy (the backup is older)
    changed: list[str] = field(default_factory=list)
    counters_kept: int = 0  # day counters raised to the live value so no code is issued twice
    disconnected: list[str] = field(default_factory=list)  # PostgreSQL sessions ended on request
    kept_problems: list[str] = field(default_factory=list)  # the full check of the kept copy (SQLite)


# -- backup ------------------------------------------------------------------------------------
def backup(out: Path | str, *, actor: Actor, progress: Progress | None = None) -> BackupInfo:
    """Back up the open database to ``out``; the file appears only once it is complete and verified.

    An admin's action: the file holds every citizen's ID number, the staff password hashes and the
    key that signs slip QR codes. ``out`` must not exist yet (a backup is never overwritten).
    """
    require(actor, BACKUP_ROLE)
    return _backup_to(Path(out), progress)


def _backup_to(out: Path, progress: Progress | None) -> BackupInfo:
    db = database_proxy.obj
    if db is None:
        raise DeskError(_("No database is open."))
    if out.is_dir():
        raise DeskError(_("{path} is a folder; give the backup file name.").format(path=out))
    if out.exists():
        raise files.already_exists(out)
    if is_postgres(db):
        return _backup_postgres(db, out)
    return _backup_sqlite(Path(db.database), out, progress)


def _copy_sqlite(live: Path, tmp: Path) -> None:
    """Copy a consistent snapshot of ``live`` into the empty file ``tmp``: all pages in one step.

    One step is one read transaction of the live file: WAL writers go on meanwhile and cannot make
    the copy start over. The copy is written with no journal (it is ours alone, fsynced and
    verified afterwards), so a full disk leaves no ``-journal`` behind.
    """
    source = sqlite3.connect(live, timeout=_BUSY_S, isolation_level=None)
    try:
        source.execute("PRAGMA query_only = 1")
        target = sqlite3.connect(tmp, isolation_level=None)
        try:
            target.execute("PRAGMA journal_mode = OFF").fetchall()
            target.execute("PRAGMA synchronous = OFF")
            source.backup(target, pages=-1)
        finally:
            target.close()
    finally:
        source.close()
    _make_self_contained(tmp)


def _make_self_contained(path: Path) -> None:
    """Mark a copied file as a rollback-journal database (header bytes 18–19 = 1), as
    ``PRAGMA journal_mode=DELETE`` would: every page is in the file, and opening it must never
    create a ``-wal`` beside it."""
    with open(path, "r+b") as fh:
        fh.seek(18)
        if fh.read(2) == b"\x02\x02":
            fh.seek(18)
            fh.write(b"\x01\x01")


def _backup_sqlite(live: Path, out: Path, progress: Progress | None) -> BackupInfo:
    if progress:
        progress(0, 2)
    try:
        with files.atomic_path(out, exclusive=True) as tmp:
            _copy_sqlite(live, tmp)
            files.fsync_file(tmp)
            if progress:
                progress(1, 2)
            info = verify_backup(tmp)
            if not info.ok:
                raise DeskError(_("The backup could not be verified: {problems}. The backup was not kept.")
                                .format(problems="; ".join(info.problems)))
    except sqlite3.Error as exc:
        raise DeskError(_("The backup failed: {error}. Nothing was written.").format(error=exc)) from exc
    if progress:
        progress(2, 2)
    info.path = out
    info.size = out.stat().st_size
    return info


def _pg_params(url: str) -> tuple[list[str], dict[str, str], str, str]:
    """Command-line options, environment (password) and the schema of a PostgreSQL URL."""
    parsed = urlparse(url)
    query = parse_qs(parsed.query)
    schema = (query.get("schema") or [""])[0]
    dbname = parsed.path.lstrip("/") or "postgres"
    args = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432)]
    if parsed.username:
        args += ["-U", unquote(parsed.username)]
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = unquote(parsed.password)
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    env["PGAPPNAME"] = "onestop-desk-backup"
    return args, env, dbname, schema


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise DeskError(_("{tool} was not found. Install the PostgreSQL client tools (the same version as the "
                          "server) and make sure {tool} is on PATH, then try again.").format(tool=name))
    return path


def _url_of(db: Database) -> str:
    """Rebuild the URL of an open PostgreSQL database (for pg_dump)."""
    params = db.connect_params
    user = params.get("user") or ""
    password = params.get("password") or ""
    user, password = quote(user, safe=""), quote(password, safe="")  # "@", "/", "#", "%" survive the round trip
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    schema = getattr(db, "desk_schema", "")
    query = f"?schema={schema}" if schema else ""
    return f"postgresql://{auth}{params.get('host') or '127.0.0.1'}:{params.get('port') or 5432}/{db.database}{query}"


def _backup_postgres(db: Database, out: Path) -> BackupInfo:
    tool = _pg_tool("pg_dump")
    url = _url_of(db)
    args, env, dbname, schema = _pg_params(url)
    with files.atomic_path(out, exclusive=True) as tmp:
        command = [tool, "-Fc", "--no-owner", "-f", str(tmp), *args, "-d", dbname]
        if schema:
            command += ["-n", schema]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            error = redact(done.stderr.strip())[-500:]
            if "no space left" in error.lower():
                raise files.write_error(out, OSError(28, error))
            raise DeskError(_("pg_dump failed ({url}): {error}").format(url=redact(url), error=error))
        files.fsync_file(tmp)
        info = verify_backup(tmp)
        if not info.ok:
            raise DeskError(_("The backup could not be verified: {problems}. The backup was not kept.")
                            .format(problems="; ".join(info.problems)))
    info.path = out
    return info


# -- verify ------------------------------------------------------------------------------------
def verify_backup(path: Path | str, *, quick: bool = False) -> BackupInfo:
    """Open a backup without changing it and say whether it is a whole, readable office database.

    ``quick`` (SQLite): ``PRAGMA quick_check`` instead of the full integrity check (a tenth of the time;
    it does not compare indexes with their tables), for a copy taken while desks wait.
    """
    path = Path(path)
    info = BackupInfo(path=path)
    try:
        stat = path.stat()
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        info.problems.append(_("Cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc))
        return info
    info.size = stat.st_size
    info.created_at = datetime.fromtimestamp(stat.st_mtime, UTC)
    if head.startswith(SQLITE_MAGIC):
        _verify_sqlite(path, info, quick)
    elif head.startswith(PGDUMP_MAGIC):
        info.engine = "postgres"
        _verify_pgdump(path, info)
    else:
        info.problems.append(_("{path} is not a backup of this program (neither SQLite nor pg_dump).")
                             .format(path=path))
    if not info.problems:
        if info.schema_version == 0:
            info.problems.append(_("The backup has no schema version: it is not an office database."))
        elif info.schema_version > SCHEMA_VERSION:
            info.problems.append(_("The backup was made by a newer version of the program (schema {found} > "
                                   "{known}).").format(found=info.schema_version, known=SCHEMA_VERSION))
    info.ok = not info.problems
    return info


def _verify_sqlite(path: Path, info: BackupInfo, quick: bool = False) -> None:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        info.problems.append(_("Cannot open the backup: {error}").format(error=exc))
        return
    try:
        result = [row[0] for row in conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check")]
        if result != ["ok"]:
            info.problems.append(_("Integrity check failed: {result}").format(result="; ".join(result[:5])))
            return
        present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        row = conn.execute("SELECT value FROM schema_info WHERE key = 'schema_version'").fetchone() \
            if "schema_info" in present else None
        info.schema_version = int(row[0]) if row else 0
        expected = dbmod.tables_of_version(info.schema_version or SCHEMA_VERSION)  # an older backup: its tables
        missing = [t for t in expected if t not in present]
        if missing:
            info.problems.append(_("Tables missing from the backup: {tables}").format(tables=", ".join(missing)))
            return
        for table in expected:
            info.counts[table] = conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    except (sqlite3.Error, ValueError) as exc:
        info.problems.append(_("Cannot read the backup: {error}").format(error=exc))
    finally:
        conn.close()


def _verify_pgdump(path: Path, info: BackupInfo) -> None:
    """Read the whole dump back (data only, to a pipe): counts every table's rows and the schema version."""
    try:
        tool = _pg_tool("pg_restore")
    except DeskError as exc:
        info.problems.append(str(exc))
        return
    proc = subprocess.Popen([tool, "--data-only", "-f", "-", str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace")
    assert proc.stdout is not None
    copy = re.compile(r"^COPY (?:\"?[\w]+\"?\.)?\"?(\w+)\"? \(")
    table: str | None = None
    for line in proc.stdout:
        if table is None:
            match = copy.match(line)
            if match:
                table = match.group(1)
                info.counts.setdefault(table, 0)
            continue
        if line.rstrip("\n") == "\\.":
            table = None
            continue
        info.counts[table] += 1
        if table == "schema_info":
            key, _tab, value = line.rstrip("\n").partition("\t")
            if key == "schema_version":
                with suppress(ValueError):
                    info.schema_version = int(value)
    error = proc.stderr.read() if proc.stderr else ""
    if proc.wait() != 0:
        info.problems.append(_("pg_restore cannot read the backup: {error}").format(error=error.strip()[-300:]))
        return
    missing = [t for t in dbmod.tables_of_version(info.schema_version or SCHEMA_VERSION) if t not in info.counts]
    if missing:
        info.problems.append(_("Tables missing from the backup: {tables}").format(tables=", ".join(missing)))


# -- restore -----------------------------------------------------------------------------------
def target_state(url: str) -> str:
    """``missing`` (no SQLite file / an empty one, or a schema without tables), ``damaged`` (a SQLite file
    that cannot be read as a database) or ``present``: whether a restore would replace anything."""
    target = make_database(url)
    if is_postgres(target):
        schema = getattr(target, "desk_schema", "") or "public"
        _open_pg(target, url)
        try:
            return "present" if _pg_table_count(target, schema) else "missing"
        finally:
            target.close()
    live = Path(target.database)
    if not live.exists() or live.stat().st_size == 0:
        return "missing"
    try:
        conn = sqlite3.connect(f"{live.resolve().as_uri()}?mode=ro", uri=True, timeout=_BUSY_S)
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return "damaged"
    return "present"


def restore(path: Path | str, *, target_url: str, actor: Actor | None, clock: Clock | None = None,
            disconnect: bool = False) -> RestoreResult:
    """Put a verified backup in place of the database at ``target_url`` without losing anything.

    Over an existing database this needs an admin (``actor``); into a missing SQLite file or an
    empty schema there is nothing to protect and ``actor`` may be None. ``disconnect`` (PostgreSQL)
    ends the sessions of desks still connected instead of refusing. ``clock`` names the kept copy of
    the live data (``before-restore-<time>``); it is read once the backup has been verified.
    """
    path = Path(path)
    info = verify_backup(path)
    if not info.ok:
        raise DeskError(_("The backup {path} is not usable: {problems}. Nothing was changed.")
                        .format(path=path, problems="; ".join(info.problems)))
    moment = (clock or Clock()).now()
    target = make_database(target_url)
    if is_postgres(target):
        if info.engine != "postgres":
            raise DeskError(_("This is a SQLite backup; to put it on PostgreSQL restore it to a SQLite file, "
                              "then use migrate-to."))
        return _restore_postgres(path, info, target_url, target, actor=actor, now=moment, disconnect=disconnect)
    if info.engine != "sqlite":
        raise DeskError(_("This is a PostgreSQL backup; it can only be restored to a PostgreSQL database."))
    live = Path(target.database)
    state = target_state(target_url)
    if state == "damaged":
        raise DeskError(_("The database {path} cannot be read, so the backup cannot be put in place while desks "
                          "may have it open. Close the program on every desk, move the damaged file to another "
                          "folder (keep it), then restore again: the backup will be written as a new file. "
                          "Nothing was changed.").format(path=live))
    if state == "missing":
        _restore_sqlite_new(path, live)
        return RestoreResult(info=info, created=True)
    _require_restorer(actor)
    return _restore_sqlite_in_place(path, info, live, moment)


def _require_restorer(actor: Actor | None) -> None:
    if actor is None:
        raise PermissionDenied(_("Restoring over an existing database needs an admin account. Nothing was "
                                 "changed."))
    require(actor, RESTORE_ROLE)


def _restore_sqlite_new(backup_file: Path, live: Path) -> None:
    """No database there yet: write the backup as the new file (nobody can have it open)."""
    exclusive = not live.exists()  # an empty file (a connection made it) is replaced
    with files.atomic_path(live, exclusive=exclusive) as tmp:
        with open(backup_file, "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        files.fsync_file(tmp)
        check = verify_backup(tmp)
        if not check.ok:
            raise DeskError(_("The copy of the backup could not be verified: {problems}. Nothing was changed.")
                            .format(problems="; ".join(check.problems)))


def _sqlite_schema(conn: sqlite3.Connection, db: str = "main") -> dict[str, list[tuple]]:
    """Tables and their columns (name, type, not null, primary key): what the program relies on."""
    names = [row[0] for row in conn.execute(
        f"SELECT name FROM {db}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: [(c[1], str(c[2]).upper(), c[3], c[5]) for c in conn.execute(f'PRAGMA {db}.table_info("{name}")')]
            for name in names}


def _schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM schema_info WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def _before_restore_names(live: Path, moment: datetime) -> list[Path]:
    stamp = moment.astimezone(LOCAL_TZ).strftime("%Y%m%d-%H%M%S")
    base = live.with_name(f"{live.name}.before-restore-{stamp}")
    return [base, *(base.with_name(f"{base.name}-{n}") for n in range(2, 1000))]


def _prepare_copy(backup_file: Path, tmp: Path, live_conn: sqlite3.Connection) -> None:
    """Make ``tmp`` a copy of the backup that can be copied page by page into the live file."""
    with open(backup_file, "rb") as src, open(tmp, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE").fetchall()
        live_page = live_conn.execute("PRAGMA page_size").fetchone()[0]
        if conn.execute("PRAGMA page_size").fetchone()[0] != live_page:
            conn.execute(f"PRAGMA page_size = {int(live_page)}")
            conn.execute("VACUUM")  # rewrites the copy with the live file's page size
            if conn.execute("PRAGMA page_size").fetchone()[0] != live_page:
                raise DeskError(_("The backup's page size cannot be changed to the database's ({size} bytes), "
                                  "so it cannot be put in place. Nothing was changed.").format(size=live_page))
        found, in_use = _schema_version(conn), _schema_version(live_conn)
        if found != in_use:
            raise DeskError(_("The backup has schema version {found}, the database in use {live}: the desks' "
                              "program would not match it. Restore it into a new file with --db, open that file "
                              "once with this program, back it up and restore that. Nothing was changed.")
                            .format(found=found, live=in_use))
        ours, theirs = _sqlite_schema(conn), _sqlite_schema(live_conn)
        if ours != theirs:
            differ = sorted(name for name in set(ours) | set(theirs) if ours.get(name) != theirs.get(name))
            raise DeskError(_("The backup's tables differ from the database's ({tables}), so it cannot be put in "
                              "place. Nothing was changed.").format(tables=", ".join(differ)))
    finally:
        conn.close()
    # The program's guards (append-only audit trail) as this version installs them, before the copy.
    guarded = SqliteDatabase(str(tmp))
    try:
        dbmod.install_guards(guarded)
    finally:
        guarded.close()
    files.fsync_file(tmp)


# The day counters: dossier codes and queue tickets. A restore never lowers one (a printed code or a ticket in a
# citizen's hand is never issued twice); a backup older than a counter's table has none to raise.
COUNTER_TABLES = ("daily_sequence", "queue_sequence")


def _counter_tables(version: int) -> list[str]:
    return [t for t in COUNTER_TABLES if t in dbmod.tables_of_version(version)]


def _raise_counters_sql(table: str, kept: str, restored: str) -> str:
    """Raise ``restored``'s counters to ``kept``'s where the kept one is higher (SQLite and PostgreSQL alike)."""
    return (f"INSERT INTO {restored}.{table} AS d (office_id, day, last_value) "
            f"SELECT o.id, k.day, k.last_value FROM {kept}.{table} k "
            f"JOIN {kept}.office ko ON ko.id = k.office_id JOIN {restored}.office o ON o.code = ko.code WHERE true "
            "ON CONFLICT (office_id, day) DO UPDATE SET last_value = EXCLUDED.last_value "
            "WHERE d.last_value < EXCLUDED.last_value")


def _low_counters_sql(table: str, kept: str, restored: str) -> str:
    return (f"SELECT COUNT(*) FROM {kept}.{table} k JOIN {kept}.office ko ON ko.id = k.office_id "
            f"JOIN {restored}.office o ON o.code = ko.code LEFT JOIN {restored}.{table} d "
            "ON d.office_id = o.id AND d.day = k.day WHERE d.last_value IS NULL OR d.last_value < k.last_value")


_MISSING_CODES = "SELECT code FROM kept.dossier WHERE code NOT IN (SELECT code FROM main.dossier) ORDER BY id"


def _changed_codes_sql(kept: str, restored: str, *, files: bool = True) -> str:
    """Dossiers in both copies whose live state went further than the backup's: a later version (every change of
    state bumps it) or more digitised files. Restoring rolls them back; the person restoring must know which.
    ``files=False`` for a backup older than the attachment table (it is created empty on the next start)."""
    more_files = (f" OR (SELECT COUNT(*) FROM {kept}.attachment a WHERE a.dossier_id = k.id) > "
                  f"(SELECT COUNT(*) FROM {restored}.attachment b WHERE b.dossier_id = m.id)")
    kept_files = f" OR EXISTS (SELECT 1 FROM {kept}.attachment a WHERE a.dossier_id = k.id)"
    return (f"SELECT k.code FROM {kept}.dossier k JOIN {restored}.dossier m ON m.code = k.code "
            f"WHERE k.version > m.version{more_files if files else kept_files} ORDER BY k.id")


def _restore_sqlite_in_place(backup_file: Path, info: BackupInfo, live: Path, moment: datetime) -> RestoreResult:
    """Copy the backup page by page into the live file while the desks stay connected.

    The first step of the copy takes the live file's write lock; under it the live content is kept
    aside and what the backup lacks is merged into the copy, so no dossier and no day counter is lost.
    """
    result = RestoreResult(info=info)
    tmp = files.new_temp(live)
    try:
        _prepare_from_backup(backup_file, tmp, live)
        source = sqlite3.connect(tmp, isolation_level=None)
        editor = sqlite3.connect(tmp, isolation_level=None)
        dest = sqlite3.connect(live, timeout=_BUSY_S, isolation_level=None)
        try:
            _copy_backup_over_live(source, dest, _once_locked(live, moment, editor, result), result)
        finally:
            for conn in (source, editor, dest):
                conn.close()
    except sqlite3.Error as exc:
        raise _sqlite_restore_error(live, exc) from exc
    except OSError as exc:
        raise files.write_error(live, exc) from exc
    finally:
        files.remove_temp(tmp)
    return result


def _prepare_from_backup(backup_file: Path, tmp: Path, live: Path) -> None:
    """``tmp`` made ready from the backup against the live file's page size and schema (_prepare_copy)."""
    live_conn = sqlite3.connect(live, timeout=_BUSY_S, isolation_level=None)
    try:
        _prepare_copy(backup_file, tmp, live_conn)
    except sqlite3.Error as exc:
        raise DeskError(_("The database {path} cannot be read ({error}). Nothing was changed.")
                        .format(path=live, error=exc)) from exc
    finally:
        live_conn.close()


def _once_locked(live: Path, moment: datetime, editor: sqlite3.Connection,
                 result: RestoreResult) -> Callable[[int, int, int], None]:
    """The backup's progress callback: after the first successful step the live file's write lock is
    ours until the copy commits (or is rolled back if this raises); then, once, keep the live content
    and merge what the backup lacks into the copy."""
    locked = False
    waiting_since = time.monotonic()

    def progress(status: int, remaining: int, total: int) -> None:
        nonlocal locked
        if locked:
            return
        if status != _SQLITE_OK:  # busy: a desk is writing; SQLite waited, Python will try again
            if time.monotonic() - waiting_since > _BUSY_S:
                raise sqlite3.OperationalError("database is locked")
            return
        locked = True
        if remaining == 0:  # cannot happen: steps are smaller than the file
            raise DeskError(_("The restore could not take the database's write lock. Nothing was changed."))
        result.kept = str(_keep_live(live, moment))
        _merge_live_only(editor, result)

    return progress


def _keep_live(live: Path, moment: datetime) -> Path:
    """Step 1 under the lock: the live content, as every desk last committed it, to a new uniquely named file."""
    keep_tmp = files.new_temp(live, clean=False)
    try:
        _copy_sqlite(live, keep_tmp)
        files.fsync_file(keep_tmp)
        check = verify_backup(keep_tmp, quick=True)  # desks are waiting; the full check follows the restore
        if not check.ok:
            raise DeskError(_("The copy of the database in use could not be verified: {problems}. Nothing was "
                              "changed.").format(problems="; ".join(check.problems)))
        return files.publish_unique(keep_tmp, _before_restore_names(live, moment))
    except BaseException:
        files.remove_temp(keep_tmp)
        raise


def _merge_live_only(editor: sqlite3.Connection, result: RestoreResult) -> None:
    """Step 2 under the lock: what the live database has that the backup lacks, and its day counters, into
    the copy (another connection writes, so the backup API starts the copy over: still under our lock)."""
    editor.execute("ATTACH DATABASE ? AS kept", (result.kept,))
    try:
        result.missing = [row[0] for row in editor.execute(_MISSING_CODES)]
        result.changed = [row[0] for row in editor.execute(_changed_codes_sql("kept", "main"))]
        version = _schema_version(editor)
        result.counters_kept = sum(editor.execute(_raise_counters_sql(t, "kept", "main")).rowcount
                                   for t in _counter_tables(version))
    finally:
        editor.execute("DETACH DATABASE kept")


def _copy_backup_over_live(source: sqlite3.Connection, dest: sqlite3.Connection,
                           progress: Callable[[int, int, int], None], result: RestoreResult) -> None:
    """The page copy itself, then the counters' proof and the full check of the kept file; a copy rolled
    back leaves the live file as it was, so its kept twin is removed."""
    pages = source.execute("PRAGMA page_count").fetchone()[0]
    step = 1 if pages < 8 else min(1024, pages // 4)
    copied = False
    try:
        source.backup(dest, pages=step, progress=progress, sleep=0.05)
        copied = True
        try:
            _check_counters(dest, result.kept)
        except sqlite3.Error as exc:
            raise DeskError(_("The backup was restored (the previous content is kept in {kept}), but checking "
                              "the day counters failed: {error}. Restore again before registering dossiers.")
                            .format(kept=result.kept, error=exc)) from exc
        with suppress(sqlite3.Error):
            dest.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        result.kept_problems = verify_backup(result.kept).problems
    except BaseException:
        if result.kept and not copied:  # the copy was rolled back, the live file is unchanged
            with suppress(OSError):
                os.unlink(result.kept)
            result.kept = ""
        raise


def _check_counters(dest: sqlite3.Connection, kept: str) -> None:
    """Nothing may be issued twice: the counters in the live file are now at least the kept ones
    (they are, by construction; this proves it, and mends it if SQLite ever did otherwise)."""
    dest.execute("ATTACH DATABASE ? AS kept", (kept,))
    try:
        tables = _counter_tables(_schema_version(dest))
        low = [t for t in tables if dest.execute(_low_counters_sql(t, "kept", "main")).fetchone()[0]]
        if low:
            dest.execute("BEGIN IMMEDIATE")
            for table in low:
                dest.execute(_raise_counters_sql(table, "kept", "main"))
            dest.execute("COMMIT")
    finally:
        if dest.in_transaction:
            dest.execute("ROLLBACK")
        dest.execute("DETACH DATABASE kept")


def _sqlite_restore_error(live: Path, exc: sqlite3.Error) -> DeskError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return DeskError(_("The database {path} stayed busy (a desk kept writing for more than {seconds} s), so "
                           "the backup was not put in place. Nothing was changed; try again.")
                         .format(path=live, seconds=int(_BUSY_S)))
    if "full" in text:
        return files.write_error(live, exc)
    return DeskError(_("The restore failed: {error}. Nothing was changed.").format(error=exc))


# -- restore, PostgreSQL -----------------------------------------------------------------------
def _open_pg(target: Database, url: str) -> None:
    try:
        target.connect(reuse_if_open=True)
    except Exception as exc:  # noqa: BLE001 - any connection failure is reported the same way
        raise DeskError(_("Cannot open the database ({url}): {error}").format(
            url=redact(url), error=redact(str(exc).strip()))) from exc


def _pg_table_count(target: Database, schema: str) -> int:
    return target.execute_sql("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s",
                              (schema,)).fetchone()[0]


def _dump_schema(path: Path) -> str:
    """The schema a pg_dump archive was taken from ('' when it holds no schema entry)."""
    done = subprocess.run([_pg_tool("pg_restore"), "-l", str(path)], capture_output=True, text=True)
    for line in done.stdout.splitlines():
        parts = line.split()
        if "TABLE" in parts and "DATA" not in parts:
            i = parts.index("TABLE")
            if len(parts) > i + 2:
                return parts[i + 1]
    return ""


def _own_pids(target: Database) -> list[int]:
    """This process's sessions on the target database: the restore's own and the caller's open one."""
    pids = [target.execute_sql("SELECT pg_backend_pid()").fetchone()[0]]
    open_db = database_proxy.obj
    if open_db is not None and is_postgres(open_db) and not open_db.is_closed():
        with suppress(Exception):
            pids.append(open_db.execute_sql("SELECT pg_backend_pid()").fetchone()[0])
    return pids


def desk_sessions(target: Database, schema: str) -> list[tuple[int, str]]:
    """Other sessions of this office's desks on the server: (pid, "address, program, since")."""
    rows = target.execute_sql(
        "SELECT pid, COALESCE(host(client_addr), 'local'), application_name, backend_start "
        "FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s "
        "AND NOT (pid = ANY(%s)) ORDER BY backend_start",
        (dbmod.application_name(schema), _own_pids(target))).fetchall()
    sessions = []
    for pid, address, name, since in rows:
        started = since.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M") if since else "?"
        sessions.append((pid, _("{address} ({program}, connected since {since})").format(
            address=address, program=name, since=started)))
    return sessions


def _unique_schema_name(target: Database, schema: str, moment: datetime) -> str:
    stamp = moment.astimezone(LOCAL_TZ).strftime("%Y%m%d_%H%M%S")
    base = f"{schema[:63 - 35]}_before_restore_{stamp}"  # PostgreSQL cuts names at 63: room for "_NNN"
    taken = {row[0] for row in target.execute_sql(
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (base.replace("_", r"\_") + "%",)).fetchall()}
    for n in range(1, 1000):
        name = base if n == 1 else f"{base}_{n}"
        if name not in taken:
            return name
    raise DeskError(_("Too many before-restore copies of {schema}; remove old ones first.").format(schema=schema))


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _restore_postgres(path: Path, info: BackupInfo, url: str, target: Database, *, actor: Actor | None,
                      now: datetime, disconnect: bool) -> RestoreResult:
    result = RestoreResult(info=info)
    _args, _env, _dbname, schema = _pg_params(url)
    wanted = schema or "public"
    source_schema = _dump_schema(path)
    if source_schema and source_schema != wanted:
        raise DeskError(_("The backup holds schema {found}; restore it to a URL with ?schema={found}.")
                        .format(found=source_schema))
    _open_pg(target, url)
    try:
        tables = [row[0] for row in target.execute_sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE' "
            "ORDER BY table_name", (wanted,)).fetchall()]
        if not tables:
            result.created = True
            preamble = f"DROP SCHEMA IF EXISTS {_q(wanted)};\n"  # an empty one left by a connection
            postamble = ""
        else:
            _require_restorer(actor)
            sessions = desk_sessions(target, wanted)
            if sessions and not disconnect:
                raise DeskError(ngettext(
                    "{n} desk is still connected to this office's database: {who}. Close the program on it "
                    "first (or add --disconnect-desks to end its session). Nothing was changed.",
                    "{n} desks are still connected to this office's database: {who}. Close the "
                    "program on every desk first (or add --disconnect-desks to end their sessions). "
                    "Nothing was changed.", len(sessions)).format(n=len(sessions),
                                                                 who="; ".join(s for _p, s in sessions)))
            for pid, who in sessions:
                ended = target.execute_sql("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
                if not ended:
                    raise DeskError(_("Cannot end the session of {who} (no permission). Close the program on that "
                                      "desk. Nothing was changed.").format(who=who))
                result.disconnected.append(who)
            result.kept = _unique_schema_name(target, wanted, now)
            locks = ", ".join(f"{_q(wanted)}.{_q(t)}" for t in tables)
            preamble = (f"SET lock_timeout = '{int(_BUSY_S)}s';\n"
                        f"LOCK TABLE {locks} IN ACCESS EXCLUSIVE MODE;\n"
                        f"ALTER SCHEMA {_q(wanted)} RENAME TO {_q(result.kept)};\n")
            postamble = "".join(_raise_counters_sql(t, _q(result.kept), _q(wanted)) + ";\n"
                                for t in _counter_tables(info.schema_version))
        checks = "".join(
            f"DO $$ BEGIN IF (SELECT COUNT(*) FROM {_q(wanted)}.{_q(t)}) <> {int(n)} THEN "
            f"RAISE EXCEPTION 'restore incomplete: {t}'; END IF; END $$;\n" for t, n in info.counts.items()
            if t in TABLES)
        _run_restore_script(path, url, preamble, checks, postamble)
        if result.kept:
            result.missing = [row[0] for row in target.execute_sql(
                f"SELECT code FROM {_q(result.kept)}.dossier WHERE code NOT IN (SELECT code FROM {_q(wanted)}.dossier) "
                "ORDER BY id").fetchall()]
            result.changed = [row[0] for row in target.execute_sql(
                _changed_codes_sql(_q(result.kept), _q(wanted),
                                   files="attachment" in dbmod.tables_of_version(info.schema_version))).fetchall()]
            result.counters_kept = target.execute_sql(
                f"SELECT COUNT(*) FROM {_q(result.kept)}.daily_sequence k JOIN {_q(result.kept)}.office ko "
                f"ON ko.id = k.office_id JOIN {_q(wanted)}.office o ON o.code = ko.code "
                f"JOIN {_q(wanted)}.daily_sequence d ON d.office_id = o.id AND d.day = k.day "
                "WHERE d.last_value = k.last_value").fetchone()[0]
    finally:
        target.close()
    return result


def _run_restore_script(path: Path, url: str, preamble: str, checks: str, postamble: str) -> None:
    """Restore the archive through psql in one transaction: our preamble, pg_restore's script, checks, commit.

    If pg_restore fails half-way the transaction is rolled back, never committed.
    """
    pg_restore, psql = _pg_tool("pg_restore"), _pg_tool("psql")
    args, env, dbname, _schema = _pg_params(url)
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        producer = subprocess.Popen([pg_restore, "--no-owner", "-f", "-", str(path)], stdout=subprocess.PIPE,
                                    stderr=restore_err)
        consumer = subprocess.Popen([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", *args, "-d", dbname],
                                    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_err, env=env)
        assert producer.stdout is not None and consumer.stdin is not None
        produced = False
        try:
            consumer.stdin.write(b"BEGIN;\n" + preamble.encode())
            shutil.copyfileobj(producer.stdout, consumer.stdin, 1 << 16)
            produced = producer.wait() == 0
            consumer.stdin.write(((checks + postamble + "COMMIT;\n") if produced else "ROLLBACK;\n").encode())
        except BrokenPipeError:
            pass  # psql stopped at an error: its message is read below
        finally:
            with suppress(BrokenPipeError):
                consumer.stdin.close()
            producer.stdout.close()
            producer.wait()
            consumer.wait(timeout=3600)
        restore_err.seek(0)
        psql_err.seek(0)
        error = (psql_err.read() or restore_err.read()).decode("utf-8", "replace").strip()[-500:]
    if consumer.returncode != 0 or not produced:
        if "lock timeout" in error or "canceling statement due to lock timeout" in error:
            raise DeskError(_("A desk kept the office's tables busy, so the backup was not put in place. Nothing "
                              "was changed; try again."))
        raise DeskError(_("pg_restore failed ({url}): {error}").format(url=redact(url), error=redact(error)))


# -- daily automatic backup --------------------------------------------------------------------
def default_backup_folder() -> Path:
    from desk.config import data_dir

    return data_dir() / "backups"


def auto_backup(folder: Path | str | None = None, *, actor: Actor, keep_days: int = 30,
                clock: Clock | None = None) -> Path | None:
    """At most one backup per day of the SQLite database, then drop those older than ``keep_days``.

    Any signed-in account starts it (``actor``): the copy stays in the program's own folder on this
    PC, beside the data it copies. Stale temporaries of killed writers in the data and backups
    folders are removed first. Returns the new file, or None when today's backup already exists
    (or the database is PostgreSQL, whose server backs itself up).
    """
    acting_staff(actor, Role.CLERK)  # a real, active account, not merely an Actor that says "clerk"
    db = database_proxy.obj
    folder = Path(folder) if folder else default_backup_folder()
    sqlite = db is not None and not is_postgres(db)
    files.clean_program_folders(folder, Path(db.database).parent if sqlite else None)
    if not sqlite:
        return None
    today = (clock or Clock()).today()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise files.write_error(folder / "x", exc) from exc
    target = folder / f"{AUTO_PREFIX}{today.isoformat()}.db"
    made = None
    if not target.exists():
        try:
            made = _backup_to(target, None).path
        except DeskError:
            if not target.exists():  # another desk made today's backup at the same moment: that is fine
                raise
    _prune(folder, keep_days, today)
    return made


def prune_backups(folder: Path, *, keep_days: int, clock: Clock | None = None) -> list[Path]:
    """Delete the automatic backups older than ``keep_days`` days before the clock's office day; other
    files are never touched."""
    return _prune(folder, keep_days, (clock or Clock()).today())


def _prune(folder: Path, keep_days: int, today: date) -> list[Path]:
    """:func:`prune_backups` as of ``today``: auto_backup passes the day its backup was named after."""
    removed: list[Path] = []
    limit = today - timedelta(days=max(keep_days, 1))
    for entry in folder.iterdir():
        match = _AUTO_NAME.match(entry.name)
        if not match:
            continue
        try:
            day = date.fromisoformat(match.group(1))
        except ValueError:
            continue
        if day < limit:
            with suppress(OSError):
                entry.unlink()
                removed.append(entry)
    return removed
