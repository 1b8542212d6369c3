"""The citizen pickup kiosk as a citizen uses it: scan a slip, read the answer, walk away."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget

from desk.models import DailySequence, Dossier, DossierEvent, Staff
from desk.services import accounts, lifecycle
from desk.services.accounts import get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.kiosk import PAUSED, READY, WAITING, KioskLookup, invalid_answer
from desk.services.payload import make_payload
from desk.views import kiosk as kiosk_view
from desk.views import login as login_view
from desk.views.kiosk import KioskWindow

NAME = "Lê Thị Hoa"
ID_NUMBER = "042190001234"
CCCD = f"{ID_NUMBER}|183456789|{NAME}|15031990|Nữ|Tổ 2, phường Trần Phú, Hà Tĩnh|01022021"


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LOCAL_TZ)


def make_dossier(*steps: str) -> str:
    code = register(IntakeRequest("T-TTHN", Applicant(name=NAME, id_number=ID_NUMBER), received_at=t(23, 9)),
                    clock=FixedClock(t(23, 9)), actor=get_actor("admin")).code
    for i, step in enumerate(steps):
        lifecycle.advance(code, step, at=t(24, 9 + i), clock=FixedClock(t(24, 9 + i)), actor=get_actor("admin"))
    return code


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(t(26, 10))


def _make(qtbot, clock, **kwargs) -> KioskWindow:
    window = KioskWindow(clock=clock, office_name="UBND phường Trần Phú", **kwargs)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    with qtbot.waitExposed(window):
        window.show()
    return window


@pytest.fixture
def kiosk(qtbot, office, clock):
    window = _make(qtbot, clock, lookup=KioskLookup(), timeout_s=20)
    yield window
    window._unlocked = True  # let pytest-qt close it
    window.close()


def answered(qtbot, window: KioskWindow) -> None:
    """Wait until every scan has its answer on the screen (lookups run in the background)."""
    qtbot.waitUntil(lambda: not window.looking_up, timeout=5000)


def handle(qtbot, window: KioskWindow, text: str) -> None:
    window.handle_scan(text)
    answered(qtbot, window)


def scan(qtbot, window: KioskWindow, text: str) -> None:
    """A keyboard-wedge scanner: the text, then Enter, into whatever has focus; then the answer."""
    target = QApplication.focusWidget() or window.scan_input
    assert target is window.scan_input
    if text.isascii():
        qtbot.keyClicks(target, text)
    else:  # QTest cannot type Vietnamese letters; a scanner's driver inserts them
        target.insert(text)
    qtbot.keyClick(target, Qt.Key.Key_Return)
    answered(qtbot, window)


def visible_text(window: QWidget) -> str:
    """Every text a person could read or hover: labels, inputs, buttons, tooltips, the title."""
    parts = [window.windowTitle(), window.toolTip()]
    for widget in window.findChildren(QWidget):
        parts.append(widget.toolTip())
        parts.append(widget.accessibleName())
        if isinstance(widget, QLabel | QAbstractButton):
            parts.append(widget.text())
        elif isinstance(widget, QLineEdit):
            parts.extend((widget.text(), widget.placeholderText()))
    return "\n".join(parts)


def assert_private(window: KioskWindow) -> None:
    text = visible_text(window)
    assert NAME not in text
    assert ID_NUMBER not in text and ID_NUMBER[-4:] not in text and "183456789" not in text


def snapshot() -> tuple:
    rows = list(Dossier.select().order_by(Dossier.id).tuples())
    return (Dossier.select().count(), DossierEvent.select().count(), Staff.select().count(),
            DailySequence.select().count(), hashlib.sha256(repr(rows).encode()).hexdigest())


def test_idle_screen_with_handheld_scanner(kiosk):
    assert kiosk.screen == "idle"
    assert kiosk.idle_title.text() and kiosk.idle_hint.text()
    assert not kiosk.preview.isVisible() and not kiosk.done_button.isVisible()
    assert kiosk.scan_input.hasFocus()


@pytest.mark.parametrize(("steps", "state"), [(("processing", "resolved"), READY), (("processing",), WAITING)])
def test_valid_slip_shows_the_result_without_personal_data(qtbot, kiosk, steps, state):
    code = make_dossier(*steps)
    scan(qtbot, kiosk, make_payload(code))
    assert kiosk.screen == "result"
    assert kiosk.answer.state == state and kiosk.answer.ready_now == (state == READY)
    assert kiosk.headline.text() == kiosk.answer.status_text
    assert kiosk.fields["name"].text() == "Lê T. H."
    assert kiosk.fields["procedure"].text() == "Cấp giấy xác nhận tình trạng hôn nhân"
    assert "27/11/2026" in kiosk.fields["appointment"].text()
    assert kiosk.fields["where"].text().startswith("Bộ phận Một cửa UBND phường")
    assert kiosk.fields["when"].text()
    assert COLOUR[state] in kiosk.banner.styleSheet()
    assert kiosk.done_button.isVisible() and kiosk.scan_input.hasFocus() and kiosk.scan_input.text() == ""
    assert_private(kiosk)


COLOUR = {READY: "#1e7b34", WAITING: "#f4b400"}


@pytest.mark.parametrize("stored", ["Nguyễn·Khánh·Quỳnh", "Nguyễn\u3164Khánh\u3164Quỳnh", "Nguyễn-Khánh-Quỳnh"])
def test_a_name_with_other_separators_is_masked_on_screen(qtbot, kiosk, stored):
    code = make_dossier("processing", "resolved")
    Dossier.update(applicant_name=stored).where(Dossier.code == code).execute()
    scan(qtbot, kiosk, make_payload(code))
    assert kiosk.screen == "result" and kiosk.fields["name"].text() == "Nguyễn K. Q."
    text = visible_text(kiosk)
    assert "Khánh" not in text and "Quỳnh" not in text and stored not in text


@pytest.mark.parametrize("make_text", [
    lambda code: code,
    lambda code: make_payload(code)[:-1] + ("A" if make_payload(code)[-1] != "A" else "B"),
    lambda code: "111.22.33.X99" + code[code.index("-"):] + ".ABCDEFGH",
    lambda code: CCCD,
    lambda code: "not a code at all",
])
def test_anything_else_gets_a_friendly_error_and_no_data(qtbot, kiosk, make_text):
    code = make_dossier("processing", "resolved")
    scan(qtbot, kiosk, make_text(code))
    assert kiosk.screen == "error"
    assert kiosk.error_text.text() == invalid_answer().message
    assert all(not label.text() for key, label in kiosk.fields.items() if not key.endswith("_caption"))
    assert "Lê T. H." not in visible_text(kiosk) and "hôn nhân" not in visible_text(kiosk)
    assert_private(kiosk)


def test_many_scans_write_nothing(qtbot, kiosk, clock):
    codes = [make_dossier(), make_dossier("processing"), make_dossier("processing", "resolved")]
    before = snapshot()
    for i in range(30):
        clock.set(t(26, 10) + timedelta(seconds=20 * i))
        code = codes[i % 3]
        for text in (make_payload(code), code, CCCD):
            handle(qtbot, kiosk, text)
    scan(qtbot, kiosk, make_payload(codes[2]))
    assert kiosk.answer.state == READY
    assert snapshot() == before


def test_timeout_and_done_button_return_to_idle(qtbot, office, clock):
    window = _make(qtbot, clock, timeout_s=0.2)
    code = make_dossier("processing", "resolved")
    handle(qtbot, window, make_payload(code))
    assert window.screen == "result"
    qtbot.waitUntil(lambda: window.screen == "idle", timeout=2000)
    assert window.fields["name"].text() == "" and window.answer is None
    handle(qtbot, window, make_payload(code))  # captions survive the trip back to idle
    assert window.fields["name_caption"].text() and window.fields["name_caption"].isVisible()
    handle(qtbot, window, "garbage")
    assert window.screen == "error"
    qtbot.mouseClick(window.done_button, Qt.MouseButton.LeftButton)
    assert window.screen == "idle" and window.scan_input.hasFocus()
    window._unlocked = True


def test_rate_limit_pauses_the_kiosk(qtbot, kiosk, clock):
    code = make_dossier("processing", "resolved")
    for i in range(5):
        handle(qtbot, kiosk, f"000.00.13.H42-261123-{i:04d}.AAAAAAAA")
    clock.set(t(26, 10, 0) + timedelta(seconds=5))
    handle(qtbot, kiosk, make_payload(code))
    assert kiosk.screen == "error" and kiosk.answer.state == PAUSED
    assert "#a50e0e" in kiosk.error_banner.styleSheet()
    clock.set(t(26, 10, 1))
    handle(qtbot, kiosk, make_payload(code))
    assert kiosk.screen == "result"


def test_scans_are_looked_up_one_at_a_time_in_order(qtbot, kiosk):
    """A burst of scans: each is answered in turn off the UI thread (the rate limit counts them in order);
    more than a person could make while one is looked up are dropped."""
    code = make_dossier("processing", "resolved")
    shown: list[str] = []
    real = kiosk.show_answer
    kiosk.show_answer = lambda answer: (shown.append(answer.state), real(answer))
    kiosk.handle_scan("not a code at all")
    kiosk.handle_scan(make_payload(code))
    assert kiosk.looking is not None  # the first one is on its way, the second waits for it
    for _ in range(10):
        kiosk.handle_scan("garbage")
    answered(qtbot, kiosk)
    assert shown[:2] == [invalid_answer().state, READY] and len(shown) == 2 + kiosk_view.MAX_QUEUED_SCANS - 1


def test_escape_and_close_are_refused(qtbot, kiosk):
    qtbot.keyClick(kiosk.scan_input, Qt.Key.Key_Escape)
    assert kiosk.isVisible()
    assert not kiosk.close()
    assert kiosk.isVisible()


def _fake_exec(monkeypatch, password: str | None, seen: list) -> None:
    def fake_exec(dialog) -> int:
        seen.append(dialog)
        if password is None:
            return 0
        dialog.username.setText("admin")
        dialog.password.setText(password)
        dialog.try_login()
        return 1 if dialog.actor is not None else 0

    monkeypatch.setattr(login_view.LoginDialog, "exec", fake_exec)


def test_leaving_needs_a_staff_login(qtbot, kiosk, monkeypatch):
    accounts.set_first_admin_password("correct horse 1")
    seen: list = []
    _fake_exec(monkeypatch, None, seen)  # the dialog is cancelled
    assert not kiosk.request_exit() and kiosk.isVisible()
    _fake_exec(monkeypatch, "wrong password", seen)
    assert not kiosk.request_exit() and kiosk.isVisible()
    assert Staff.get(Staff.username == "admin").failed_logins == 1  # the lockout still counts
    _fake_exec(monkeypatch, "correct horse 1", seen)
    qtbot.keyClick(kiosk, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    assert len(seen) == 3
    assert not kiosk.isVisible()


def test_corner_long_press_asks_for_login(qtbot, kiosk, monkeypatch):
    seen: list = []
    _fake_exec(monkeypatch, None, seen)
    kiosk.corner._timer.setInterval(50)
    qtbot.mousePress(kiosk.corner, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=2000)
    assert kiosk.isVisible()
    qtbot.mousePress(kiosk.corner, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(kiosk.corner, Qt.MouseButton.LeftButton)  # a short tap does nothing
    qtbot.wait(120)  # more than twice the long press: a tap must not become one later
    assert len(seen) == 1


def _camera_available() -> bool:
    try:
        import desk.hardware.camera  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _camera_available(), reason="desk/hardware/camera.py not there yet")
def test_fake_camera_slip_shows_the_result(qtbot, office, clock, tmp_path: Path):
    import segno

    code = make_dossier("processing", "resolved")
    frames = tmp_path / "frames"
    frames.mkdir()
    segno.make(make_payload(code), error="m").save(frames / "slip.png", scale=8, border=4)
    window = _make(qtbot, clock, scanner_spec=f"fake:{frames}", timeout_s=20)
    try:
        qtbot.waitUntil(lambda: window.screen == "result", timeout=5000)
        assert window.answer.state == READY and window.fields["name"].text() == "Lê T. H."
        assert_private(window)
    finally:
        window._unlocked = True
        window.close()


# -- trying the kiosk with the test camera (main.py kiosk --camera fake:tests/data/frames) -------------
SAMPLE_FRAMES = Path(__file__).resolve().parents[1] / "data" / "frames"


def test_on_a_fresh_database_the_test_camera_says_how_to_try_the_kiosk(qtbot, office, clock, tmp_path):
    from desk.services.demo import sample_slips
    from desk.views.kiosk import try_camera

    spec, notice = try_camera(f"fake:{SAMPLE_FRAMES}", tmp_path / "samples", clock, samples=sample_slips)
    assert spec is None  # the sample slips are another office's: shown here they would all read "invalid"
    assert "main.py demo" in notice
    window = _make(qtbot, clock, scanner_spec=spec, notice=notice)
    try:
        assert window.notice.isVisible() and window.notice.text() == notice
        assert not window.preview.isVisible()
    finally:
        window._unlocked = True
        window.close()


def test_on_a_demo_database_the_test_camera_plays_its_demo_slips(qtbot, office, clock, tmp_path):
    from desk.services.demo import generate, sample_slips
    from desk.views.kiosk import try_camera

    generate(60, actor=get_actor("admin"), months=1, clock=FixedClock(t(25, 16)))
    spec, notice = try_camera(f"fake:{SAMPLE_FRAMES}", tmp_path / "samples", clock, samples=sample_slips)
    assert spec == f"fake:{tmp_path / 'samples'}"
    assert "demo" in notice
    window = _make(qtbot, clock, lookup=KioskLookup(), scanner_spec=spec, timeout_s=20, notice=notice)
    try:
        qtbot.waitUntil(lambda: window.screen == "result", timeout=10_000)
        assert window.answer.ok  # a dossier of this database, not "invalid QR code"
        assert_private(window)
    finally:
        window._unlocked = True
        window.close()


def test_frames_of_this_databases_own_slips_are_played_as_they_are(office, clock, tmp_path):
    import segno

    from desk.services.demo import sample_slips
    from desk.views.kiosk import try_camera

    frames = tmp_path / "frames"
    frames.mkdir()
    segno.make(make_payload(make_dossier("processing")), error="m").save(frames / "slip.png", scale=8, border=4)
    assert try_camera(f"fake:{frames}", tmp_path / "samples", clock, samples=sample_slips) == (f"fake:{frames}", "")
    assert try_camera("0", tmp_path / "samples", clock, samples=sample_slips) == ("0", "")
    assert sample_slips() == []  # a register's dossiers never get sample slips


def test_a_slip_link_shows_the_result_and_other_links_an_error(qtbot, kiosk):
    """A slip printed with the office's look-up address holds a link in its QR code (D48)."""
    code = make_dossier("processing")
    scan(qtbot, kiosk, f"https://tracuu.example.vn/h/{make_payload(code)}")
    assert kiosk.screen == "result" and kiosk.answer.ok and kiosk.fields["name"].text() == "Lê T. H."
    assert_private(kiosk)
    scan(qtbot, kiosk, f"https://tracuu.example.vn/h/{code}")  # a bare code in a link: refused
    assert not kiosk.answer.ok
    assert_private(kiosk)
