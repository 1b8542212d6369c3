"""Shared fixtures: a fresh real database per test (SQLite file, or a PostgreSQL schema)."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("DESK_LANG", "vi")
# Never touch the real user's settings, database or logs.
_SANDBOX = tempfile.mkdtemp(prefix="desk-tests-")
os.environ["DESK_DATA_DIR"] = os.path.join(_SANDBOX, "data")
os.environ["DESK_CONFIG_DIR"] = os.path.join(_SANDBOX, "config")
os.environ["DESK_DOCUMENTS_DIR"] = os.path.join(_SANDBOX, "documents")  # file dialogs start there
os.environ.pop("DESK_DATABASE_URL", None)

import pytest  # noqa: E402

from desk.models import db as dbmod  # noqa: E402

PG_BASE_URL = os.environ.get("DESK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_available() -> str | None:
    """None when the test server answers, otherwise the reason it does not."""
    try:
        import psycopg2

        from desk.models.db import make_database

        db = make_database(PG_BASE_URL)
        conn = psycopg2.connect(
            dbname=db.database, connect_timeout=3, **{k: v for k, v in db.connect_params.items()
                                                    if k in ("user", "password", "host", "port")}
        )
        conn.close()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "skip with this reason"
        return f"PostgreSQL test server not reachable at {dbmod.redact(PG_BASE_URL)}: {exc}".strip()


_PG_REASON = postgres_available()


def with_schema(url: str, schema: str) -> str:
    return url + ("&" if "?" in url else "?") + f"schema={schema}"


@pytest.fixture(autouse=True)
def _forget_protected_passwords() -> Iterator[None]:
    """Passwords remembered by desk.redaction.protect in one test do not mask text in the next."""
    yield
    from desk.redaction import forget_protected

    forget_protected()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'desk.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose schema exists for this test only; skipped (with the reason) without a server."""
    if _PG_REASON:
        if os.environ.get("CI"):
            pytest.fail(_PG_REASON)
        pytest.skip(_PG_REASON)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = with_schema(PG_BASE_URL, schema)
    yield url
    db = dbmod.make_database(PG_BASE_URL)
    db.connect()
    db.execute_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    db.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_url(request) -> str:
    """Run a test on both engines; the PostgreSQL run is marked ``postgres`` (``-m "not postgres"`` drops it)."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def db(sqlite_url):
    """A fresh SQLite database file with the schema, bound to the models."""
    database = dbmod.connect(sqlite_url)
    yield database
    database.close()


# -- office fixtures ---------------------------------------------------------------------------
def make_office() -> None:
    """Office, points, admin and a small catalog written straight to the tables (no seed file)."""
    import json as _json

    from desk.models import Field, Procedure
    from desk.services.setup import SAMPLE_OFFICE, initialize

    initialize(SAMPLE_OFFICE, actor=None, load_catalog=False)  # set up, with the sample ward's identity
    civil = Field.create(code="HT", name="Hộ tịch", sort_order=1)
    cert = Field.create(code="CT", name="Chứng thực", sort_order=2)
    docs = _json.dumps([{"name": "Tờ khai đăng ký", "count": 1, "kind": "original"}], ensure_ascii=False)
    rows = [
        ("T-KS", "Đăng ký khai sinh", civil, 0, "15:00", True),
        ("T-KT", "Đăng ký khai tử", civil, 0, None, True),
        ("T-TTHN", "Cấp giấy xác nhận tình trạng hôn nhân", civil, 3, None, True),
        ("T-KSL", "Đăng ký lại khai sinh", civil, 5, None, False),
        ("T-BS", "Chứng thực bản sao từ bản chính", cert, 0, "15:00", True),
        ("T-HD", "Chứng thực hợp đồng, giao dịch", cert, 2, None, False),
    ]
    for code, name, field, days, cutoff, rule in rows:
        from desk.text import fold

        Procedure.create(code=code, name=name, name_folded=fold(name), field=field, processing_days=days,
                         cutoff=cutoff, fee="", documents=docs, no_appointment_day=rule)


@pytest.fixture
def office(db):
    make_office()
    return db


def _office_on(url: str) -> Iterator[str]:
    database = dbmod.connect(url)
    make_office()
    yield url
    database.close()


@pytest.fixture
def pg_office(pg_url):
    yield from _office_on(pg_url)


@pytest.fixture
def any_office(any_url):
    """The office fixture on both engines."""
    yield from _office_on(any_url)


def make_bare_office() -> None:
    """What ``init`` without an identity makes: office row without identity (not set up), admin, catalog of
    make_office's procedures; nothing can be received or printed until a person sets the office up."""
    from desk.models import Field, Procedure, ReceptionPoint
    from desk.services.setup import initialize
    from desk.text import fold

    initialize(actor=None, load_catalog=False)
    assert not ReceptionPoint.select().exists()
    civil = Field.create(code="HT", name="Hộ tịch", sort_order=1)
    Procedure.create(code="T-KS", name="Đăng ký khai sinh", name_folded=fold("Đăng ký khai sinh"), field=civil,
                     processing_days=0, cutoff="15:00", fee="", documents="[]")


def _bare_office_on(url: str) -> Iterator[str]:
    database = dbmod.connect(url)
    make_bare_office()
    yield url
    database.close()


@pytest.fixture
def bare_office(db):
    """An office that is not set up (SQLite)."""
    make_bare_office()
    return db


@pytest.fixture
def any_bare_office(any_url):
    """An office that is not set up, on both engines."""
    yield from _bare_office_on(any_url)


@pytest.fixture
def admin():
    """The administrator account the office fixtures create, as the Actor of tests that are not about roles.

    Ask for it after ``office`` / ``pg_office`` (it reads the database they bound)."""
    from desk.services.accounts import get_actor

    return get_actor("admin")


@pytest.fixture(autouse=True)
def _no_camera_override(monkeypatch):
    """`main.py --camera` sets DESK_CAMERA for its run; a test calling main() must not leak it to others."""
    monkeypatch.delenv("DESK_CAMERA", raising=False)
    yield
    os.environ.pop("DESK_CAMERA", None)


# -- a small disk, to see what a full disk does --------------------------------------------------
def _mount_small_disk(folder, size_kb: int) -> str | None:
    """Mount a tmpfs of ``size_kb`` on ``folder``; the reason it could not, or None."""
    import subprocess

    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(folder)],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"cannot mount a small tmpfs: {exc}"
    return None if done.returncode == 0 else f"cannot mount a small tmpfs: {done.stderr.strip()}"


@pytest.fixture
def small_disk(tmp_path):
    """A factory of folders on tiny file systems (tmpfs, needs root): ``small_disk(kb)`` → Path.

    Filling one shows what a full disk does to a write; skipped without root, failed under CI.
    """
    import subprocess

    mounted: list = []

    def make(size_kb: int = 512):
        folder = tmp_path / f"disk{len(mounted)}"
        folder.mkdir()
        reason = _mount_small_disk(folder, size_kb)
        if reason:
            if os.environ.get("CI"):
                pytest.fail(reason)
            pytest.skip(reason)
        mounted.append(folder)
        return folder

    yield make
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30)


def fill_disk(folder, leave_bytes: int = 0) -> None:
    """Fill the file system of ``folder`` until at most ``leave_bytes`` are free."""
    import shutil

    free = shutil.disk_usage(folder).free - leave_bytes
    with open(os.path.join(folder, "filler.bin"), "wb") as fh:
        while free > 0:
            chunk = min(free, 1 << 16)
            try:
                fh.write(b"\0" * chunk)
                fh.flush()
            except OSError:
                break
            free -= chunk


# -- the test printer ------------------------------------------------------------------------------
@pytest.fixture
def test_printer() -> tuple[str, Path]:
    """The CUPS-PDF queue scripts/cups-test-printer.sh made and the folder its PDFs land in.

    Skipped when it is not set up, failed under CI (like PostgreSQL): printing must be tested for real there.
    """
    import shutil
    import subprocess

    name, folder = os.environ.get("DESK_TEST_PRINTER", ""), os.environ.get("DESK_TEST_PRINT_DIR", "")
    reason = ""
    if not name or not folder:
        reason = ("no test printer: run `eval \"$(bash scripts/cups-test-printer.sh)\"` to set DESK_TEST_PRINTER "
                  "and DESK_TEST_PRINT_DIR")
    elif shutil.which("lp") is None or shutil.which("lpstat") is None:
        reason = "CUPS' lp is not installed (bash scripts/cups-test-printer.sh)"
    elif subprocess.run(["lpstat", "-p", name], capture_output=True, timeout=30).returncode != 0:
        reason = f"the test printer {name} is not known to CUPS (bash scripts/cups-test-printer.sh)"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return name, Path(folder)


def printed_pdf(folder: Path, job_id: str, timeout: float = 60) -> Path:
    """The PDF CUPS-PDF wrote for a job (its name ends in job_N), once poppler can read it whole."""
    import subprocess
    import time

    number = job_id.rsplit("-", 1)[-1]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pdf in folder.glob(f"*job_{number}.pdf"):
            if subprocess.run(["pdfinfo", str(pdf)], capture_output=True, timeout=30).returncode == 0:
                return pdf
        time.sleep(0.2)
    raise AssertionError(f"no PDF for {job_id} in {folder} after {timeout} s")


# Columns a schema version added to an existing table (a table a version added is in dbmod.tables_of_version).
_COLUMNS_ADDED_IN = {6: [("office", "lookup_url")]}


def as_schema_version(db, version: int) -> None:
    """Make the current database look as an office of schema ``version`` had it (for upgrade and restore tests):
    the tables and columns later versions added are dropped, the version put back."""
    for table in set(dbmod.tables_of_version()) - set(dbmod.tables_of_version(version)):
        db.execute_sql(f'DROP TABLE "{table}"' + (" CASCADE" if dbmod.is_postgres(db) else ""))
    for added, columns in _COLUMNS_ADDED_IN.items():
        if added > version:
            for table, column in columns:
                db.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    db.execute_sql("UPDATE schema_info SET value = %s WHERE key = 'schema_version'".replace(
        "%s", "?" if not dbmod.is_postgres(db) else "%s"), (str(version),))
