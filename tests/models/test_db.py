"""Connection building, schema version and upgrade, the append-only audit table."""

from __future__ import annotations

import pytest
from peewee import IntegerField, IntegrityError, InternalError, OperationalError
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

from desk.errors import DeskError
from desk.models import Dossier, DossierEvent, SchemaInfo
from desk.models import db as dbmod
from desk.services.accounts import get_actor
from desk.services.intake import Applicant, IntakeRequest, register


def test_sqlite_is_wal_with_foreign_keys(db):
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert dbmod.schema_version(db) == dbmod.SCHEMA_VERSION


def test_relative_and_absolute_sqlite_urls(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert dbmod.make_database("sqlite:///office.db").database == "office.db"
    assert dbmod.make_database(f"sqlite:///{tmp_path}/x.db").database == f"{tmp_path}/x.db"


def test_bad_urls_give_clear_messages():
    with pytest.raises(DeskError, match="không được hỗ trợ"):
        dbmod.make_database("mysql://x")
    with pytest.raises(DeskError, match="schema"):
        dbmod.make_database("postgresql://u@h/db?schema=x;drop")
    with pytest.raises(DeskError, match="Không mở được"):
        dbmod.connect("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=1")


def test_redact_hides_password():
    assert dbmod.redact("postgresql://desk:s3cret@host/db") == "postgresql://desk:***@host/db"


def test_schema_upgrades_itself(any_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    database = dbmod.connect(any_url)
    current = dbmod.SCHEMA_VERSION
    assert dbmod.schema_version(database) == current
    calls = []

    def to_next(db):
        calls.append(current + 1)
        migrator = PostgresqlMigrator(db) if dbmod.is_postgres(db) else SqliteMigrator(db)
        migrate(migrator.add_column("dossier", "priority", IntegerField(default=0)))

    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", current + 1)
    monkeypatch.setitem(dbmod.MIGRATIONS, current + 1, to_next)
    database.close()
    database = dbmod.connect(any_url)
    assert calls == [current + 1] and dbmod.schema_version(database) == current + 1
    columns = [c.name for c in database.get_columns("dossier")]
    assert "priority" in columns
    database.close()
    dbmod.connect(any_url).close()  # already current: nothing runs again
    assert calls == [current + 1]


def test_newer_schema_is_refused(db):
    SchemaInfo.update(value="99").where(SchemaInfo.key == "schema_version").execute()
    with pytest.raises(DeskError, match="phiên bản mới hơn"):
        dbmod.ensure_schema(db)


def test_audit_table_rejects_rewrites(any_office: str) -> None:
    info = register(IntakeRequest("T-KS", Applicant(name="Đỗ Văn Hùng")), actor=get_actor("admin"))
    with pytest.raises((IntegrityError, InternalError, OperationalError)), dbmod.write_transaction():
        DossierEvent.update(note="rewritten").execute()
    with pytest.raises((IntegrityError, InternalError, OperationalError)), dbmod.write_transaction():
        DossierEvent.delete().execute()
    assert DossierEvent.select().count() == 1
    assert Dossier.get(Dossier.code == info.code).status == "received"
