"""Backup, verification, restore and the daily automatic backup: whole files or nothing."""

from __future__ import annotations

import errno
import shutil
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from desk.models import Dossier, DossierEvent
from desk.models import db as dbmod
from desk.services import backup as backup_mod
from desk.services.accounts import get_actor
from desk.services.backup import auto_backup, backup, restore, verify_backup
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.dossiers import get_dossier, history
from desk.services.errors import DeskError
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.lifecycle import advance

CLOCK = FixedClock(datetime(2026, 11, 23, 16, 0, tzinfo=LOCAL_TZ))


def _some_dossiers(n: int = 3) -> list[str]:
    codes = []
    for i in range(n):
        info = register(IntakeRequest("T-KS", Applicant(name="Trần Thị Mai"),
                                      received_at=datetime(2026, 11, 23, 9, i)), clock=CLOCK, actor=get_actor("admin"))
        advance(info.code, "processing", at=datetime(2026, 11, 23, 10, i), clock=CLOCK, actor=get_actor("admin"))
        codes.append(info.code)
    return codes


def _live_path(url: str) -> Path:
    return Path(dbmod.make_database(url).database)


def test_backup_verify_restore_round_trip(office, sqlite_url, tmp_path, admin):
    codes = _some_dossiers()
    before = [(get_dossier(c, actor=admin), history(c, actor=admin)) for c in codes]
    seen = []
    info = backup(tmp_path / "out" / "b.db", progress=lambda done, total: seen.append((done, total)))
    assert info.ok and info.problems == []
    assert info.counts["dossier"] == 3 and info.counts["dossier_event"] == 6
    assert info.schema_version == dbmod.SCHEMA_VERSION
    assert seen and seen[-1][0] == seen[-1][1]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["b.db"]  # no temp or -wal left
    # the office keeps working after the backup; restore brings back the moment of the backup
    extra = register(IntakeRequest("T-KS", Applicant(name="Lê Văn Nam"),
                                   received_at=datetime(2026, 11, 23, 11, 0)), clock=CLOCK, actor=admin).code
    dbmod.close()
    restore(tmp_path / "out" / "b.db", target_url=sqlite_url, now=CLOCK.now())
    kept = _live_path(sqlite_url).with_name("desk.db.before-restore-20261123-160000")
    assert kept.exists()
    dbmod.connect(sqlite_url)
    assert [(get_dossier(c, actor=admin), history(c, actor=admin)) for c in codes] == before
    assert not Dossier.select().where(Dossier.code == extra).exists()
    # numbering continues from the restored counter, and the kept file still has the later dossier
    again = register(IntakeRequest("T-KS", Applicant(name="Lê Văn Nam"),
                                   received_at=datetime(2026, 11, 23, 11, 5)), clock=CLOCK, actor=admin).code
    assert again == extra
    old = sqlite3.connect(kept)
    assert old.execute("SELECT COUNT(*) FROM dossier").fetchone()[0] == 4
    old.close()


def test_restore_refuses_a_bad_backup_and_changes_nothing(office, sqlite_url, tmp_path):
    _some_dossiers(2)
    good = backup(tmp_path / "good.db").path
    broken = tmp_path / "broken.db"
    data = bytearray(good.read_bytes())
    data[len(data) // 2: len(data) // 2 + 4096] = b"\xff" * 4096  # damage pages in the middle
    broken.write_bytes(bytes(data))
    not_db = tmp_path / "notes.db"
    not_db.write_text("hello")
    dbmod.close()
    live = _live_path(sqlite_url)
    original = live.read_bytes()
    for bad in (broken, not_db, tmp_path / "missing.db"):
        assert not verify_backup(bad).ok
        with pytest.raises(DeskError):
            restore(bad, target_url=sqlite_url)
        assert live.read_bytes() == original
    assert not list(tmp_path.glob("desk.db.before-restore-*"))


def test_restore_refuses_while_the_database_is_open(office, sqlite_url, tmp_path):
    path = backup(tmp_path / "b.db").path
    with pytest.raises(DeskError, match="(?i)still open|đang mở"):
        restore(path, target_url=sqlite_url)


def test_an_empty_backup_file_or_a_plain_sqlite_file_is_not_an_office_backup(tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    info = verify_backup(other)
    assert not info.ok and info.problems


def test_disk_full_mid_write_leaves_nothing(office, tmp_path, monkeypatch):
    _some_dossiers(1)
    real = backup_mod._fsync_file

    def full(path):
        real(path)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup_mod, "_fsync_file", full)
    folder = tmp_path / "usb"
    folder.mkdir()
    with pytest.raises(DeskError) as err:
        backup(folder / "b.db")
    assert "disk is full" in str(err.value).lower() or "đầy" in str(err.value)
    assert list(folder.iterdir()) == []


def test_disk_full_inside_sqlite_leaves_nothing(office, tmp_path, monkeypatch):
    class FullConnection:
        def __init__(self, conn):
            self.conn = conn

        def backup(self, target, **kw):
            raise sqlite3.OperationalError("database or disk is full")

    real = dbmod.database_proxy.obj.connection()
    monkeypatch.setattr(backup_mod, "_backup_sqlite", lambda src, out, progress, _r=backup_mod._backup_sqlite:
                        _r(FullConnection(real), out, progress))
    with pytest.raises(DeskError, match="(?i)disk is full|đầy"):
        backup(tmp_path / "b.db")
    assert list(tmp_path.glob("*b.db*")) == []


def test_unwritable_folder_gives_a_clear_message(office, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")  # a path under a file cannot be created, even by root
    with pytest.raises(DeskError, match="Nothing was changed|Không"):
        backup(blocker / "sub" / "b.db")


def test_read_only_folder_message(office, tmp_path, monkeypatch):
    def refuse(*a, **kw):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(backup_mod.tempfile, "mkstemp", refuse)
    with pytest.raises(DeskError, match="(?i)read-only|chỉ cho phép đọc"):
        backup(tmp_path / "b.db")


def test_auto_backup_once_a_day_with_retention(office, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    start = datetime(2026, 11, 1, 8, 0, tzinfo=LOCAL_TZ)
    (folder / "onestop-2026-09-01.db").write_text("old")  # long gone from retention
    (folder / "my-notes.txt").write_text("keep me")
    made = []
    for day in range(40):
        moment = start + timedelta(days=day)
        first = auto_backup(folder, keep_days=30, now=moment)
        assert first == folder / f"onestop-{moment.date().isoformat()}.db"
        assert auto_backup(folder, keep_days=30, now=moment + timedelta(hours=5)) is None  # once a day
        made.append(first)
    names = sorted(p.name for p in folder.iterdir())
    assert "my-notes.txt" in names and "onestop-2026-09-01.db" not in names
    kept = [n for n in names if n.startswith("onestop-")]
    last = (start + timedelta(days=39)).date()
    assert len(kept) == 31
    assert kept[0] == f"onestop-{(last - timedelta(days=30)).isoformat()}.db"
    assert verify_backup(made[-1]).ok


def test_auto_backup_day_is_office_local(office, tmp_path):
    # 23:30 UTC on 22/11 is already 23/11 in Hà Tĩnh
    path = auto_backup(tmp_path, now=datetime(2026, 11, 22, 23, 30, tzinfo=UTC))
    assert path is not None and path.name == f"onestop-{date(2026, 11, 23).isoformat()}.db"


# -- PostgreSQL --------------------------------------------------------------------------------
_TOOLS = shutil.which("pg_dump") and shutil.which("pg_restore")


@pytest.mark.postgres
@pytest.mark.skipif(not _TOOLS, reason="pg_dump/pg_restore are not on PATH")
def test_postgres_backup_restore_round_trip(pg_office, tmp_path, admin):
    codes = _some_dossiers(3)
    before = [(get_dossier(c, actor=admin), history(c, actor=admin)) for c in codes]
    info = backup(tmp_path / "office.dump")
    assert info.ok and info.engine == "postgres", info.problems
    assert info.counts["dossier"] == 3 and info.counts["dossier_event"] == 6
    assert info.schema_version == dbmod.SCHEMA_VERSION
    # a non-empty target is refused
    with pytest.raises(DeskError, match="already holds|đã có"):
        restore(info.path, target_url=pg_office)
    # disaster: the schema is lost; restore into the empty schema
    db = dbmod.database_proxy.obj
    schema = db.desk_schema
    db.execute_sql(f'DROP SCHEMA "{schema}" CASCADE')
    db.execute_sql(f'CREATE SCHEMA "{schema}"')
    db.close()
    restore(info.path, target_url=pg_office)
    dbmod.connect(pg_office)
    assert [(get_dossier(c, actor=admin), history(c, actor=admin)) for c in codes] == before
    with pytest.raises(Exception, match="append-only"):  # the audit guard came back too
        DossierEvent.delete().execute()


# -- command line ------------------------------------------------------------------------------
def test_cli_backup_and_restore(office, sqlite_url, tmp_path, capsys, monkeypatch):
    import json

    from desk.cli import main
    from desk.services.accounts import set_first_admin_password

    set_first_admin_password("mat-khau-quan-tri")
    monkeypatch.setenv("DESK_PASSWORD", "mat-khau-quan-tri")  # the CLI logs the admin in
    _some_dossiers(2)
    dbmod.close()
    out = tmp_path / "cli.db"
    assert main(["--db", sqlite_url, "--user", "admin", "backup", "--out", str(out)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["ok"] and printed["counts"]["dossier"] == 2
    dbmod.close()
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["--db", sqlite_url, "--user", "admin", "restore", str(out)]) == 2  # no --yes, no terminal: refused
    assert not list(tmp_path.glob("desk.db.before-restore-*"))
    assert main(["--db", sqlite_url, "--user", "admin", "restore", str(out), "--yes"]) == 0
    assert list(tmp_path.glob("desk.db.before-restore-*"))
    bad = tmp_path / "bad.db"
    bad.write_text("not a backup")
    assert main(["--db", sqlite_url, "--user", "admin", "restore", str(bad), "--yes"]) == 2
    assert main(["--db", sqlite_url, "--user", "admin", "backup", "--out", str(tmp_path / "cli.db" / "x.db")]) == 2
