"""The intake form driven like a clerk drives it: keys into whatever has focus, a real SQLite database."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

import pytest
from PyQt6.QtCore import QEvent, Qt
from PyQt6.QtGui import QKeyEvent
from PyQt6.QtWidgets import QApplication, QMessageBox, QWidget

from desk.config import Settings
from desk.hardware.printing import FakePrinter
from desk.services import accounts, dossiers, intake, points
from desk.services.calendar import set_day
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.dossiers import DocumentItem
from desk.services.identity import parse_cccd
from desk.services.setup import SAMPLE_OFFICE, initialize
from desk.views import intake as intake_view
from desk.views.context import AppContext
from desk.views.intake import IntakeView, parse_birth_date
from desk.views.main_window import PAGES, MainWindow

THURSDAY = datetime(2026, 11, 26, 9, 40, tzinfo=LOCAL_TZ)  # 24/11 is a holiday, Wednesday the "no appointment" day
CARD = "042090012345|186543210|Nguyễn Văn An|15031990|Nam|Số 5, Tổ 2, Phường Trần Phú, Hà Tĩnh|10082021"
OFFICE_POINT = "Bộ phận Một cửa UBND phường"
E_POINT = "Điểm tiếp nhận điện tử Tổ dân phố 2"
K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


def make_ctx(tmp_path: Path, *, clock=THURSDAY, printer=None, settings=None) -> AppContext:
    return AppContext(actor=accounts.get_actor("admin"), clock=FixedClock(clock), settings=settings or Settings(),
                      printer=printer or FakePrinter(), output_dir=tmp_path / "slips")


def show(qtbot, widget: QWidget) -> QWidget:
    qtbot.addWidget(widget)
    widget.resize(1100, 800)
    with qtbot.waitExposed(widget):
        widget.show()
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget.window())
    return widget


def focused() -> QWidget:
    return QApplication.focusWidget()


class Clerk:
    """Sends every key to the widget that has focus, and counts what the clerk did."""

    def __init__(self, qtbot):
        self.qtbot = qtbot
        self.actions: list[str] = []

    def press(self, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier, label: str = "") -> None:
        self.actions.append(label or Qt.Key(key).name)
        self.qtbot.keyClick(focused(), key, modifier)

    def type(self, text: str) -> None:
        """Each character is one keystroke (Vietnamese letters come committed from the input method)."""
        self.actions.extend(text)
        for char in text:
            if char.isascii():
                self.qtbot.keyClicks(focused(), char)
            else:  # QTest only knows ASCII keys
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.sendEvent(focused(), QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


@pytest.fixture
def ctx(office, tmp_path) -> AppContext:
    return make_ctx(tmp_path)


@pytest.fixture
def view(qtbot, ctx) -> IntakeView:
    return show(qtbot, IntakeView(ctx))


def saved(finish, view: IntakeView) -> str | None:
    """Ctrl+S and wait for the answer, as the clerk does: the new code, or None when nothing was saved."""
    op = finish(view.save())
    return op.result.code if op.succeeded else None


def fill_applicant(view: IntakeView, **overrides) -> None:
    values = {"name": "Nguyễn Văn An", "id_number": "042090012345", "birth_date": "15/03/1990",
              "address": "Số 5, Tổ 2, Phường Trần Phú", "phone": "0912345678", **overrides}
    for key, value in values.items():
        getattr(view, key).setText(value)
    view.gender.setCurrentIndex(view.gender.findData("Nam"))


# -- registering ----------------------------------------------------------------------------------------
def test_register_with_keyboard_only(qtbot, view, ctx, admin, idle):
    clerk = Clerk(qtbot)
    clerk.press(K.Key_F3)
    assert focused() is view.procedure and view.results.isVisible()
    clerk.type("khai sinh")
    assert view.results.current_procedure().code == "T-KS"  # "Đăng ký khai sinh" before "Đăng ký lại khai sinh"
    clerk.press(K.Key_Return)
    assert view.procedure.text() == "Đăng ký khai sinh" and focused() is view.documents
    assert view.documents.items() == [DocumentItem("Tờ khai đăng ký", 1, "original")]
    assert "26/11/2026" in view.due.text()
    clerk.press(K.Key_2)  # two copies of the form
    clerk.press(K.Key_Tab)
    assert focused() is view.name
    clerk.type("Nguyễn Văn An")
    clerk.press(K.Key_Return)  # Enter moves on like Tab
    assert focused() is view.id_number
    clerk.type("042090012345")
    assert view.id_province.text() == "Hà Tĩnh"
    clerk.press(K.Key_Tab)
    clerk.type("15/03/1990")
    clerk.press(K.Key_Tab)
    assert focused() is view.gender
    first_letter = view.gender.itemText(view.gender.findData("Nam"))[0].upper()  # "Nam" (Vietnamese UI)
    clerk.press(getattr(K, f"Key_{first_letter}"))
    assert view.gender.currentData() == "Nam"
    clerk.press(K.Key_Tab)
    clerk.type("Số 5, Tổ 2, Phường Trần Phú")
    clerk.press(K.Key_Tab)
    assert focused() is view.phone
    clerk.type("0912 345 678")
    clerk.press(K.Key_Tab)
    clerk.type("an@example.com")
    clerk.press(K.Key_Tab)
    assert focused() is view.channel
    with qtbot.waitSignal(ctx.bus.dossier_changed) as changed:
        clerk.press(K.Key_S, CTRL)
    code = changed.args[0]

    info = dossiers.get_dossier(code, actor=admin)
    assert info.code == "000.00.13.H42-261126-0001"
    assert (info.procedure_code, info.applicant_name, info.id_number) == ("T-KS", "Nguyễn Văn An", "042090012345")
    assert (info.birth_date, info.gender, info.phone, info.email) == (date(1990, 3, 15), "Nam", "0912345678",
                                                                     "an@example.com")
    assert info.address == "Số 5, Tổ 2, Phường Trần Phú"
    assert info.documents == (DocumentItem("Tờ khai đăng ký", 2, "original"),)
    assert (info.channel, info.reception_point, info.return_point) == ("direct", OFFICE_POINT, OFFICE_POINT)
    assert info.received_at == THURSDAY and info.due_at == datetime(2026, 11, 26, 17, 0, tzinfo=LOCAL_TZ)
    assert info.received_by == "Quản trị hệ thống"
    receipt = ctx.slip_path(f"{code}-mau01.docx")
    idle()  # the receipt is written and printed in the background
    assert receipt.exists() and ctx.printer.printed == [receipt]
    assert intake_view._("Receipt (Mẫu 01)") in view.saved_print.text() and "fake-1" in view.saved_print.text()
    # The code is shown big, the form is empty for the next citizen, the cursor back in the procedure box.
    assert view.saved_banner.isVisible() and view.saved_code.text() == code
    assert view.name.text() == "" and view.procedure.text() == "" and focused() is view.procedure
    assert view.channel.currentData() == "direct" and view.reception_point.currentText() == OFFICE_POINT


def test_diacritics_free_search_finds_procedures(qtbot, db, tmp_path):
    initialize(SAMPLE_OFFICE, actor=None)  # the full shipped catalog
    view = show(qtbot, IntakeView(make_ctx(tmp_path)))
    assert view.search("khai sinh")[0].name == "Đăng ký khai sinh"
    assert view.search("chung thuc ban sao")[0].name.startswith("Chứng thực bản sao từ bản chính")
    assert view.search("dkks")[0].name == "Đăng ký khai sinh"  # initials
    assert view.search("ks")[0].name == "Đăng ký khai sinh"
    assert view.search("1.001193")[0].name == "Đăng ký khai sinh"  # the code
    view.procedure.setFocus()
    qtbot.keyClicks(view.procedure, "dang ky khai tu")
    assert view.results.isVisible() and view.results.current_procedure().name == "Đăng ký khai tử"
    qtbot.keyClick(view.procedure, K.Key_Down)
    assert view.results.current_procedure() is not None
    qtbot.keyClick(view.procedure, K.Key_Up)
    qtbot.keyClick(view.procedure, K.Key_Return)
    assert view.procedure.text() == "Đăng ký khai tử"
    assert view.documents.rowCount() == 3 and len(view.documents.items()) == 3
    assert "1.000656" in view.procedure_card.text()


def test_result_columns_show_field_and_time(qtbot, view):
    view.procedure.setFocus()
    qtbot.keyClicks(view.procedure, "tinh trang hon nhan")
    row = view.results.topLevelItem(0)
    assert (row.text(0), row.text(1), row.text(2)) == ("Cấp giấy xác nhận tình trạng hôn nhân", "Hộ tịch",
                                                        "3 ngày làm việc")
    qtbot.keyClick(view.procedure, K.Key_Escape)
    assert not view.results.isVisible()
    qtbot.keyClick(view.procedure, K.Key_Down)  # reopens with the first result highlighted
    qtbot.keyClick(view.procedure, K.Key_Tab)  # Tab takes the highlighted result too
    assert view.procedure.text() == "Cấp giấy xác nhận tình trạng hôn nhân"


# -- the citizen ID card -------------------------------------------------------------------------------
def test_paste_cccd_fills_the_applicant_and_shows_problems(qtbot, view):
    view.procedure.setFocus()
    QApplication.clipboard().setText(CARD)
    qtbot.keyClick(focused(), K.Key_V, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert (view.name.text(), view.id_number.text(), view.birth_date.text()) == (
        "Nguyễn Văn An", "042090012345", "15/03/1990")
    assert view.gender.currentData() == "Nam" and view.address.text() == "Số 5, Tổ 2, Phường Trần Phú, Hà Tĩnh"
    assert view.cccd_problems.isHidden() and focused() is view.phone  # the one thing a card does not give

    QApplication.clipboard().setText("hello world, not a card")
    view.paste_cccd()
    assert view.cccd_problems.isVisible() and view.cccd_problems.text()
    assert view.name.text() == "Nguyễn Văn An"  # nothing overwritten by a wrong code

    view.phone.setText("0912345678")
    card = parse_cccd("042195012345||Trần Thị Bình|31022019|Nữ|Tổ 5, Phường Trần Phú|01012022")
    assert card.problems  # 31/02 is not a day
    view.fill_from_identity(card)
    assert view.name.text() == "Trần Thị Bình" and view.gender.currentData() == "Nữ"
    assert view.cccd_problems.isVisible() and "31022019" in view.cccd_problems.text()
    assert view.phone.text() == ""  # another citizen: the previous phone number must not stay


def test_scanner_fill_through_the_bus_and_live_id_check(qtbot, view, ctx):
    ctx.bus.fill_intake.emit(parse_cccd(CARD))
    assert view.name.text() == "Nguyễn Văn An" and focused() is view.phone
    assert view.findChild(QWidget, "error_id_number").isHidden()
    view.id_number.setFocus()
    view.id_number.clear()
    qtbot.keyClicks(view.id_number, "042190012345")  # 4th digit 1 = female, but the card says Nam
    assert view.findChild(QWidget, "error_id_number").isVisible()
    qtbot.keyClicks(view.id_number, "9")  # the field takes 12 digits at most
    assert view.id_number.text() == "042190012345"


def _messages_about_the_id(view) -> list[str]:
    """Every visible line on the form that talks about the ID number."""
    from PyQt6.QtWidgets import QLabel

    shown = [w for w in view.findChildren(QLabel) if w.isVisible() and "042090012345" in w.text()]
    return [w.text() for w in shown]


def test_id_mismatch_is_one_message_that_follows_the_date(qtbot, view):
    """A card whose ID says 1990 and birth date says 1985: one message, gone when the date is put right."""
    view.fill_from_identity(parse_cccd("042090012345|186543210|Nguyễn Văn An|15031985|Nam|Số 5, Tổ 2|10082021"))
    error = view.findChild(QWidget, "error_id_number")
    messages = _messages_about_the_id(view)
    assert len(messages) == 1 and "15/03/1985" in messages[0] and error.isVisible()
    assert view.cccd_problems.isHidden()  # not a second box saying the same

    view.birth_date.setFocus()
    view.birth_date.selectAll()
    qtbot.keyClicks(view.birth_date, "15/03/1991")  # still wrong: the message follows, while typing
    messages = _messages_about_the_id(view)
    assert len(messages) == 1 and "15/03/1991" in messages[0]

    view.birth_date.selectAll()
    qtbot.keyClicks(view.birth_date, "15/03/1990")
    assert _messages_about_the_id(view) == [] and error.isHidden()

    view.gender.setFocus()
    qtbot.keyClick(view.gender, K.Key_Down)  # Nam -> Nữ: the 4th digit says male
    messages = _messages_about_the_id(view)
    assert len(messages) == 1 and error.isVisible()


# -- validation keeps the form --------------------------------------------------------------------------
def test_invalid_phone_shows_inline_and_saves_nothing(qtbot, view, ctx, admin, finish):
    view.choose_procedure("T-KT")
    fill_applicant(view, phone="12345")
    assert saved(finish, view) is None
    error = view.findChild(QWidget, "error_phone")
    assert error.isVisible() and error.text() == intake_view._(
        "Phone number must have 10 or 11 digits and start with 0 (or +84)")
    assert focused() is view.phone
    assert dossiers.recent(actor=admin) == [] and ctx.printer.printed == []
    assert view.name.text() == "Nguyễn Văn An" and view.procedure.text() == "Đăng ký khai tử"
    qtbot.keyClick(view.phone, K.Key_Home)
    qtbot.keyClicks(view.phone, "09123")  # typing clears the message; the fixed form saves
    assert error.isHidden()
    assert saved(finish, view) is not None


def test_missing_procedure_and_bad_date_are_marked_together(qtbot, view, finish):
    fill_applicant(view, birth_date="31/02/1990", name="")
    assert saved(finish, view) is None
    for key in ("procedure", "birth_date", "name"):
        assert view.findChild(QWidget, f"error_{key}").isVisible(), key
    assert focused() is view.procedure and view.results.isVisible()  # straight to picking one


def test_unexpected_error_keeps_the_form(qtbot, view, monkeypatch, finish):
    view.choose_procedure("T-KT")
    fill_applicant(view)

    def broken(*args, **kwargs):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(intake, "register", broken)
    view.phone.setFocus()
    assert saved(finish, view) is None
    assert view.general_error.isVisible() and "connection lost" not in view.general_error.text()
    assert view.name.text() == "Nguyễn Văn An" and view.procedure.text() == "Đăng ký khai tử"
    assert view.phone.text() == "0912345678" and view.phone.isEnabled() and focused() is view.phone
    assert view.save_button.isEnabled() and view.saving is None  # the clerk can simply press Ctrl+S again


# -- the due date --------------------------------------------------------------------------------------
def test_due_date_follows_procedure_and_received_time(qtbot, office, tmp_path, admin, finish):
    view = show(qtbot, IntakeView(make_ctx(tmp_path, clock=datetime(2026, 11, 26, 16, 30, tzinfo=LOCAL_TZ))))
    assert view.due_moment() is None
    view.choose_procedure("T-BS")  # certification: same day, cut-off 15:00
    assert view.due_moment() == datetime(2026, 11, 27, 17, 0, tzinfo=LOCAL_TZ)  # received now, after 15:00
    assert "27/11/2026" in view.due.text()
    view.received_at.setDateTime(view.received_at.dateTime().addSecs(-2 * 3600))  # 14:30: a paper dossier
    assert view.due_moment() == datetime(2026, 11, 26, 17, 0, tzinfo=LOCAL_TZ)
    assert "26/11/2026" in view.due.text()
    view.choose_procedure("T-TTHN")  # 3 working days: Fri 27, Mon 30, Tue 1
    assert "01/12/2026" in view.due.text()
    fill_applicant(view)
    info = dossiers.get_dossier(saved(finish, view), actor=admin)
    assert info.received_at == datetime(2026, 11, 26, 14, 30, tzinfo=LOCAL_TZ)
    assert info.due_at == datetime(2026, 12, 1, 17, 0, tzinfo=LOCAL_TZ)


def test_calendar_change_moves_the_due_date(qtbot, view, ctx):
    view.choose_procedure("T-TTHN")
    assert "01/12/2026" in view.due.text()
    set_day(date(2026, 11, 27), "off", "Nghỉ bù", by=ctx.actor)
    ctx.bus.calendar_changed.emit()
    assert "02/12/2026" in view.due.text()


# -- the clerk's action count ---------------------------------------------------------------------------
def test_action_count_from_scan_to_printed_receipt(qtbot, office, tmp_path, admin, finish, idle):
    """One intake from a CCCD scan to the printed receipt: F3, Down, Enter, Ctrl+S = 4 actions."""
    ctx = make_ctx(tmp_path)
    window = show(qtbot, MainWindow(ctx, pages=(PAGES[0],)))
    view: IntakeView = window.page("intake")
    # The previous citizen, earlier this morning (not counted): a certified copy.
    view.choose_procedure("T-BS")
    fill_applicant(view, id_number="", birth_date="")
    assert saved(finish, view)

    clerk = Clerk(qtbot)
    ctx.bus.fill_intake.emit(parse_cccd(CARD))  # the USB scanner's burst, routed by the wedge dispatcher
    clerk.press(K.Key_F3)  # to the procedure box: recent procedures listed
    clerk.press(K.Key_Down)  # the last one used
    clerk.press(K.Key_Return)  # picked: documents all ticked with the catalog counts
    with qtbot.waitSignal(ctx.bus.dossier_changed) as changed:
        clerk.press(K.Key_S, CTRL, "Ctrl+S")  # save, write Mẫu 01, print
    assert clerk.actions == ["Key_F3", "Key_Down", "Key_Return", "Ctrl+S"]
    assert len(clerk.actions) <= 6
    info = dossiers.get_dossier(changed.args[0], actor=admin)
    assert (info.procedure_code, info.applicant_name, info.id_number, info.birth_date) == (
        "T-BS", "Nguyễn Văn An", "042090012345", date(1990, 3, 15))
    idle()
    assert ctx.printer.printed[-1] == ctx.slip_path(f"{info.code}-mau01.docx")


def test_action_count_with_a_typed_query_over_the_full_catalog(qtbot, db, tmp_path, idle):
    """No history yet: F3, "ks" (initials), Enter, Ctrl+S = 5 actions."""
    initialize(SAMPLE_OFFICE, actor=None)
    admin = accounts.get_actor("admin")
    ctx = make_ctx(tmp_path)
    view = show(qtbot, IntakeView(ctx))
    clerk = Clerk(qtbot)
    ctx.bus.fill_intake.emit(parse_cccd(CARD))
    clerk.press(K.Key_F3)
    clerk.type("ks")
    clerk.press(K.Key_Return)
    with qtbot.waitSignal(ctx.bus.dossier_changed):
        clerk.press(K.Key_S, CTRL, "Ctrl+S")
    assert len(clerk.actions) == 5
    assert dossiers.get_dossier(view.last_code, actor=admin).procedure_name == "Đăng ký khai sinh"
    idle()
    assert len(ctx.printer.printed) == 1


# -- printing, F2 and Ctrl+P ----------------------------------------------------------------------------
@pytest.fixture
def no_message_box(monkeypatch):
    """A modal box would hang the test and stop the clerk: any QMessageBox fails the test instead."""
    def refuse(*args, **kwargs):
        pytest.fail(f"a message box was shown: {args[1:3]}")

    for name in ("information", "warning", "critical", "question", "about"):
        monkeypatch.setattr(QMessageBox, name, refuse)
    monkeypatch.setattr(QMessageBox, "exec", refuse)


def test_printer_failure_saves_and_says_so_in_one_line(qtbot, office, tmp_path, monkeypatch, admin, finish, idle,
                                                      no_message_box):
    opened = []
    monkeypatch.setattr(intake_view, "open_document", lambda path: opened.append(Path(path)) or True)
    ctx = make_ctx(tmp_path, printer=FakePrinter(fail=True))
    window = show(qtbot, MainWindow(ctx, pages=(PAGES[0],)))
    view: IntakeView = window.page("intake")
    view.choose_procedure("T-KT")
    fill_applicant(view)
    code = saved(finish, view)
    idle()
    assert code and dossiers.get_dossier(code, actor=admin).applicant_name == "Nguyễn Văn An"
    receipt = ctx.slip_path(f"{code}-mau01.docx")
    assert receipt.exists() and ctx.printer.printed == [] and len(ctx.printer.calls) == 1
    assert opened == []  # nothing opened by itself
    for line in (view.saved_print.text(), window.print_status.text()):
        assert str(receipt) in line and "Ctrl+P" in line and code in line
        assert "fake-" not in line and "Đã gửi" not in line  # never "sent" for a refused job
    assert view.saved_code.text() == code and view.open_file.isVisible() and window.open_printed.isVisible()
    qtbot.mouseClick(view.open_file, Qt.MouseButton.LeftButton)  # the clerk asks for it
    assert opened == [receipt]
    ctx.printer.fail = False  # the printer is back: Ctrl+P prints the same file
    qtbot.keyClick(focused(), K.Key_P, CTRL)
    idle()
    assert ctx.printer.printed == [receipt] and "fake-1" in view.saved_print.text()
    assert view.open_file.isHidden() and window.open_printed.isHidden() and "fake-1" in window.print_status.text()


def test_new_dossier_asks_before_clearing(qtbot, view, monkeypatch):
    answers = []
    monkeypatch.setattr(intake_view, "confirm", lambda *args: answers.pop(0))
    view.choose_procedure("T-KT")
    fill_applicant(view)
    answers.append(False)
    view.new_dossier()
    assert view.name.text() == "Nguyễn Văn An"
    answers.append(True)
    view.new_dossier()
    assert view.name.text() == "" and view.procedure.text() == "" and focused() is view.procedure
    view.new_dossier()  # nothing typed: no question (answers is empty, pop would fail)


def test_ctrl_p_saves_a_filled_form_then_reprints(qtbot, view, ctx, idle):
    view.choose_procedure("T-KT")
    fill_applicant(view)
    with qtbot.waitSignal(ctx.bus.dossier_changed):
        view.print_current()  # what the main window does on Ctrl+P
    idle()
    assert view.last_code and len(ctx.printer.printed) == 1
    view.print_current()  # empty form: the last receipt again
    idle()
    assert ctx.printer.printed == [ctx.printer.printed[0]] * 2


# -- reception points ------------------------------------------------------------------------------------
def test_points_service_and_defaults(qtbot, office, tmp_path, admin, finish):
    found = points.list_points()
    assert [p.name for p in found][:2] == [OFFICE_POINT, E_POINT]
    assert found[0].is_office and found[1].kind == "e_point" and found[1].weekdays == (0, 1, 2, 3, 4)
    view = show(qtbot, IntakeView(make_ctx(tmp_path, settings=Settings(reception_point=E_POINT))))
    assert view.reception_point.currentText() == E_POINT
    assert view.return_point.currentText() == OFFICE_POINT  # e-point dossiers are collected at the ward office
    view.choose_procedure("T-KT")
    fill_applicant(view)
    info = dossiers.get_dossier(saved(finish, view), actor=admin)
    assert (info.reception_point, info.return_point) == (E_POINT, OFFICE_POINT)
    assert view.reception_point.currentText() == E_POINT  # kept for the next citizen


def test_birth_date_formats():
    assert parse_birth_date("15/03/1990") == date(1990, 3, 15)
    assert parse_birth_date("15-03-1990") == parse_birth_date("15031990") == date(1990, 3, 15)
    assert parse_birth_date("  ") is None
    for bad in ("31/02/1990", "1990", "15/3/90"):
        with pytest.raises(ValueError):
            parse_birth_date(bad)


def test_enter_on_the_save_button_saves_and_escape_closes_the_list(qtbot, view, ctx, idle):
    view.focus_procedure()
    assert view.results.isVisible()  # the recent (here: all) procedures
    qtbot.keyClick(view.procedure, K.Key_Escape)
    assert not view.results.isVisible()
    view.choose_procedure("T-KT")
    fill_applicant(view)
    view.notes.setFocus()
    qtbot.keyClick(view.notes, K.Key_Tab)
    assert focused() is view.save_button
    with qtbot.waitSignal(ctx.bus.dossier_changed):
        qtbot.keyClick(view.save_button, K.Key_Return)
    idle()
    assert view.last_code and len(ctx.printer.printed) == 1


def test_a_scan_that_opens_the_screen_leaves_the_cursor_in_the_phone_field(qtbot, view, ctx, monkeypatch):
    ran: list[bool] = []
    deferred_focus = view._focus_if_empty
    monkeypatch.setattr(view, "_focus_if_empty", lambda: (deferred_focus(), ran.append(True)))
    view.activate()  # the main window shows the screen, then the scan arrives before the next event loop turn
    ctx.bus.fill_intake.emit(parse_cccd(CARD))
    qtbot.waitUntil(lambda: ran == [True], timeout=2000)  # the screen's own late focus has had its turn
    assert focused() is view.phone


def test_action_count_with_a_real_usb_scanner_burst(qtbot, office, tmp_path, admin, finish, idle):
    """End to end: the burst lands in the focused procedure box; the wedge fills the form, keys stay out."""
    from desk.views.scanning import install_scanner

    ctx = make_ctx(tmp_path)
    window = show(qtbot, MainWindow(ctx, pages=(PAGES[0],)))
    dispatcher = install_scanner(window, ctx)
    try:
        view: IntakeView = window.page("intake")
        view.choose_procedure("T-TTHN")  # the previous citizen (not counted)
        fill_applicant(view)
        assert saved(finish, view) and focused() is view.procedure
        ascii_card = "042090012345|186543210|Nguyen Van An|15031990|Nam|So 5, To 2, Phuong Tran Phu|10082021"
        with qtbot.waitSignal(ctx.bus.fill_intake, timeout=1000):
            qtbot.keyClicks(view.procedure, ascii_card)  # as fast as a scanner
            qtbot.keyClick(view.procedure, K.Key_Return)
        assert view.procedure.text() == "" and view.name.text() == "Nguyen Van An" and focused() is view.phone
        clerk = Clerk(qtbot)
        clerk.press(K.Key_F3)
        clerk.press(K.Key_Down)
        clerk.press(K.Key_Return)
        with qtbot.waitSignal(ctx.bus.dossier_changed):
            clerk.press(K.Key_S, CTRL, "Ctrl+S")
        assert len(clerk.actions) == 4
        info = dossiers.get_dossier(view.last_code, actor=admin)
        assert (info.procedure_code, info.id_number, info.address) == ("T-TTHN", "042090012345",
                                                                       "So 5, To 2, Phuong Tran Phu")
        idle()
        assert len(ctx.printer.printed) == 2
    finally:
        QApplication.instance().removeEventFilter(dispatcher.detector)


# -- saving in the background ---------------------------------------------------------------------------
def test_the_window_keeps_turning_while_a_save_waits_for_the_database(qtbot, view, ctx, write_lock, idle):
    """Another desk holds the write lock for 2 s: the save waits in the background, timers keep firing,
    the form says it is saving and cannot change, a second Ctrl+S does nothing, and the receipt is
    printed only when the registration is back."""
    from PyQt6.QtCore import QTimer

    from desk.models import Dossier

    view.choose_procedure("T-KT")
    fill_applicant(view)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    qtbot.waitUntil(lambda: len(ticks) >= 3)  # the loop turns: a stop from here on shows as a gap
    lock = write_lock(2.0)
    view.name.setFocus()
    qtbot.keyClick(view.name, K.Key_S, CTRL)
    assert view.saving is not None and view.saving.running
    assert view.save_button.text() == intake_view._("Saving…") and not view.save_button.isEnabled()
    assert not view.name.isEnabled() and not view.procedure.isEnabled()  # the form being saved stays as it is
    qtbot.wait(500)  # the lock still held: the save must still be waiting, so there is nothing to wait for
    assert view.saving.running and ctx.printer.printed == []  # no receipt before the dossier exists
    assert view.save() is None  # a second Ctrl+S does nothing...
    view.print_current()  # ...nor does Ctrl+P
    with qtbot.waitSignal(ctx.bus.dossier_changed, timeout=10_000):
        pass
    idle()
    timer.stop()
    assert lock.released.is_set()
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert len(ticks) > 50 and max(gaps) < 0.5, max(gaps)  # never frozen while the lock was held
    assert Dossier.select().count() == 1 and len(ctx.printer.printed) == 1
    assert view.saved_code.text() == view.last_code and view.name.text() == ""
    assert view.general_error.isHidden() and all(not label.isVisible() for label in view._errors.values())
    assert view.save_button.isEnabled() and view.name.isEnabled() and focused() is view.procedure


def test_ctrl_s_pressed_twice_registers_once_and_leaves_the_next_form_alone(qtbot, view, ctx, write_lock, idle):
    view.choose_procedure("T-KT")
    fill_applicant(view)
    write_lock(0.5)
    view.name.setFocus()
    with qtbot.waitSignal(ctx.bus.dossier_changed, timeout=10_000):
        qtbot.keyClick(focused(), K.Key_S, CTRL)
        qtbot.keyClick(focused() or view, K.Key_S, CTRL)  # the impatient second press
    idle()
    assert len(dossiers.recent(actor=ctx.actor)) == 1 and len(ctx.printer.printed) == 1
    assert view.general_error.isHidden() and view.findChild(QWidget, "error_procedure").isHidden()  # blank form
    assert view.saving is None and view.procedure.text() == ""


def test_a_card_scanned_while_saving_fills_the_next_form(qtbot, view, ctx, write_lock, finish):
    view.choose_procedure("T-KT")
    fill_applicant(view, name="Trần Văn Bình", id_number="")
    write_lock(0.5)
    op = view.save()
    ctx.bus.fill_intake.emit(parse_cccd(CARD))  # the next citizen's card, scanned at once
    assert view.name.text() == "Trần Văn Bình"  # not mixed into the dossier being saved
    assert finish(op).succeeded
    assert dossiers.get_dossier(op.result.code, actor=ctx.actor).applicant_name == "Trần Văn Bình"
    assert view.name.text() == "Nguyễn Văn An" and view.id_number.text() == "042090012345"
    assert focused() is view.phone


def test_ctrl_s_while_the_receipt_prints_never_prints_the_next_form(qtbot, office, tmp_path, idle, no_message_box):
    """A slow printer (0.5 s): Ctrl+S twice at once, then again on the emptied form while the receipt still
    prints: one dossier, one print of its code, and the blank form gets the usual problems, not a print."""
    ctx = make_ctx(tmp_path, printer=FakePrinter(delay=0.5))
    view = show(qtbot, IntakeView(ctx))
    view.choose_procedure("T-KT")
    fill_applicant(view)
    view.name.setFocus()
    with qtbot.waitSignal(ctx.bus.dossier_changed, timeout=10_000) as changed:
        qtbot.keyClick(focused(), K.Key_S, CTRL)
        qtbot.keyClick(focused() or view, K.Key_S, CTRL)  # the impatient second press
    code = changed.args[0]
    assert view.printing is not None and view.printing.running and view.printing.code == code
    assert view.procedure.text() == "" and view.name.text() == ""  # the next citizen's form, already
    qtbot.keyClick(focused(), K.Key_S, CTRL)  # on the blank form, while the receipt prints
    qtbot.waitUntil(lambda: view.saving is None and (not view.general_error.isHidden()
                                                     or not view.findChild(QWidget, "error_procedure").isHidden()))
    assert view.printing is not None and view.printing.running  # still printing the first one
    qtbot.keyClick(focused(), K.Key_P, CTRL)  # Ctrl+P meanwhile: not a second print of anything
    idle()
    assert [d.code for d in dossiers.recent(actor=ctx.actor)] == [code]
    receipt = ctx.slip_path(f"{code}-mau01.docx")
    assert ctx.printer.calls == [(receipt, "")] and ctx.printer.printed == [receipt]
    assert not view.findChild(QWidget, "error_procedure").isHidden()  # the usual "choose a procedure"
    assert code in view.saved_print.text() and "fake-1" in view.saved_print.text()
    assert view.saved_code.text() == code and view.last_receipt == receipt


def test_the_window_keeps_turning_while_the_receipt_prints(qtbot, office, tmp_path, idle):
    from PyQt6.QtCore import QTimer

    ctx = make_ctx(tmp_path, printer=FakePrinter(delay=1.0))
    view = show(qtbot, IntakeView(ctx))
    view.choose_procedure("T-KT")
    fill_applicant(view)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    qtbot.waitUntil(lambda: len(ticks) >= 3)
    with qtbot.waitSignal(ctx.bus.dossier_changed, timeout=10_000):
        view.save()
    printing_since = len(ticks)
    assert view.printing is not None and view.printing.running and view.name.isEnabled()
    qtbot.keyClicks(view.name, "Tran")  # the next citizen, typed while the printer works
    idle()
    timer.stop()
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert len(ticks) - printing_since > 20 and max(gaps) < 0.5, max(gaps)
    assert view.name.text() == "Tran" and len(ctx.printer.printed) == 1


def test_a_dossier_saved_while_the_previous_receipt_prints_gets_its_own(qtbot, office, tmp_path, idle, finish):
    ctx = make_ctx(tmp_path, printer=FakePrinter(delay=0.5))
    view = show(qtbot, IntakeView(ctx))
    view.choose_procedure("T-KT")
    fill_applicant(view)
    first = saved(finish, view)
    view.choose_procedure("T-KT")
    fill_applicant(view, name="Trần Văn Bình", id_number="")
    second = saved(finish, view)  # while the first receipt still prints
    assert first != second and view.printing is not None and view.printing.code == first
    assert second in view.saved_print.text()  # "waits for the previous one"
    idle()
    assert ctx.printer.printed == [ctx.slip_path(f"{first}-mau01.docx"), ctx.slip_path(f"{second}-mau01.docx")]
    assert second in view.saved_print.text() and "fake-2" in view.saved_print.text()


def test_the_receipt_follows_the_desks_paper_and_printer(qtbot, office, tmp_path, idle, finish):
    from docx import Document

    ctx = make_ctx(tmp_path, settings=Settings(printer="Quầy 1", receipt_paper="A5"))
    view = show(qtbot, IntakeView(ctx))
    view.choose_procedure("T-KT")
    fill_applicant(view)
    code = saved(finish, view)
    idle()
    receipt = ctx.slip_path(f"{code}-mau01.docx")
    assert ctx.printer.calls == [(receipt, "Quầy 1")]
    section = Document(str(receipt)).sections[0]
    assert round(section.page_width.cm, 1) == 14.8 and round(section.page_height.cm, 1) == 21.0


def test_preview_first_prints_only_when_the_clerk_presses_print(qtbot, office, tmp_path, monkeypatch, idle, finish,
                                                               no_message_box):
    from desk.hardware import printing
    from desk.views.common import PrintPreview

    painted = []
    monkeypatch.setattr(printing, "paint_document", lambda path, printer: painted.append(Path(path)))
    ctx = make_ctx(tmp_path, settings=Settings(print_preview=True))
    view = show(qtbot, IntakeView(ctx))
    view.choose_procedure("T-KT")
    fill_applicant(view)
    code = saved(finish, view)
    receipt = ctx.slip_path(f"{code}-mau01.docx")
    qtbot.waitUntil(lambda: view.printing is not None and view.printing.dialog is not None)
    dialog: PrintPreview = view.printing.dialog
    qtbot.waitUntil(lambda: len(painted) > 0)
    assert painted[0] == receipt and ctx.printer.calls == []  # shown, not printed
    dialog.reject()  # closed without printing
    idle()
    assert ctx.printer.calls == [] and intake_view._("The preview was closed without printing.") in view.saved_print.text()
    assert str(receipt) in view.saved_print.text()
    run = view.preview_last()  # Ctrl+Shift+P: the same file, previewed again; Print this time
    qtbot.waitUntil(lambda: run.dialog is not None)
    qtbot.mouseClick(run.dialog.print_button, Qt.MouseButton.LeftButton)
    idle()
    assert ctx.printer.printed == [receipt] and "fake-1" in view.saved_print.text()


def test_the_saved_banner_lists_the_components_still_to_digitise(qtbot, view, ctx, admin, finish):
    import json

    from desk.models import Procedure
    from desk.services.attachments import attach

    marked = [{"name": "Tờ khai đăng ký", "count": 1, "kind": "original"},
              {"name": "Bản sao CCCD", "count": 1, "kind": "copy", "no_digitisation": True}]
    Procedure.update(documents=json.dumps(marked, ensure_ascii=False)).where(Procedure.code == "T-KT").execute()
    view.reload_catalog()
    view.choose_procedure("T-KT")
    fill_applicant(view)
    code = saved(finish, view)
    assert view.saved_missing.isVisible()
    assert view.saved_missing.text() == "Còn phải số hóa: 1. Tờ khai đăng ký"  # the marked copy needs no scan
    attach(code, b"%PDF-1.4\n%%EOF\n", component=1, actor=admin)
    view._show_missing(code)
    assert not view.saved_missing.isVisible()
