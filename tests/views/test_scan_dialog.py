"""The scan dialog: a FakeCamera's frames through the real decoder and the real dossier lookup."""

from __future__ import annotations

import shutil
import time
from datetime import datetime
from pathlib import Path

import pytest
import segno
from PyQt6.QtCore import QMimeData, QPointF, Qt, QUrl
from PyQt6.QtGui import QDropEvent
from PyQt6.QtWidgets import QComboBox, QLabel

from desk.config import Settings
from desk.hardware.camera import CameraInfo
from desk.hardware.printing import FakePrinter
from desk.services.accounts import Actor, get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.dossiers import get_dossier
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.payload import make_payload
from desk.views.context import AppContext
from desk.views.scan_dialog import ScanDialog

CLERK = Actor(1, "hang", "Nguyễn Thị Hằng", "clerk")
DATA = Path(__file__).resolve().parents[1] / "data"
CCCD = "001090012345|123456789|Nguyễn Văn An|15031990|Nam|Số 5, Tổ 2, Phường Trần Phú, Hà Tĩnh|10082021"
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=LOCAL_TZ)


@pytest.fixture
def dossier(office) -> str:
    return register(IntakeRequest("T-TTHN", Applicant(name="Lê Thị Hoa"), received_at=NOW),
                    clock=FixedClock(NOW), actor=get_actor("admin")).code


def slip_frames(tmp_path: Path, payload: str) -> Path:
    """A folder the fake camera plays: an empty desk, then the slip's QR code (rendered with segno)."""
    folder = tmp_path / "frames"
    folder.mkdir()
    shutil.copy(DATA / "frames" / "01_no_code.png", folder / "a_empty.png")
    segno.make(payload, error="m", micro=False).save(str(folder / "b_slip.png"), scale=9, border=4)
    return folder


def make_dialog(qtbot, spec: str, cameras: list[CameraInfo] | None = None) -> tuple[ScanDialog, AppContext]:
    ctx = AppContext(actor=CLERK, clock=FixedClock(NOW), settings=Settings(camera=spec),
                     office_name="UBND phường Trần Phú", printer=FakePrinter())
    dialog = ScanDialog(ctx, cameras=cameras if cameras is not None else [])
    qtbot.addWidget(dialog)
    return dialog, ctx


def test_a_slip_shown_to_the_fake_camera_shows_its_dossier(qtbot, tmp_path, dossier, admin):
    folder = slip_frames(tmp_path, make_payload(dossier))
    dialog, _ctx = make_dialog(qtbot, f"fake:{folder}")
    with qtbot.waitSignal(dialog.scanned, timeout=3000) as blocker:
        dialog.show()
    assert blocker.args == [make_payload(dossier)]
    meaning = dialog.findChild(QLabel, "scan_meaning").text()
    assert dossier in meaning and get_dossier(dossier, actor=admin).status.label in meaning
    assert dialog.findChild(QLabel, "scan_text").text() == make_payload(dossier)
    assert dialog.result.kind == "dossier" and dialog.result.code == dossier
    assert dialog.preview.flashing
    assert dialog.preview.frames >= 1 and dialog.preview.image is not None
    print(f"\nscan-to-display latency: {dialog.last_latency_ms:.1f} ms")
    # Target 150 ms (bench/bench_decoder.py measures it over repeated scans); this first scan also pays for
    # warming up (first query, first paint), and the test machines are shared: a looser bound here.
    assert dialog.last_latency_ms is not None and dialog.last_latency_ms < 300
    scanner = dialog.scanner
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.scanner is None and not scanner.running


def test_a_cccd_photo_opened_from_a_file_reads_the_card(qtbot, office):
    dialog, _ctx = make_dialog(qtbot, "")
    dialog.show()
    with qtbot.waitSignal(dialog.scanned, timeout=1000) as blocker:
        result = dialog.open_file(DATA / "frames" / "05_cccd_qr.png")
    assert blocker.args == [CCCD] and result.kind == "cccd"
    meaning = dialog.findChild(QLabel, "scan_meaning").text()
    assert "Nguyễn Văn An" in meaning and "15/03/1990" in meaning


def test_a_photo_without_a_code_says_so(qtbot, office):
    dialog, _ctx = make_dialog(qtbot, "")
    dialog.show()
    seen: list[str] = []
    dialog.scanned.connect(seen.append)
    assert dialog.open_file(DATA / "frames" / "01_no_code.png") is None
    assert seen == [] and dialog.panel.property("kind") == "none"
    assert "01_no_code.png" in dialog.findChild(QLabel, "scan_meaning").text()


def test_a_dropped_image_is_decoded(qtbot, tmp_path, dossier):
    dialog, _ctx = make_dialog(qtbot, "")
    dialog.show()
    folder = slip_frames(tmp_path, make_payload(dossier))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder / "b_slip.png"))])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(dialog.scanned, timeout=1000):
        dialog.dropEvent(event)
    assert dialog.result.code == dossier


def test_a_forged_slip_is_shown_as_not_ours(qtbot, tmp_path, dossier):
    dialog, _ctx = make_dialog(qtbot, "")
    dialog.show()
    forged = make_payload(dossier)[:-1] + ("A" if not make_payload(dossier).endswith("A") else "B")
    dialog.handle_text(forged)
    assert dialog.result.kind == "unknown" and not dialog.preview.flashing
    assert dialog.panel.property("kind") == "unknown"


def test_the_chosen_camera_is_remembered(qtbot, tmp_path, office):
    other = tmp_path / "other"
    other.mkdir()
    dialog, ctx = make_dialog(qtbot, f"fake:{DATA / 'frames'}", cameras=[CameraInfo(f"fake:{other}", "Other")])
    combo = dialog.findChild(QComboBox, "scan_camera")
    assert combo.count() == 2 and dialog.spec == f"fake:{DATA / 'frames'}"  # the saved one, listed and chosen
    dialog.show()
    combo.setCurrentIndex(combo.findData(f"fake:{other}"))
    assert ctx.settings.camera == f"fake:{other}"
    assert Settings.load().camera == f"fake:{other}"  # saved to the (sandboxed) settings file
    qtbot.waitUntil(lambda: dialog.scanner is not None and dialog.scanner.state == "absent", timeout=2000)
    assert dialog.findChild(QLabel, "scan_status").text()


def test_without_any_camera_the_dialog_offers_files(qtbot, office):
    dialog, _ctx = make_dialog(qtbot, "")
    dialog.show()
    combo = dialog.findChild(QComboBox, "scan_camera")
    assert combo.count() == 1 and dialog.spec == "" and dialog.scanner is None
    assert dialog.findChild(QLabel, "scan_status").text()


def test_an_absent_webcam_does_not_freeze_the_dialog(qtbot, office):
    dialog, _ctx = make_dialog(qtbot, "37")  # saved camera, not plugged in
    start = time.monotonic()
    dialog.show()
    assert time.monotonic() - start < 0.5
    qtbot.waitUntil(lambda: dialog.scanner is not None and dialog.scanner.state == "absent", timeout=2000)
    dialog.close()
    assert dialog.scanner is None


# -- F9 on the pickup screen ------------------------------------------------------------------------------
def test_f9_on_the_pickup_screen_scans_with_the_webcam_and_shows_the_dossier(qtbot, tmp_path, dossier, admin):
    from desk.views.pickup import PickupView

    folder = slip_frames(tmp_path, make_payload(dossier))
    ctx = AppContext(actor=CLERK, clock=FixedClock(NOW), settings=Settings(camera=f"fake:{folder}"),
                     printer=FakePrinter())
    view = PickupView(ctx)
    qtbot.addWidget(view)
    view.show()
    view.scan()
    dialog = view.scan_dialog
    assert isinstance(dialog, ScanDialog) and dialog.isVisible() and not dialog.isModal()
    qtbot.waitUntil(lambda: view.info is not None, timeout=3000)  # through the real decoder and lookup
    assert view.info.code == dossier and view.status == str(get_dossier(dossier, actor=admin).status)
    qtbot.waitUntil(lambda: view.scan_dialog is None, timeout=2000)  # closes itself after the flash


def test_f9_without_a_camera_only_focuses_the_input(qtbot, office):
    from desk.views.pickup import PickupView

    ctx = AppContext(actor=CLERK, clock=FixedClock(NOW), settings=Settings(), printer=FakePrinter())
    view = PickupView(ctx)
    qtbot.addWidget(view)
    with qtbot.waitExposed(view):
        view.show()
    view.scan()
    assert view.scan_dialog is None
    qtbot.waitUntil(lambda: view.input.hasFocus(), timeout=1000)


def test_webcam_scans_go_through_the_windows_scan_dispatcher(qtbot, tmp_path, dossier):
    from PyQt6.QtWidgets import QMainWindow

    from desk.views.pickup import PickupView
    from desk.views.scanning import install_scanner

    ctx = AppContext(actor=CLERK, clock=FixedClock(NOW), settings=Settings(camera=f"fake:{tmp_path}"),
                     printer=FakePrinter())
    window = QMainWindow()
    qtbot.addWidget(window)
    view = PickupView(ctx)
    window.setCentralWidget(view)
    dispatcher = install_scanner(window, ctx)
    window.show()
    opened: list[str] = []
    ctx.bus.open_dossier.connect(opened.append)
    view.scan()
    with qtbot.waitSignal(dispatcher.handled, timeout=1000):
        view.scan_dialog.handle_text(make_payload(dossier))
    assert opened == [dossier]  # this window has no page switcher: the dispatcher opens the dossier
    view.scan_dialog.close()
