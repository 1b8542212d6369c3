"""Schema version 5 (D43): the append-only ``attachment`` table, on a new database and on one upgraded from
version 4, on both engines; a version-4 file (without the table) is not taken for a damaged one."""

from __future__ import annotations

from datetime import datetime

import pytest
from peewee import DatabaseError

from desk.errors import DeskError
from desk.models import Attachment, Dossier
from desk.models import db as dbmod
from desk.services.accounts import get_actor
from desk.services.attachments import attach, list_attachments
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from tests.conftest import as_schema_version, make_office

PDF = b"%PDF-1.4\n%%EOF\n"


def _receive() -> str:
    at = datetime(2026, 11, 20, 9, 0, tzinfo=LOCAL_TZ)
    return register(IntakeRequest("T-KT", Applicant(name="Nguyễn Văn Tạm")), clock=FixedClock(at),
                    actor=get_actor("admin")).code


def _make_version_4(db) -> str:
    """A version-4 office with one dossier: the table (and with it its triggers) gone, the version put back."""
    make_office()
    code = _receive()
    as_schema_version(db, 4)
    return code


def _assert_attachments_work(db, code: str) -> None:
    assert dbmod.schema_version(db) == dbmod.SCHEMA_VERSION >= 5
    assert "attachment" in db.get_tables()
    info = attach(code, PDF, component=1, actor=get_actor("admin"))
    assert [a.sha256 for a in list_attachments(code, actor=get_actor("admin"))] == [info.sha256]
    with pytest.raises(DatabaseError, match="append-only"), db.atomic():
        Attachment.update(file_name="x.pdf").execute()
    with pytest.raises(DatabaseError, match="append-only"), db.atomic():
        Attachment.delete().execute()


def test_a_new_database_has_the_table(any_office):
    db = dbmod.database_proxy.obj
    _assert_attachments_work(db, _receive())


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_version_4_upgrades(engine, request):
    url = request.getfixturevalue("sqlite_url" if engine == "sqlite" else "pg_url")
    db = dbmod.connect(url)
    code = _make_version_4(db)
    db.close()
    if engine == "sqlite":  # the file check before opening knows version 4 had no attachment table
        assert dbmod.inspect_sqlite_file(url.split(":///", 1)[1]) == "ours"
    db = dbmod.connect(url, allow_new=False)
    try:
        assert [d.code for d in Dossier.select()] == [code]
        _assert_attachments_work(db, code)
    finally:
        db.close()


def test_the_upgrade_is_all_or_nothing(sqlite_url, monkeypatch):
    db = dbmod.connect(sqlite_url)
    _make_version_4(db)
    db.close()

    def broken(db):
        dbmod._to_v5(db)
        raise DatabaseError("simulated failure after the table")

    monkeypatch.setitem(dbmod.MIGRATIONS, 5, broken)
    with pytest.raises(DeskError, match="simulated failure"):
        dbmod.connect(sqlite_url)
    dbmod.close()
    monkeypatch.undo()
    raw = dbmod.make_database(sqlite_url)
    raw.connect()
    try:
        assert raw.execute_sql("SELECT value FROM schema_info WHERE key = 'schema_version'").fetchone() == ("4",)
        assert "attachment" not in raw.get_tables()
    finally:
        raw.close()


def test_a_version_5_file_without_the_table_is_damaged(sqlite_url):
    db = dbmod.connect(sqlite_url)
    make_office()
    db.execute_sql('DROP TABLE "attachment"')
    db.close()
    with pytest.raises(DeskError, match="attachment"):
        dbmod.inspect_sqlite_file(sqlite_url.split(":///", 1)[1])


def test_a_version_4_backup_still_verifies_and_restores_into_a_new_file(tmp_path):
    from desk.services.backup import restore, verify_backup

    old = f"sqlite:///{tmp_path / 'old.db'}"
    db = dbmod.connect(old)
    code = _make_version_4(db)
    db.close()  # a backup made by the previous version is such a file
    info = verify_backup(tmp_path / "old.db")
    assert info.ok, info.problems
    assert info.schema_version == 4 and "attachment" not in info.counts
    new = f"sqlite:///{tmp_path / 'new.db'}"
    restore(tmp_path / "old.db", target_url=new, actor=None)
    db = dbmod.connect(new, allow_new=False)
    try:
        _assert_attachments_work(db, code)
    finally:
        db.close()
