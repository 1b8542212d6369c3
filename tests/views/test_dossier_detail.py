"""The dossier detail dialog: every move by its buttons, the slips it prints, stale versions."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication

from desk.config import Settings
from desk.hardware.printing import FakePrinter
from desk.models import Dossier
from desk.services import accounts, lifecycle
from desk.services.accounts import get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.dossiers import get_dossier, history
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.kinds import StopCase
from desk.views import dossier_detail, ops
from desk.views.context import AppContext
from desk.views.dossier_detail import DossierDetailDialog, NoteDialog

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=LOCAL_TZ)  # Wednesday; 24/11/2026 is a holiday
MOVES = ("processing", "supplement", "resolved", "returned", "refused", "withdrawn", "stop", "apology")


def t(day, hh, mm=0):
    return datetime(2026, 11, day, hh, mm, tzinfo=LOCAL_TZ)


def add(name, procedure="T-TTHN", received=None, gender="Nam"):
    received = received or t(23, 9)
    return register(IntakeRequest(procedure, Applicant(name=name, gender=gender, phone="0912345678",
                                                       address="Số 5, Tổ 2, phường Trần Phú"),
                                  received_at=received), clock=FixedClock(received), actor=get_actor("admin")).code


@pytest.fixture
def ctx(office, tmp_path):
    actor = accounts.create_staff("hang", "Nguyễn Thị Hằng", "clerk", "Matkhau#2026", by=accounts.SYSTEM)
    return AppContext(actor=actor, clock=FixedClock(NOW), settings=Settings(), office_name="UBND phường Trần Phú",
                      printer=FakePrinter(), output_dir=tmp_path / "slips")


class Answers:
    """Stands in for the clerk at the small input dialogs: records the questions, gives the answers."""

    def __init__(self, monkeypatch):
        self.notes: list[str | None] = []
        self.apology: tuple[str, datetime] | None = None
        self.confirm = True
        self.asked: list[str] = []
        self.reload_messages: list[str] = []
        monkeypatch.setattr(dossier_detail, "ask_note", self._note)
        monkeypatch.setattr(dossier_detail, "ask_apology", self._apology)
        monkeypatch.setattr(dossier_detail, "ask_stop", self._stop)
        self.stop: tuple[StopCase, str] | None = None
        monkeypatch.setattr(dossier_detail, "confirm", self._confirm)
        monkeypatch.setattr(dossier_detail, "ask_reload", self._reload)

    def _note(self, parent, title, explanation, prompt, *, required, default="", ok_text="", multiline=True):
        self.asked.append(f"note:{default}")
        return self.notes.pop(0)

    def _apology(self, parent, info, now):
        self.asked.append("apology")
        return self.apology

    def _stop(self, parent, info):
        self.asked.append("stop")
        return self.stop

    def _confirm(self, parent, title, text):
        self.asked.append("confirm")
        return self.confirm

    def _reload(self, parent, message):
        self.reload_messages.append(message)
        return True


@pytest.fixture
def answers(monkeypatch):
    return Answers(monkeypatch)


def open_dialog(qtbot, ctx, code) -> DossierDetailDialog:
    dialog = DossierDetailDialog(ctx, code)
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    return dialog


def click(qtbot, dialog, key, ctx):
    """Press a move's button; True when the change was recorded (its slip, if any, printed by then)."""
    button = dialog.buttons[key]
    assert button.isVisible() and button.isEnabled(), key
    with qtbot.waitSignal(ctx.bus.dossier_changed, timeout=1000, raising=False) as changed:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    return changed.signal_triggered


def settle(qtbot) -> None:
    """Until the slips started are written and printed (background operations)."""
    qtbot.waitUntil(lambda: not ops.running(), timeout=10_000)


def visible_moves(dialog) -> set[str]:
    return {key for key in MOVES if dialog.buttons[key].isVisible()}


def status(code) -> str:
    return Dossier.get(Dossier.code == code).status


def test_every_transition_by_its_buttons(qtbot, ctx, answers, admin):
    code = add("Nguyễn Văn An")
    dialog = open_dialog(qtbot, ctx, code)
    assert dialog.banner.property("status") == "received" and "Nguyễn Văn An" in dialog.applicant_form.text()
    assert dialog.timeline.rowCount() == 1 and dialog.documents.rowCount() == 1
    assert visible_moves(dialog) == {"processing", "refused", "withdrawn", "stop", "apology"}
    assert dialog.isModal() is False

    assert click(qtbot, dialog, "processing", ctx)
    assert status(code) == "processing" and get_dossier(code, actor=admin).handler == "Nguyễn Thị Hằng"
    assert visible_moves(dialog) == {"supplement", "resolved", "refused", "withdrawn", "stop", "apology"}

    answers.notes.append("Bản sao giấy khai sinh\nẢnh 4x6")
    assert click(qtbot, dialog, "supplement", ctx)
    assert status(code) == "needs_supplement"
    slip = ctx.slip_path(f"mau02_{code}.docx")
    assert slip.exists() and ctx.printer.printed == [slip]
    assert visible_moves(dialog) == {"processing", "withdrawn", "stop", "apology"}

    assert click(qtbot, dialog, "processing", ctx)
    assert click(qtbot, dialog, "resolved", ctx)
    assert status(code) == "resolved" and visible_moves(dialog) == {"returned"}

    answers.notes.append("Nguyễn Văn Bé")
    assert click(qtbot, dialog, "returned", ctx)
    assert answers.asked[-1] == "note:Nguyễn Văn An"  # the recipient is prefilled with the applicant
    info = get_dossier(code, actor=admin)
    assert info.status == "returned" and info.returned_to == "Nguyễn Văn Bé"
    assert visible_moves(dialog) == set()
    assert dialog.banner.property("outcome") == "early"  # returned 25/11, due 27/11
    steps = [(e.from_status, e.to_status, e.actor) for e in history(code, actor=admin)]
    assert steps == [(None, "received", "Quản trị hệ thống"), ("received", "processing", "Nguyễn Thị Hằng"),
                     ("processing", "needs_supplement", "Nguyễn Thị Hằng"),
                     ("needs_supplement", "processing", "Nguyễn Thị Hằng"),
                     ("processing", "resolved", "Nguyễn Thị Hằng"), ("resolved", "returned", "Nguyễn Thị Hằng")]
    assert history(code, actor=admin)[2].note == "Bản sao giấy khai sinh; Ảnh 4x6"  # one item per line, kept apart
    assert dialog.timeline.rowCount() == 6
    assert "Nguyễn Văn Bé" in dialog.timeline.item(5, 3).text()
    assert ctx.printer.printed == [slip]  # moves without a form print nothing


def test_refuse_prints_form_03(qtbot, ctx, answers, admin):
    code = add("Trần Thị Mai", gender="Nữ")
    dialog = open_dialog(qtbot, ctx, code)
    answers.notes.append(None)  # the clerk cancels: nothing happens
    assert not click(qtbot, dialog, "refused", ctx)
    assert status(code) == "received" and ctx.printer.printed == []
    answers.notes.append("Thiếu tờ khai\nGiấy tờ hết hạn")
    assert click(qtbot, dialog, "refused", ctx)
    assert status(code) == "refused"
    assert history(code, actor=admin)[-1].note == "Thiếu tờ khai; Giấy tờ hết hạn"
    assert ctx.printer.printed == [ctx.slip_path(f"mau03_{code}.docx")]
    assert visible_moves(dialog) == set() and dialog.banner.property("outcome") == "refused"


def test_withdraw(qtbot, ctx, answers, admin):
    code = add("Lê Văn Cường")
    dialog = open_dialog(qtbot, ctx, code)
    answers.confirm = True
    answers.notes.append("Công dân xin rút để bổ sung sau")
    assert click(qtbot, dialog, "withdrawn", ctx)
    assert status(code) == "withdrawn" and history(code, actor=admin)[-1].note == "Công dân xin rút để bổ sung sau"
    assert ctx.printer.printed == []


def test_stop_handling_asks_case_and_reason(qtbot, ctx, answers, admin):
    code = add("Trần Văn Bình")
    dialog = open_dialog(qtbot, ctx, code)
    answers.stop = None  # cancelled: nothing changes
    qtbot.mouseClick(dialog.buttons["stop"], Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert status(code) == "received" and answers.asked == ["stop"]
    answers.stop = (StopCase.CANNOT_CONTINUE, "Hồ sơ thuộc diện phải dừng giải quyết")
    assert click(qtbot, dialog, "stop", ctx)
    assert status(code) == "stopped"
    last = history(code, actor=admin)[-1]
    assert (last.action, last.note, last.data) == ("stop", "Hồ sơ thuộc diện phải dừng giải quyết",
                                                   {"case": "cannot_continue"})
    assert visible_moves(dialog) == set() and dialog.banner.property("status") == "stopped"
    change, note = dialog._event_line(last)
    assert "Dừng giải quyết" in change and note.endswith("Hồ sơ thuộc diện phải dừng giải quyết")
    settle(qtbot)
    from docx import Document

    assert ctx.printer.printed == [ctx.slip_path(f"mau05_{code}.docx")]  # the stop notice goes with the stop
    assert "Hồ sơ thuộc diện phải dừng giải quyết" in "\n".join(
        p.text for p in Document(str(ctx.printer.printed[0])).paragraphs)


def test_stop_dialog_needs_a_reason(qtbot, ctx, admin):
    code = add("Đỗ Thị Lan")
    dialog = dossier_detail.StopDialog(get_dossier(code, actor=admin))
    qtbot.addWidget(dialog)
    dialog.accept()
    assert dialog.result() != dossier_detail.QDialog.DialogCode.Accepted and dialog.message.text()
    dialog.case.setCurrentIndex(1)
    dialog.reason.setPlainText("Không đủ điều kiện\nTheo Điều 21")
    assert dialog.value() == (StopCase.CANNOT_CONTINUE, "Không đủ điều kiện; Theo Điều 21")


def test_apology_on_an_overdue_dossier_prints_form_04(qtbot, ctx, answers, admin):
    code = add("Phạm Thị Hoa", "T-KT", received=t(20, 9), gender="Nữ")  # same day: overdue since 20/11
    lifecycle.advance(code, "processing", at=t(20, 10), clock=ctx.clock, actor=admin)
    dialog = open_dialog(qtbot, ctx, code)
    assert dialog.banner.property("outcome") == "overdue"
    new = datetime(2026, 11, 27, 9, 0, tzinfo=LOCAL_TZ)
    answers.apology = ("Chờ xác minh thông tin tại nơi cư trú trước đây", new)
    assert click(qtbot, dialog, "apology", ctx)
    info = get_dossier(code, actor=admin)
    assert info.appointment_at == new and info.due_at == t(20, 17) and info.status == "processing"
    event = history(code, actor=admin)[-1]
    assert (event.action, event.note) == ("apology", "Chờ xác minh thông tin tại nơi cư trú trước đây")
    assert ctx.printer.printed == [ctx.slip_path(f"mau04_{code}.docx")]
    assert "27/11/2026" in dialog.timeline.item(2, 3).text()


def test_print_receipt_and_control_slip(qtbot, ctx, answers):
    code = add("Đỗ Minh Khoa")
    dialog = open_dialog(qtbot, ctx, code)
    qtbot.mouseClick(dialog.buttons["receipt"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.buttons["control"], Qt.MouseButton.LeftButton)  # while the receipt prints
    assert dialog.print_receipt() is None  # the receipt already on its way is not printed twice
    settle(qtbot)
    assert sorted(ctx.printer.printed) == [ctx.slip_path(f"mau01_{code}.docx"), ctx.slip_path(f"mau06_{code}.docx")]
    assert all(p.stat().st_size > 0 for p in ctx.printer.printed)
    assert "fake-" in dialog.notice.text() and code in dialog.notice.text() and dialog.error.isHidden()
    assert dialog.open_file.isHidden()


def test_a_refused_print_says_where_the_slip_is_and_opens_nothing(qtbot, ctx, answers, monkeypatch):
    ctx.printer = FakePrinter(fail=True)
    opened = []
    monkeypatch.setattr(dossier_detail, "open_document", lambda path: opened.append(path) or True)
    for name in ("information", "warning", "critical", "question", "exec"):
        monkeypatch.setattr(f"desk.views.common.QMessageBox.{name}", lambda *a, **k: pytest.fail("a message box"))
    reported = []
    ctx.bus.print_reported.connect(reported.append)
    code = add("Vũ Thị Lan", gender="Nữ")
    dialog = open_dialog(qtbot, ctx, code)
    qtbot.mouseClick(dialog.buttons["receipt"], Qt.MouseButton.LeftButton)
    settle(qtbot)
    slip = ctx.slip_path(f"mau01_{code}.docx")
    assert opened == [] and slip.exists() and ctx.printer.printed == []
    assert str(slip) in dialog.error.text() and "Ctrl+P" in dialog.error.text() and dialog.notice.text() == ""
    assert [(r.code, r.sent, r.path) for r in reported] == [(code, False, slip)]
    assert dialog.open_file.isVisible()
    qtbot.mouseClick(dialog.open_file, Qt.MouseButton.LeftButton)  # the clerk's choice, not automatic
    assert opened == [slip]


def test_the_receipt_is_written_on_the_desks_paper_and_goes_to_its_printer(qtbot, ctx, answers):
    ctx.settings.receipt_paper, ctx.settings.printer = "A5", "Quầy 2"
    code = add("Đinh Văn Tú")
    dialog = open_dialog(qtbot, ctx, code)
    qtbot.mouseClick(dialog.buttons["receipt"], Qt.MouseButton.LeftButton)
    settle(qtbot)
    from docx import Document

    slip = ctx.slip_path(f"mau01_{code}.docx")
    section = Document(str(slip)).sections[0]
    assert round(section.page_width.cm) == 15 and round(section.page_height.cm) == 21  # A5 portrait
    assert ctx.printer.calls == [(slip, "Quầy 2")]


def test_a_stale_version_says_who_changed_it(qtbot, ctx, answers):
    code = add("Hoàng Đức Hải")
    dialog = open_dialog(qtbot, ctx, code)
    shown_version = dialog.info.version
    other = accounts.create_staff("binh", "Trần Văn Bình", "clerk", "Matkhau#2026", by=accounts.SYSTEM)
    lifecycle.apologize(code, NOW + timedelta(days=3), reason="Chờ ký", actor=other, clock=ctx.clock)
    assert not click(qtbot, dialog, "processing", ctx)
    assert status(code) == "received"  # nothing overwritten
    assert len(answers.reload_messages) == 1
    message = answers.reload_messages[0]
    assert "Trần Văn Bình" in message and code in message
    assert dialog.error.isVisible() and "Trần Văn Bình" in dialog.error.text()
    assert dialog.info.version == shown_version + 1  # reloaded: the next try uses the new version
    assert click(qtbot, dialog, "processing", ctx)
    assert status(code) == "processing"


def test_a_refused_move_is_shown_inline(qtbot, ctx, answers, admin):
    code = add("Bùi Văn Nam")
    dialog = open_dialog(qtbot, ctx, code)
    lifecycle.advance(code, "withdrawn", clock=ctx.clock,
                      actor=admin)  # elsewhere; the dialog still offers "processing"
    assert not click(qtbot, dialog, "processing", ctx)
    assert dialog.error.isVisible() and code in dialog.error.text()
    assert status(code) == "withdrawn"


def test_note_dialog_requires_text(qtbot):
    dialog = NoteDialog("Từ chối", "Giải thích", "Lý do:", required=True)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=1000)
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted and dialog.message.text()
    qtbot.keyClicks(dialog.editor, "Thieu to khai")  # QTest types ASCII only
    qtbot.keyClick(dialog.editor, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.editor, "Het han")
    qtbot.keyClick(dialog.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.value() == "Thieu to khai; Het han"


def test_apology_dialog_defaults_after_the_appointment(qtbot, ctx, admin):
    code = add("Phạm Thị Hoa", "T-KT", received=t(20, 9), gender="Nữ")
    dialog = dossier_detail.ApologyDialog(get_dossier(code, actor=admin), NOW)
    qtbot.addWidget(dialog)
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted  # a reason is required
    qtbot.keyClicks(dialog.reason, "Cho xac minh")
    reason, when = dialog.value()
    assert reason == "Cho xac minh" and when > get_dossier(code, actor=admin).appointment_at


def test_unknown_code_raises(ctx):
    from desk.errors import NotFound

    with pytest.raises(NotFound):
        DossierDetailDialog(ctx, "000.00.13.H42-261125-9999")


def test_a_change_waiting_for_the_database_is_made_once_and_prints_after(qtbot, ctx, answers, write_lock):
    """Another desk holds the write lock: the buttons wait, a second press does nothing, and the slip is
    printed only when the change is recorded."""
    code = add("Ngô Thị Lan", gender="Nữ")
    dialog = open_dialog(qtbot, ctx, code)
    answers.notes.append("Thiếu tờ khai")
    lock = write_lock(1.0)
    qtbot.mouseClick(dialog.buttons["refused"], Qt.MouseButton.LeftButton)
    assert dialog.moving is not None and not dialog.buttons["refused"].isEnabled()
    assert not dialog.buttons["withdrawn"].isEnabled() and dialog.notice.text() == dossier_detail._("Saving…")
    assert dialog.withdraw() is None and answers.asked.count("note:") == 1  # nothing asked, nothing done
    qtbot.wait(300)  # the lock still held: the change must still be waiting, so there is nothing to wait for
    assert ctx.printer.printed == [] and status(code) == "received"
    with qtbot.waitSignal(ctx.bus.dossier_changed, timeout=10_000):
        pass
    settle(qtbot)
    assert lock.released.is_set() and status(code) == "refused"
    assert [e.to_status for e in history(code, actor=ctx.actor)] == ["received", "refused"]
    assert ctx.printer.printed == [ctx.slip_path(f"mau03_{code}.docx")] and dialog.moving is None


def test_ctrl_shift_p_previews_the_receipt_and_prints_only_from_the_preview(qtbot, ctx, answers, monkeypatch):
    from desk.hardware import printing

    painted = []
    monkeypatch.setattr(printing, "paint_document", lambda path, printer: painted.append(path))
    code = add("Mai Văn Sơn")
    dialog = open_dialog(qtbot, ctx, code)
    run = dialog.preview_receipt()
    qtbot.waitUntil(lambda: run.dialog is not None, timeout=10_000)
    slip = ctx.slip_path(f"mau01_{code}.docx")
    qtbot.waitUntil(lambda: bool(painted))
    assert painted[0] == slip and ctx.printer.calls == []
    assert dialog.print_receipt() is None  # the receipt waiting in the preview is not printed beside it
    qtbot.mouseClick(run.dialog.print_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert ctx.printer.printed == [slip] and "fake-1" in dialog.notice.text()


def test_a_preview_that_cannot_draw_still_prints_and_says_why(qtbot, ctx, answers, monkeypatch):
    from desk.hardware import printing
    from desk.hardware.printing import PrinterUnavailable

    def refuse(path, printer):
        raise PrinterUnavailable("Không vẽ được trang.")

    monkeypatch.setattr(printing, "paint_document", refuse)
    code = add("Lý Thị Hoa", gender="Nữ")
    dialog = open_dialog(qtbot, ctx, code)
    run = dialog.preview_receipt()
    qtbot.waitUntil(lambda: run.dialog is not None and run.dialog.problem != "", timeout=10_000)
    assert run.dialog.message.isVisible() and run.dialog.message.text() == "Không vẽ được trang."
    run.dialog.accept()
    settle(qtbot)
    assert ctx.printer.printed == [ctx.slip_path(f"mau01_{code}.docx")]
def test_the_apology_proposes_a_working_day_after_the_appointment(qtbot, ctx):
    from desk.services.calendar import load_calendar
    from desk.views.dossier_detail import ApologyDialog

    code = add("Nguyễn Văn Bình", received=t(26, 9))
    info = get_dossier(code, actor=ctx.actor)
    friday = datetime(2026, 11, 27, 16, 30, tzinfo=LOCAL_TZ)  # the day after is a Saturday
    info = dataclasses.replace(info, appointment_at=friday)
    dialog = ApologyDialog(info, NOW, None)
    qtbot.addWidget(dialog)
    proposed = dialog.when.date().toPyDate()
    assert proposed > info.appointment_at.date()
    assert load_calendar().is_working_day(proposed)
    assert proposed == datetime(2026, 11, 30).date()  # Monday, not Saturday 28/11


def test_the_attached_files_are_listed_and_opened(qtbot, ctx, monkeypatch):
    from desk.services.attachments import attach

    opened = []
    monkeypatch.setattr(dossier_detail, "open_document", lambda path: opened.append((path, path.read_bytes())))
    code = add("Phan Thị Thu")
    dialog = open_dialog(qtbot, ctx, code)
    assert dialog.files.rowCount() == 0 and not dialog.open_attached_button.isEnabled()
    scan = b"%PDF-1.4\n%%EOF\n"
    attach(code, scan, component=1, file_name="to-khai.pdf", actor=ctx.actor)
    dialog.reload()
    assert dialog.paper_tabs.tabText(1) == "Tệp số hóa (1)"
    dialog.paper_tabs.setCurrentIndex(1)
    assert dialog.files.rowCount() == 1
    assert [dialog.files.item(0, c).text() for c in range(2)] == ["1. Tờ khai đăng ký", "to-khai.pdf"]
    assert dialog.timeline.item(dialog.timeline.rowCount() - 1, 3).text() == "to-khai.pdf"
    qtbot.mouseClick(dialog.open_attached_button, Qt.MouseButton.LeftButton)
    [(path, content)] = opened
    assert content == scan and path.name.endswith("to-khai.pdf")
    dialog.close()
    assert not path.exists()  # the temporary copy goes with the dialog


def test_a_file_is_attached_from_the_dialog(qtbot, ctx, monkeypatch, tmp_path):
    from desk.services.attachments import list_attachments

    scan = tmp_path / "ket-qua.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    fake = tmp_path / "anh.pdf"
    fake.write_bytes(b"GIF89a not a pdf")
    chosen = [scan, fake, None]
    monkeypatch.setattr(dossier_detail, "choose_file", lambda *a, **k: chosen.pop(0))
    code = add("Phan Văn Tú")
    dialog = open_dialog(qtbot, ctx, code)
    assert [dialog.attach_to.itemText(i) for i in range(dialog.attach_to.count())] == ["1. Tờ khai đăng ký",
                                                                                     "Kết quả"]
    dialog.attach_to.setCurrentIndex(1)  # the result
    with qtbot.waitSignal(ctx.bus.dossier_changed, timeout=2000):
        dialog.attach_file()
    settle(qtbot)
    assert [(a.file_name, a.component) for a in list_attachments(code, actor=ctx.actor)] == [("ket-qua.pdf", None)]
    assert dialog.files.rowCount() == 1 and dialog.attach_to.currentIndex() == 1
    dialog.attach_file()  # not a PDF: refused with the reason, nothing stored
    settle(qtbot)
    qtbot.waitUntil(lambda: dialog.moving is None, timeout=2000)
    assert "PDF, JPEG và PNG" in dialog.error.text()
    assert len(list_attachments(code, actor=ctx.actor)) == 1
    assert dialog.attach_file() is None  # cancelled
