"""Every file the program writes goes through desk.services.files: a full disk is one clear line, nothing is
left behind, and the stale temporaries of a killed writer in that folder are removed."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from desk.errors import DeskError
from desk.models import db as dbmod
from desk.services import catalog, documents, files, report_workbook
from desk.services.accounts import get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from tests.conftest import fill_disk

ROOT = Path(__file__).resolve().parents[2]
CLOCK = FixedClock(datetime(2026, 11, 23, 16, 0, tzinfo=LOCAL_TZ))


def _stale(folder: Path, name: str) -> Path:
    """What a killed writer of this program leaves: a temporary named with its (now gone) pid."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    path = folder / f"{files.TEMP_MARK}{files.host_label()}-{proc.pid}-0123abcd-{name}.tmp"
    path.write_bytes(b"\0" * 2048)
    return path


def _code() -> str:
    return register(IntakeRequest("T-KS", Applicant(name="Đỗ Thị Hạnh"), received_at=datetime(2026, 11, 23, 9, 0)),
                    clock=CLOCK, actor=get_actor("admin")).code


def _writers(code: str) -> dict:
    return {
        "slip": lambda folder: documents.render_form(code, "01", folder / "mau01.docx", actor=get_actor("admin")),
        "logbook": lambda folder: documents.log_book(datetime(2026, 11, 1).date(), datetime(2026, 11, 30).date(),
                                                     folder / "so.docx", actor=get_actor("admin")),
        "report": lambda folder: report_workbook.write_report(folder / "r.xlsx", "2026-11", clock=CLOCK,
                                                      by=get_actor("admin")),
        "catalog": lambda folder: catalog.export_xlsx(folder / "catalog.xlsx") and folder / "catalog.xlsx",
    }


@pytest.mark.parametrize("kind", ["slip", "logbook", "report", "catalog"])
def test_each_writer_cleans_the_folder_and_leaves_only_its_file(office, tmp_path, kind):
    write = _writers(_code())[kind]
    folder = tmp_path / "out"
    folder.mkdir()
    stale = _stale(folder, "old.docx")
    (folder / "~$mine.docx").write_text("Word's own lock file")
    made = Path(write(folder))
    assert not stale.exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted(["~$mine.docx", made.name])


@pytest.mark.parametrize("kind", ["slip", "logbook", "report", "catalog"])
def test_each_writer_on_a_full_disk_says_so_and_leaves_nothing(office, small_disk, kind):
    write = _writers(_code())[kind]
    folder = small_disk(64)
    fill_disk(folder, leave_bytes=4096)
    with pytest.raises(DeskError, match="(?i)đầy|disk is full"):
        write(folder)
    assert [p.name for p in folder.iterdir()] == ["filler.bin"]


def test_settings_save_is_atomic_on_a_full_disk(small_disk, monkeypatch):
    from desk.config import Settings, config_path

    folder = small_disk(64)
    monkeypatch.setenv("DESK_CONFIG_DIR", str(folder))
    Settings(reception_point="Bộ phận Một cửa").save()
    assert Settings.load().reception_point == "Bộ phận Một cửa"
    fill_disk(folder, leave_bytes=0)
    with pytest.raises(DeskError, match="(?i)đầy|disk is full"):
        Settings(reception_point="x" * 100_000).save()
    assert Settings.load().reception_point == "Bộ phận Một cửa"  # the old file, whole
    assert sorted(p.name for p in folder.iterdir()) == ["filler.bin", config_path().name]


def test_logbook_to_a_full_disk_from_the_command_line_is_one_line(office, sqlite_url, small_disk):
    _code()
    from desk.services.accounts import set_first_admin_password

    set_first_admin_password("mat-khau-quan-tri")  # the command line logs the administrator in
    dbmod.close()
    folder = small_disk(64)
    fill_disk(folder, leave_bytes=4096)
    done = subprocess.run([sys.executable, "main.py", "--db", sqlite_url, "--user", "admin", "logbook", "--from",
                           "2026-11-01",
                           "--to", "2026-11-30", "--out", str(folder / "so.docx")], cwd=ROOT, capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "DESK_PASSWORD": "mat-khau-quan-tri"})
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr  # no stray ZipFile traceback
    assert [p.name for p in folder.iterdir()] == ["filler.bin"]
