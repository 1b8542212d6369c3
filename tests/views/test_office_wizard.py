"""The office set-up wizard on an office nobody set up yet (D27): filled like the administrator fills it."""

from __future__ import annotations

from PyQt6.QtWidgets import QApplication, QComboBox, QLineEdit, QWizard

from desk.models import Dossier
from desk.services import accounts
from desk.services import office as office_service
from desk.services.office import is_set_up, points_overview
from desk.views.intake import IntakeView
from desk.views.office_wizard import OfficeWizard
from tests.views.test_intake_view import fill_applicant, make_ctx, show


def _wizard(qtbot) -> OfficeWizard:
    wizard = OfficeWizard(accounts.get_actor("admin"))
    qtbot.addWidget(wizard)
    with qtbot.waitExposed(wizard):
        wizard.show()
    return wizard


def _texts(wizard: OfficeWizard) -> list[str]:
    return ([e.text() for e in wizard.findChildren(QLineEdit)]
            + [c.currentText() for c in wizard.findChildren(QComboBox) if c.isEditable()])


def test_fill_finish_then_a_dossier_is_received(qtbot, bare_office, tmp_path, finish):
    wizard = _wizard(qtbot)
    assert wizard.width() <= 1366 and wizard.height() <= 728
    assert not any("Trần Phú" in t or "000.00.13.H42" in t for t in _texts(wizard))  # nothing of the sample ward
    wizard.next()
    identity = wizard.identity
    assert identity.name.currentText() == "" and identity.code.text() == ""
    assert identity.parent_name.findText("UBND TỈNH ") >= 0  # a suggestion to start from, not a value
    wizard.next()  # nothing typed: the page says what is missing and stays
    assert wizard.currentPage() is identity and "tên cơ quan" in identity.problem.text().lower()
    identity.parent_name.setCurrentIndex(identity.parent_name.findText("UBND TỈNH "))
    identity.parent_name.lineEdit().insert("THỬ NGHIỆM")
    identity.name.lineEdit().setText("UBND xã Thử")
    identity.code.setText("000.00.00 H00")
    wizard.next()
    assert wizard.currentPage() is identity and "35" in identity.problem.text()
    identity.code.setText("000.00.00.h00")
    identity.place.setText("Thử Nghiệm")
    wizard.next()
    assert wizard.currentPage() is wizard.contact and identity.code.text() == "000.00.00.H00"
    wizard.contact.address.setText("Số 1 đường Chính, xã Thử")
    wizard.contact.phone.setText("0239 3855 555")
    wizard.next()
    points = wizard.points_page
    assert points.one.isChecked() and "Bộ phận Một cửa UBND xã Thử" in points.one.text()
    wizard.next()
    assert wizard.currentPage() is wizard.finish
    summary = wizard.finish.summary.text()
    assert "UBND TỈNH THỬ NGHIỆM" in summary and "000.00.00.H00" in summary
    assert not is_set_up()
    wizard.accept()  # Finish
    finish(wizard.saving)
    assert wizard.result() == QWizard.DialogCode.Accepted and wizard.saved.name == "UBND xã Thử"
    settings = office_service.get_office_settings()
    assert is_set_up() and (settings.code, settings.parent_name, settings.place_name, settings.phone) == (
        "000.00.00.H00", "UBND TỈNH THỬ NGHIỆM", "Thử Nghiệm", "0239 3855 555")
    assert [(p.name, p.address) for p in points_overview()] == [("Bộ phận Một cửa UBND xã Thử",
                                                                 "Số 1 đường Chính, xã Thử")]

    view = show(qtbot, IntakeView(make_ctx(tmp_path)))
    assert view.office_gate.isHidden()
    view.choose_procedure("T-KS")
    fill_applicant(view)
    op = finish(view.save())
    assert op.succeeded and op.result.code.startswith("000.00.00.H00-")
    assert Dossier.select().count() == 1


def test_points_listed_in_the_wizard_and_a_refusal_keeps_it_open(qtbot, bare_office, finish):
    wizard = _wizard(qtbot)
    wizard.next()
    wizard.identity.name.lineEdit().setText("Trung tâm Phục vụ hành chính công xã Thử")
    wizard.identity.parent_name.lineEdit().setText("UBND XÃ THỬ")
    wizard.identity.code.setText("000.00.00.H01")
    wizard.next()
    wizard.next()
    page = wizard.points_page
    page.many.setChecked(True)
    assert page.table.rowCount() == 1 and page.table.isEnabled()
    page.add_row("Điểm tiếp nhận điện tử Thôn 3", "e_point", "Nhà văn hóa thôn 3", "0,1,2,3,4,5")
    page.add_row("Điểm tiếp nhận điện tử Thôn 3", "e_point")  # the same name twice: the service refuses
    wizard.next()
    wizard.accept()
    finish(wizard.saving)
    assert wizard.isVisible() and wizard.saved is None and not is_set_up()
    assert "Thôn 3" in wizard.finish.message.text()  # what is wrong, the wizard still open, nothing saved
    page.table.selectRow(2)
    page._remove_row()
    wizard.accept()
    finish(wizard.saving)
    assert wizard.saved is not None and is_set_up()
    assert {p.name for p in points_overview()} == {"Bộ phận Một cửa Trung tâm Phục vụ hành chính công xã Thử",
                                                   "Điểm tiếp nhận điện tử Thôn 3"}


def test_cancel_leaves_the_office_not_set_up_and_the_intake_says_so(qtbot, bare_office, tmp_path, finish,
                                                                    monkeypatch):
    wizard = _wizard(qtbot)
    wizard.reject()  # Cancel
    assert not is_set_up()
    view = show(qtbot, IntakeView(make_ctx(tmp_path)))
    assert view.office_gate.isVisible() and view.gate_button.isVisible()  # the administrator may open the wizard
    message = view.gate_message.text()
    assert "Cài đặt → Cơ quan" in message and "office set" in message
    view.choose_procedure("T-KS")
    fill_applicant(view)
    op = finish(view.save())
    assert not op.succeeded and "chưa được thiết lập" in view.general_error.text()
    assert Dossier.select().count() == 0
    # the button opens the wizard; once it is finished the gate goes away
    opened = []

    def fake_wizard(actor, parent=None, *, clock=None):
        opened.append(actor.username)
        office_service.update_office(office_service.OfficeSettings(code="000.00.00.H02", name="UBND phường Thử"),
                                     by=actor, clock=clock)
        return office_service.get_office_settings()

    monkeypatch.setattr("desk.views.office_wizard.run_office_wizard", fake_wizard)
    view.gate_button.click()
    assert opened == ["admin"] and view.office_gate.isHidden()


def test_a_clerk_is_told_to_ask_the_administrator(qtbot, bare_office, tmp_path):
    from desk.services.accounts import SYSTEM, create_staff, get_actor

    create_staff("clerk1", "Lê Thị Cúc", "clerk", "matkhau-mot-cua", by=SYSTEM)
    ctx = make_ctx(tmp_path)
    ctx.actor = get_actor("clerk1")
    view = show(qtbot, IntakeView(ctx))
    assert view.office_gate.isVisible() and view.gate_button.isHidden()
    assert "quản trị viên" in view.gate_message.text()
    QApplication.processEvents()
