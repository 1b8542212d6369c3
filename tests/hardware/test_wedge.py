"""USB keyboard-wedge scanners: bursts become one scan and never land in a field; people typing lose nothing."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import QEvent, Qt
from PyQt6.QtGui import QKeyEvent
from PyQt6.QtWidgets import QApplication, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desk.hardware.wedge import WedgeDetector

PAYLOAD = "000.00.13.H42-261122-0007.K7Q2M9XA"
SHIFT = Qt.KeyboardModifier.ShiftModifier


class FakeClock:
    """Milliseconds the test decides."""

    def __init__(self) -> None:
        self.ms = 1000.0

    def __call__(self) -> float:
        return self.ms


class Form(QWidget):
    """An intake-like form: two fields and a button."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.name = QLineEdit("Nguyễn")
        self.phone = QLineEdit()
        self.button = QPushButton("Lưu")
        for widget in (self.name, self.phone, self.button):
            layout.addWidget(widget)
        self.entered: list[str] = []  # the name field's text each time Enter reached it
        self.name.returnPressed.connect(lambda: self.entered.append(self.name.text()))
        self.clicks = 0
        self.button.clicked.connect(self._clicked)

    def _clicked(self) -> None:
        self.clicks += 1


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def detector(qtbot, clock):
    detector = WedgeDetector(clock=clock)
    app = QApplication.instance()
    app.installEventFilter(detector)
    seen: list[str] = []
    detector.scanned.connect(seen.append)
    detector.seen = seen
    yield detector
    app.removeEventFilter(detector)
    detector.flush()
    detector.deleteLater()


@pytest.fixture
def form(qtbot) -> Form:
    form = Form()
    qtbot.addWidget(form)
    with qtbot.waitExposed(form):
        form.show()
    form.activateWindow()
    form.name.setFocus()
    form.name.end(False)
    return form


def key_for(ch: str) -> int:
    return ord(ch.upper()) if ch != " " else Qt.Key.Key_Space.value


def send(widget: QWidget, kind: QEvent.Type, key: int, text: str = "", modifiers=Qt.KeyboardModifier.NoModifier,
         autorepeat: bool = False) -> None:
    QApplication.sendEvent(widget, QKeyEvent(kind, key, modifiers, text, autorepeat))


def tap(widget: QWidget, ch: str) -> None:
    """One character as a keyboard sends it: press, release (Shift around capitals, like scanners)."""
    upper = ch.isalpha() and ch.isupper()
    if upper:
        send(widget, QEvent.Type.KeyPress, Qt.Key.Key_Shift, modifiers=SHIFT)
    mods = SHIFT if upper else Qt.KeyboardModifier.NoModifier
    send(widget, QEvent.Type.KeyPress, key_for(ch), ch, mods)
    send(widget, QEvent.Type.KeyRelease, key_for(ch), ch, mods)
    if upper:
        send(widget, QEvent.Type.KeyRelease, Qt.Key.Key_Shift)


def tap_key(widget: QWidget, key: Qt.Key) -> None:
    text = {Qt.Key.Key_Return: "\r", Qt.Key.Key_Enter: "\r", Qt.Key.Key_Tab: "\t"}.get(key, "")
    send(widget, QEvent.Type.KeyPress, key, text)
    send(widget, QEvent.Type.KeyRelease, key, text)


def type_text(widget: QWidget, text: str, clock: FakeClock, gap_ms: float) -> None:
    for ch in text:
        clock.ms += gap_ms
        tap(widget, ch)


def test_burst_into_a_focused_field_is_a_scan(qtbot, form, detector):
    qtbot.keyClicks(form.name, PAYLOAD)  # synchronous, no time between keys: a scanner
    with qtbot.waitSignal(detector.scanned, timeout=1000) as signal:
        qtbot.keyClick(form.name, Qt.Key.Key_Return)
    assert signal.args == [PAYLOAD]
    qtbot.wait(80)  # longer than the hold: nothing is replayed later either
    assert form.name.text() == "Nguyễn"
    assert form.entered == []  # the scanner's Enter did not "submit" the field
    assert not detector.holding


def test_burst_with_shift_and_unicode_keeps_the_field(qtbot, form, detector, clock):
    card = "001090012345|123456789|Nguyễn Văn An|15031990|Nam|Số 5, Tổ 2|10082021"
    type_text(form.name, card, clock, gap_ms=3)
    clock.ms += 3
    with qtbot.waitSignal(detector.scanned, timeout=1000) as signal:
        tap_key(form.name, Qt.Key.Key_Return)
    assert signal.args == [card]
    qtbot.wait(60)  # past the 40 ms hold: what did not arrive by now never will
    assert form.name.text() == "Nguyễn" and form.entered == []


def test_tab_terminated_burst_does_not_move_focus(qtbot, form, detector, clock):
    type_text(form.name, "ABC123456", clock, gap_ms=5)
    clock.ms += 5
    with qtbot.waitSignal(detector.scanned, timeout=1000) as signal:
        tap_key(form.name, Qt.Key.Key_Tab)
    assert signal.args == ["ABC123456"]
    assert form.name.hasFocus() and form.name.text() == "Nguyễn"


def test_person_typing_loses_nothing(qtbot, form, detector, clock):
    form.name.clear()
    type_text(form.name, "Lê Văn Tâm", clock, gap_ms=120)
    clock.ms += 150
    tap_key(form.name, Qt.Key.Key_Return)
    assert form.name.text() == "Lê Văn Tâm"
    assert form.entered == ["Lê Văn Tâm"]  # every character arrived, in order, before Enter
    qtbot.wait(60)  # past the 40 ms hold: what did not arrive by now never will
    assert detector.seen == [] and not detector.holding


def test_a_held_key_arrives_by_itself_soon(qtbot, form, detector, clock):
    form.name.clear()
    tap(form.name, "a")
    assert detector.holding  # could still be the start of a burst
    qtbot.waitUntil(lambda: form.name.text() == "a", timeout=500)
    assert not detector.holding and detector.seen == []


def test_fast_typist_rollover_without_enter_arrives(qtbot, form, detector, clock):
    form.name.clear()
    type_text(form.name, "nguyen van", clock, gap_ms=10)  # very fast, but no Enter follows
    qtbot.waitUntil(lambda: form.name.text() == "nguyen van", timeout=500)
    clock.ms += 200
    tap_key(form.name, Qt.Key.Key_Return)
    assert form.entered == ["nguyen van"] and detector.seen == []


def test_enter_alone_passes_through(qtbot, form, detector):
    tap_key(form.name, Qt.Key.Key_Return)
    assert form.entered == ["Nguyễn"]
    assert detector.seen == []


def test_short_burst_passes_through_in_order(qtbot, form, detector, clock):
    form.name.clear()
    type_text(form.name, "abc12", clock, gap_ms=2)  # 5 characters: too short for a code
    clock.ms += 2
    tap_key(form.name, Qt.Key.Key_Return)
    assert form.entered == ["abc12"]
    qtbot.wait(60)  # past the 40 ms hold: what did not arrive by now never will
    assert detector.seen == []


def test_typed_then_scanned(qtbot, form, detector, clock):
    form.name.clear()
    type_text(form.name, "ab", clock, gap_ms=150)
    clock.ms += 400  # the clerk stops; the scanner fires
    type_text(form.name, PAYLOAD, clock, gap_ms=4)
    clock.ms += 4
    with qtbot.waitSignal(detector.scanned, timeout=1000) as signal:
        tap_key(form.name, Qt.Key.Key_Return)
    assert signal.args == [PAYLOAD]
    qtbot.wait(60)  # past the 40 ms hold: what did not arrive by now never will
    assert form.name.text() == "ab" and form.entered == []


def test_slow_enter_after_fast_keys_is_typing(qtbot, form, detector, clock):
    form.name.clear()
    type_text(form.name, "abcdefgh", clock, gap_ms=5)
    clock.ms += 300  # Enter comes late: a person
    tap_key(form.name, Qt.Key.Key_Return)
    assert form.entered == ["abcdefgh"] and detector.seen == []


def test_shortcuts_and_autorepeat_are_not_held(qtbot, form, detector, clock):
    form.name.clear()
    clock.ms += 100
    send(form.name, QEvent.Type.KeyPress, Qt.Key.Key_X, "x", autorepeat=True)
    assert form.name.text() == "x"  # a held-down key repeats at once
    tap(form.name, "y")
    send(form.name, QEvent.Type.KeyPress, Qt.Key.Key_A, "a", Qt.KeyboardModifier.ControlModifier)
    assert form.name.text() == "xy" and form.name.selectedText() == "xy"  # held "y" first, then Ctrl+A


def test_space_on_a_button_still_clicks_once(qtbot, form, detector, clock):
    form.button.setFocus()
    clock.ms += 500
    tap(form.button, " ")
    qtbot.waitUntil(lambda: form.clicks == 1, timeout=500)
    qtbot.wait(60)  # past the 40 ms hold: what did not arrive by now never will
    assert form.clicks == 1 and not form.button.isDown()


def test_disabled_detector_passes_everything(qtbot, form, detector):
    detector.enabled = False
    qtbot.keyClicks(form.name, "XYZ12345")
    assert form.name.text() == "NguyễnXYZ12345"
    assert detector.seen == []


def test_platform_path_through_the_window(qtbot, form, detector, clock):
    """Real keyboards deliver to the QWindow first; the burst is stopped there, typing is forwarded."""
    from PyQt6.QtTest import QTest

    handle = form.windowHandle()
    for ch in "ABC-123456":
        QTest.keyClick(handle, ch)
    with qtbot.waitSignal(detector.scanned, timeout=1000) as signal:
        QTest.keyClick(handle, Qt.Key.Key_Return)
    assert signal.args == ["ABC-123456"] and form.name.text() == "Nguyễn"
    for ch in "xyz":
        clock.ms += 150
        QTest.keyClick(handle, ch)
    clock.ms += 150
    QTest.keyClick(handle, Qt.Key.Key_Return)
    assert form.entered == ["Nguyễnxyz"]
