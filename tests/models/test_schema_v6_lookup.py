"""Schema version 6: the office's public look-up address (D48) reaches databases and backups of version 5.

A version-5 database is made the honest way: a current one with the column dropped and its version set
back, which is what the version-5 program left (the column is the only difference).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desk.models import Office
from desk.models import db as dbmod
from desk.services.accounts import get_actor
from desk.services.backup import backup, restore, verify_backup
from desk.services.intake import Applicant, IntakeRequest, register
from tests.conftest import as_schema_version, make_office


def _as_version_5(db) -> None:
    as_schema_version(db, 5)


def _version5_office(url: str) -> str:
    db = dbmod.connect(url)
    make_office()
    code = register(IntakeRequest("T-TTHN", Applicant(name="Lê Thị Hoa")), actor=get_actor("admin")).code
    _as_version_5(db)
    db.close()
    return code


def test_a_version5_database_gains_the_lookup_address(any_url):
    code = _version5_office(any_url)
    db = dbmod.connect(any_url)
    try:
        assert dbmod.schema_version(db) == dbmod.SCHEMA_VERSION >= 6
        assert Office.get().lookup_url == ""
        from desk.models import Dossier

        assert [d.code for d in Dossier.select()] == [code]  # nothing else moved
        dbmod.MIGRATIONS[6](db)  # idempotent, like every step of an upgrade
        assert Office.get().lookup_url == ""
    finally:
        db.close()


def test_a_version5_backup_is_verified_and_restored_into_a_new_file(tmp_path: Path):
    old = tmp_path / "old.db"
    code = _version5_office(f"sqlite:///{old}")
    info = verify_backup(old)  # an older backup is checked against the tables of its own version
    assert info.ok and info.schema_version == 5, info.problems
    new = tmp_path / "restored.db"
    result = restore(old, target_url=f"sqlite:///{new}", actor=None)
    assert result.created
    raw = sqlite3.connect(new)
    assert raw.execute("SELECT value FROM schema_info WHERE key = 'schema_version'").fetchone() == ("5",)
    raw.close()
    db = dbmod.connect(f"sqlite:///{new}", allow_new=False)  # opening it once upgrades it
    try:
        assert dbmod.schema_version(db) == dbmod.SCHEMA_VERSION and Office.get().lookup_url == ""
        from desk.models import Dossier

        assert [d.code for d in Dossier.select()] == [code]
        again = backup(tmp_path / "v6.db", actor=get_actor("admin"))
        assert again.schema_version == dbmod.SCHEMA_VERSION
    finally:
        db.close()
