"""Backup, verification, restore and the daily automatic backup: whole files or nothing, nothing lost."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from desk.errors import DeskError, PermissionDenied
from desk.models import Dossier, DossierEvent
from desk.models import db as dbmod
from desk.services import files
from desk.services.accounts import SYSTEM, create_staff, get_actor
from desk.services.backup import auto_backup, backup, prune_backups, restore, verify_backup
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.dossiers import get_dossier, history
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.lifecycle import advance
from tests.conftest import as_schema_version, fill_disk

ROOT = Path(__file__).resolve().parents[2]
CLOCK = FixedClock(datetime(2026, 11, 23, 16, 0, tzinfo=LOCAL_TZ))
DAY = "261123"


def _admin():
    return get_actor("admin")


def _some_dossiers(n: int = 3, minute: int = 0) -> list[str]:
    codes = []
    for i in range(n):
        info = register(IntakeRequest("T-KS", Applicant(name="Trần Thị Mai"),
                                      received_at=datetime(2026, 11, 23, 9, minute + i)), clock=CLOCK, actor=_admin())
        advance(info.code, "processing", at=datetime(2026, 11, 23, 10, minute + i), clock=CLOCK, actor=_admin())
        codes.append(info.code)
    return codes


def _one(minute: int) -> str:
    return register(IntakeRequest("T-KS", Applicant(name="Lê Văn Nam"),
                                  received_at=datetime(2026, 11, 23, 11, minute)), clock=CLOCK, actor=_admin()).code


def _live_path(url: str) -> Path:
    return Path(dbmod.make_database(url).database)


def _codes_in(path: Path | str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT code FROM dossier ORDER BY id")]
    finally:
        conn.close()


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    for suffix in ("", "-wal"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            h.update(part.read_bytes())
    return h.hexdigest()


def _kept(folder: Path) -> list[Path]:
    return sorted(folder.glob("desk.db.before-restore-*"))


# -- backup ------------------------------------------------------------------------------------
def test_backup_verify_restore_round_trip(office, sqlite_url, tmp_path):
    codes = _some_dossiers()
    before = [(get_dossier(c, actor=_admin()), history(c, actor=_admin())) for c in codes]
    seen = []
    (tmp_path / "out").mkdir()
    info = backup(tmp_path / "out" / "b.db", actor=_admin(), progress=lambda done, total: seen.append((done, total)))
    assert info.ok and info.problems == []
    assert info.counts["dossier"] == 3 and info.counts["dossier_event"] == 6
    assert info.schema_version == dbmod.SCHEMA_VERSION
    assert seen and seen[-1][0] == seen[-1][1]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["b.db"]  # no temp, -wal or -journal
    with open(tmp_path / "out" / "b.db", "rb") as fh:  # a self-contained file: opening it makes no -wal
        assert fh.read(20)[18:20] == b"\x01\x01"
    # the office keeps working after the backup; restore brings back the moment of the backup,
    # in place, while this process keeps its connection open
    extra = _one(0)
    from desk.services.attachments import attach
    attach(codes[2], b"%PDF-1.4\n%%EOF\n", component=1, actor=_admin(), clock=CLOCK)  # digitised after the backup
    result = restore(tmp_path / "out" / "b.db", target_url=sqlite_url, actor=_admin(), clock=CLOCK)
    kept = _live_path(sqlite_url).with_name("desk.db.before-restore-20261123-160000")
    assert result.kept == str(kept) and kept.exists()
    assert result.missing == [extra]
    assert result.changed == [codes[2]]  # rolled back to the backup's state: the person restoring is told which
    assert [(get_dossier(c, actor=_admin()), history(c, actor=_admin())) for c in codes] == before
    assert not Dossier.select().where(Dossier.code == extra).exists()
    # the code printed for the later dossier is never issued again; the kept file still has it
    again = _one(5)
    assert again != extra and int(again.rsplit("-", 1)[1]) == int(extra.rsplit("-", 1)[1]) + 1
    assert _codes_in(kept) == [*codes, extra]
    assert verify_backup(kept).ok


def test_backup_never_overwrites_a_file(office, tmp_path):
    _some_dossiers(1)
    target = tmp_path / "b.db"
    target.write_bytes(b"yesterday's backup")
    with pytest.raises(DeskError, match=str(target)):
        backup(target, actor=_admin())
    assert target.read_bytes() == b"yesterday's backup"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_backup_and_restore_need_an_admin(office, sqlite_url, tmp_path):
    _some_dossiers(1)
    create_staff("leader1", "Nguyễn Lãnh Đạo", "leader", "mật-khẩu-đủ-dài", by=SYSTEM)
    create_staff("clerk1", "Trần Cán Bộ", "clerk", "mật-khẩu-đủ-dài", by=SYSTEM)
    for name in ("leader1", "clerk1"):
        with pytest.raises(PermissionDenied):
            backup(tmp_path / f"{name}.db", actor=get_actor(name))
    assert not (tmp_path / "leader1.db").exists() and not (tmp_path / "clerk1.db").exists()
    good = backup(tmp_path / "good.db", actor=_admin()).path
    _one(0)
    live = _live_path(sqlite_url)
    before = _digest(live)
    for actor in (get_actor("leader1"), get_actor("clerk1"), None):
        with pytest.raises(PermissionDenied):
            restore(good, target_url=sqlite_url, actor=actor)
    assert _digest(live) == before and _kept(tmp_path) == []


def test_restore_refuses_a_bad_backup_and_changes_nothing(office, sqlite_url, tmp_path):
    _some_dossiers(2)
    good = backup(tmp_path / "good.db", actor=_admin()).path
    broken = tmp_path / "broken.db"
    data = bytearray(good.read_bytes())
    data[len(data) // 2: len(data) // 2 + 4096] = b"\xff" * 4096  # damage pages in the middle
    broken.write_bytes(bytes(data))
    not_db = tmp_path / "notes.db"
    not_db.write_text("hello")
    live = _live_path(sqlite_url)
    original = _digest(live)
    for bad in (broken, not_db, tmp_path / "missing.db"):
        assert not verify_backup(bad).ok
        with pytest.raises(DeskError):
            restore(bad, target_url=sqlite_url, actor=_admin())
        assert _digest(live) == original
    assert _kept(tmp_path) == []


def test_an_empty_backup_file_or_a_plain_sqlite_file_is_not_an_office_backup(tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    info = verify_backup(other)
    assert not info.ok and info.problems


# -- item 1: a desk that stays open through a restore loses nothing ----------------------------
DESK = r"""
import sys
from datetime import datetime
from desk.models import db as dbmod
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.accounts import get_actor
from desk.services.intake import Applicant, IntakeRequest, register

dbmod.connect(sys.argv[1], create=False)          # a desk on its login screen: connected, idle
print("connected", flush=True)
sys.stdin.readline()                               # ... the restore happens meanwhile ...
clock = FixedClock(datetime(2026, 11, 23, 16, 0, tzinfo=LOCAL_TZ))
for i in range(3):
    info = register(IntakeRequest("T-KS", Applicant(name="Phạm Văn Đức"),
                                  received_at=datetime(2026, 11, 23, 14, i)), clock=clock, actor=get_actor("admin"))
    print(info.code, flush=True)                   # the code the desk prints on the slip
"""


def test_a_desk_connected_during_a_restore_keeps_every_dossier_it_saves_afterwards(office, sqlite_url, tmp_path):
    first = _some_dossiers(2)
    path = backup(tmp_path / "b.db", actor=_admin()).path
    third = _one(0)
    desk = subprocess.Popen([sys.executable, "-c", DESK, sqlite_url], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert desk.stdout.readline().strip() == "connected", desk.stderr.read()
        result = restore(path, target_url=sqlite_url, actor=_admin(), clock=CLOCK)
        out, err = desk.communicate("\n", timeout=60)
    finally:
        if desk.poll() is None:
            desk.kill()
    assert desk.returncode == 0, err
    printed = out.split()
    assert len(printed) == 3
    dbmod.close()
    live = _live_path(sqlite_url)
    stored = _codes_in(live)  # a fresh connection to the file: what a desk opening it tomorrow sees
    assert set(printed) <= set(stored), "a code the desk printed is in no file"
    assert stored == [*first, *printed]
    assert len(set(stored)) == len(stored) and third not in printed  # no printed code is issued twice
    assert [int(c.rsplit("-", 1)[1]) for c in printed] == [4, 5, 6]
    assert result.missing == [third] and _codes_in(result.kept) == [*first, third]
    conn = sqlite3.connect(live)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


HOLDER = r"""
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")                   # a desk stuck in the middle of a write
conn.execute("INSERT INTO calendar_day (office_id, day, kind, note) VALUES (1, '2026-12-31', 'off', 'held')")
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


def test_a_restore_that_cannot_get_the_write_lock_changes_nothing(office, sqlite_url, tmp_path, monkeypatch):
    from desk.services import backup as backup_mod

    _some_dossiers(2)
    path = backup(tmp_path / "b.db", actor=_admin()).path
    extra = _one(0)
    monkeypatch.setattr(backup_mod, "_BUSY_S", 1.0)
    live = _live_path(sqlite_url)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(live), "6"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(DeskError, match="(?i)busy|bận"):
            restore(path, target_url=sqlite_url, actor=_admin(), clock=CLOCK)
    finally:
        holder.wait(timeout=60)
    assert holder.returncode == 0  # the desk's write went through afterwards
    assert Dossier.select().where(Dossier.code == extra).exists()
    assert _kept(tmp_path) == [] and not [p for p in tmp_path.iterdir() if files.is_temp_name(p.name)]


def test_two_restores_in_the_same_second_keep_both_copies(office, sqlite_url, tmp_path):
    base = _some_dossiers(1)
    path = backup(tmp_path / "b.db", actor=_admin()).path
    a = _one(0)
    first = restore(path, target_url=sqlite_url, actor=_admin(), clock=CLOCK)
    b = _one(1)
    second = restore(path, target_url=sqlite_url, actor=_admin(), clock=CLOCK)
    assert first.kept != second.kept
    assert [Path(p).name for p in (first.kept, second.kept)] == [
        "desk.db.before-restore-20261123-160000", "desk.db.before-restore-20261123-160000-2"]
    assert _codes_in(first.kept) == [*base, a]  # the first copy was not overwritten
    assert _codes_in(second.kept) == [*base, b]
    assert first.missing == [a] and second.missing == [b] and a != b


def test_restore_keeps_every_day_counter_at_the_higher_value(office, sqlite_url, tmp_path):
    _some_dossiers(2)
    path = backup(tmp_path / "b.db", actor=_admin()).path
    later = [_one(m) for m in range(3)]  # 0003–0005 printed after the backup
    other_day = register(IntakeRequest("T-KS", Applicant(name="Võ Thị Hoa"),
                                       received_at=datetime(2026, 11, 20, 9, 0)), clock=CLOCK, actor=_admin()).code
    result = restore(path, target_url=sqlite_url, actor=_admin(), clock=CLOCK)
    assert sorted(result.missing) == sorted([*later, other_day]) and result.counters_kept == 2
    nxt = _one(30)
    assert nxt.endswith(f"-{DAY}-0006")
    again = register(IntakeRequest("T-KS", Applicant(name="Võ Thị Hoa"),
                                   received_at=datetime(2026, 11, 20, 10, 0)), clock=CLOCK, actor=_admin()).code
    assert again != other_day and again.endswith("-0002")


def test_restore_refuses_a_backup_whose_tables_differ(office, sqlite_url, tmp_path):
    _some_dossiers(1)
    path = backup(tmp_path / "b.db", actor=_admin()).path
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE dossier ADD COLUMN extra TEXT")
    conn.commit()
    conn.close()
    live = _live_path(sqlite_url)
    before = _digest(live)
    with pytest.raises(DeskError, match="dossier"):
        restore(path, target_url=sqlite_url, actor=_admin())
    assert _digest(live) == before and _kept(tmp_path) == []
    assert not [p for p in tmp_path.iterdir() if files.is_temp_name(p.name)]


def test_a_backup_with_another_page_size_is_converted_before_the_copy(office, sqlite_url, tmp_path):
    codes = _some_dossiers(2)
    path = backup(tmp_path / "b.db", actor=_admin()).path
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA page_size = 8192")
    conn.execute("VACUUM")
    assert conn.execute("PRAGMA page_size").fetchone()[0] == 8192
    conn.close()
    _one(0)
    restore(path, target_url=sqlite_url, actor=_admin())
    assert [d.code for d in Dossier.select().order_by(Dossier.id)] == codes
    conn = sqlite3.connect(_live_path(sqlite_url))
    assert conn.execute("PRAGMA page_size").fetchone()[0] == 4096
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_restore_into_a_missing_file_creates_it_and_a_damaged_one_is_refused(office, tmp_path):
    codes = _some_dossiers(2)
    path = backup(tmp_path / "b.db", actor=_admin()).path
    new = tmp_path / "new" / "office.db"
    new.parent.mkdir()  # a missing folder is refused like every output path; a missing file is made
    result = restore(path, target_url=f"sqlite:///{new}", actor=None)
    assert result.created and not result.kept and _codes_in(new) == codes
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"\x13" * 8192)
    with pytest.raises(DeskError, match=str(damaged)):
        restore(path, target_url=f"sqlite:///{damaged}", actor=_admin())
    assert damaged.read_bytes() == b"\x13" * 8192


# -- item 3: a backup finishes while desks write -----------------------------------------------
def test_backup_finishes_while_three_desks_register(office, sqlite_url, tmp_path):
    from desk.services.demo import generate

    generate(50_000, months=2, clock=CLOCK, actor=_admin())  # ≈ 60 MB, the office: many steps of the old copy
    seconds = 12
    writers = []
    for i in range(3):
        out = tmp_path / f"writer-{i}.json"
        proc = subprocess.Popen([sys.executable, "-m", "bench.bench_backup", "--writer", sqlite_url, str(seconds),
                                 "22", str(out)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        writers.append((proc, out))
    for proc, _out in writers:
        assert proc.stdout.readline().strip() == "ready"
    started = time.time()
    time.sleep(1)  # the desks are in full flow when the backup starts
    done: dict = {}

    def run() -> None:
        t0 = time.time()
        try:
            done["info"] = backup(tmp_path / "busy.db", actor=_admin())
        except Exception as exc:  # noqa: BLE001 - reported below
            done["error"] = exc
        done["window"] = (t0, time.time())

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=seconds + 60)
    import json

    results = []
    for proc, out in writers:
        assert proc.wait(timeout=120) == 0
        results.append(json.loads(out.read_text()))
    assert "window" in done, "the backup never finished"
    assert "error" not in done, done.get("error")
    t0, t1 = done["window"]
    assert t1 < started + seconds, "the backup only finished after the desks stopped writing"
    written_during = [s for r in results for s, d in r["calls"] if t0 <= s and s + d <= t1]
    assert written_during, "the desks could not write while the backup ran"
    info = done["info"]
    assert info.ok and info.counts["dossier"] >= 50_000
    codes = [c for r in results for c in r["codes"]]
    # Every desk kept registering (how many a second is the benchmark's business: bench/bench_backup.py).
    assert len(codes) == len(set(codes)) and all(r["codes"] for r in results)
    assert set(codes) <= {d.code for d in Dossier.select(Dossier.code)}


# -- item 4: full disks and killed writers leave nothing -----------------------------------------
def test_backup_to_a_full_disk_leaves_nothing_and_changes_nothing(office, sqlite_url, small_disk):
    _some_dossiers(3)
    live = _live_path(sqlite_url)
    before = _digest(live)
    size = sum(Path(f"{live}{s}").stat().st_size for s in ("", "-wal") if Path(f"{live}{s}").exists())
    folder = small_disk(size // 1024 + 512)
    (folder / "keep.txt").write_text("the clerk's file")
    failures = 0
    for leave in range(0, size + 64 * 1024, 8 * 1024):  # every amount of room, up to more than enough
        fill_disk(folder, leave_bytes=leave)
        try:
            info = backup(folder / "b.db", actor=_admin())
        except DeskError as err:
            failures += 1
            message = str(err)
            assert ("đầy" in message or "disk is full" in message.lower()) and "\n" not in message, message
            assert sorted(p.name for p in folder.iterdir()) == ["filler.bin", "keep.txt"], leave  # no -journal/-wal
        else:
            assert info.ok
            assert sorted(p.name for p in folder.iterdir()) == ["b.db", "filler.bin", "keep.txt"], leave
            (folder / "b.db").unlink()
        assert _digest(live) == before
    assert failures >= 3
    assert Dossier.select().count() == 3


def test_restore_on_a_full_disk_changes_nothing_and_leaves_nothing(small_disk, tmp_path):
    from tests.conftest import make_office

    folder = small_disk(2048)  # the new database's write-ahead log alone is ~400 KB; fill_disk makes it full below
    url = f"sqlite:///{folder / 'desk.db'}"
    dbmod.connect(url)
    try:
        make_office()
        _some_dossiers(3)
        path = backup(tmp_path / "b.db", actor=_admin()).path
        extra = _one(0)
        dbmod.database_proxy.obj.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        fill_disk(folder, leave_bytes=(path.stat().st_size * 3) // 2)  # room for one copy, not two
        (folder / "filler.bin").rename(folder / "other-files.bin")
        names = sorted(p.name for p in folder.iterdir())
        with pytest.raises(DeskError, match="(?i)đầy|disk is full"):
            restore(path, target_url=url, actor=_admin())
        assert sorted(p.name for p in folder.iterdir()) == names
        assert Dossier.select().where(Dossier.code == extra).exists()
        assert dbmod.database_proxy.obj.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        dbmod.close()


KILLED = r"""
import sys, time
from desk.models import db as dbmod
from desk.services import backup as b
from desk.services.accounts import get_actor

def copied_then_stuck(path):
    print(path, flush=True)   # the copy is written; the backup is "busy verifying" when it is killed
    time.sleep(600)

dbmod.connect(sys.argv[1], create=False)
b.verify_backup = copied_then_stuck
b.backup(sys.argv[2], actor=get_actor("admin"))
"""


def test_a_killed_backup_leaves_a_temporary_that_the_next_backup_removes(office, sqlite_url, tmp_path):
    _some_dossiers(3)
    folder = tmp_path / "usb"
    folder.mkdir()
    (folder / ".~notes.tmp").write_text("not ours")
    proc = subprocess.Popen([sys.executable, "-c", KILLED, sqlite_url, str(folder / "first.db")], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    temp = Path(proc.stdout.readline().strip())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert temp.parent == folder and temp.exists() and f"-{proc.pid}-" in temp.name
    assert files.is_temp_name(temp.name)
    info = backup(folder / "second.db", actor=_admin())
    assert info.ok
    assert sorted(p.name for p in folder.iterdir()) == [".~notes.tmp", "second.db"]


def test_disk_full_at_fsync_leaves_nothing(office, tmp_path, monkeypatch):
    _some_dossiers(1)
    real = files.fsync_file

    def full(path):
        real(path)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "fsync_file", full)
    folder = tmp_path / "usb"
    folder.mkdir()
    with pytest.raises(DeskError, match="(?i)đầy|disk is full"):
        backup(folder / "b.db", actor=_admin())
    assert list(folder.iterdir()) == []


def test_missing_folder_or_a_file_in_the_way_gives_a_clear_message(office, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(DeskError, match="Nothing was changed|Không"):
        backup(blocker / "b.db", actor=_admin())
    with pytest.raises(DeskError, match="(?i)does not exist|không tồn tại"):
        backup(tmp_path / "no" / "such" / "b.db", actor=_admin())
    assert not (tmp_path / "no").exists()


def test_backup_to_a_read_only_disk_gives_a_clear_message(office, small_disk):
    folder = small_disk(256)
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)
    with pytest.raises(DeskError, match="(?i)read-only|chỉ cho phép đọc"):
        backup(folder / "b.db", actor=_admin())


# -- daily automatic backup --------------------------------------------------------------------
def test_auto_backup_once_a_day_with_retention(office, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    start = datetime(2026, 11, 1, 8, 0, tzinfo=LOCAL_TZ)
    (folder / "onestop-2026-09-01.db").write_text("old")  # long gone from retention
    (folder / "my-notes.txt").write_text("keep me")
    made = []
    for day in range(40):
        moment = start + timedelta(days=day)
        first = auto_backup(folder, actor=_admin(), keep_days=30, clock=FixedClock(moment))
        assert first == folder / f"onestop-{moment.date().isoformat()}.db"
        assert auto_backup(folder, actor=_admin(), keep_days=30, clock=FixedClock(moment + timedelta(hours=5))) is None
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
    path = auto_backup(tmp_path, actor=_admin(), clock=FixedClock(datetime(2026, 11, 22, 23, 30, tzinfo=UTC)))
    assert path is not None and path.name == f"onestop-{date(2026, 11, 23).isoformat()}.db"


def test_prune_backups_keeps_by_the_clocks_office_day(tmp_path):
    for day in ("2026-10-24", "2026-10-25", "2026-11-22"):
        (tmp_path / f"onestop-{day}.db").write_text("x")
    (tmp_path / "onestop-notes.txt").write_text("not a daily copy")
    # 17:30 UTC on 23/11 is 00:30 on 24/11 in Hà Tĩnh: 30 days back from the 24th is the 25th of October
    removed = prune_backups(tmp_path, keep_days=30, clock=FixedClock(datetime(2026, 11, 23, 17, 30, tzinfo=UTC)))
    assert [p.name for p in removed] == ["onestop-2026-10-24.db"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["onestop-2026-10-25.db", "onestop-2026-11-22.db",
                                                           "onestop-notes.txt"]
    assert prune_backups(tmp_path, keep_days=30, clock=FixedClock(datetime(2026, 11, 24, 8, 0))) == []


def test_auto_backup_cleans_the_program_folders_and_uses_the_new_path(office, sqlite_url, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = [folder / f"{files.TEMP_MARK}{files.host_label()}-{dead.pid}-0123abcd-onestop-2026-11-22.db.tmp",
             _live_path(sqlite_url).parent / f"{files.TEMP_MARK}{files.host_label()}-{dead.pid}-0123abcd-desk.db.tmp"]
    for path in stale:
        path.write_bytes(b"\0" * 4096)
        Path(f"{path}-journal").write_bytes(b"\0" * 512)
    made = auto_backup(folder, actor=get_actor("admin"), clock=CLOCK)
    assert made is not None and verify_backup(made).ok
    assert not any(p.exists() or Path(f"{p}-journal").exists() for p in stale)
    with open(made, "rb") as fh:
        assert fh.read(20)[18:20] == b"\x01\x01"


# -- PostgreSQL --------------------------------------------------------------------------------
# pg_dump / pg_restore into schemas where SQLite copies files: engine-specific, so not through any_url.
_TOOLS = shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")


@pytest.fixture
def pg_kept(pg_office):
    """Drop the before-restore schemas a test leaves beside its own."""
    yield pg_office
    base = dbmod.make_database(pg_office.split("?")[0])
    base.connect()
    schema = pg_office.split("schema=")[1]
    for (name,) in base.execute_sql("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                                    (schema + r"\_before\_restore%",)).fetchall():
        base.execute_sql(f'DROP SCHEMA "{name}" CASCADE')
    base.close()


@pytest.mark.postgres
@pytest.mark.skipif(not _TOOLS, reason="pg_dump/pg_restore/psql are not on PATH")
def test_postgres_backup_restore_into_an_empty_schema(pg_office, tmp_path):
    codes = _some_dossiers(3)
    before = [(get_dossier(c, actor=_admin()), history(c, actor=_admin())) for c in codes]
    info = backup(tmp_path / "office.dump", actor=_admin())
    assert info.ok and info.engine == "postgres", info.problems
    assert info.counts["dossier"] == 3 and info.counts["dossier_event"] == 6
    assert info.schema_version == dbmod.SCHEMA_VERSION
    # disaster: the schema is lost; restore into the empty schema (no account left to check)
    db = dbmod.database_proxy.obj
    schema = db.desk_schema
    db.execute_sql(f'DROP SCHEMA "{schema}" CASCADE')
    db.execute_sql(f'CREATE SCHEMA "{schema}"')
    db.close()
    result = restore(info.path, target_url=pg_office, actor=None)
    assert result.created and not result.kept
    dbmod.connect(pg_office)
    assert [(get_dossier(c, actor=_admin()), history(c, actor=_admin())) for c in codes] == before
    with pytest.raises(Exception, match="append-only"):  # the audit guard came back too
        DossierEvent.delete().execute()


@pytest.mark.postgres
@pytest.mark.skipif(not _TOOLS, reason="pg_dump/pg_restore/psql are not on PATH")
def test_postgres_restore_over_the_live_schema_refuses_connected_desks_and_keeps_the_old_content(pg_kept, tmp_path):
    import psycopg2

    url = pg_kept
    schema = url.split("schema=")[1]
    first = _some_dossiers(2)
    info = backup(tmp_path / "office.dump", actor=_admin())
    third = _one(0)
    # another desk of this office is connected
    desk = dbmod.make_database(url)
    desk.connect()
    with pytest.raises(DeskError) as err:
        restore(info.path, target_url=url, actor=_admin(), clock=CLOCK)
    assert "onestop-desk:" + schema in str(err.value) and "127.0.0.1" in str(err.value)
    assert Dossier.select().where(Dossier.code == third).exists()  # nothing changed
    with pytest.raises(PermissionDenied):
        restore(info.path, target_url=url, actor=None, disconnect=True)
    # a program that is not a desk (no desk application name) stays connected through the restore
    params = dbmod.make_database(url).connect_params
    bystander = psycopg2.connect(dbname=dbmod.make_database(url).database, application_name="bystander",
                                 options=f"-c search_path={schema}",
                                 **{k: params[k] for k in ("user", "host", "port") if params.get(k)})
    bystander.autocommit = True
    result = restore(info.path, target_url=url, actor=_admin(), clock=CLOCK, disconnect=True)
    assert len(result.disconnected) == 1
    with pytest.raises(Exception):  # noqa: B017 - the desk's session was ended
        desk.execute_sql("SELECT 1")
    assert result.kept == f"{schema}_before_restore_20261123_160000"
    assert result.missing == [third] and result.changed == []
    # what the bystander writes after the restore lands in the restored schema, not the kept one
    with bystander.cursor() as cur:
        cur.execute("INSERT INTO schema_info (key, value) VALUES ('probe', 'after')")
    bystander.close()
    db = dbmod.database_proxy.obj
    db.close()
    dbmod.connect(url)
    assert [d.code for d in Dossier.select().order_by(Dossier.id)] == first
    nxt = _one(5)
    assert nxt != third and nxt.endswith(f"-{DAY}-0004")
    db = dbmod.database_proxy.obj
    assert db.execute_sql("SELECT value FROM schema_info WHERE key = 'probe'").fetchone() == ("after",)
    kept_codes = [r[0] for r in db.execute_sql(f'SELECT code FROM "{result.kept}".dossier ORDER BY id').fetchall()]
    assert kept_codes == [*first, third]
    with pytest.raises(Exception, match="append-only"):  # the restored schema has its guard
        DossierEvent.delete().execute()
    # a second restore in the same second keeps its own copy
    db.close()
    dbmod.connect(url)
    again = restore(info.path, target_url=url, actor=_admin(), clock=CLOCK)
    assert again.kept == f"{schema}_before_restore_20261123_160000_2" and again.missing == [nxt]


@pytest.mark.postgres
@pytest.mark.skipif(not _TOOLS, reason="pg_dump/pg_restore/psql are not on PATH")
def test_postgres_backup_to_a_full_disk_leaves_nothing(pg_office, small_disk):
    _some_dossiers(3)
    folder = small_disk(64)
    fill_disk(folder, leave_bytes=2048)
    with pytest.raises(DeskError, match="(?i)đầy|disk is full"):
        backup(folder / "office.dump", actor=_admin())
    assert [p.name for p in folder.iterdir()] == ["filler.bin"]
    assert Dossier.select().count() == 3


# -- command line ------------------------------------------------------------------------------
def test_cli_backup_and_restore_speak_plainly(office, sqlite_url, tmp_path, capsys, monkeypatch):
    from desk.cli import main
    from desk.services.accounts import set_first_admin_password

    set_first_admin_password("mat-khau-quan-tri")
    monkeypatch.setenv("DESK_PASSWORD", "mat-khau-quan-tri")  # the CLI logs the admin in
    _some_dossiers(2)
    out = tmp_path / "cli.db"
    assert main(["--db", sqlite_url, "--user", "admin", "backup", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert str(out) in printed and "2 " in printed and "{" not in printed and "Path(" not in printed
    assert main(["--db", sqlite_url, "--user", "admin", "backup", "--out", str(out)]) == 2  # never overwritten
    assert str(out) in capsys.readouterr().err
    _one(0)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["--db", sqlite_url, "--user", "admin", "restore", str(out)]) == 2  # no --yes, no terminal: refused
    assert _kept(tmp_path) == []
    capsys.readouterr()
    assert main(["--db", sqlite_url, "--user", "admin", "restore", str(out), "--yes"]) == 0
    printed = capsys.readouterr().out
    kept = _kept(tmp_path)
    assert len(kept) == 1 and str(kept[0]) in printed
    assert f"-{DAY}-0003" in printed  # the dossier not in the backup is named
    assert "RestoreResult" not in printed and "[" not in printed
    bad = tmp_path / "bad.db"
    bad.write_text("not a backup")
    assert main(["--db", sqlite_url, "--user", "admin", "restore", str(bad), "--yes"]) == 2
    assert main(["--db", sqlite_url, "--user", "admin", "backup", "--out", str(tmp_path / "cli.db" / "x.db")]) == 2


def test_cli_restore_into_a_new_file_needs_no_account(office, tmp_path, capsys):
    from desk.cli import main

    codes = _some_dossiers(2)
    out = backup(tmp_path / "b.db", actor=_admin()).path
    new = tmp_path / "elsewhere" / "office.db"
    new.parent.mkdir()
    assert main(["--db", f"sqlite:///{new}", "restore", str(out), "--yes"]) == 0
    assert _codes_in(new) == codes
    assert str(new) not in capsys.readouterr().err


@pytest.mark.postgres
@pytest.mark.skipif(not _TOOLS, reason="pg_dump/pg_restore/psql are not on PATH")
def test_postgres_restore_of_a_version_4_dump_over_a_newer_office_comes_back_upgraded(pg_kept, tmp_path):
    """A dump made before the attachment table existed, restored over an office that has digitised files: the
    office is back at the dump's content, upgraded, with its files' table; the newer content is kept aside."""
    from desk.services.attachments import attach, list_attachments

    url = pg_kept
    first = _some_dossiers(2)
    db = dbmod.database_proxy.obj
    as_schema_version(db, 4)  # the office as version 4 had it
    info = backup(tmp_path / "v4.dump", actor=_admin())
    assert info.ok and info.schema_version == 4, info.problems
    db.close()
    db = dbmod.connect(url)  # the program upgrades the office and the desk digitises a file
    assert dbmod.schema_version(db) == dbmod.SCHEMA_VERSION
    attach(first[0], b"%PDF-1.4\n%%EOF\n", component=1, actor=_admin(), clock=CLOCK)
    third = _one(0)
    result = restore(info.path, target_url=url, actor=_admin(), clock=CLOCK, disconnect=True)
    assert result.missing == [third] and result.kept
    assert result.changed == [first[0]]  # its file is only in the kept copy: the person restoring is told
    db.close()
    db = dbmod.connect(url)
    assert dbmod.schema_version(db) == dbmod.SCHEMA_VERSION
    assert [d.code for d in Dossier.select().order_by(Dossier.id)] == first
    assert list_attachments(first[0], actor=_admin()) == []  # the dump's content: it had none
    kept = db.execute_sql(f'SELECT COUNT(*) FROM "{result.kept}".attachment').fetchone()[0]
    assert kept == 1  # the file digitised after the dump is in the kept schema, not lost
    attach(first[1], b"%PDF-1.4\n%%EOF\n", component=1, actor=_admin(), clock=CLOCK)  # and the table works
    assert len(list_attachments(first[1], actor=_admin())) == 1


def test_a_restore_never_hands_out_a_ticket_number_again(any_office, tmp_path):
    """Tickets taken after the backup are in citizens' hands: the restored day counter continues after them."""
    from desk.services import queue

    queue.take("HT", clock=CLOCK)
    info = backup(tmp_path / ("b.dump" if "postgres" in any_office else "b.db"), actor=_admin())
    assert [queue.take("HT", clock=CLOCK).number for _ in range(3)] == [2, 3, 4]
    result = restore(info.path, target_url=any_office, actor=_admin(), clock=CLOCK, disconnect=True)
    assert result.kept
    dbmod.database_proxy.obj.close()
    dbmod.connect(any_office)
    assert queue.take("CT", clock=CLOCK).number == 5  # not 2: ticket 2 is held by someone waiting
