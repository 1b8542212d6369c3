"""Schema version 4 (D35): on PostgreSQL the dossier's key columns compare in code-point order ("C") and
the list's (status, id) and (procedure_id, id) indexes exist, on a new database, on one upgraded from
version 3, and on a database whose own collation is ICU vi-VN; init says which collation it found."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from peewee import DatabaseError

from desk.errors import DeskError
from desk.models import Dossier
from desk.models import db as dbmod
from desk.services import search
from desk.services.accounts import get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.search import DossierFilter, Sort
from desk.text import fold
from tests.conftest import PG_BASE_URL, make_office, with_schema

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=LOCAL_TZ)
# Folded names whose order differs between code points and a linguistic collation: ICU puts "_" and ":"
# before the digits, and the digits before the letters; code points put "1" < ":" < "_" < "a".
NAMES = ["Nguyen_Van Bé", "Nguyen1 Van", "Nguyen Van An", "Nguyen:Van", "Nguyenb", "Lê Thị Hoa", "Đặng Thị Hương"]


def _indexes(db) -> set[str]:
    return {row[0] for row in db.execute_sql(
        "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'dossier'")}


def _collations(db) -> dict[str, str]:
    return dict(db.execute_sql(
        "SELECT a.attname, c.collname FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation "
        "WHERE a.attrelid = 'dossier'::regclass AND a.attnum > 0").fetchall())


def _assert_layout(db) -> None:
    assert dbmod.schema_version(db) == dbmod.SCHEMA_VERSION >= 4
    assert set(dbmod.PG_INDEXES) <= _indexes(db)
    assert {c: _collations(db)[c] for c in dbmod.PG_KEY_COLUMNS} == dict.fromkeys(dbmod.PG_KEY_COLUMNS, "C")
    assert dbmod.pg_collation(db)[1] == []


def _receive(minute: int) -> str:
    at = datetime(2026, 11, 20, 9, minute, tzinfo=LOCAL_TZ)
    return register(IntakeRequest("T-KT", Applicant(name="Nguyễn Văn Tạm")), clock=FixedClock(at),
                    actor=get_actor("admin")).code


def _fill() -> list[str]:
    """The NAMES as dossiers (the folded names set directly: the name rule refuses "_" and ":" today)."""
    codes = []
    for i, name in enumerate(NAMES):
        code = _receive(i)
        Dossier.update(applicant_name=name, applicant_name_folded=fold(name)).where(Dossier.code == code).execute()
        codes.append(code)
    return codes


def _answers() -> dict[str, list[str]]:
    """What the list shows for the queries whose order or matches depend on the collation."""
    admin = get_actor("admin")

    def names(flt: DossierFilter, sort: Sort) -> list[str]:
        return [r.applicant_name for r in search.search(flt, sort, clock=FixedClock(NOW), actor=admin).rows]

    return {
        "by name": names(DossierFilter(), Sort("applicant", False)),
        "by name, desc": names(DossierFilter(), Sort("applicant", True)),
        "by code, desc": names(DossierFilter(), Sort("code", True)),
        "nguyen": sorted(names(DossierFilter(text="nguyen"), Sort())),
        "nguyen_": names(DossierFilter(text="nguyen_"), Sort()),
        "van": sorted(names(DossierFilter(text="van"), Sort())),
        "thi h": sorted(names(DossierFilter(text="thi h"), Sort())),
    }


EXPECTED_BY_NAME = sorted(NAMES, key=fold)  # code-point order of the folded names, as SQLite sorts them


def test_a_new_postgres_database_has_the_layout(pg_office):
    db = dbmod.database_proxy.obj
    _assert_layout(db)
    _fill()
    assert _answers()["by name"] == EXPECTED_BY_NAME


def test_version_3_upgrades_on_postgres(pg_url):
    """A version-3 schema (the same tables with the database's collation and without the two indexes) is
    upgraded in place: dossiers kept, guards back, the list answers as before."""
    db = dbmod.connect(pg_url)
    make_office()
    codes = _fill()
    before = _answers()
    db.execute_sql('DROP TRIGGER "dossier_keeps_identity" ON "dossier"')
    for column, kind in dbmod.PG_KEY_COLUMNS.items():
        db.execute_sql(f'ALTER TABLE "dossier" ALTER COLUMN "{column}" TYPE {kind} COLLATE "default"')
    for name in dbmod.PG_INDEXES:
        db.execute_sql(f'DROP INDEX "{name}"')
    dbmod.install_guards(db)
    db.execute_sql("UPDATE schema_info SET value = '3' WHERE key = 'schema_version'")
    assert dbmod.pg_collation(db)[1] == list(dbmod.PG_KEY_COLUMNS)
    db.close()

    db = dbmod.connect(pg_url, allow_new=False)
    try:
        _assert_layout(db)
        assert [d.code for d in Dossier.select().order_by(Dossier.id)] == codes
        assert _answers() == before
        with pytest.raises(DatabaseError, match="keeps its id, code"), db.atomic():
            Dossier.update(code="X-1").where(Dossier.code == codes[0]).execute()
    finally:
        db.close()


def test_upgrade_to_4_is_all_or_nothing_on_postgres(pg_url, monkeypatch):
    db = dbmod.connect(pg_url)
    make_office()
    for name in dbmod.PG_INDEXES:
        db.execute_sql(f'DROP INDEX "{name}"')
    db.execute_sql("UPDATE schema_info SET value = '3' WHERE key = 'schema_version'")
    db.close()

    def broken(db):
        dbmod._pg_search_layout(db)
        raise DatabaseError("simulated failure after the indexes")

    monkeypatch.setitem(dbmod.MIGRATIONS, 4, broken)
    with pytest.raises(DeskError, match="simulated failure"):
        dbmod.connect(pg_url)
    dbmod.close()
    monkeypatch.undo()
    db = dbmod.make_database(pg_url)
    db.connect()
    try:
        assert db.execute_sql("SELECT value FROM schema_info WHERE key = 'schema_version'").fetchone() == ("3",)
        assert not set(dbmod.PG_INDEXES) & _indexes(db)
    finally:
        db.close()


def test_sqlite_upgrades_to_4_unchanged(tmp_path):
    url = f"sqlite:///{tmp_path / 'office.db'}"
    db = dbmod.connect(url)
    make_office()
    _fill()
    before = _answers()
    tables = db.execute_sql("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    db.execute_sql("UPDATE schema_info SET value = '3' WHERE key = 'schema_version'")
    db.close()
    db = dbmod.connect(url, allow_new=False)
    try:
        assert dbmod.schema_version(db) == dbmod.SCHEMA_VERSION
        assert db.execute_sql("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall() == tables
        assert _answers() == before
        assert before["by name"] == EXPECTED_BY_NAME
    finally:
        db.close()


# -- a database created with ICU vi-VN ------------------------------------------------------------
@pytest.fixture
def icu_url(pg_url):
    """A new database created with the ICU vi-VN collation, as a Vietnamese office's server may be."""
    admin = dbmod.make_database(PG_BASE_URL)
    admin.connect()
    try:
        if admin.execute_sql("SELECT 1 FROM pg_collation WHERE collprovider = 'i' LIMIT 1").fetchone() is None:
            pytest.skip("this PostgreSQL server was built without ICU: no ICU collation to test with")
        name = f"desk_icu_{uuid.uuid4().hex[:10]}"
        admin.execute_sql(f"CREATE DATABASE {name} LOCALE_PROVIDER icu ICU_LOCALE 'vi-VN' TEMPLATE template0")
    finally:
        admin.close()
    base = PG_BASE_URL.split("?")[0].rsplit("/", 1)[0]
    yield with_schema(f"{base}/{name}", "office")
    dbmod.close()
    admin.connect()
    try:
        admin.execute_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        admin.close()


def test_icu_database_answers_like_sqlite(icu_url, tmp_path):
    answers = {}
    for engine, url in (("icu", icu_url), ("sqlite", f"sqlite:///{tmp_path / 'office.db'}")):
        db = dbmod.connect(url)
        try:
            make_office()
            _fill()
            if engine == "icu":
                assert dbmod.pg_collation(db)[0] == "vi-VN (ICU)"
                _assert_layout(db)
                # the database's own order is not code-point order: the columns' C collation is what matters
                raw = [r[0] for r in db.execute_sql("SELECT x FROM (VALUES ('nguyen1'), ('nguyen_')) AS v(x) "
                                                    "ORDER BY x").fetchall()]
                assert raw == ["nguyen_", "nguyen1"]
            answers[engine] = _answers()
        finally:
            db.close()
    assert answers["icu"] == answers["sqlite"]
    assert answers["icu"]["by name"] == EXPECTED_BY_NAME
    assert answers["icu"]["by name, desc"] == EXPECTED_BY_NAME[::-1]
    assert answers["icu"]["nguyen_"] == ["Nguyen_Van Bé"]


def test_init_says_the_collation(icu_url, capsys, monkeypatch):
    from desk.cli import main

    monkeypatch.setenv("DESK_PASSWORD", "mat-khau-quan-tri")
    assert main(["--db", icu_url, "init", "--no-catalog"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "vi-VN (ICU)" in line]
    assert len(lines) == 1, out
    assert "(C)" in lines[0]


def test_init_on_sqlite_says_nothing_of_collations(sqlite_url, capsys, monkeypatch):
    from desk.cli import main

    monkeypatch.setenv("DESK_PASSWORD", "mat-khau-quan-tri")
    assert main(["--db", sqlite_url, "init", "--no-catalog"]) == 0
    assert "ICU" not in capsys.readouterr().out
