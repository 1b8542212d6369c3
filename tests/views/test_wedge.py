"""The scanner dispatcher: a burst anywhere in the main window opens the dossier or fills the intake form."""

from __future__ import annotations

from datetime import datetime

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication, QLineEdit, QMessageBox, QVBoxLayout, QWidget

from desk.config import Settings
from desk.hardware.printing import FakePrinter
from desk.services.accounts import Actor, get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.payload import make_payload
from desk.views.context import AppContext
from desk.views.main_window import MainWindow, Page
from desk.views.pickup import PickupView
from desk.views.scanning import ScanDispatcher, install_scanner

CLOCK = FixedClock(datetime(2026, 11, 26, 10, 0, tzinfo=LOCAL_TZ))
CARD = "001090012345|123456789|Nguyen Van An|15031990|Nam|So 5, To 2, Phuong Tran Phu|10082021"


class IntakeLike(QWidget):
    """Stands in for the intake form: a focused field, and what fill_intake brought."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.phone = QLineEdit("0912")
        self.phone.setObjectName("phone")
        layout.addWidget(self.phone)
        self.filled = []
        ctx.bus.fill_intake.connect(self.filled.append)


class Other(QWidget):
    """Another screen with a field of its own."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.note = QLineEdit("ghi chú")
        QVBoxLayout(self).addWidget(self.note)


PAGES = (
    Page("intake", "Receive (F2)", __name__, "IntakeLike", shortcut="F2"),
    Page("dossiers", "Dossiers (Ctrl+F)", __name__, "Other"),
    Page("pickup", "Return results (F9)", "desk.views.pickup", "PickupView", shortcut="F9"),
)


@pytest.fixture
def code(office) -> str:
    request = IntakeRequest("T-TTHN", Applicant(name="Lê Thị Hoa"),
                            received_at=datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL_TZ))
    return register(request, clock=CLOCK, actor=get_actor("admin")).code


@pytest.fixture
def window(qtbot, office):
    ctx = AppContext(actor=Actor(1, "hang", "Nguyễn Thị Hằng", "clerk"), clock=CLOCK, settings=Settings(),
                     office_name="UBND phường Trần Phú", printer=FakePrinter())
    window = MainWindow(ctx, pages=PAGES)
    ctx.bus.open_dossier.disconnect(window.open_dossier)  # the detail dialog is another screen's test
    qtbot.addWidget(window)
    dispatcher = install_scanner(window, ctx)
    with qtbot.waitExposed(window):
        window.show()
    window.activateWindow()
    yield window
    QApplication.instance().removeEventFilter(dispatcher.detector)


def burst(qtbot, widget, text):
    qtbot.keyClicks(widget, text)  # synchronous: as fast as a scanner
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def test_install_scanner_keeps_the_dispatcher(window):
    assert isinstance(window.scan_dispatcher, ScanDispatcher)
    assert window.scan_dispatcher.detector.parent() is window


def test_slip_burst_in_a_field_opens_the_dossier(qtbot, window, code):
    intake = window.current_page()
    intake.phone.setFocus()
    with qtbot.waitSignal(window.ctx.bus.open_dossier, timeout=1000) as opened:
        burst(qtbot, intake.phone, make_payload(code))
    assert opened.args == [code]
    assert intake.phone.text() == "0912"  # not a single stray character
    assert code in window.statusBar().currentMessage()


def test_cccd_burst_fills_the_intake_form(qtbot, window, code):
    window.show_page("dossiers")
    field = window.current_page().note  # any focused field on another screen
    field.setFocus()
    with qtbot.waitSignal(window.ctx.bus.fill_intake, timeout=1000) as filled:
        burst(qtbot, field, CARD)
    identity = filled.args[0]
    assert identity.full_name == "Nguyen Van An" and identity.id_number == "001090012345"
    assert window.current_page() is window.widgets["intake"]
    assert window.widgets["intake"].filled == [identity]  # the intake screen was listening in time
    assert field.text() == "ghi chú"


def test_altered_slip_is_a_status_message(qtbot, window, code, monkeypatch):
    beeps = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: beeps.append(1)))
    opened = []
    window.ctx.bus.open_dossier.connect(opened.append)
    payload = make_payload(code)
    altered = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    with qtbot.waitSignal(window.scan_dispatcher.handled, timeout=1000) as handled:
        burst(qtbot, window.current_page().phone, altered)
    assert handled.args[0].kind == "unknown"
    assert window.statusBar().currentMessage() == handled.args[0].message
    assert beeps == [1] and opened == []
    assert window.current_page().phone.text() == "0912"


def test_scan_on_the_pickup_screen_shows_it_there(qtbot, window, code):
    window.show_page("pickup")
    pickup = window.current_page()
    assert isinstance(pickup, PickupView)
    opened = []
    window.ctx.bus.open_dossier.connect(opened.append)
    result = window.scan_dispatcher.handle(make_payload(code))
    assert result.kind == "dossier"
    assert opened == []  # shown on the pickup screen, no dialog on top
    assert pickup.info.code == code and pickup.status == "received"


def test_scan_behind_a_modal_window_is_ignored(qtbot, window, code, monkeypatch):
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: None))
    opened = []
    window.ctx.bus.open_dossier.connect(opened.append)
    box = QMessageBox(window)
    box.setModal(True)
    box.show()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is box)
    window.scan_dispatcher.handle(make_payload(code))
    box.close()
    assert opened == []
