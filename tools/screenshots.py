"""Screenshots of every main screen and the dialogs at 1366×768, on a demo database, reproducibly.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tools/screenshots.py [--out docs/screenshots]

A new SQLite database in a temporary folder gets the shipped catalog, the administrator and 3,000 demo
dossiers (fixed seed, fixed "now": 26/11/2026 09:40), so the same command writes the same pictures. The
main window fills the 1366×728 work area of a 1366×768 screen less its task bar; dialogs open at the
size the program gives them on that screen. Names match the ones README and the user guide show.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORK_AREA = (1366, 728)
NOW = (2026, 11, 26, 9, 40)
ADMIN_PASSWORD = "Demo#2026-screens"


def build_database(folder: Path):
    """The demo database; returns (office, shown url, admin actor)."""
    from desk.app import open_database
    from desk.services import accounts
    from desk.services.clock import LOCAL_TZ, FixedClock
    from desk.services.demo import generate

    office, url = open_database(f"sqlite:///{folder / 'demo.db'}")
    admin = accounts.set_first_admin_password(ADMIN_PASSWORD)
    generate(3000, actor=admin, months=12, seed=20261122, clock=FixedClock(datetime(*NOW, tzinfo=LOCAL_TZ)))
    return office, url, admin


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    os.environ.setdefault("DESK_LANG", "vi")
    work = Path(tempfile.mkdtemp(prefix="desk-screens-"))
    os.environ["DESK_DATA_DIR"] = str(work / "data")  # nothing of this run touches the real settings
    os.environ["DESK_CONFIG_DIR"] = str(work / "config")

    from PyQt6.QtCore import QEventLoop, QTimer
    from PyQt6.QtWidgets import QApplication, QWidget

    from desk.app import build_main_window, close_cleanly
    from desk.config import Settings
    from desk.hardware.camera import CameraInfo, fake_spec, write_code_frames
    from desk.hardware.printing import FakePrinter
    from desk.i18n import set_language
    from desk.services.clock import LOCAL_TZ, FixedClock
    from desk.services.demo import sample_slips
    from desk.services.dossiers import get_dossier
    from desk.services.search import DossierFilter, search
    from desk.views.context import AppContext
    from desk.views.qt_i18n import install_qt_translations

    set_language("vi")
    app = QApplication(sys.argv[:1])
    install_qt_translations(app)
    office, url, admin = build_database(work)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    written: list[str] = []

    def wait(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def save(widget: QWidget, name: str) -> None:
        widget.grab().save(str(out / name))
        written.append(name)

    from desk.views.login import LoginDialog

    login = LoginDialog(office.name, "admin")
    login.show()
    wait(300)
    save(login, "login.png")
    login.close()

    settings = Settings(reception_point="Bộ phận Một cửa UBND phường")
    ctx = AppContext(actor=admin, clock=FixedClock(datetime(*NOW, tzinfo=LOCAL_TZ)), settings=settings,
                     office_name=office.name, database_label="sqlite:///demo.db", printer=FakePrinter(),
                     output_dir=work / "slips")
    window = build_main_window(ctx)
    window.resize(*WORK_AREA)
    window.move(0, 0)
    window.show()
    wait(600)

    intake = window.show_page("intake")
    wait(300)
    save(window, "main_intake.png")
    birth = next((p for p in intake._procedures.values() if p.name == "Đăng ký khai sinh"), None)
    intake.choose_procedure(birth or next(iter(intake._procedures.values())))
    intake.gender.setCurrentIndex(max(0, intake.gender.findData("Nam")))
    for edit, text in ((intake.name, "Nguyễn Văn An"), (intake.id_number, "042090012345"),
                       (intake.birth_date, "15/03/1990"), (intake.address, "Số 5, Tổ 2, Phường Trần Phú, Hà Tĩnh"),
                       (intake.phone, "0912 345 678")):
        edit.setText(text)
    wait(400)
    save(window, "intake.png")
    intake.reset_form()

    for key, name, settle in (("dossiers", "main_dossiers.png", 1200), ("reports", "reports.png", 2500),
                              ("catalog", "catalog.png", 800), ("calendar", "calendar.png", 600),
                              ("settings", "settings.png", 500)):
        window.show_page(key)
        wait(settle)
        save(window, name)
        if key == "dossiers":
            save(window, "dossier_list.png")  # the user guide's name for the same screen

    def one(status: str) -> str:
        return search(DossierFilter(statuses={status}), limit=1, clock=ctx.clock, actor=admin).rows[0].code

    resolved, processing = one("resolved"), one("processing")
    pickup = window.show_page("pickup")
    wait(300)
    pickup.show_dossier(resolved)
    wait(800)
    save(window, "pickup.png")

    from desk.views.dossier_detail import ApologyDialog, DossierDetailDialog, NoteDialog
    from desk.views.pickup import ReturnDialog

    detail = DossierDetailDialog(ctx, processing, window)
    detail.show()
    wait(600)
    save(detail, "dossier_detail.png")
    detail.close()
    info = get_dossier(processing, actor=admin)
    for dialog, name in (
            (ReturnDialog(get_dossier(resolved, actor=admin), window), "return_dialog.png"),
            (ApologyDialog(info, ctx.clock.now(), window), "apology_dialog.png"),
            (NoteDialog("Từ chối tiếp nhận hồ sơ", "Phiếu từ chối tiếp nhận (Mẫu 03) sẽ được in với lý do dưới đây.",
                        "Lý do từ chối", required=True, parent=window), "note_dialog.png")):
        dialog.show()
        wait(400)
        save(dialog, name)
        dialog.close()

    from desk.views.catalog import FieldsDialog

    fields = FieldsDialog(ctx, window)
    fields.show()
    wait(500)
    save(fields, "fields_dialog.png")
    fields.close()

    from desk.views.scan_dialog import ScanDialog

    frames = work / "frames"
    for empty in write_code_frames(sample_slips()[:1], frames)[::2]:
        empty.unlink()  # the slip only, so the picture shows what the camera reads
    ctx.settings.camera = fake_spec(frames)
    scan = ScanDialog(ctx, window, cameras=[CameraInfo(fake_spec(frames), "Camera thử")])
    scan.show()
    wait(2500)
    save(scan, "scan_dialog.png")
    scan.close()
    wait(300)

    window.show_page("intake")
    window.lock()
    wait(400)
    save(window, "lock_screen.png")
    window.unlock()

    from desk.views.kiosk import KioskWindow, try_camera

    spec, notice = try_camera(f"fake:{ROOT / 'tests' / 'data' / 'frames'}", work / "kiosk-frames", ctx.clock,
                              samples=sample_slips)
    kiosk = KioskWindow(scanner_spec=spec, office_name=office.name, notice=notice, clock=ctx.clock)
    kiosk.resize(1366, 768)
    kiosk.show()
    wait(1500)
    save(kiosk, "kiosk_test_camera.png")  # a demo dossier's slip, read by the test camera
    kiosk._unlocked = True
    kiosk.close()
    spec, notice = try_camera(f"fake:{ROOT / 'tests' / 'data' / 'frames'}", work / "kiosk-frames", ctx.clock,
                              samples=list)  # as on a fresh database: no demo dossiers
    kiosk = KioskWindow(scanner_spec=spec, office_name=office.name, notice=notice, clock=ctx.clock)
    kiosk.resize(1366, 768)
    kiosk.show()
    wait(500)
    save(kiosk, "kiosk_fresh_database.png")
    kiosk._unlocked = True
    kiosk.close()
    wait(300)

    close_cleanly(app, window)
    print("\n".join(f"{out / name}" for name in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
