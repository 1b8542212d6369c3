"""Schema version 2 reaches databases made by version 1: real version-1 files, upgraded in place.

tests/data/schema_v1/ holds an office made by the version-1 program (see its README): four dossiers,
two received on 2026-03-14 and one on 1926-03-14, which under version 1 took number 0003 of the
2026-03-14 counter (the counter was keyed by "260314"), and one on 2026-03-16.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from peewee import DatabaseError

from desk.errors import OfficeNotSetUp, ValidationError
from desk.models import DailySequence, Dossier
from desk.models import db as dbmod
from desk.services.accounts import get_actor
from desk.services.clock import LOCAL_TZ
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.office import get_office_settings, is_set_up, update_office

V1 = Path(__file__).resolve().parent.parent / "data" / "schema_v1"
V1_CODES = ["000.00.13.H42-260314-0001", "000.00.13.H42-260314-0002", "000.00.13.H42-260314-0003",
            "000.00.13.H42-260316-0001"]


def _history(db) -> list:
    return [db.execute_sql(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in ("dossier", "dossier_event")]


def _receive(name: str, when: datetime):
    return register(IntakeRequest("T-KS", Applicant(name=name), received_at=when.replace(tzinfo=LOCAL_TZ)),
                    actor=get_actor("admin"))


def _check_upgraded(db, history_before: list) -> None:
    assert dbmod.schema_version(db) == dbmod.SCHEMA_VERSION
    assert _history(db) == history_before  # not one dossier or event changed
    # version 3 (D27): the office still has the sample identity version 1 gave it, and real dossiers: it
    # is not set up, nothing new is received until someone confirms (or corrects) who it is
    with pytest.raises(OfficeNotSetUp, match="office set"):
        _receive("Nguyễn Văn Bốn", datetime(2026, 3, 14, 9, 0))
    confirmed = update_office(get_office_settings(), by=get_actor("admin"))
    assert confirmed.code == "000.00.13.H42" and is_set_up()
    counters = {(row.day, row.last_value) for row in DailySequence.select()}
    # the shared "260314" counter (3) became one per full date, each keeping 3: no number comes round again
    assert counters == {(date(2026, 3, 14), 3), (date(1926, 3, 14), 3), (date(2026, 3, 16), 1)}
    assert _receive("Nguyễn Văn Bốn", datetime(2026, 3, 14, 9, 0)).code == "000.00.13.H42-260314-0004"
    assert _receive("Nguyễn Văn Hai", datetime(2026, 3, 16, 9, 0)).code == "000.00.13.H42-260316-0002"
    # the version-2 guards are there too
    with pytest.raises(DatabaseError, match="never deleted"), dbmod.write_transaction():
        db.execute_sql("DELETE FROM dossier")
    assert [d.code for d in Dossier.select().order_by(Dossier.id)][:4] == V1_CODES


def test_version1_sqlite_file_is_upgraded(tmp_path):
    path = tmp_path / "office.db"
    shutil.copyfile(V1 / "office.sqlite", path)
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT value FROM schema_info WHERE key = 'schema_version'").fetchone() == ("1",)
    assert raw.execute("SELECT day, last_value FROM daily_sequence ORDER BY day").fetchall() == [
        ("260314", 3), ("260316", 1)]
    raw.close()
    db = dbmod.connect(f"sqlite:///{path}", allow_new=False)  # any command, not only init, upgrades
    try:
        history_before = [[tuple(r) for r in t] for t in _history(db)]
        _check_upgraded(db, history_before)
        declared = db.execute_sql("SELECT sql FROM sqlite_master WHERE name = 'daily_sequence'").fetchone()[0]
        assert '"day" DATE' in declared
        with pytest.raises(DatabaseError, match="append-only"), dbmod.write_transaction():
            db.execute_sql("REPLACE INTO dossier_event (id, dossier_id, at, actor_name, action, to_status, note, "
                           "data) VALUES (1, 1, '2026-03-14 02:00:00', 'x', 'receive', 'received', 'sửa', '{}')")
        assert db.execute_sql("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        db.close()


def _load_v1_postgres(url: str) -> str:
    import psycopg2

    schema = parse_qs(urlparse(url).query)["schema"][0]
    params = dbmod.make_database(url).connect_params
    conn = psycopg2.connect(dbname=dbmod.make_database(url).database,
                            **{k: v for k, v in params.items() if k in ("user", "password", "host", "port")})
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute((V1 / "postgres.sql").read_text(encoding="utf-8").replace("__SCHEMA__", schema))
    conn.close()
    return schema


@pytest.mark.postgres
def test_version1_postgres_schema_is_upgraded(pg_url):
    _load_v1_postgres(pg_url)
    plain = dbmod.make_database(pg_url)
    plain.connect()
    assert plain.execute_sql("SELECT value FROM schema_info WHERE key = 'schema_version'").fetchone() == ("1",)
    history_before = _history(plain)
    plain.close()
    db = dbmod.connect(pg_url, allow_new=False)
    try:
        _check_upgraded(db, history_before)
        kind = db.execute_sql("SELECT data_type FROM information_schema.columns WHERE table_schema = "
                              "current_schema() AND table_name = 'daily_sequence' AND column_name = 'day'").fetchone()
        assert kind == ("date",)
        with pytest.raises(DatabaseError, match="append-only"), dbmod.write_transaction():
            db.execute_sql("TRUNCATE dossier_event")
        functions = {r[0] for r in db.execute_sql(
            "SELECT proname FROM pg_proc WHERE pronamespace = current_schema()::regnamespace").fetchall()}
        assert functions == {"desk_refuse"}  # version 1's trigger function is gone, nothing refers to it
    finally:
        db.close()


def test_upgrade_is_all_or_nothing(tmp_path, monkeypatch):
    """A migration that fails leaves the version-1 file as it was (one transaction)."""
    path = tmp_path / "office.db"
    shutil.copyfile(V1 / "office.sqlite", path)

    def broken(db):
        dbmod._to_v2(db)
        raise DatabaseError("simulated failure after the conversion")

    monkeypatch.setitem(dbmod.MIGRATIONS, 2, broken)
    with pytest.raises(Exception, match="simulated failure"):
        dbmod.connect(f"sqlite:///{path}")
    dbmod.close()
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT value FROM schema_info WHERE key = 'schema_version'").fetchone() == ("1",)
    assert raw.execute("SELECT day, last_value FROM daily_sequence ORDER BY day").fetchall() == [
        ("260314", 3), ("260316", 1)]
    raw.close()


def test_a_1926_receipt_does_not_take_todays_number(office):
    """Version 1 gave a 1926-03-14 receipt number 0002 of 2026-03-14 and the next 2026 dossier 0003."""
    first = _receive("Nguyễn Văn An", datetime(2026, 3, 14, 9, 0))
    with pytest.raises(ValidationError):  # refused: by the code rule here, by the date rule in intake too
        _receive("Lê Văn Cổ", datetime(1926, 3, 14, 9, 0))
    second = _receive("Trần Thị Bình", datetime(2026, 3, 14, 10, 0))
    assert first.code.endswith("-260314-0001") and second.code.endswith("-260314-0002")
    assert [(r.day, r.last_value) for r in DailySequence.select()] == [(date(2026, 3, 14), 2)]


def test_a_code_shared_across_a_century_is_refused_clearly(office):
    """The database rule holds without the date rule: a dossier of 1926-03-14 (left by an older version)
    holds ...-260314-0001; the first 2026-03-14 registration would get the same code."""
    from desk.models import DossierEvent, Procedure
    from desk.services.office import current_office

    code = f"{current_office().code}-260314-0001"
    at = datetime(1926, 3, 14, 2, 0)
    old = Dossier.create(code=code, office=current_office(), procedure=Procedure.get(Procedure.code == "T-KS"),
                         applicant_name="Lê Văn Cổ", applicant_name_folded="le van co", received_at=at, due_at=at,
                         appointment_at=at, status="received", updated_at=at)
    DossierEvent.create(dossier=old, at=at, action="receive", to_status="received")
    db = dbmod.database_proxy.obj
    before = _history(db)
    with pytest.raises(ValidationError, match=f"{code}.*một thế kỷ.*Chưa có gì được lưu"):
        _receive("Nguyễn Văn An", datetime(2026, 3, 14, 9, 0))
    assert _history(db) == before and DailySequence.select().count() == 0  # the counter rolled back too
    assert Dossier.select().where(Dossier.code == code).count() == 1
