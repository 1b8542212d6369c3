"""The scanner's folder, watched (D47): real folders and real files written in pieces, as a slow scanner does."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from desk.errors import DeskError
from desk.hardware.scan_folder import (
    ATTACHED_FOLDER,
    POLL_MS,
    SETTLE_MS,
    ScanFolderWatcher,
    check_folder,
    is_candidate,
    move_attached,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
ROUND_MS = POLL_MS + SETTLE_MS  # one reading and the one that confirms it


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "Scans"
    path.mkdir()
    return path


@pytest.fixture
def watch(qtbot):
    """``watch(folder)``: a started watcher and the lists of what it said (found, gone, reachable)."""
    made = []

    def start(path: Path, **timing: int) -> tuple[ScanFolderWatcher, dict[str, list]]:
        watcher = ScanFolderWatcher(path, **timing)
        said: dict[str, list] = {"found": [], "gone": [], "reachable": []}
        watcher.found.connect(said["found"].append)
        watcher.gone.connect(said["gone"].append)
        watcher.reachable_changed.connect(lambda ok, why: said["reachable"].append(ok))
        made.append(watcher)
        watcher.start()
        qtbot.waitUntil(lambda: bool(said["reachable"]), timeout=3000)
        return watcher, said

    yield start
    for watcher in made:
        watcher.stop()


def test_a_file_still_being_written_is_offered_once_it_has_stopped_growing(qtbot, folder, watch):
    settle = SETTLE_MS * 2  # a margin over the 250 ms between pieces, for a loaded machine
    _watcher, said = watch(folder, settle_ms=settle)
    scan = folder / "scan0001.pdf"
    with open(scan, "wb") as handle:
        for piece in range(8):  # a piece every 250 ms: no two readings a settling time apart agree
            handle.write(PDF + b"x" * 4000 * piece)
            handle.flush()
            os.fsync(handle.fileno())
            written = time.monotonic()
            qtbot.wait(250)
            assert said["found"] == [], f"offered while still growing (piece {piece})"
    qtbot.waitUntil(lambda: bool(said["found"]), timeout=(POLL_MS + settle) * 3)
    assert said["found"] == [str(scan)]
    assert time.monotonic() - written >= settle / 1000 * 0.9  # two equal readings apart, not the first look
    qtbot.wait(ROUND_MS * 2)
    assert said["found"] == [str(scan)]  # once


def test_temporary_hidden_and_other_files_are_ignored_until_renamed_to_pdf(qtbot, folder, watch):
    _watcher, said = watch(folder)
    (folder / "scan0002.tmp").write_bytes(PDF)
    (folder / "scan0003.pdf.part").write_bytes(PDF)
    (folder / ".scan0004.pdf").write_bytes(PDF)
    (folder / "~$scan0005.pdf").write_bytes(PDF)
    (folder / "notes.txt").write_text("not a scan", encoding="utf-8")
    (folder / "folder.pdf").mkdir()
    (folder / "empty.pdf").write_bytes(b"")
    qtbot.wait(ROUND_MS * 2)
    assert said["found"] == []
    (folder / "scan0002.tmp").rename(folder / "scan0002.pdf")  # how many scanners finish a file
    qtbot.waitUntil(lambda: bool(said["found"]), timeout=ROUND_MS * 3)
    assert said["found"] == [str(folder / "scan0002.pdf")]


def test_an_old_file_left_in_the_folder_is_not_offered_a_recent_one_is(qtbot, folder, watch):
    old, recent = folder / "old.pdf", folder / "recent.JPG"
    old.write_bytes(PDF)
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    recent.write_bytes(b"\xff\xd8\xff\xe0" + b"j" * 100)
    _watcher, said = watch(folder)
    qtbot.waitUntil(lambda: bool(said["found"]), timeout=ROUND_MS * 3)
    qtbot.wait(ROUND_MS)
    assert said["found"] == [str(recent)]
    old.write_bytes(PDF + b"rescanned")  # the scanner wrote the same name again: a new scan
    qtbot.waitUntil(lambda: len(said["found"]) == 2, timeout=ROUND_MS * 3)
    assert said["found"][1] == str(old)


def test_a_folder_that_goes_away_says_so_once_and_is_watched_again_when_it_is_back(qtbot, folder, watch):
    first = folder / "a.pdf"
    first.write_bytes(PDF)
    watcher, said = watch(folder)
    qtbot.waitUntil(lambda: bool(said["found"]), timeout=ROUND_MS * 3)
    assert said["reachable"] == [True]
    shutil.rmtree(folder)  # the network share unplugged
    qtbot.waitUntil(lambda: said["reachable"] == [True, False], timeout=ROUND_MS * 2)
    assert said["gone"] == [str(first)] and watcher.offered == set()
    qtbot.wait(ROUND_MS * 2)
    assert said["reachable"] == [True, False]  # one line, not one per reading
    folder.mkdir()
    (folder / "b.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"p" * 50)
    qtbot.waitUntil(lambda: said["reachable"] == [True, False, True], timeout=ROUND_MS * 2)
    qtbot.waitUntil(lambda: len(said["found"]) == 2, timeout=ROUND_MS * 3)
    assert said["found"][1] == str(folder / "b.png")


def test_an_attached_file_moves_to_the_attached_folder_under_a_free_name(qtbot, folder, watch):
    _watcher, said = watch(folder)
    scan = folder / "scan.pdf"
    scan.write_bytes(PDF)
    qtbot.waitUntil(lambda: bool(said["found"]), timeout=ROUND_MS * 3)
    (folder / ATTACHED_FOLDER).mkdir()
    (folder / ATTACHED_FOLDER / "scan.pdf").write_bytes(b"an earlier scan of the same name")
    moved = move_attached(scan)
    assert moved == folder / ATTACHED_FOLDER / "scan (2).pdf" and moved.read_bytes() == PDF
    assert not scan.exists()
    assert (folder / ATTACHED_FOLDER / "scan.pdf").read_bytes() == b"an earlier scan of the same name"
    qtbot.waitUntil(lambda: said["gone"] == [str(scan)], timeout=ROUND_MS * 2)
    qtbot.wait(ROUND_MS)
    assert said["found"] == [str(scan)]  # the sub-folder is not watched


def test_a_file_that_cannot_be_moved_stays_but_is_not_offered_again(qtbot, tmp_path, watch):
    folder = tmp_path / "Copier"
    folder.mkdir()
    (folder / ATTACHED_FOLDER).write_text("a file where the sub-folder should be", encoding="utf-8")
    scan = folder / "scan.pdf"
    scan.write_bytes(PDF)
    _first, said = watch(folder)
    qtbot.waitUntil(lambda: bool(said["found"]), timeout=ROUND_MS * 3)
    with pytest.raises(OSError):
        move_attached(scan)
    assert scan.read_bytes() == PDF  # left where it was
    qtbot.waitUntil(lambda: said["gone"] == [str(scan)], timeout=ROUND_MS * 2)  # the open list drops it
    _second, later = watch(folder)  # another dossier opened afterwards
    qtbot.wait(ROUND_MS * 2)
    assert later["found"] == []


def test_the_names_a_scanner_writes():
    assert all(is_candidate(n) for n in ("scan.pdf", "IMG_0001.JPG", "trang 1.jpeg", "a.PNG", "Tờ khai.pdf"))
    assert not any(is_candidate(n) for n in ("scan.tmp", "scan.pdf.part", ".scan.pdf", "~$scan.pdf", "scan.tif",
                                            "scan", ""))


def test_the_settings_check_names_what_is_wrong(tmp_path, folder):
    assert check_folder(f"  {folder}  ") == folder
    for text, words in ((str(tmp_path / "missing"), "không tồn tại"), (str(folder / "x.pdf"), "không tồn tại"),
                        ("", "chọn thư mục")):
        with pytest.raises(DeskError, match=words):
            check_folder(text)
    (folder / "x.pdf").write_bytes(PDF)
    with pytest.raises(DeskError, match="là một tệp"):
        check_folder(str(folder / "x.pdf"))
