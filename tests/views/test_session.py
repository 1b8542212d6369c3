"""Shared desks: the idle lock hides everything and gives it back whole; switching the clerk rebuilds the window."""

from __future__ import annotations

from datetime import datetime

import pytest
from PyQt6 import sip
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication, QLabel, QLineEdit, QSpinBox, QWidget

from desk.app import build_main_window
from desk.config import Settings
from desk.hardware.printing import FakePrinter
from desk.services import accounts
from desk.services.accounts import get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from desk.views import main_window as main_window_module
from desk.views.context import AppContext
from desk.views.session import Session, idle_minutes

PASSWORD = "Matkhau#2026"
NAME = "Nguyễn Văn Bình"


@pytest.fixture
def clerk(office):
    return accounts.create_staff("hang", "Nguyễn Thị Hằng", "clerk", PASSWORD, by=accounts.SYSTEM)


@pytest.fixture
def leader(office):
    return accounts.create_staff("lan", "Trần Thị Lan", "admin", PASSWORD, by=accounts.SYSTEM)


def context(actor, tmp_path) -> AppContext:
    return AppContext(actor=actor, clock=FixedClock(datetime(2026, 11, 25, 10, 0, tzinfo=LOCAL_TZ)),
                      settings=Settings(), office_name="UBND phường Trần Phú", database_label="test",
                      printer=FakePrinter(), output_dir=tmp_path / "slips")


class Logins:
    """Stands in for the log-in dialog: who logs in next (None: they pressed Quit)."""

    def __init__(self, *actors):
        self.actors = list(actors)
        self.asked = 0

    def __call__(self, office_name, username, parent):
        self.asked += 1
        return self.actors.pop(0)


@pytest.fixture
def session(qtbot, leader, tmp_path):
    logins = Logins()
    made = Session(context(leader, tmp_path), build_main_window, login=logins)
    made.logins = logins
    window = made.start()  # not given to qtbot: a switch deletes it, the teardown closes whichever is left
    assert QTest.qWaitForWindowExposed(window)  # start() has shown it already
    yield made
    made.stop()
    if made.window is not None and not sip.isdeleted(made.window):
        made.window.close()
        made.window.deleteLater()


def visible_texts(window) -> list[str]:
    return [w.text() for w in window.findChildren((QLineEdit, QLabel)) if w.isVisible() and w.text()]


def test_idle_time_locks_the_screen_and_the_right_password_gives_everything_back(qtbot, session, finish):
    window = session.window
    intake = window.show_page("intake")
    intake.name.setText(NAME)
    assert NAME in visible_texts(window)
    session.idle.set_interval(150)  # ten minutes in the desk's settings; a fraction of a second here
    qtbot.waitUntil(lambda: window.locked, timeout=3000)

    assert not window.content.isVisible()
    assert window.lock_screen.isVisible()
    assert NAME not in visible_texts(window)
    assert not session.idle.counting  # a locked screen does not lock again

    window.lock_screen.password.setText("not the password")
    finish(window.lock_screen.try_unlock())
    assert window.locked
    assert window.lock_screen.findChild(QLabel, "lock_message").text() == "Sai tên đăng nhập hoặc mật khẩu"
    assert not window.content.isVisible()

    window.lock_screen.password.setText(PASSWORD)
    finish(window.lock_screen.try_unlock())
    assert not window.locked
    assert window.content.isVisible()
    assert intake.name.text() == NAME  # the half-filled form is intact
    assert session.idle.counting


def test_input_keeps_the_screen_unlocked(qtbot, session):
    window = session.window
    session.idle.set_interval(400)
    target = window.show_page("intake").name
    for _ in range(8):
        qtbot.wait(100)  # a clerk's pace: 800 ms of work in all, twice the idle time
        qtbot.mouseMove(target, QPoint(5 + _, 5))
        qtbot.keyClick(target, Qt.Key.Key_A)
    assert not window.locked
    qtbot.waitUntil(lambda: window.locked, timeout=3000)  # and once the hands are off, it locks


def test_the_lock_counts_wrong_passwords_like_the_log_in(qtbot, session, finish):
    window = session.window
    window.lock()
    for _ in range(accounts.MAX_FAILED_LOGINS):
        window.lock_screen.password.setText("wrong")
        finish(window.lock_screen.try_unlock())
    window.lock_screen.password.setText(PASSWORD)
    finish(window.lock_screen.try_unlock())
    assert window.locked  # the account is locked for a while: even the right password waits
    assert "khóa" in window.lock_screen.message.text().lower()


def test_a_locked_window_hides_open_dossiers_and_opens_none(qtbot, session, leader, finish):
    window = session.window
    received = datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL_TZ)
    code = register(IntakeRequest("T-TTHN", Applicant(name=NAME, gender="Nam", phone="0912345678"),
                                  received_at=received), clock=FixedClock(received), actor=get_actor("admin")).code
    window.open_dossier(code)
    detail = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "dossier_detail" and w.isVisible())
    window.lock()
    assert not detail.isVisible()
    window.open_dossier(code)  # a scan or a message while locked shows nothing
    assert not [w for w in QApplication.topLevelWidgets() if w.objectName() == "dossier_detail" and w.isVisible()]
    assert not window.scan_dispatcher.detector.enabled
    window.lock_screen.password.setText(PASSWORD)
    finish(window.lock_screen.try_unlock())
    assert detail.isVisible()
    assert window.scan_dispatcher.detector.enabled
    detail.close()


def test_switching_to_a_clerk_rebuilds_the_window_for_that_role(qtbot, session, clerk):
    old = session.window
    assert {"catalog", "calendar"} <= {p.key for p in old.pages}
    session.logins.actors.append(clerk)
    old.logout_button.click()
    new = session.window
    assert new is not old and new.ctx.actor.username == "hang"
    assert {p.key for p in new.pages} == {"intake", "dossiers", "pickup", "reports", "settings"}
    assert "Nguyễn Thị Hằng" in new._status.text()
    assert new.isVisible() and not new.locked
    qtbot.waitUntil(lambda: sip.isdeleted(old), timeout=3000)
    assert session.ctx.settings.username == "hang"


def test_unsaved_intake_data_is_asked_about_before_logging_out(qtbot, session, clerk, monkeypatch):
    old = session.window
    old.show_page("intake").name.setText(NAME)
    answers = []
    monkeypatch.setattr(main_window_module, "confirm", lambda parent, title, text: answers.append(text) or False)
    session.logins.actors.append(clerk)
    assert not session.switch()
    assert session.window is old and old.isVisible() and not old.locked
    assert old.widgets["intake"].name.text() == NAME
    assert session.logins.asked == 0 and len(answers) == 1
    monkeypatch.setattr(main_window_module, "confirm", lambda parent, title, text: True)
    assert session.switch()
    assert session.window.ctx.actor.username == "hang"


def test_switching_from_the_lock_screen(qtbot, session, clerk):
    old = session.window
    old.lock()
    session.logins.actors.append(clerk)
    old.lock_screen.switch_button.click()
    assert session.window.ctx.actor.username == "hang" and not session.window.locked


def test_giving_up_at_the_log_in_quits(qtbot, session, monkeypatch):
    quits = []
    monkeypatch.setattr(QApplication, "quit", lambda *_a: quits.append(True))
    session.logins.actors.append(None)
    assert not session.switch()
    assert quits == [True]
    assert not session.window.isVisible() and session.window.locked  # nothing of the old clerk shows meanwhile


@pytest.mark.parametrize(("raw", "minutes"), [("10", 10), ("0", 0), (" 5 ", 5), ("abc", 10), ("-3", 10),
                                               ("100000", 10)])
def test_idle_minutes_setting(raw, minutes):
    assert idle_minutes(Settings.parse({"idle_lock_minutes": raw})) == minutes  # as the settings file says it


def test_zero_minutes_never_locks(qtbot, session):
    session.idle.set_interval(0)
    qtbot.wait(300)  # time passing is the test: nothing may lock meanwhile
    assert not session.idle.counting and not session.window.locked


def test_the_desk_settings_set_the_idle_time(qtbot, session):
    spin = session.window.show_page("settings").findChild(QSpinBox, "idle_lock_minutes")
    assert spin.value() == 10 and session.idle.interval_ms == 600_000
    spin.setValue(3)
    tab = next(w for w in session.window.findChildren(QWidget) if type(w).__name__ == "DeskTab")
    assert tab.save()
    assert session.ctx.settings.idle_lock_minutes == 3
    assert session.idle.interval_ms == 180_000
    assert Settings.load().idle_lock_minutes == 3
