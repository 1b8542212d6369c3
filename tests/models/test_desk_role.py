"""A PostgreSQL role for the desks that owns nothing: the app works as it, history cannot be erased by it.

Real roles on the test server (cluster-wide: unique names, dropped afterwards).
"""

from __future__ import annotations

import os
import uuid
from datetime import date
from urllib.parse import urlparse, urlunparse

import pytest
from peewee import DatabaseError

from desk.cli import main
from desk.errors import DeskError
from desk.models import DossierEvent
from desk.models import db as dbmod
from desk.services.accounts import get_actor
from desk.services.intake import Applicant, IntakeRequest, register
from tests.conftest import make_office

pytestmark = pytest.mark.postgres
PASSWORD = "Bàn-1 mật khẩu"


def _as(url: str, user: str, password: str) -> str:
    parts = urlparse(url)
    host = parts.hostname or "127.0.0.1"
    return urlunparse(parts._replace(netloc=f"{user}:{password.replace(' ', '%20')}@{host}:{parts.port or 5432}"))


@pytest.fixture
def role(pg_url):
    name = f"desk_t_{uuid.uuid4().hex[:10]}"
    yield name
    admin = dbmod.make_database(pg_url)
    admin.connect()
    if admin.execute_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
        admin.execute_sql(f'DROP OWNED BY "{name}"')  # its grants, here and on the database
        admin.execute_sql(f'DROP ROLE "{name}"')
    admin.close()


@pytest.fixture
def owner_url(pg_url):
    """README's set-up: the office's tables belong to a login role with CREATEROLE, not a superuser."""
    from urllib.parse import parse_qs

    name = f"owner_t_{uuid.uuid4().hex[:10]}"
    schema = parse_qs(urlparse(pg_url).query)["schema"][0]
    admin = dbmod.make_database(pg_url)
    admin.connect()
    admin.execute_sql(f'CREATE ROLE "{name}" LOGIN CREATEROLE PASSWORD %s', ("owner secret",))
    admin.execute_sql(f'CREATE SCHEMA "{schema}" AUTHORIZATION "{name}"')
    admin.close()
    yield _as(pg_url, name, "owner secret")
    admin.connect()
    admin.execute_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    admin.execute_sql(f'DROP OWNED BY "{name}"')
    admin.execute_sql(f'DROP ROLE "{name}"')
    admin.close()


def _owner_office(url: str) -> None:
    dbmod.connect(url)
    make_office()
    dbmod.close()


def test_init_sets_up_a_desk_role_that_works_and_owns_nothing(owner_url, role, monkeypatch, capsys):
    pg_url = owner_url
    _owner_office(pg_url)
    monkeypatch.setenv("DESK_ROLE_PASSWORD", PASSWORD)
    monkeypatch.setenv("DESK_PASSWORD", "mat-khau-quan-tri-thu")  # the first init sets the admin's password
    assert main(["--db", pg_url, "--user", "admin", "init", "--no-catalog", "--desk-role", role]) == 0
    assert role in capsys.readouterr().out
    assert main(["--db", pg_url, "--user", "admin", "init", "--no-catalog", "--desk-role", role]) == 0  # re-grants
    assert "cập nhật" in capsys.readouterr().out
    dbmod.close()

    # the desk connects as the role: no CREATE needed on a current schema
    desk = dbmod.connect(_as(pg_url, role, PASSWORD), allow_new=False)
    try:
        assert desk.execute_sql("SELECT current_user").fetchone() == (role,)
        from desk.services import calendar
        from desk.services.accounts import get_actor
        from desk.services.lifecycle import advance

        admin = get_actor("admin")
        first = register(IntakeRequest("T-KS", Applicant(name="Nguyễn Văn An")), actor=admin)
        second = register(IntakeRequest("T-TTHN", Applicant(name="Trần Thị Bình")), actor=admin)
        advance(first.code, "processing", actor=admin)
        advance(first.code, "resolved", actor=admin)
        calendar.set_day(date(2026, 12, 24), "off", "Nghỉ bù", by=admin)
        calendar.set_day(date(2026, 12, 24), "", by=admin)  # removing a mark deletes its row
        assert second.code.endswith("-0002") and DossierEvent.select().count() == 4
        events = DossierEvent.select().count()

        attacks = [
            "TRUNCATE dossier_event", "TRUNCATE dossier CASCADE", "UPDATE dossier_event SET note = 'sửa'",
            "DELETE FROM dossier_event", "DELETE FROM dossier", "DELETE FROM daily_sequence",
            "ALTER TABLE dossier_event DISABLE TRIGGER ALL",
            "ALTER TABLE dossier_event DISABLE TRIGGER dossier_event_no_update",
            "DROP TRIGGER dossier_event_no_update ON dossier_event", "DROP TABLE dossier_event",
            "DROP TABLE dossier CASCADE", "DROP FUNCTION desk_refuse() CASCADE",
            "ALTER TABLE dossier_event RENAME TO old_events", "ALTER TABLE dossier ADD COLUMN x integer",
            "CREATE TABLE dossier_event_copy (id integer)",
            "CREATE TRIGGER t BEFORE INSERT ON dossier_event FOR EACH ROW EXECUTE FUNCTION desk_refuse('x')",
            "SET session_replication_role = replica", f'ALTER ROLE "{role}" SUPERUSER',
            "UPDATE schema_info SET value = '1'",
        ]
        refused = []
        for sql in attacks:
            with pytest.raises(DatabaseError, match="permission denied|must be owner|must be superuser"), \
                    dbmod.write_transaction():
                desk.execute_sql(sql)
            refused.append(sql)
        assert refused == attacks
        assert DossierEvent.select().count() == events
    finally:
        desk.close()

    owner = urlparse(owner_url).username
    admin_db = dbmod.make_database(_as(owner_url, "postgres", ""))  # the superuser, to read pg_authid
    admin_db.connect()
    try:
        owners = {r[0] for r in admin_db.execute_sql(
            "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema()").fetchall()}
        assert owners == {owner}
        oid = admin_db.execute_sql("SELECT oid FROM pg_roles WHERE rolname = %s", (role,)).fetchone()[0]
        owned = admin_db.execute_sql(
            "SELECT (SELECT COUNT(*) FROM pg_class WHERE relowner = %s) + (SELECT COUNT(*) FROM pg_proc "
            "WHERE proowner = %s) + (SELECT COUNT(*) FROM pg_namespace WHERE nspowner = %s)", (oid, oid, oid)
        ).fetchone()[0]
        assert owned == 0
        grants: dict[str, set[str]] = {}
        for table, privilege in admin_db.execute_sql(
                "SELECT table_name, privilege_type FROM information_schema.role_table_grants WHERE grantee = %s "
                "AND table_schema = current_schema()", (role,)).fetchall():
            grants.setdefault(table, set()).add(privilege)
        working = {"SELECT", "INSERT", "UPDATE"}
        assert grants == {"schema_info": {"SELECT"}, "dossier_event": {"SELECT", "INSERT"},
                          "attachment": {"SELECT", "INSERT"}, "rating": {"SELECT", "INSERT"},
                          "calendar_day": working | {"DELETE"}, **{t: working for t in (
                              "office", "reception_point", "field", "procedure", "staff", "daily_sequence",
                              "dossier", "queue_group", "queue_counter", "queue_sequence", "queue_ticket")}}
        flags = admin_db.execute_sql("SELECT rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, "
                                     "left(rolpassword, 14) FROM pg_authid WHERE rolname = %s", (role,)).fetchone()
        assert flags == (False, False, False, True, "SCRAM-SHA-256$")  # hashed before it left the desk
    finally:
        admin_db.close()


def test_an_upgrade_needs_the_owner_and_the_role_keeps_its_access(pg_url, role):
    """On an old schema the role gets a clear message; the owner's upgrade re-grants the role."""
    from tests.models.test_schema_v2 import _load_v1_postgres

    _load_v1_postgres(pg_url)
    dbmod.connect(pg_url, create=False)  # the owner, on the version-1 schema, before upgrading
    dbmod.setup_desk_role(role, PASSWORD)
    dbmod.close()
    with pytest.raises(DeskError, match="chủ sở hữu"):
        dbmod.connect(_as(pg_url, role, PASSWORD), allow_new=False)
    dbmod.close()
    owner = dbmod.connect(pg_url)
    assert dbmod.schema_version(owner) == dbmod.SCHEMA_VERSION
    dbmod.close()
    desk = dbmod.connect(_as(pg_url, role, PASSWORD), allow_new=False)
    try:
        from datetime import datetime

        from desk.services.clock import LOCAL_TZ
        from desk.services.office import get_office_settings, update_office

        # the version-1 office carries the sample identity: confirmed first (D27), which the role may do
        update_office(get_office_settings(), by=get_actor("admin"))
        info = register(IntakeRequest("T-KS", Applicant(name="Nguyễn Văn Bốn"),
                                      received_at=datetime(2026, 3, 14, 11, 0, tzinfo=LOCAL_TZ)),
                        actor=get_actor("admin"))
        assert info.code == "000.00.13.H42-260314-0004"  # the new date-keyed counter, reached as the role
    finally:
        desk.close()


def test_desk_role_refusals(owner_url, role, sqlite_url, monkeypatch, capsys):
    pg_url = owner_url
    _owner_office(pg_url)
    monkeypatch.delenv("DESK_ROLE_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["--db", pg_url, "init", "--no-catalog", "--desk-role", role]) == 2
    err = capsys.readouterr().err
    assert "DESK_ROLE_PASSWORD" in err and len(err.strip().splitlines()) == 1
    monkeypatch.setenv("DESK_ROLE_PASSWORD", PASSWORD)
    for bad in (urlparse(owner_url).username, "postgres", "Bad-Name", "x; DROP TABLE dossier"):
        assert main(["--db", pg_url, "init", "--no-catalog", "--desk-role", bad]) == 2
        assert len(capsys.readouterr().err.strip().splitlines()) == 1
    probe = dbmod.make_database(pg_url)
    probe.connect()
    assert probe.execute_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is None
    probe.close()
    assert main(["--db", sqlite_url, "init", "--no-catalog", "--desk-role", role]) == 2
    assert "PostgreSQL" in capsys.readouterr().err
    assert not os.path.exists(dbmod.make_database(sqlite_url).database)  # refused before creating anything
