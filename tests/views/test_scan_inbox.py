"""The scanner folder in an open dossier (D47): a real folder, files written in pieces, the attach through the
dossier's screen into a real database (both engines), the file moved away afterwards."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from PyQt6.QtCore import Qt

from desk.config import Settings
from desk.hardware.printing import FakePrinter
from desk.hardware.scan_folder import ATTACHED_FOLDER, POLL_MS, SETTLE_MS
from desk.services import accounts
from desk.services.accounts import get_actor
from desk.services.attachments import list_attachments, open_attachment
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from desk.views import ops
from desk.views.context import AppContext
from desk.views.dossier_detail import DossierDetailDialog

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=LOCAL_TZ)
ROUND_MS = POLL_MS + SETTLE_MS
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "scan_folder.png"


def add(name: str) -> str:
    received = datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL_TZ)
    return register(IntakeRequest("T-TTHN", Applicant(name=name, gender="Nữ", phone="0912345678",
                                                      address="Số 5, Tổ 2, phường Trần Phú"), received_at=received),
                    clock=FixedClock(received), actor=get_actor("admin")).code


def context(tmp_path: Path, folder: Path | None) -> AppContext:
    actor = accounts.create_staff("hang", "Nguyễn Thị Hằng", "clerk", "Matkhau#2026", by=accounts.SYSTEM)
    settings = Settings()
    settings.scan_folder = str(folder) if folder else ""
    return AppContext(actor=actor, clock=FixedClock(NOW), settings=settings, office_name="UBND phường Trần Phú",
                      printer=FakePrinter(), output_dir=tmp_path / "slips")


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "Máy quét"
    path.mkdir()
    return path


def open_detail(qtbot, ctx, code) -> DossierDetailDialog:
    dialog = DossierDetailDialog(ctx, code)
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    dialog.paper_tabs.setCurrentIndex(2)  # the scanner's tab
    qtbot.waitUntil(lambda: dialog.scan_inbox.watcher is not None and dialog.scan_inbox.watcher.reachable is True,
                    timeout=3000)
    return dialog


def settle(qtbot) -> None:
    qtbot.waitUntil(lambda: not ops.running(), timeout=10_000)


def write_slowly(qtbot, path: Path, content: bytes, dialog: DossierDetailDialog, pieces: int = 5) -> None:
    """As a scanner does: the file grows a piece every 150 ms, and is not offered meanwhile."""
    step = max(1, len(content) // pieces)
    with open(path, "wb") as handle:
        for start in range(0, len(content), step):
            handle.write(content[start:start + step])
            handle.flush()
            os.fsync(handle.fileno())
            qtbot.wait(150)
            assert str(path) not in dialog.scan_inbox.rows, "offered while the scanner was still writing"


def test_a_new_scan_is_offered_and_attached_to_the_chosen_component(qtbot, any_office, tmp_path, folder):
    ctx = context(tmp_path, folder)
    code = add("Lê Thị Mai")
    dialog = open_detail(qtbot, ctx, code)
    inbox = dialog.scan_inbox
    assert inbox.isVisible() and inbox.status.text() == "Đang theo dõi thư mục “Máy quét”"
    assert inbox.status.toolTip() == str(folder)
    content = PDF + b"trang " * 3000
    scan = folder / "scan0001.pdf"
    write_slowly(qtbot, scan, content, dialog)
    qtbot.waitUntil(lambda: inbox.rows == [str(scan)], timeout=ROUND_MS * 3)
    assert inbox.table.item(0, 0).text() == "scan0001.pdf"
    assert dialog.paper_tabs.tabText(2) == "Tệp mới từ máy quét (1)"
    combo = inbox.combo(str(scan))
    assert [combo.itemText(i) for i in range(combo.count())] == ["1. Tờ khai đăng ký", "Kết quả"]
    assert combo.currentData() == 1  # the first component still without a file
    with qtbot.waitSignal(ctx.bus.dossier_changed, timeout=5000):
        qtbot.mouseClick(inbox.button(str(scan)), Qt.MouseButton.LeftButton)
    settle(qtbot)
    [stored] = list_attachments(code, actor=ctx.actor)
    assert (stored.file_name, stored.component, stored.kind, stored.size) == ("scan0001.pdf", 1, "file", len(content))
    assert open_attachment(stored.id, actor=ctx.actor)[1] == content
    assert not scan.exists() and (folder / ATTACHED_FOLDER / "scan0001.pdf").read_bytes() == content
    assert inbox.rows == [] and dialog.files.rowCount() == 1
    assert (dialog.paper_tabs.tabText(1), dialog.paper_tabs.tabText(2)) == ("Tệp số hóa (1)", "Tệp mới từ máy quét (0)")
    assert "đã đính kèm" in dialog.notice.text() and "scan0001.pdf" in dialog.notice.text()
    qtbot.wait(ROUND_MS)
    assert inbox.rows == []  # not offered twice

    result = folder / "ket-qua.jpg"
    write_slowly(qtbot, result, b"\xff\xd8\xff\xe0" + b"j" * 5000, dialog)
    qtbot.waitUntil(lambda: inbox.rows == [str(result)], timeout=ROUND_MS * 3)
    assert inbox.combo(str(result)).currentData() == 0  # every component has a file: the result comes next
    with qtbot.waitSignal(ctx.bus.dossier_changed, timeout=5000):
        inbox.button(str(result)).click()
    settle(qtbot)
    assert [(a.file_name, a.component) for a in list_attachments(code, actor=ctx.actor)] == [
        ("scan0001.pdf", 1), ("ket-qua.jpg", None)]
    assert (folder / ATTACHED_FOLDER / "ket-qua.jpg").exists()


def test_a_refused_scan_stays_offered_with_the_reason(qtbot, office, tmp_path, folder):
    ctx = context(tmp_path, folder)
    code = add("Lê Văn Nam")
    dialog = open_detail(qtbot, ctx, code)
    inbox = dialog.scan_inbox
    fake = folder / "anh.pdf"
    write_slowly(qtbot, fake, b"GIF89a" + b"g" * 3000, dialog)  # a .pdf name, not PDF content
    qtbot.waitUntil(lambda: inbox.rows == [str(fake)], timeout=ROUND_MS * 3)
    inbox.button(str(fake)).click()
    settle(qtbot)
    qtbot.waitUntil(lambda: dialog.moving is None, timeout=2000)
    assert "PDF, JPEG và PNG" in dialog.error.text()
    assert list_attachments(code, actor=ctx.actor) == []
    assert fake.exists() and not (folder / ATTACHED_FOLDER).exists() and inbox.rows == [str(fake)]


def test_a_scan_folder_that_goes_away_is_one_line_and_comes_back(qtbot, office, tmp_path, folder):
    ctx = context(tmp_path, folder)
    dialog = open_detail(qtbot, ctx, add("Lê Văn Hùng"))
    inbox = dialog.scan_inbox
    shutil.rmtree(folder)
    qtbot.waitUntil(lambda: "Không truy cập được thư mục máy quét" in inbox.status.text(), timeout=ROUND_MS * 2)
    assert "b00020" in inbox.status.styleSheet()
    dialog.reload()  # the dossier still works meanwhile
    assert dialog.error.isHidden()
    folder.mkdir()
    (folder / "trang1.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"p" * 100)
    qtbot.waitUntil(lambda: inbox.status.text() == "Đang theo dõi thư mục “Máy quét”", timeout=ROUND_MS * 2)
    qtbot.waitUntil(lambda: inbox.rows == [str(folder / "trang1.png")], timeout=ROUND_MS * 3)


def test_a_closed_detail_stops_watching_and_no_folder_means_no_list(qtbot, office, tmp_path, folder):
    ctx = context(tmp_path, folder)
    dialog = open_detail(qtbot, ctx, add("Lê Thị Lan"))
    assert dialog.scan_inbox.watcher is not None and dialog.scan_inbox.watcher.running
    dialog.close()
    assert not dialog.scan_inbox.watcher.running
    ctx.settings.scan_folder = ""
    plain = DossierDetailDialog(ctx, add("Lê Thị Hoa"))
    qtbot.addWidget(plain)
    plain.show()
    plain.paper_tabs.setCurrentIndex(1)
    assert plain.scan_inbox.watcher is None and not plain.scan_inbox.isVisible() and plain.paper_tabs.count() == 2


def test_screenshot_of_the_offered_scan(qtbot, office, tmp_path, folder):
    """docs/screenshots/scan_folder.png: the detail at 1366×768 with a scan just offered."""
    ctx = context(tmp_path, folder)
    code = add("Tôn Nữ Thị Phương Hoàng")
    dialog = open_detail(qtbot, ctx, code)
    dialog.resize(1366, 728)
    scan = folder / "Scan_2026-11-25_0930.pdf"
    write_slowly(qtbot, scan, PDF + b"x" * 20000, dialog)
    qtbot.waitUntil(lambda: dialog.scan_inbox.rows == [str(scan)], timeout=ROUND_MS * 3)
    qtbot.wait(100)
    if os.environ.get("DESK_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        assert dialog.grab().save(str(SCREENSHOT))
    assert dialog.scan_inbox.table.isVisible() and dialog.scan_inbox.button(str(scan)).isVisible()


def test_a_scan_attached_but_not_moved_says_so_and_is_not_offered_again(qtbot, office, tmp_path, folder):
    (folder / ATTACHED_FOLDER).write_text("a file where the sub-folder should be", encoding="utf-8")
    ctx = context(tmp_path, folder)
    code = add("Lê Văn Bình")
    dialog = open_detail(qtbot, ctx, code)
    scan = folder / "scan.png"
    write_slowly(qtbot, scan, b"\x89PNG\r\n\x1a\n" + b"p" * 3000, dialog)
    qtbot.waitUntil(lambda: dialog.scan_inbox.rows == [str(scan)], timeout=ROUND_MS * 3)
    with qtbot.waitSignal(ctx.bus.dossier_changed, timeout=5000):
        dialog.scan_inbox.button(str(scan)).click()
    settle(qtbot)
    assert [a.file_name for a in list_attachments(code, actor=ctx.actor)] == ["scan.png"]
    assert scan.exists() and dialog.scan_inbox.rows == []
    assert "không chuyển được" in dialog.notice.text() and "tự chuyển hoặc xóa" in dialog.notice.text()
    assert dialog.error.isHidden()
    qtbot.wait(ROUND_MS * 2)
    assert dialog.scan_inbox.rows == []
