"""The pickup screen: scan or type a slip's code, see the status in a big banner, hand the result over."""

from __future__ import annotations

from datetime import datetime

import pytest
from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtWidgets import QApplication, QFrame

from desk.config import Settings
from desk.hardware.printing import FakePrinter
from desk.i18n import _
from desk.models import Dossier, DossierEvent
from desk.services import lifecycle
from desk.services.accounts import SYSTEM, Actor, create_staff, get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.dossiers import Status, get_dossier, history
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.payload import make_payload
from desk.views.context import AppContext
from desk.views.pickup import PickupView, ReturnDialog

CLERK = Actor(None, "hang", "Nguyễn Thị Hằng", "clerk")


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LOCAL_TZ)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(t(26, 10))


@pytest.fixture
def ctx(office, clock) -> AppContext:
    """A real clerk account: the audit trail names the account row, not whatever an Actor claims."""
    clerk = create_staff(CLERK.username, CLERK.full_name, CLERK.role, "Matkhau#2026", by=SYSTEM)
    return AppContext(actor=clerk, clock=clock, settings=Settings(), office_name="UBND phường Trần Phú",
                      printer=FakePrinter())


@pytest.fixture
def view(qtbot, office, ctx) -> PickupView:
    view = PickupView(ctx)
    qtbot.addWidget(view)
    view.resize(1000, 760)
    with qtbot.waitExposed(view):
        view.show()
    view.activate()
    return view


def make_dossier(clock, *steps: str) -> str:
    """A T-TTHN dossier received Mon 23/11 09:00 (appointment Fri 27/11 17:00), moved through ``steps``."""
    code = register(IntakeRequest("T-TTHN", Applicant(name="Lê Thị Hoa", id_number=""),
                                  received_at=t(23, 9)), clock=clock, actor=get_actor("admin")).code
    for i, step in enumerate(steps):
        note = "Thiếu bản sao giấy khai sinh" if step in ("needs_supplement", "refused") else ""
        lifecycle.advance(code, step, note=note, at=t(24, 9 + i), clock=clock, actor=get_actor("admin"))
    return code


def counts() -> tuple[int, int, list]:
    rows = list(Dossier.select(Dossier.code, Dossier.status, Dossier.version).tuples())
    return Dossier.select().count(), DossierEvent.select().count(), rows


def answer_return_dialog(qtbot, fill) -> list:
    """When the modal "Return the result" dialog opens, let ``fill(dialog)`` answer it like a clerk."""
    seen = []

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, ReturnDialog):
            seen.append(dialog)
            fill(dialog)
        elif len(seen) == 0:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)
    return seen


def test_valid_payload_of_a_ready_dossier(qtbot, view, clock):
    code = make_dossier(clock, "processing", "resolved")
    view.input.setFocus()
    qtbot.keyClicks(view.input, make_payload(code))
    qtbot.keyClick(view.input, Qt.Key.Key_Return)
    assert view.status == "resolved"
    assert view.info.code == code and view.input.text() == code
    assert view.return_button.isEnabled() and view.return_button.hasFocus()  # Enter hands it over
    assert view.fields["applicant"].text() == "Lê Thị Hoa"
    assert view.fields["procedure"].text().startswith("Cấp giấy xác nhận tình trạng hôn nhân")
    assert "17:00 27/11/2026" in view.fields["appointment"].text()
    assert not view.error.isVisible()


@pytest.mark.parametrize(("steps", "status"), [
    ((), "received"),
    (("processing",), "processing"),
    (("processing", "needs_supplement"), "needs_supplement"),
    (("processing", "resolved", "returned"), "returned"),
    (("refused",), "refused"),
    (("withdrawn",), "withdrawn"),
])
def test_banner_for_every_status(view, clock, steps, status):
    code = make_dossier(clock, *steps)
    view.show_code(make_payload(code))
    assert view.status == status
    assert view.banner.isVisible() and view.headline.text()
    assert not view.return_button.isEnabled()
    assert view.open_button.isEnabled()


def test_overdue_dossier_says_so(view, clock):
    code = make_dossier(clock, "processing")
    clock.set(t(30, 9))  # Monday after the Friday appointment
    view.show_code(code)
    assert view.status == "processing"
    assert "#e37400" in view.banner.styleSheet()  # orange: late
    assert "27/11/2026" in view.headline.text()


def test_return_a_ready_dossier_to_a_representative(qtbot, view, clock, ctx, admin):
    code = make_dossier(clock, "processing", "resolved")
    view.show_code(make_payload(code))

    def fill(dialog: ReturnDialog) -> None:
        assert dialog.name.text() == "Lê Thị Hoa"  # the applicant by default
        dialog.representative.click()
        assert dialog.name.text() == ""
        dialog.name.insert("Trần Văn Bình")  # QTest cannot type non-Latin-1 letters; an IME inserts them
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)

    seen = answer_return_dialog(qtbot, fill)
    with qtbot.waitSignal(ctx.bus.dossier_changed, timeout=2000) as changed:
        qtbot.keyClick(view.return_button, Qt.Key.Key_Space)
    assert seen and changed.args == [code]
    info = get_dossier(code, actor=admin)
    assert info.status == Status.RETURNED and info.returned_to == "Trần Văn Bình"
    assert info.returned_at == clock.now()
    last = history(code, actor=admin)[-1]
    assert (last.from_status, last.to_status, last.actor) == ("resolved", "returned", "Nguyễn Thị Hằng")
    assert last.data["returned_to"] == "Trần Văn Bình" and last.note  # noted as a representative
    assert view.status == "returned" and not view.return_button.isEnabled()
    assert view.focusWidget() is view.input  # ready for the next citizen once the dialog is gone


def test_return_to_the_applicant_with_ctrl_enter(qtbot, view, clock, ctx, admin):
    code = make_dossier(clock, "processing", "resolved")
    view.show_code(code)
    seen = answer_return_dialog(qtbot, lambda d: qtbot.keyClick(d.name, Qt.Key.Key_Return))
    with qtbot.waitSignal(ctx.bus.dossier_changed, timeout=5000):
        qtbot.keyClick(view.return_button, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert seen
    info = get_dossier(code, actor=admin)
    assert info.status == Status.RETURNED and info.returned_to == "Lê Thị Hoa"
    assert history(code, actor=admin)[-1].note == ""


def test_cancel_changes_nothing(qtbot, view, clock):
    code = make_dossier(clock, "processing", "resolved")
    view.show_code(code)
    before = counts()
    seen = answer_return_dialog(qtbot, lambda d: qtbot.keyClick(d.name, Qt.Key.Key_Escape))
    assert view.return_result() is None
    assert seen and counts() == before and view.status == "resolved"


def test_recipient_name_is_required(qtbot, view, clock, admin):
    code = make_dossier(clock, "processing", "resolved")
    view.show_code(code)

    def fill(dialog: ReturnDialog) -> None:
        dialog.name.clear()
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
        assert dialog.isVisible() and not dialog.error.isHidden()
        qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)

    answer_return_dialog(qtbot, fill)
    assert view.return_result() is None
    assert get_dossier(code, actor=admin).status == Status.RESOLVED


def test_tampered_payload_shows_red_error_and_changes_nothing(qtbot, view, clock):
    code = make_dossier(clock, "processing", "resolved")
    payload = make_payload(code)
    forged = code[:-1] + ("2" if code[-1] != "2" else "3") + payload[len(code):]
    before = counts()
    view.input.setFocus()
    qtbot.keyClicks(view.input, forged)
    qtbot.keyClick(view.input, Qt.Key.Key_Return)
    assert view.status == "error"
    assert view.error.isVisible() and view.error.text() == _("This QR code has been altered or is damaged")
    assert "#a50e0e" in view.error.styleSheet()  # red
    assert not view.panel.isVisible() and not view.return_button.isEnabled()
    assert view.input.text() == forged  # what was scanned stays there to look at
    assert view.return_result() is None
    assert counts() == before


def test_foreign_and_unknown_codes(view, clock):
    make_dossier(clock)
    view.show_code("000.00.99.X01-261123-0001.AAAAAAAA")
    assert view.status == "error" and view.error.text() == _("This QR code was not issued by this office")
    view.show_code("001090012345|123456789|Nguyễn Văn An|15031990|Nam|Số 5|10082021")
    assert view.status == "error"
    assert view.error.text() == _("This is a citizen ID card (CCCD) QR code, not a dossier slip")
    view.show_code("   ")
    assert view.status == "error"


def test_typed_short_code(qtbot, view, clock):
    code = make_dossier(clock, "processing", "resolved")
    qtbot.keyClicks(view.input, code.split("-", 1)[1])  # "261123-0001", read off the slip
    qtbot.keyClick(view.input, Qt.Key.Key_Return)
    assert view.info.code == code and view.status == "resolved"


def test_someone_else_returned_it_first(qtbot, view, clock, admin, finish):
    code = make_dossier(clock, "processing", "resolved")
    view.show_code(code)
    lifecycle.advance(code, "returned", returned_to="Lê Thị Hoa", clock=clock,
                      actor=admin)  # another desk, same minute
    before = counts()
    assert not finish(view.mark_returned("Trần Văn Bình")).succeeded
    assert view.error.isVisible() and code in view.error.text()
    assert counts() == before
    assert view.status == "returned"  # reloaded: shows what really happened


def test_changes_elsewhere_refresh_the_banner(view, clock, ctx, admin):
    code = make_dossier(clock, "processing")
    view.show_code(code)
    lifecycle.advance(code, "resolved", clock=clock, actor=admin)
    ctx.bus.dossier_changed.emit(code)
    assert view.status == "resolved" and view.return_button.isEnabled()


def test_open_full_dossier_and_f9(qtbot, view, clock, ctx):
    code = make_dossier(clock)
    view.show_code(code)
    with qtbot.waitSignal(ctx.bus.open_dossier, timeout=1000) as opened:
        qtbot.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [code]
    view.open_button.setFocus()
    view.scan()
    assert view.input.hasFocus() and view.input.selectedText() == code


def test_labels_are_large(view, clock):
    code = make_dossier(clock, "processing", "resolved")
    view.show_code(code)
    assert view.findChild(QFrame, "pickup_banner").minimumHeight() >= 100
    assert "font-size: 34px" in view.banner.styleSheet()
    assert "font-size: 30px" in view.fields["applicant"].styleSheet()


def test_the_return_is_recorded_once_while_the_button_waits(qtbot, view, clock, ctx, finish):
    """Pressing again while the return is being recorded does nothing: one return, one audit event."""
    code = make_dossier(clock, "processing", "resolved")
    view.show_code(code)
    before = DossierEvent.select().count()
    op = view.mark_returned("Lê Thị Hoa")
    assert not view.return_button.isEnabled() and view.return_button.text() == _("Recording…")
    assert view.mark_returned("Lê Thị Hoa") is None and view.return_result() is None
    assert finish(op).succeeded
    assert DossierEvent.select().count() == before + 1 and get_dossier(code, actor=ctx.actor).status == Status.RETURNED
    assert view.status == "returned" and view.return_button.text() == _("Return result")


def test_banner_for_a_stopped_dossier(view, clock):
    code = make_dossier(clock, "processing")
    lifecycle.stop(code, reason="Người nộp đề nghị dừng giải quyết", at=t(24, 11), clock=clock,
                   actor=get_actor("admin"))
    view.show_code(make_payload(code))
    assert view.status == "stopped"
    assert "24/11/2026" in view.headline.text() and not view.return_button.isEnabled()


def test_a_slip_link_opens_the_dossier_and_a_foreign_link_does_not(qtbot, view, clock):
    """A slip printed with the office's look-up address holds a link in its QR code (D48)."""
    code = make_dossier(clock, "processing", "resolved")
    view.input.setFocus()
    qtbot.keyClicks(view.input, f"https://tracuu.example.vn/h/{make_payload(code)}")
    qtbot.keyClick(view.input, Qt.Key.Key_Return)
    assert view.status == "resolved" and view.info.code == code and not view.error.isVisible()
    before = counts()
    view.show_code("https://tracuu.example.vn/tin-tuc?id=1")
    assert view.error.isVisible() and "liên kết tra cứu" in view.error.text()
    assert counts() == before
