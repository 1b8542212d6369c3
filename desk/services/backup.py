"""Backups that can be trusted: written whole or not at all, verified before anything is replaced.

SQLite (the default): the online backup API copies a consistent snapshot while desks keep working;
the copy is written to a temporary file next to the target, verified, then renamed into place.
PostgreSQL: ``pg_dump -Fc`` of the office's schema (the client tools must be on PATH).

``restore`` never touches the live database before the backup has been verified. On SQLite the
program must be stopped (every desk on that file closed) while restoring; the previous file is kept
as ``<name>.before-restore-<timestamp>``.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from desk.i18n import _
from desk.models.db import SCHEMA_VERSION, database_proxy, is_postgres, make_database, redact
from desk.models.entities import ALL_MODELS
from desk.services.clock import LOCAL_TZ
from desk.services.errors import DeskError

Progress = Callable[[int, int], None]
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
AUTO_PREFIX = "onestop-"
_AUTO_NAME = re.compile(r"^onestop-(\d{4}-\d{2}-\d{2})\.db$")
TABLES = [m._meta.table_name for m in ALL_MODELS]


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


# -- errors ------------------------------------------------------------------------------------
def _write_error(path: Path, exc: BaseException) -> DeskError:
    """A message a clerk can act on for disk full, read-only folder and the like."""
    code = getattr(exc, "errno", None)
    text = str(exc).lower()
    if code == errno.ENOSPC or "disk is full" in text or "disk full" in text:
        return DeskError(_("The disk is full: cannot write {path}. Nothing was changed. Free some space or "
                           "choose another drive, then try again.").format(path=path))
    if code in (errno.EACCES, errno.EPERM, errno.EROFS) or "readonly" in text or "read-only" in text:
        return DeskError(_("The folder {folder} is read-only: cannot write {path}. Nothing was changed. "
                           "Choose another folder.").format(folder=path.parent, path=path))
    reason = getattr(exc, "strerror", None) or str(exc)
    return DeskError(_("Cannot write {path}: {reason}. Nothing was changed.").format(path=path, reason=reason))


def _fsync_dir(folder: Path) -> None:
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_file(path: Path | str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_next_to(target: Path) -> Path:
    """An empty temporary file in the target's folder (so the final rename is atomic)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~" + target.name[:60] + ".", suffix=".tmp", dir=target.parent)
    os.close(fd)
    return Path(tmp)


# -- backup ------------------------------------------------------------------------------------
def backup(out: Path | str, *, progress: Progress | None = None) -> BackupInfo:
    """Back up the open database to ``out``; the file appears only once it is complete and verified."""
    out = Path(out)
    db = database_proxy.obj
    if db is None:
        raise DeskError(_("No database is open."))
    if out.is_dir():
        raise DeskError(_("{path} is a folder; give the backup file name.").format(path=out))
    if is_postgres(db):
        return _backup_postgres(db, out)
    return _backup_sqlite(db.connection(), out, progress)


def _backup_sqlite(source: sqlite3.Connection, out: Path, progress: Progress | None) -> BackupInfo:
    tmp: Path | None = None
    try:
        tmp = _temp_next_to(out)
        target = sqlite3.connect(tmp)
        try:
            def step(status: int, remaining: int, total: int) -> None:
                if progress:
                    progress(total - remaining, total)

            source.backup(target, pages=4096, progress=step)
            # One self-contained file: no -wal beside the backup.
            target.execute("PRAGMA journal_mode=DELETE").fetchall()
            target.commit()
        finally:
            target.close()
        _fsync_file(tmp)
        info = verify_backup(tmp)
        if not info.ok:
            raise DeskError(_("The backup could not be verified: {problems}. The backup was not kept.")
                            .format(problems="; ".join(info.problems)))
        os.replace(tmp, out)
        tmp = None
        _fsync_dir(out.parent)
    except (OSError, sqlite3.Error) as exc:
        raise _write_error(out, exc) from exc
    finally:
        if tmp is not None:
            with suppress(OSError):
                tmp.unlink()
    info.path = out
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
    return args, env, dbname, schema


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise DeskError(_("{tool} was not found. Install the PostgreSQL client tools (the same version as the "
                          "server) and make sure {tool} is on PATH, then try again.").format(tool=name))
    return path


def _url_of(db) -> str:
    """Rebuild the URL of an open PostgreSQL database (for pg_dump)."""
    params = db.connect_params
    user = params.get("user") or ""
    password = params.get("password") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    schema = getattr(db, "desk_schema", "")
    query = f"?schema={schema}" if schema else ""
    return f"postgresql://{auth}{params.get('host') or '127.0.0.1'}:{params.get('port') or 5432}/{db.database}{query}"


def _backup_postgres(db, out: Path) -> BackupInfo:
    tool = _pg_tool("pg_dump")
    url = _url_of(db)
    args, env, dbname, schema = _pg_params(url)
    tmp: Path | None = None
    try:
        tmp = _temp_next_to(out)
        command = [tool, "-Fc", "--no-owner", "-f", str(tmp), *args, "-d", dbname]
        if schema:
            command += ["-n", schema]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            raise DeskError(_("pg_dump failed ({url}): {error}").format(
                url=redact(url), error=redact(done.stderr.strip())[-500:]))
        _fsync_file(tmp)
        info = verify_backup(tmp)
        if not info.ok:
            raise DeskError(_("The backup could not be verified: {problems}. The backup was not kept.")
                            .format(problems="; ".join(info.problems)))
        os.replace(tmp, out)
        tmp = None
        _fsync_dir(out.parent)
    except OSError as exc:
        raise _write_error(out, exc) from exc
    finally:
        if tmp is not None:
            with suppress(OSError):
                tmp.unlink()
    info.path = out
    return info


# -- verify ------------------------------------------------------------------------------------
def verify_backup(path: Path | str) -> BackupInfo:
    """Open a backup without changing it and say whether it is a whole, readable office database."""
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
        _verify_sqlite(path, info)
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


def _verify_sqlite(path: Path, info: BackupInfo) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        info.problems.append(_("Cannot open the backup: {error}").format(error=exc))
        return
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            info.problems.append(_("Integrity check failed: {result}").format(result="; ".join(result[:5])))
            return
        present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in TABLES if t not in present]
        if missing:
            info.problems.append(_("Tables missing from the backup: {tables}").format(tables=", ".join(missing)))
            return
        row = conn.execute("SELECT value FROM schema_info WHERE key = 'schema_version'").fetchone()
        info.schema_version = int(row[0]) if row else 0
        for table in TABLES:
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
    missing = [t for t in TABLES if t not in info.counts]
    if missing:
        info.problems.append(_("Tables missing from the backup: {tables}").format(tables=", ".join(missing)))


# -- restore -----------------------------------------------------------------------------------
def restore(path: Path | str, *, target_url: str, now: datetime | None = None) -> BackupInfo:
    """Put a verified backup in place of the database at ``target_url``.

    SQLite: the program must be stopped on every desk using that file (and this process must have
    closed it). The previous file is kept as ``<name>.before-restore-<timestamp>``.
    PostgreSQL: restores into an empty schema (or database) and refuses a target that holds tables.
    """
    path = Path(path)
    info = verify_backup(path)
    if not info.ok:
        raise DeskError(_("The backup {path} is not usable: {problems}. Nothing was changed.")
                        .format(path=path, problems="; ".join(info.problems)))
    target = make_database(target_url)
    if is_postgres(target):
        if info.engine != "postgres":
            raise DeskError(_("This is a SQLite backup; to put it on PostgreSQL restore it to a SQLite file, "
                              "then use migrate-to."))
        _restore_postgres(path, target_url, target)
        return info
    if info.engine != "sqlite":
        raise DeskError(_("This is a PostgreSQL backup; it can only be restored to a PostgreSQL database."))
    _restore_sqlite(path, Path(target.database), now or datetime.now(UTC))
    return info


def _restore_sqlite(backup_file: Path, live: Path, now: datetime) -> None:
    open_db = database_proxy.obj
    if (open_db is not None and not is_postgres(open_db) and not open_db.is_closed()
            and Path(open_db.database).resolve() == live.resolve()):
        raise DeskError(_("The database is still open. Close the program on every desk before restoring."))
    stamp = now.astimezone(LOCAL_TZ).strftime("%Y%m%d-%H%M%S")
    keep = live.with_name(f"{live.name}.before-restore-{stamp}")
    tmp: Path | None = None
    try:
        tmp = _temp_next_to(live)
        shutil.copyfile(backup_file, tmp)
        _fsync_file(tmp)
        check = verify_backup(tmp)
        if not check.ok:
            raise DeskError(_("The copy of the backup could not be verified: {problems}. Nothing was changed.")
                            .format(problems="; ".join(check.problems)))
        if live.exists():
            # Fold the live file's write-ahead log into it, so the kept copy is whole and the old log
            # cannot be replayed onto the restored file.
            conn = sqlite3.connect(live, timeout=5)
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            except sqlite3.OperationalError as exc:
                raise DeskError(_("The database is in use ({error}). Close the program on every desk before "
                                  "restoring.").format(error=exc)) from exc
            finally:
                conn.close()
            try:
                os.link(live, keep)
            except OSError:
                shutil.copy2(live, keep)
        for suffix in ("-wal", "-shm", "-journal"):
            with suppress(FileNotFoundError):
                Path(f"{live}{suffix}").unlink()
        os.replace(tmp, live)
        tmp = None
        _fsync_dir(live.parent)
    except OSError as exc:
        raise _write_error(live, exc) from exc
    finally:
        if tmp is not None:
            with suppress(OSError):
                tmp.unlink()


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


def _restore_postgres(path: Path, url: str, target) -> None:
    tool = _pg_tool("pg_restore")
    args, env, dbname, schema = _pg_params(url)
    source_schema = _dump_schema(path)
    wanted = schema or "public"
    if source_schema and source_schema != wanted:
        raise DeskError(_("The backup holds schema {found}; restore it to a URL with ?schema={found}.")
                        .format(found=source_schema))
    try:
        target.connect()
    except Exception as exc:  # noqa: BLE001 - any connection failure is reported the same way
        raise DeskError(_("Cannot open the database ({url}): {error}").format(
            url=redact(url), error=redact(str(exc).strip()))) from exc
    try:
        count = target.execute_sql(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s", (wanted,)).fetchone()[0]
        if count:
            raise DeskError(_("The target {url} already holds {n} tables. Restore only into an empty schema or "
                              "database; nothing was changed.").format(url=redact(url), n=count))
        if schema:
            # The dump creates its schema itself; an empty one left by a connection is dropped first.
            target.execute_sql(f'DROP SCHEMA IF EXISTS "{schema}"')
    finally:
        target.close()
    done = subprocess.run([tool, "--no-owner", "--exit-on-error", "--single-transaction", *args, "-d", dbname,
                           str(path)], env=env, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise DeskError(_("pg_restore failed ({url}): {error}").format(
            url=redact(url), error=redact(done.stderr.strip())[-500:]))


# -- daily automatic backup --------------------------------------------------------------------
def default_backup_folder() -> Path:
    from desk.config import data_dir

    return data_dir() / "backups"


def auto_backup(folder: Path | str | None = None, *, keep_days: int = 30,
                now: datetime | None = None) -> Path | None:
    """At most one backup per day of the SQLite database, then drop those older than ``keep_days``.

    Returns the new file, or None when today's backup already exists (or the database is PostgreSQL,
    whose server backs itself up).
    """
    db = database_proxy.obj
    if db is None or is_postgres(db):
        return None
    folder = Path(folder) if folder else default_backup_folder()
    today = (now or datetime.now(UTC)).astimezone(LOCAL_TZ).date()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_error(folder / "x", exc) from exc
    target = folder / f"{AUTO_PREFIX}{today.isoformat()}.db"
    made = None if target.exists() else backup(target).path
    prune_backups(folder, keep_days=keep_days, today=today)
    return made


def prune_backups(folder: Path, *, keep_days: int, today: date) -> list[Path]:
    """Delete the automatic backups older than ``keep_days`` days; other files are never touched."""
    removed = []
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
