"""Four `init` at once on an empty PostgreSQL database: real processes, started on one signal.

Without a lock they race in the catalog (CREATE SCHEMA / CREATE TABLE IF NOT EXISTS both insert into
pg_namespace / pg_type and fail with a unique violation) and on the seed rows; with the advisory lock
around schema creation and set-up all four succeed and the office exists once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from desk.models import db as dbmod
from tests.conftest import PG_BASE_URL

ROOT = Path(__file__).resolve().parent.parent.parent
PROCESSES = 4
# Each process imports the program, waits for the common start moment, then runs `init` that also sets the
# office up (D27): one office, set up once, with its one main point.
_DRIVER = (
    "import sys, time\n"
    "from desk.cli import main\n"
    "start = float(sys.argv[1])\n"
    "time.sleep(max(0.0, start - time.time()))\n"
    "sys.exit(main(['--db', sys.argv[2], 'init', '--office-code', '000.00.00.H00', '--office-name', 'UBND xã Thử']))\n"
)


def _init_at_once(url: str, tmp_path) -> list[subprocess.CompletedProcess]:
    env = {**os.environ, "DESK_DATA_DIR": str(tmp_path / "data"), "DESK_CONFIG_DIR": str(tmp_path / "cfg"),
           "PYTHONPATH": str(ROOT), "DESK_PASSWORD": "mat-khau-quan-tri-thu"}
    env.pop("DESK_DATABASE_URL", None)
    start = time.time() + 4.0  # time for every interpreter to import the program first
    procs = [subprocess.Popen([sys.executable, "-c", _DRIVER, str(start), url], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _i in range(PROCESSES)]
    done = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done


def _check(url: str, runs: list[subprocess.CompletedProcess]) -> None:
    assert [r.returncode for r in runs] == [0] * PROCESSES, [r.stderr[-400:] for r in runs]
    assert all("Traceback" not in r.stderr for r in runs)
    db = dbmod.connect(url, allow_new=False)
    try:
        counts = {t: db.execute_sql(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("office", "staff", "reception_point", "procedure")}
        assert counts["office"] == 1 and counts["staff"] == 1 and counts["reception_point"] == 1
        assert counts["procedure"] > 0
        assert db.execute_sql("SELECT code, set_up_at IS NOT NULL FROM office").fetchall() == [("000.00.00.H00", True)]
        assert dbmod.schema_version(db) == dbmod.SCHEMA_VERSION
    finally:
        db.close()


@pytest.mark.postgres
def test_four_inits_at_once_in_a_new_schema(pg_url, tmp_path):
    runs = _init_at_once(pg_url, tmp_path)
    _check(pg_url, runs)


@pytest.mark.postgres
def test_four_inits_at_once_on_an_empty_database(pg_url, tmp_path):
    """No ?schema: the tables go into a new database's public schema (pg_url: skipped without a server)."""
    name = f"desk_t_{uuid.uuid4().hex[:10]}"
    admin = dbmod.make_database(PG_BASE_URL)
    admin.connect()
    admin.execute_sql(f'CREATE DATABASE "{name}"')
    admin.close()
    base = PG_BASE_URL.split("?")[0].rsplit("/", 1)[0]
    url = f"{base}/{name}"
    try:
        runs = _init_at_once(url, tmp_path)
        _check(url, runs)
    finally:
        dbmod.close()
        admin.connect()
        admin.execute_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
