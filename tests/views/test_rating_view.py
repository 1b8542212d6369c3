"""Rating the service on screen (D49): on the kiosk after a returned dossier's scan, and on the pickup desk's
citizen-facing window after the clerk records the return. Real widgets, real database, real clicks."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import Qt

from desk.config import Settings
from desk.hardware.printing import FakePrinter
from desk.models import Rating
from desk.services.accounts import get_actor
from desk.services.clock import FixedClock
from desk.services.kinds import RatingLevel
from desk.services.kiosk import KioskLookup, enforce_read_only
from desk.services.payload import make_payload
from desk.views.context import AppContext
from desk.views.pickup import PickupView
from desk.views.rating import CitizenRatingWindow
from tests.views.test_kiosk import _make, make_dossier, scan, t, visible_text
from tests.views.test_pickup import answer_return_dialog
from tests.views.test_pickup import make_dossier as make_ready


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(t(26, 10))


@pytest.fixture
def kiosk(qtbot, office, clock):
    window = _make(qtbot, clock, lookup=KioskLookup(), timeout_s=20)
    yield window
    window._unlocked = True
    window.close()


def offered(qtbot, panel) -> None:
    qtbot.waitUntil(lambda: panel.isVisible() and panel.form is not None, timeout=5000)


def test_the_kiosk_offers_the_rating_after_a_returned_dossiers_scan(qtbot, kiosk, clock):
    code = make_dossier("processing", "resolved", "returned")
    enforce_read_only()  # as the kiosk command runs it: the rating is its one write
    scan(qtbot, kiosk, make_payload(code))
    assert kiosk.screen == "result" and kiosk.answer.state == "returned"
    offered(qtbot, kiosk.rating)
    buttons = kiosk.rating.buttons
    assert [b.text() for b in buttons.values()] == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]
    assert all(b.isVisible() and b.width() >= 240 and b.height() >= 84 for b in buttons.values())
    assert not kiosk.fields["appointment"].isVisible()  # long past: the rating takes its room
    assert kiosk.scan_input.hasFocus()  # the buttons take no focus: the handheld scanner still works
    kiosk.rating.comment.insert("Cán bộ hướng dẫn tận tình")
    with qtbot.waitSignal(kiosk.rating.done, timeout=5000) as done:
        qtbot.mouseClick(buttons[RatingLevel.SATISFIED], Qt.MouseButton.LeftButton)
    assert done.args[0].recorded
    row = Rating.get()
    assert (row.level, row.channel, row.comment, row.dossier.code) == ("satisfied", "kiosk", "Cán bộ hướng dẫn tận tình",
                                                                       code)
    assert kiosk.rating.message.text() == "Cảm ơn ông (bà) đã đánh giá." and not buttons[RatingLevel.SATISFIED].isVisible()
    kiosk.show_idle()
    scan(qtbot, kiosk, make_payload(code))  # the same slip again: thanked, no second rating
    offered(qtbot, kiosk.rating)
    assert not any(b.isVisible() for b in kiosk.rating.buttons.values())
    assert "đã được đánh giá" in kiosk.rating.message.text()
    assert Rating.select().count() == 1
    assert "Lê Thị Hoa" not in visible_text(kiosk)


@pytest.mark.parametrize("steps", [("processing", "resolved"), ("processing",)])
def test_the_kiosk_offers_no_rating_before_the_return(qtbot, kiosk, steps):
    code = make_dossier(*steps)
    scan(qtbot, kiosk, make_payload(code))
    assert kiosk.screen == "result" and kiosk.rating_form is None
    assert not kiosk.rating.isVisible()


def test_the_pickup_desk_shows_the_rating_on_the_citizen_screen(qtbot, office, clock):
    clerk = get_actor("admin")
    ctx = AppContext(actor=clerk, clock=clock, settings=Settings(), office_name="UBND phường Trần Phú",
                     printer=FakePrinter())
    view = PickupView(ctx)
    qtbot.addWidget(view)
    view.resize(1000, 760)
    with qtbot.waitExposed(view):
        view.show()
    qtbot.mouseClick(view.findChild(type(view.return_button), "pickup_citizen_screen"), Qt.MouseButton.LeftButton)
    screen = view.citizen_screen
    assert isinstance(screen, CitizenRatingWindow) and screen.isVisible() and screen.idle.isVisible()
    code = make_ready(clock, "processing", "resolved")
    view.show_code(code)
    answer_return_dialog(qtbot, lambda d: qtbot.keyClick(d.name, Qt.Key.Key_Return))
    with qtbot.waitSignal(ctx.bus.dossier_changed, timeout=5000):
        qtbot.keyClick(view.return_button, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    offered(qtbot, screen.panel)
    assert screen.panel.can_rate and not screen.idle.isVisible()
    with qtbot.waitSignal(screen.panel.done, timeout=5000):
        qtbot.mouseClick(screen.panel.buttons[RatingLevel.VERY_SATISFIED], Qt.MouseButton.LeftButton)
    row = Rating.get()
    assert (row.level, row.channel, row.served_by.username) == ("very_satisfied", "counter_screen", "admin")
    screen.back_timer.timeout.emit()
    assert screen.idle.isVisible() and not screen.panel.isVisible()
    screen.close()


def test_a_failed_rating_says_why_and_lets_the_citizen_try_again(qtbot, office, clock):
    from desk.errors import DeskError
    from desk.services.ratings import RatingForm

    def refuse(*_args, **_kwargs):
        raise DeskError("Phiếu đánh giá không hợp lệ. Vui lòng hỏi cán bộ tại quầy.")

    window = CitizenRatingWindow("UBND phường Trần Phú", clock=clock)
    qtbot.addWidget(window)
    window.panel.submit = refuse
    window.show()
    window.panel.offer(RatingForm(True, code="X", token="Y", message="?", levels=()))
    qtbot.mouseClick(window.panel.buttons[RatingLevel.SATISFIED], Qt.MouseButton.LeftButton)
    assert window.panel.sending is not None and not window.panel.can_rate  # one send at a time
    qtbot.waitUntil(lambda: window.panel.sending is None, timeout=5000)
    assert "không hợp lệ" in window.panel.message.text() and window.panel.can_rate
    assert all(b.isEnabled() and b.isVisible() for b in window.panel.buttons.values())
    assert not Rating.select().exists()
