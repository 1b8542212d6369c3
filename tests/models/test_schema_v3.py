"""Schema version 3 (D27): an office is set up only once a person gave its identity. Real version-2 files
(tests/data/schema_v2, made by the version-2 program) upgraded in place; the version-1 office with the
sample identity and real dossiers is tests/models/test_schema_v2.py."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from peewee import DatabaseError

from desk.errors import OfficeNotSetUp
from desk.models import Dossier, Office
from desk.models import db as dbmod
from desk.services import documents
from desk.services.accounts import get_actor
from desk.services.clock import LOCAL_TZ
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.office import is_set_up

V2 = Path(__file__).resolve().parent.parent / "data" / "schema_v2"


def _open(tmp_path, name: str):
    path = tmp_path / "office.db"
    shutil.copyfile(V2 / name, path)
    return dbmod.connect(f"sqlite:///{path}", allow_new=False)


def _receive(name: str):
    return register(IntakeRequest("1.001193", Applicant(name=name),
                                  received_at=datetime(2026, 3, 17, 9, 0, tzinfo=LOCAL_TZ)), actor=get_actor("admin"))


def test_an_office_a_person_renamed_is_set_up_and_keeps_working(tmp_path):
    db = _open(tmp_path, "renamed.sqlite")
    try:
        assert dbmod.schema_version(db) == dbmod.SCHEMA_VERSION
        office = Office.get()
        assert office.set_up_at is not None and not office.demo and office.code == "000.00.00.H09"
        assert _receive("Nguyễn Văn Bình").code == "000.00.00.H09-260317-0001"
        assert Dossier.select().count() == 2
        assert db.execute_sql("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        db.close()


def test_a_demo_database_becomes_a_demo_office(tmp_path):
    db = _open(tmp_path, "demo.sqlite")
    try:
        office = Office.get()
        assert office.demo and is_set_up(office) and office.code == "000.00.13.H42"
        code = Dossier.select().first().code
        path = documents.receipt(code, tmp_path / "mau01.docx", actor=get_actor("admin"))
        from docx import Document

        text = "\n".join(p.text for p in Document(str(path)).paragraphs)
        assert documents.DEMO_MARK in text  # the sample identity only ever appears under the demo mark
    finally:
        db.close()


def test_upgrade_is_all_or_nothing(tmp_path, monkeypatch):
    def broken(db):
        dbmod._to_v3(db)
        raise DatabaseError("simulated failure after the conversion")

    monkeypatch.setitem(dbmod.MIGRATIONS, 3, broken)
    path = tmp_path / "office.db"
    shutil.copyfile(V2 / "renamed.sqlite", path)
    with pytest.raises(Exception, match="simulated failure"):
        dbmod.connect(f"sqlite:///{path}")
    dbmod.close()
    import sqlite3

    raw = sqlite3.connect(path)
    assert raw.execute("SELECT value FROM schema_info WHERE key = 'schema_version'").fetchone() == ("2",)
    assert "set_up_at" not in [row[1] for row in raw.execute("PRAGMA table_info(office)")]
    raw.close()


def test_init_without_identity_stores_none_and_gates_everything(any_bare_office, tmp_path):
    office = Office.get()
    assert (office.code, office.name, office.parent_name, office.set_up_at) == ("", "", "", None)
    with pytest.raises(OfficeNotSetUp, match="office set"):
        _receive("Nguyễn Văn An")
    with pytest.raises(OfficeNotSetUp):
        documents.log_book(datetime(2026, 3, 1).date(), datetime(2026, 3, 31).date(), tmp_path / "so.docx",
                           actor=get_actor("admin"))
    assert not list(tmp_path.glob("*.docx")) and Dossier.select().count() == 0
