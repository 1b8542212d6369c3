"""Schema version 6 (D49): the ``rating`` table, one row per dossier, on a new database and on one upgraded
from version 5, on both engines; a version-5 file or backup (without the table) is not taken for a damaged one."""

from __future__ import annotations

from datetime import datetime

import pytest
from peewee import IntegrityError

from desk.models import Dossier, Rating
from desk.models import db as dbmod
from desk.services.accounts import get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.lifecycle import advance
from desk.services.ratings import rate, rating_token
from tests.conftest import as_schema_version, make_office

AT = datetime(2026, 11, 20, 9, 0, tzinfo=LOCAL_TZ)


def _returned() -> str:
    admin = get_actor("admin")
    code = register(IntakeRequest("T-KT", Applicant(name="Nguyễn Văn Tạm")), clock=FixedClock(AT), actor=admin).code
    for hour, step in enumerate(("processing", "resolved", "returned"), 10):
        advance(code, step, at=AT.replace(hour=hour), clock=FixedClock(AT.replace(hour=hour)), actor=admin)
    return code


def _make_version_5(db) -> str:
    """A version-5 office with one returned dossier: the rating table gone, the version put back."""
    make_office()
    code = _returned()
    as_schema_version(db, 5)
    return code


def _assert_ratings_work(db, code: str) -> None:
    assert dbmod.schema_version(db) == dbmod.SCHEMA_VERSION >= 6
    assert "rating" in db.get_tables()
    clock = FixedClock(AT.replace(hour=16))
    assert rate(code, rating_token(code), "satisfied", clock=clock).recorded
    assert not rate(code, rating_token(code), "satisfied", clock=clock).recorded
    row = Dossier.get(Dossier.code == code)
    with pytest.raises(IntegrityError), db.atomic():  # the unique key itself, below the service's check
        Rating.create(dossier=row.id, level="dissatisfied", channel="kiosk", at=AT.replace(tzinfo=None))
    assert Rating.select().count() == 1


def test_a_new_database_has_the_table(any_office):
    _assert_ratings_work(dbmod.database_proxy.obj, _returned())


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_version_5_upgrades(engine, request):
    url = request.getfixturevalue("sqlite_url" if engine == "sqlite" else "pg_url")
    db = dbmod.connect(url)
    code = _make_version_5(db)
    db.close()
    if engine == "sqlite":  # the file check before opening knows version 5 had no rating table
        assert dbmod.inspect_sqlite_file(url.split(":///", 1)[1]) == "ours"
    db = dbmod.connect(url, allow_new=False)
    try:
        _assert_ratings_work(db, code)
    finally:
        db.close()


def test_a_version_5_backup_still_verifies_and_restores_into_a_new_file(tmp_path):
    from desk.services.backup import restore, verify_backup

    old = f"sqlite:///{tmp_path / 'old.db'}"
    db = dbmod.connect(old)
    code = _make_version_5(db)
    db.close()  # a backup made by the previous version is such a file
    info = verify_backup(tmp_path / "old.db")
    assert info.ok, info.problems
    assert info.schema_version == 5 and "rating" not in info.counts
    new = f"sqlite:///{tmp_path / 'new.db'}"
    restore(tmp_path / "old.db", target_url=new, actor=None)
    db = dbmod.connect(new, allow_new=False)
    try:
        _assert_ratings_work(db, code)
    finally:
        db.close()


def test_backup_and_migrate_to_carry_the_ratings(office, tmp_path, pg_url):
    from desk.services.backup import backup
    from desk.services.migrate import migrate_to

    code = _returned()
    rate(code, rating_token(code), "very_satisfied", "Tốt", clock=FixedClock(AT.replace(hour=16)))
    admin = get_actor("admin")
    info = backup(tmp_path / "b.db", actor=admin)
    assert info.ok and info.counts["rating"] == 1
    report = migrate_to(pg_url, actor=admin)
    assert report.ok and [t for t in report.tables if t.table == "rating"][0].source_rows == 1
