"""The benchmarks' big databases: one per engine and size, built once with the demo loader and reused.

    python -m bench.datasets [--engine sqlite|postgres|both] [--count 1000000] [--icu]

SQLite: ``<temp dir>/desk-bench-search/search-<N>.db`` (the file bench_search always used).
PostgreSQL: the schema ``search_<N>`` of the database ``desk_bench`` on the server of
``DESK_BENCH_POSTGRES_URL`` (default: the local test server); ``--icu`` also makes the database
``desk_bench_icu``, created with ``LOCALE_PROVIDER icu ICU_LOCALE 'vi-VN'`` as a Vietnamese office's
server may be, and copies the C database's schema into it with pg_dump/pg_restore (faster than
generating the data again, and it arrives with no planner statistics, like any restore).

A database counts as built when its demo count (schema_info ``demo_dossiers``) is the size asked
for; a build that was interrupted is dropped and started again. Autovacuum is switched off on the
benchmark's own dossier tables so that "before ANALYZE" stays what it says until the benchmark
itself runs ANALYZE (a measurement aid: an office's tables keep autovacuum).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
C_DATABASE = "desk_bench"
ICU_DATABASE = "desk_bench_icu"
BENCH_TABLES = ("dossier", "dossier_event")


def server_url() -> str:
    return os.environ.get("DESK_BENCH_POSTGRES_URL", DEFAULT_SERVER).split("?")[0]


def _on(database: str, schema: str | None = None) -> str:
    parsed = urlparse(server_url())
    url = parsed._replace(path=f"/{database}").geturl()
    return f"{url}?schema={schema}" if schema else url


def sqlite_path(count: int) -> Path:
    folder = Path(tempfile.gettempdir()) / "desk-bench-search"
    folder.mkdir(exist_ok=True)
    return folder / f"search-{count}.db"


def schema_name(count: int) -> str:
    return f"search_{count}"


def pg_url(count: int, *, icu: bool = False) -> str:
    return _on(ICU_DATABASE if icu else C_DATABASE, schema_name(count))


def _progress(done: int, total: int) -> None:
    print(f"\r  {done:,}/{total:,}", end="", flush=True)


def _generate(count: int) -> None:
    """Fill the database the models are bound to with ``count`` demo dossiers."""
    from desk.services.accounts import get_actor
    from desk.services.demo import generate
    from desk.services.setup import SAMPLE_OFFICE, initialize

    initialize(SAMPLE_OFFICE, actor=None)
    started = time.perf_counter()
    stats = generate(count, progress=_progress, actor=get_actor("admin"))
    print(f"\n  built {stats['dossiers']:,} dossiers in {time.perf_counter() - started:.0f} s", flush=True)


def ensure_sqlite(count: int) -> str:
    """The SQLite file's URL; generated into a side file and renamed, so a killed build is never reused."""
    path = sqlite_path(count)
    if not path.exists():
        from desk.models.db import connect

        print(f"building {path} with {count:,} demo dossiers (reused by later runs) ...", flush=True)
        side = path.with_name(path.name + ".building")
        for leftover in (side, Path(f"{side}-wal"), Path(f"{side}-shm")):
            leftover.unlink(missing_ok=True)
        db = connect(f"sqlite:///{side}")
        _generate(count)
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        os.replace(side, path)
    return f"sqlite:///{path}"


def _admin(database: str = "postgres"):
    from desk.models.db import make_database

    db = make_database(_on(database))
    db.connect()
    return db


def _database_exists(name: str) -> bool:
    db = _admin()
    try:
        return db.execute_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
    finally:
        db.close()


def _create_database(name: str, icu: bool) -> None:
    db = _admin()
    try:
        locale = " LOCALE_PROVIDER icu ICU_LOCALE 'vi-VN' TEMPLATE template0" if icu else ""
        db.execute_sql(f'CREATE DATABASE "{name}"{locale}')
    finally:
        db.close()


def _built(database: str, count: int) -> bool:
    """True when the schema holds exactly ``count`` demo dossiers (a whole build)."""
    if not _database_exists(database):
        return False
    db = _admin(database)
    try:
        schema = schema_name(count)
        if db.execute_sql("SELECT to_regclass(%s)", (f'"{schema}".schema_info',)).fetchone()[0] is None:
            return False
        row = db.execute_sql(f'SELECT value FROM "{schema}".schema_info WHERE key = %s',
                             ("demo_dossiers",)).fetchone()
        return row is not None and row[0].strip() == str(count)
    finally:
        db.close()


def _drop_schema(database: str, count: int) -> None:
    db = _admin(database)
    try:
        db.execute_sql(f'DROP SCHEMA IF EXISTS "{schema_name(count)}" CASCADE')
    finally:
        db.close()


def _autovacuum_off(url: str) -> None:
    from desk.models.db import make_database

    db = make_database(url)
    db.connect()
    try:
        for table in BENCH_TABLES:
            db.execute_sql(f'ALTER TABLE "{table}" SET (autovacuum_enabled = false)')
    finally:
        db.close()


def ensure_postgres(count: int, *, icu: bool = False) -> str:
    """The PostgreSQL URL of the ``count``-dossier schema (C database, or its ICU copy)."""
    database = ICU_DATABASE if icu else C_DATABASE
    url = pg_url(count, icu=icu)
    if _built(database, count):
        return url
    if icu:
        source = ensure_postgres(count)
        if not _database_exists(database):
            _create_database(database, icu=True)
        _drop_schema(database, count)
        print(f"copying {schema_name(count)} into {database} (ICU vi-VN) with pg_dump | pg_restore ...", flush=True)
        started = time.perf_counter()
        dump = subprocess.Popen(["pg_dump", "--format=custom", "--schema", schema_name(count),
                                 "--dbname", source.split("?")[0]], stdout=subprocess.PIPE)
        restore = subprocess.run(["pg_restore", "--no-owner", "--dbname", url.split("?")[0]], stdin=dump.stdout,
                                 check=False)
        dump.wait()
        if dump.returncode or restore.returncode:
            raise SystemExit(f"pg_dump | pg_restore failed ({dump.returncode}, {restore.returncode})")
        _autovacuum_off(url)
        print(f"  copied in {time.perf_counter() - started:.0f} s", flush=True)
        return url
    from desk.models.db import connect

    if not _database_exists(database):
        _create_database(database, icu=False)
    _drop_schema(database, count)
    print(f"building {url} with {count:,} demo dossiers (reused by later runs) ...", flush=True)
    db = connect(url)
    try:
        for table in BENCH_TABLES:  # before the load: autovacuum would otherwise analyze mid-way
            db.execute_sql(f'ALTER TABLE "{table}" SET (autovacuum_enabled = false)')
        _generate(count)
    finally:
        db.close()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--icu", action="store_true", help="also the ICU vi-VN copy of the PostgreSQL database")
    args = parser.parse_args()
    os.environ.setdefault("DESK_DATA_DIR", str(Path(tempfile.gettempdir()) / "desk-bench-search" / "data"))
    if args.engine in ("sqlite", "both"):
        print(ensure_sqlite(args.count))
    if args.engine in ("postgres", "both"):
        print(ensure_postgres(args.count))
        if args.icu:
            print(ensure_postgres(args.count, icu=True))


if __name__ == "__main__":
    main()
