"""Every screen and every dialog of the desk fits the screens offices have (issue 10).

Two screens count:

- 1366×768 at 100 %: the work area is 1366×728 once a 40-pixel task bar is taken off;
- 1280×720 at 125 % (a small laptop with Windows' recommended scaling): Qt then works in logical pixels,
  1280/1.25 × 720/1.25 = 1024×576, and a 32-logical-pixel task bar leaves 1024×544.

The 125 % case is not computed: :func:`test_at_125_percent_on_a_1280x720_screen` runs the same check in a
fresh process with ``QT_SCALE_FACTOR=1.25`` on a 1280×720 offscreen screen, and that run first asserts that
Qt really reports the screen as 1024×576 logical pixels, so the sizes compared are the ones a clerk's
window gets. (Offscreen fonts have the same logical size at any scale factor, as on Windows, where the
scaling shows in the device pixel ratio and not in the logical size of text.)

The window is visited as an administrator, who sees every screen, with every tab of every screen shown;
every QDialog subclass of ``desk.views`` is opened (found by scanning the modules, so a new dialog is
checked without touching this file); Qt's own file dialogs and message boxes size themselves and are not.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from PyQt6.QtCore import QEvent, QSize
from PyQt6.QtWidgets import QApplication, QDialog, QScrollArea, QTabWidget, QWidget

import desk.views
from desk.config import Settings
from desk.hardware.camera import CameraInfo
from desk.hardware.printing import FakePrinter
from desk.services.accounts import get_actor
from desk.services.catalog import ImportProblem
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.documents import receipt
from desk.services.dossiers import get_dossier
from desk.services.intake import Applicant, IntakeRequest, register
from desk.views.context import AppContext
from desk.views.main_window import MainWindow, initial_size

SCREEN_ENV = "DESK_FIT_SCREEN"  # which of SCREENS the process checks
WORK_AREA = QSize(1366, 728)
SMALL_LAPTOP = QSize(1024, 544)
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=LOCAL_TZ)
LONG_NAME = "Tôn Nữ Thị Phương Hoàng Nguyễn Ngọc Bảo Khuê"
LONG_PROCEDURE = "Cấp giấy xác nhận tình trạng hôn nhân"


@pytest.fixture
def ctx(office, tmp_path):
    admin = get_actor("admin")
    received = datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL_TZ)
    code = register(IntakeRequest("T-TTHN", Applicant(name=LONG_NAME, gender="Nữ", phone="0912345678",
                                                      address="Số 125, ngõ 46, Tổ dân phố 12, phường Trần Phú"),
                                  received_at=received), clock=FixedClock(received), actor=admin).code
    settings = Settings()
    (tmp_path / "Máy quét").mkdir()
    settings.scan_folder = str(tmp_path / "Máy quét")  # the dossier's scanner list shown, as on a desk with one
    context = AppContext(actor=admin, clock=FixedClock(NOW), settings=settings, office_name="UBND phường Trần Phú",
                         database_label="test", printer=FakePrinter(), output_dir=tmp_path / "slips")
    context.sample_code = code  # type: ignore[attr-defined]
    return context


def visit_every_screen(qtbot, window: MainWindow) -> list[str]:
    """Show every page and every tab of every page, as a clerk clicking through would; their names."""
    seen = []
    for page in window.pages:
        widget = window.show_page(page.key)
        assert widget is not None, f"{page.key} did not open"
        qtbot.waitUntil(widget.isVisible)
        seen.append(page.key)
        for tabs in widget.findChildren(QTabWidget):
            for index in range(tabs.count()):
                tabs.setCurrentIndex(index)
                qtbot.waitUntil(lambda tabs=tabs: tabs.currentWidget().isVisible())
                seen.append(f"{page.key}/{tabs.tabText(index)}")
    return seen


def dialog_classes() -> list[type[QDialog]]:
    """Every QDialog subclass defined in a module of desk.views (a new one is included on its own)."""
    found: dict[str, type[QDialog]] = {}
    for info in pkgutil.iter_modules(desk.views.__path__, "desk.views."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, QDialog) and cls.__module__ == module.__name__:
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[key] for key in sorted(found)]


def make_dialog(cls: type[QDialog], ctx: AppContext, parent: QWidget) -> QDialog:
    """One of each dialog with long, real content; dialogs that take (ctx, parent) need no entry here."""
    code = ctx.sample_code  # type: ignore[attr-defined]
    info = get_dossier(code, actor=ctx.actor)
    problems = [ImportProblem("Thủ tục", row, "Thời hạn giải quyết",
                              "“ba ngày” không phải là một số ngày làm việc; ghi một số, ví dụ 3") for row in range(2, 40)]
    known = {
        "ImportProblemsDialog": lambda: cls("danh_muc_thu_tuc_phuong_tran_phu_2026.xlsx", problems, parent),
        "NoteDialog": lambda: cls("Từ chối tiếp nhận hồ sơ", "Phiếu từ chối (Mẫu 03) sẽ được in với lý do dưới đây. "
                                  * 3, "Lý do từ chối", required=True, parent=parent),
        "ApologyDialog": lambda: cls(info, NOW, parent),
        "StopDialog": lambda: cls(info, parent),
        "DossierDetailDialog": lambda: cls(ctx, code, parent),
        "PageScanDialog": lambda: cls(ctx, code, 1, "1. Tờ khai đăng ký khai sinh theo mẫu quy định", parent),
        "ReturnDialog": lambda: cls(info, parent),
        "ScanDialog": lambda: cls(ctx, parent, cameras=[CameraInfo("0", "Integrated Webcam HD 1280×720 (USB 2.0)")]),
        "LoginDialog": lambda: cls("Trung tâm Phục vụ hành chính công phường Trần Phú", "admin", parent),
        "NewPasswordDialog": lambda: cls("Lần đầu khởi động", "Chào mừng. " * 30, parent),
        "PrintPreview": lambda: cls(parent, receipt(code, ctx.slip_path(f"mau01_{code}.docx"), actor=ctx.actor),
                                    "", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)"),
    }
    if cls.__name__ in known:
        return known[cls.__name__]()
    for args in ((ctx, parent), (ctx,), (parent,), ()):
        try:
            return cls(*args)
        except TypeError:
            continue
    raise AssertionError(f"{cls.__qualname__}: tell make_dialog how to open it")


def citizen_windows(ctx: AppContext) -> list[tuple[str, QWidget]]:
    """The citizens' windows that are no QDialog, at their fullest: the kiosk showing a returned dossier with
    its rating buttons, and the pickup desk's citizen-facing rating window with them (D49). Both open full
    screen, so they must fit the screen's height at its width; the kiosk stands at a 1366×768 monitor (its
    large type is not made for a 1024-pixel laptop), the citizen window on any second screen."""
    from desk.services.kiosk import RETURNED, KioskAnswer
    from desk.services.ratings import RatingForm, rating_token
    from desk.views.kiosk import KioskWindow
    from desk.views.rating import CitizenRatingWindow

    code = ctx.sample_code  # type: ignore[attr-defined]
    form = RatingForm(True, code=code, token=rating_token(code),
                      message="Ông (bà) có hài lòng với việc giải quyết hồ sơ không?",
                      levels=(("very_satisfied", "Rất hài lòng"),))
    kiosk = KioskWindow(clock=ctx.clock, office_name="Trung tâm Phục vụ hành chính công phường Trần Phú")
    kiosk.show_answer(KioskAnswer(True, RETURNED, "Đã trả kết quả", masked_name="Tôn N. T. P. H. N. N. B. K.",
                                  procedure_name=LONG_PROCEDURE, appointment_text="17:00, Thứ Sáu 27/11/2026",
                                  advice="Kết quả đã được trao ngày Thứ Tư 25/11/2026."))
    kiosk.show_rating(form)
    kiosk._unlocked = True  # type: ignore[attr-defined]  # may close when the check is done
    screen = CitizenRatingWindow("Trung tâm Phục vụ hành chính công phường Trần Phú", clock=ctx.clock)
    screen.show_form(form)
    return [("KioskWindow", kiosk), ("CitizenRatingWindow", screen)]


def too_big(size: QSize, room: QSize) -> bool:
    return size.width() > room.width() or size.height() > room.height()


# Screens allowed to scroll sideways on the 1024-pixel laptop (every control stays reachable); none today:
# every screen fits in width there, tall ones scroll down.
SCROLL_SIDEWAYS_AT_125: set[str] = set()

SCREENS = {  # name: (physical screen, scale factor, room for a window in logical pixels)
    "1366x768": ((1366, 768), "1", WORK_AREA),
    "1280x720@125": ((1280, 720), "1.25", SMALL_LAPTOP),
}


@pytest.mark.skipif(not os.environ.get(SCREEN_ENV), reason="runs in its own process: test_fits_the_screen")
def test_every_screen_and_dialog_fits(qtbot, ctx):
    """Run by :func:`test_fits_the_screen` in a process whose Qt sees the screen under test."""
    (width, height), scale, room = SCREENS[os.environ[SCREEN_ENV]]
    screen = QApplication.primaryScreen()
    free = screen.availableGeometry().size()
    assert screen.devicePixelRatio() == pytest.approx(float(scale))
    assert free == QSize(round(width / float(scale)), round(height / float(scale)))  # Qt's logical screen
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(*initial_size(room))
    with qtbot.waitExposed(window):
        window.show()
    problems = []
    seen = visit_every_screen(qtbot, window)
    assert {"intake", "dossiers", "pickup", "reports", "catalog", "calendar", "settings"} <= set(seen)
    hint = window.minimumSizeHint().expandedTo(window.minimumSize())
    if too_big(hint, room):
        problems.append(f"the window needs {hint.width()}×{hint.height()}")
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)  # the layouts the visits asked for, now
    qtbot.waitUntil(lambda: window.size().expandedTo(window.minimumSize()) == window.size())  # grown if it must
    if window.width() > room.width() or window.height() > room.height():
        problems.append(f"the window grew to {window.width()}×{window.height()} after visiting every screen")
    for key in seen:  # each screen alone: on 1366×768 none needs its scroll bars; smaller, it may scroll
        page = window.show_page(key.split("/")[0])
        qtbot.waitUntil(page.isVisible)
        pane = page.parentWidget().parentWidget()
        assert isinstance(pane, QScrollArea), f"{key} is not inside its scrolling pane"
        need, has = page.minimumSizeHint(), pane.maximumViewportSize()
        if room == WORK_AREA and too_big(need, has):
            problems.append(f"{key} needs {need.width()}×{need.height()}, has {has.width()}×{has.height()}")
        elif need.width() > has.width() - pane.verticalScrollBar().sizeHint().width() \
                and key.split("/")[0] not in SCROLL_SIDEWAYS_AT_125:
            problems.append(f"{key} needs {need.width()} px wide, has {has.width()} with its scroll bar")

    classes = dialog_classes()
    names = {cls.__name__ for cls in classes}
    assert {"LoginDialog", "NewPasswordDialog", "DossierDetailDialog", "ReturnDialog", "ScanDialog",
            "FieldsDialog", "ImportProblemsDialog", "NoteDialog", "ApologyDialog"} <= names
    for cls in classes:
        dialog = make_dialog(cls, ctx, window)
        qtbot.addWidget(dialog)
        with qtbot.waitExposed(dialog):
            dialog.show()
        for name, size in (("sizeHint", dialog.sizeHint()), ("minimumSizeHint", dialog.minimumSizeHint()),
                           ("minimumSize", dialog.minimumSize())):
            if too_big(size, room):
                problems.append(f"{cls.__name__}: {name} {size.width()}×{size.height()}")
        if too_big(dialog.frameGeometry().size(), free):
            problems.append(f"{cls.__name__} opens at {dialog.frameGeometry().width()}×{dialog.frameGeometry().height()}")
        dialog.close()
    for name, widget in citizen_windows(ctx):
        qtbot.addWidget(widget)
        with qtbot.waitExposed(widget):
            widget.show()
        hint = widget.minimumSizeHint()
        need = QSize(hint.width(), widget.heightForWidth(room.width()) if widget.hasHeightForWidth() else hint.height())
        if (room == WORK_AREA or name != "KioskWindow") and too_big(need, room):
            problems.append(f"{name} needs {need.width()}×{need.height()} at full width")
        widget.close()
    assert not problems, f"on {room.width()}×{room.height()}: " + "; ".join(problems)


@pytest.mark.parametrize("name", SCREENS)
def test_fits_the_screen(tmp_path, name):
    """The check above in a fresh process whose Qt has an offscreen screen of that size and scale."""
    (width, height), scale, _room = SCREENS[name]
    config = tmp_path / "screen.json"
    config.write_text(f'{{"screens": [{{"name": "desk", "x": 0, "y": 0, "width": {width}, "height": {height}, '
                      '"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}', encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}", "QT_SCALE_FACTOR": scale,
           SCREEN_ENV: name}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                           f"{Path(__file__).resolve()}::test_every_screen_and_dialog_fits"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout


def test_the_window_opens_inside_the_free_area_of_the_screen():
    assert initial_size(QSize(1366, 728)) == (1280, 728)  # 1366×768 less a 40-pixel taskbar
    assert initial_size(QSize(1920, 1040)) == (1280, 800)
    assert initial_size(QSize(1024, 700)) == (1024, 700)
    assert initial_size(None) == (1280, 800)
