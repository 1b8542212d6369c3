"""Fast typing is never a scan: a burst that is not a slip or CCCD payload goes back to its field.

Found on a real desk: a name typed at 40 ms per key into Settings vanished with "not a dossier
code", and a password manager's burst landed in the wrong box. These tests drive real widgets
through the application-wide detector of the main window, at scanner and typist speeds.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from PyQt6.QtCore import QEvent, Qt
from PyQt6.QtGui import QInputMethodEvent, QIntValidator, QKeyEvent, QKeySequence, QShortcut
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk.config import Settings
from desk.hardware.printing import FakePrinter
from desk.services.accounts import Actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.payload import make_payload
from desk.views.context import AppContext
from desk.views.main_window import MainWindow, Page
from desk.views.scanning import install_scanner

CLOCK = FixedClock(datetime(2026, 11, 26, 10, 0, tzinfo=LOCAL_TZ))
CARD = "001090012345|123456789|Nguyen Van An|15031990|Nam|So 5, To 2, Phuong Tran Phu|10082021"


class Blank(QWidget):
    """A page with nothing on it: the widgets under test live in their own window."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)


PAGES = (Page("intake", "Receive (F2)", __name__, "Blank", shortcut="F2"),)


class FakeClock:
    def __init__(self) -> None:
        self.ms = 1000.0

    def __call__(self) -> float:
        return self.ms


class Form(QDialog):
    """A settings- or login-like dialog: every kind of field, and a default button."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.name = QLineEdit()
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.masked = QLineEdit()
        self.masked.setInputMask("00/00/0000;_")
        self.number = QLineEdit()
        self.number.setValidator(QIntValidator(0, 999_999_999))
        self.address = QPlainTextEdit()
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.ok = QPushButton("OK")
        self.ok.setDefault(True)
        self.ok.setAutoDefault(True)
        for widget in (self.name, self.user, self.password, self.masked, self.number, self.address,
                       self.combo, self.ok):
            layout.addWidget(widget)
        self.accepted_with: list[tuple[str, str]] = []
        self.ok.clicked.connect(lambda: self.accepted_with.append((self.user.text(), self.password.text())))
        self.saved: list[str] = []
        QShortcut(QKeySequence("Ctrl+S"), self, lambda: self.saved.append(self.name.text()))


@pytest.fixture
def window(qtbot, office, monkeypatch):
    ctx = AppContext(actor=Actor(1, "hang", "Nguyễn Thị Hằng", "clerk"), clock=CLOCK, settings=Settings(),
                     office_name="UBND phường Trần Phú", printer=FakePrinter())
    window = MainWindow(ctx, pages=PAGES)
    ctx.bus.open_dossier.disconnect(window.open_dossier)
    qtbot.addWidget(window)
    dispatcher = install_scanner(window, ctx)
    window.beeps = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: window.beeps.append(1)))
    window.handled = []
    dispatcher.handled.connect(window.handled.append)
    with qtbot.waitExposed(window):
        window.show()
    yield window
    QApplication.instance().removeEventFilter(dispatcher.detector)


@pytest.fixture
def clock(window) -> FakeClock:
    clock = FakeClock()
    window.scan_dispatcher.detector.clock = clock
    return clock


@pytest.fixture
def form(qtbot, window) -> Form:
    form = Form()
    qtbot.addWidget(form)
    with qtbot.waitExposed(form):
        form.show()  # not modal: a scan is acted on behind it
    form.activateWindow()
    return form


def tap(widget, ch: str) -> None:
    """One character pressed and released on ``widget`` (QTest's keyClicks cannot type "ễ")."""
    key = ord(ch.upper()) if ch != " " else Qt.Key.Key_Space.value
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch))


def type_fast(qtbot, widget, text: str, clock: FakeClock, gap_ms: float) -> None:
    """Each character ``gap_ms`` after the previous one, sent to the widget like QTest does."""
    for ch in text:
        clock.ms += gap_ms
        tap(widget, ch)


def window_keys(handle, text: str, clock: FakeClock, gap_ms: float) -> None:
    """ASCII typed through the window, as a real keyboard delivers it (shortcuts are tried there)."""
    for ch in text:
        clock.ms += gap_ms
        QTest.keyClick(handle, ch)


def press(qtbot, widget, key: Qt.Key, clock: FakeClock, gap_ms: float, modifier=Qt.KeyboardModifier.NoModifier):
    clock.ms += gap_ms
    qtbot.keyClick(widget, key, modifier)


def settle(qtbot, window) -> None:
    qtbot.wait(80)  # longer than the detector's hold: anything held has been delivered or taken
    assert not window.scan_dispatcher.detector.holding


def no_scan(window) -> None:
    assert window.handled == [] and window.beeps == []
    assert window.statusBar().currentMessage() == ""


@pytest.mark.parametrize("gap_ms", [3, 20, 30])
@pytest.mark.parametrize("end", [Qt.Key.Key_Tab, Qt.Key.Key_Return, None])
def test_a_fast_name_in_a_field_arrives_whole(qtbot, window, clock, form, gap_ms, end):
    form.name.setFocus()
    type_fast(qtbot, form.name, "Nguyễn Thị Hằng", clock, gap_ms)
    if end is not None:
        press(qtbot, form.name, end, clock, gap_ms)
    settle(qtbot, window)
    assert form.name.text() == "Nguyễn Thị Hằng"
    no_scan(window)
    if end == Qt.Key.Key_Tab:
        assert form.user.hasFocus()  # the Tab did what a Tab does, after the text


@pytest.mark.parametrize("field, text, expected", [
    ("password", "S3cret!pass", "S3cret!pass"),
    ("masked", "15031990", "15/03/1990"),
    ("number", "123456789", "123456789"),
])
def test_masked_validated_and_password_fields_get_the_burst(qtbot, window, clock, form, field, text, expected):
    widget = getattr(form, field)
    widget.setFocus()
    widget.home(False)
    type_fast(qtbot, widget, text, clock, 5)
    press(qtbot, widget, Qt.Key.Key_Tab, clock, 5)
    settle(qtbot, window)
    assert widget.text() == expected
    no_scan(window)


def test_plain_text_edit_gets_lines_and_their_enters(qtbot, window, clock, form):
    form.address.setFocus()
    type_fast(qtbot, form.address, "Số 5, Tổ 2", clock, 5)
    press(qtbot, form.address, Qt.Key.Key_Return, clock, 5)
    type_fast(qtbot, form.address, "Phường Trần Phú", clock, 5)
    settle(qtbot, window)
    assert form.address.toPlainText() == "Số 5, Tổ 2\nPhường Trần Phú"
    no_scan(window)


def test_an_editable_combo_box_gets_the_burst(qtbot, window, clock, form):
    form.combo.setFocus()
    type_fast(qtbot, form.combo, "Tổ dân phố 7", clock, 5)
    press(qtbot, form.combo, Qt.Key.Key_Tab, clock, 5)
    settle(qtbot, window)
    assert form.combo.currentText() == "Tổ dân phố 7"
    no_scan(window)


def test_password_manager_user_tab_password_enter(qtbot, window, clock, form):
    """Auto-type: user, Tab, password, Enter at 2 ms per key, through the window like a real keyboard."""
    form.user.setFocus()
    handle = form.windowHandle()
    window_keys(handle, "nguyenthihang", clock, 2)
    clock.ms += 2
    QTest.keyClick(handle, Qt.Key.Key_Tab)
    assert form.password.hasFocus()
    window_keys(handle, "Hang2026secret", clock, 2)
    clock.ms += 2
    QTest.keyClick(handle, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert (form.user.text(), form.password.text()) == ("nguyenthihang", "Hang2026secret")
    assert form.accepted_with == [("nguyenthihang", "Hang2026secret")]  # its Enter pressed OK, once
    no_scan(window)


def test_password_manager_without_enter(qtbot, window, clock, form):
    form.password.setFocus()
    window_keys(form.windowHandle(), "Hang2026secret", clock, 1)
    qtbot.waitUntil(lambda: form.password.text() == "Hang2026secret", timeout=500)
    no_scan(window)
    assert form.accepted_with == []


def test_real_typist_at_30_ms_per_key(qtbot, window, form):
    """Real time, no clock of ours: QTest waits between keys like a fast person."""
    form.name.setFocus()
    for ch in "Trần Văn Bình":
        qtbot.wait(30)
        tap(form.name, ch)
    qtbot.keyClick(form.name, Qt.Key.Key_Tab)
    settle(qtbot, window)
    assert form.name.text() == "Trần Văn Bình" and form.user.hasFocus()
    no_scan(window)


def test_ime_commit_during_a_burst_keeps_the_order(qtbot, window, clock, form):
    form.name.setFocus()
    type_fast(qtbot, form.name, "Nguy", clock, 5)
    commit = QInputMethodEvent()
    commit.setCommitString("ễ")
    QApplication.sendEvent(form.name, commit)
    type_fast(qtbot, form.name, "n", clock, 5)
    settle(qtbot, window)
    assert form.name.text() == "Nguyễn"
    no_scan(window)


def test_a_key_held_down_repeats_in_place(qtbot, window, clock, form):
    form.name.setFocus()
    type_fast(qtbot, form.name, "ab", clock, 5)
    for _ in range(8):  # the key is held: the system repeats it every 30 ms
        clock.ms += 30
        QTest.sendKeyEvent(QTest.KeyAction.Press, form.name, Qt.Key.Key_C, "c", Qt.KeyboardModifier.NoModifier)
    press(qtbot, form.name, Qt.Key.Key_Return, clock, 5)
    settle(qtbot, window)
    assert form.name.text() == "ab" + "c" * 8
    no_scan(window)


def test_a_shortcut_during_a_burst_sees_all_the_text(qtbot, window, clock, form):
    form.name.setFocus()
    handle = form.windowHandle()
    window_keys(handle, "Tran Van Binh", clock, 5)
    clock.ms += 5
    QTest.keyClick(handle, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert form.saved == ["Tran Van Binh"]  # the held keys reached the field before Ctrl+S acted
    settle(qtbot, window)
    no_scan(window)


def test_focus_moving_during_a_burst_keeps_the_text_where_it_was_typed(qtbot, window, clock, form):
    form.name.setFocus()
    window_keys(form.windowHandle(), "Le Thi Hoa", clock, 5)
    form.user.setFocus()  # a click, or the program, moves the focus while the keys are held
    settle(qtbot, window)
    assert form.name.text() == "Le Thi Hoa" and form.user.text() == ""
    no_scan(window)


def test_focus_moving_to_another_window_during_a_burst(qtbot, window, clock, form):
    form.name.setFocus()
    window_keys(form.windowHandle(), "Le Thi Hoa", clock, 5)
    other = QLineEdit()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    other.setFocus()
    settle(qtbot, window)
    assert form.name.text() == "Le Thi Hoa" and other.text() == ""
    no_scan(window)


@pytest.fixture
def code(office, admin) -> str:
    request = IntakeRequest("T-TTHN", Applicant(name="Lê Thị Hoa"),
                            received_at=datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL_TZ))
    return register(request, clock=CLOCK, actor=admin).code


@pytest.mark.parametrize("end", [Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab])
def test_a_real_scan_is_taken_and_its_enter_presses_nothing(qtbot, window, clock, form, code, end):
    form.user.setFocus()
    handle = form.windowHandle()
    opened = []
    window.ctx.bus.open_dossier.connect(opened.append)
    window_keys(handle, make_payload(code), clock, 3)
    clock.ms += 3
    QTest.keyClick(handle, end)
    qtbot.waitUntil(lambda: opened == [code], timeout=1000)
    settle(qtbot, window)
    assert form.user.text() == "" and form.user.hasFocus()
    assert form.accepted_with == [] and form.isVisible()  # the default button was not pressed


def test_a_card_scanned_into_a_password_box_fills_the_intake(qtbot, window, clock, form):
    form.password.setFocus()
    with qtbot.waitSignal(window.ctx.bus.fill_intake, timeout=1000) as filled:
        window_keys(form.windowHandle(), CARD, clock, 2)
        clock.ms += 2
        QTest.keyClick(form.windowHandle(), Qt.Key.Key_Return)
    assert filled.args[0].id_number == "001090012345"
    settle(qtbot, window)
    assert form.password.text() == "" and form.accepted_with == []
