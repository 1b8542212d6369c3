"""The one atomic file writer: whole files or nothing, recognisable temporaries, and only ours cleaned up."""

from __future__ import annotations

import errno
import os
import re
import stat
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from desk.errors import DeskError
from desk.services import files
from tests.conftest import fill_disk

OLD = files.STALE_AFTER.total_seconds() + 60


def _age(path: Path, seconds: float) -> None:
    moment = time.time() - seconds
    os.utime(path, (moment, moment))


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _temp_of(pid: int, target: str = "b.db", host: str | None = None) -> str:
    return f"{files.TEMP_MARK}{host or files.host_label()}-{pid}-0123abcd-{target}.tmp"


def test_a_write_is_whole_or_absent(tmp_path, monkeypatch):
    target = tmp_path / "slip.docx"
    files.write_bytes(target, b"first")
    assert target.read_bytes() == b"first"
    with pytest.raises(RuntimeError), files.atomic_write(target) as fh:
        fh.write(b"half")
        raise RuntimeError("the writer failed")
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["slip.docx"]

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(DeskError, match="(?i)đầy|disk is full"):
        files.write_bytes(target, b"second")
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["slip.docx"]


def test_temporaries_carry_our_mark_and_the_writers_pid(tmp_path):
    seen = []
    with files.atomic_path(tmp_path / "report.xlsx") as tmp:
        seen.append(tmp.name)
        tmp.write_bytes(b"x")
    name = seen[0]
    assert name.startswith(files.TEMP_MARK) and f"-{os.getpid()}-" in name and name.endswith("report.xlsx.tmp")
    assert files.is_temp_name(name)


def test_exclusive_publish_never_replaces(tmp_path):
    target = tmp_path / "copy.db"
    target.write_bytes(b"precious")
    with pytest.raises(DeskError, match=re.escape(str(target))), files.atomic_path(target, exclusive=True) as tmp:
        tmp.write_bytes(b"other")
    assert target.read_bytes() == b"precious"
    assert [p.name for p in tmp_path.iterdir()] == ["copy.db"]
    # publish_unique takes the next free name, twice in a row
    made = []
    for content in (b"one", b"two"):
        tmp = files.new_temp(target)
        tmp.write_bytes(content)
        made.append(files.publish_unique(tmp, files.numbered(target)))
    assert [p.name for p in made] == ["copy-2.db", "copy-3.db"]
    assert [p.read_bytes() for p in made] == [b"one", b"two"] and target.read_bytes() == b"precious"


def test_a_replaced_file_keeps_its_mode_and_a_new_one_gets_the_umask(tmp_path):
    old = tmp_path / "old.txt"
    old.write_text("x")
    old.chmod(0o600)
    files.write_text(old, "y")
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    umask = os.umask(0o022)
    os.umask(umask)
    new = files.write_text(tmp_path / "new.txt", "z")
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask


def test_missing_folder_and_a_file_in_the_way_are_clear_messages(tmp_path):
    with pytest.raises(DeskError, match="(?i)không tồn tại|does not exist"):
        files.write_text(tmp_path / "no" / "such" / "x.txt", "x")
    assert not (tmp_path / "no").exists()
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(DeskError, match="(?i)không phải là thư mục|not a folder"):
        files.write_text(tmp_path / "a-file" / "x.txt", "x")


def test_a_read_only_file_system_is_a_clear_message(small_disk):
    folder = small_disk(64)
    (folder / "keep.txt").write_text("x")
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)
    with pytest.raises(DeskError, match="(?i)chỉ cho phép đọc|read-only"):
        files.write_text(folder / "x.txt", "x")
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt"]


def test_a_full_disk_leaves_nothing(small_disk):
    folder = small_disk(64)
    fill_disk(folder, leave_bytes=4096)
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(DeskError, match="(?i)đầy|disk is full"):
        files.write_bytes(folder / "big.bin", b"\1" * 200_000)
    assert sorted(p.name for p in folder.iterdir()) == before


def test_clean_stale_removes_only_ours_and_only_when_the_writer_is_gone(tmp_path):
    dead = _dead_pid()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        names = {
            "dead": _temp_of(dead),
            "dead_journal": _temp_of(dead) + "-journal",
            "alive": _temp_of(alive.pid),
            "mine": _temp_of(os.getpid()),
            "other_pc": _temp_of(dead, host="otherpc"),
            "other_pc_old": _temp_of(dead, "x.docx", host="otherpc"),
            "alive_old": _temp_of(alive.pid, "r.xlsx"),
            "legacy_old": ".~b.db.k3j_x9a2.tmp",
            "legacy_new": ".~c.db.k3j_x9a2.tmp",
            "libreoffice_lock": ".~lock.report.xlsx#",
            "word_owner": "~$slip.docx",
            "someone_elses": ".~notes.tmp",
            "user_file": "onestop-2026-11-23.db",
            "user_tmp": "draft.tmp",
        }
        for name in names.values():
            (tmp_path / name).write_bytes(b"x")
        for key in ("other_pc_old", "alive_old", "legacy_old", "someone_elses", "user_tmp"):
            _age(tmp_path / names[key], OLD)
        (tmp_path / "sub").mkdir()
        (tmp_path / "sub" / _temp_of(dead)).write_bytes(b"x")  # only the folder given is cleaned
        link = tmp_path / _temp_of(dead, "link.db")
        link.symlink_to(tmp_path / names["user_file"])
        removed = {p.name for p in files.clean_stale(tmp_path)}
        assert removed == {names[k] for k in ("dead", "dead_journal", "other_pc_old", "alive_old", "legacy_old")}
        left = {p.name for p in tmp_path.iterdir()}
        for key in ("alive", "mine", "other_pc", "legacy_new", "libreoffice_lock", "word_owner", "someone_elses",
                    "user_file", "user_tmp"):
            assert names[key] in left, key
        assert link.is_symlink() and (tmp_path / names["user_file"]).exists()
        assert (tmp_path / "sub" / _temp_of(dead)).exists()
    finally:
        alive.kill()
        alive.wait()


def test_writing_into_a_folder_cleans_it_first(tmp_path):
    stale = tmp_path / _temp_of(_dead_pid(), "slip.docx")
    stale.write_bytes(b"\0" * 1000)
    files.write_text(tmp_path / "slip.docx", "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slip.docx"]


def test_the_program_folders_are_cleaned_at_start(tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))
    backups = tmp_path / "data" / "backups"
    backups.mkdir(parents=True)
    elsewhere = tmp_path / "db-folder"
    elsewhere.mkdir()
    stale = [tmp_path / "data" / _temp_of(_dead_pid()), backups / _temp_of(_dead_pid()),
             elsewhere / _temp_of(_dead_pid())]
    for path in stale:
        path.write_bytes(b"x")
    (backups / f"onestop-{date.today().isoformat()}.db").write_bytes(b"x")
    removed = files.clean_program_folders(elsewhere)
    assert set(stale) <= set(removed) and not [p for p in stale if p.exists()]
    assert [p.name for p in backups.iterdir()] == [f"onestop-{date.today().isoformat()}.db"]
