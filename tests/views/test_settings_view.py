"""Settings screen on a real SQLite database and the sandboxed settings file (DESK_CONFIG_DIR)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from PyQt6.QtCore import Qt

from desk.config import Settings, config_path
from desk.errors import PermissionDenied
from desk.hardware.printing import FakePrinter
from desk.models import Office, ReceptionPoint
from desk.services import accounts, office
from desk.services.accounts import SYSTEM, Actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.views.context import AppContext
from desk.views.settings import SettingsView

NOW = datetime(2026, 9, 7, 9, 0, tzinfo=LOCAL_TZ)


def make_view(qtbot, actor: Actor, settings: Settings | None = None) -> SettingsView:
    ctx = AppContext(actor=actor, clock=FixedClock(NOW), settings=settings or Settings(),
                     office_name="UBND phường Trần Phú", database_label="sqlite:///test.db", printer=FakePrinter())
    view = SettingsView(ctx)
    qtbot.addWidget(view)
    view.resize(1100, 760)
    return view


@pytest.fixture
def leader(office) -> Actor:
    return accounts.create_staff("lanhdao", "Trần Văn Lãnh", "leader", "matkhau123", by=SYSTEM)


@pytest.fixture
def clerk(office) -> Actor:
    return accounts.create_staff("canbo", "Nguyễn Thị Hằng", "clerk", "matkhau123", by=SYSTEM)


def ok(finish, op) -> bool:
    """The save's outcome once it is on the screen: True when it was saved."""
    return finish(op).succeeded


def rows(model) -> list:
    return sorted(tuple(sorted(r.items())) for r in model.select().dicts())


def test_desk_reception_point_language_and_database_go_to_the_settings_file(qtbot, leader, tmp_path):
    config_path().unlink(missing_ok=True)
    view = make_view(qtbot, leader)
    tab = view.desk_tab
    point = "Điểm tiếp nhận điện tử Tổ dân phố 5"
    assert tab.point.findData(point) > 0 and tab.point.currentData() == ""
    tab.point.setCurrentIndex(tab.point.findData(point))
    tab.language.setCurrentIndex(tab.language.findData("en"))
    qtbot.keyClicks(tab.camera, "0")
    assert tab.keep_days.value() == 30
    tab.keep_days.setValue(90)
    qtbot.keyClicks(tab.database_url, f"sqlite:///{tmp_path}/office.db")
    with qtbot.waitSignal(view.ctx.bus.office_changed, timeout=1000):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    stored = Settings.load()
    assert config_path().parent == Path(os.environ["DESK_CONFIG_DIR"]) and config_path().exists()
    assert (stored.reception_point, stored.language, stored.camera) == (point, "en", "0")
    assert stored.keep_days == 90
    assert stored.database_url == f"sqlite:///{tmp_path}/office.db"
    assert view.ctx.settings.reception_point == point
    assert "1b5e20" in tab.message.styleSheet() and tab.message.text()


def test_the_scanner_folder_must_be_a_folder_that_can_be_read(qtbot, clerk, tmp_path):
    config_path().unlink(missing_ok=True)
    view = make_view(qtbot, clerk)
    tab = view.desk_tab
    assert tab.scan_folder.text() == ""
    for wrong, words in ((tmp_path / "Máy quét", "không tồn tại"), (tmp_path / "scan.pdf", "là một tệp")):
        (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4\n")
        tab.scan_folder.setText(str(wrong))
        tab.camera.setText("1")
        assert not tab.save()  # one clear line, nothing saved
        assert words in tab.message.text() and str(wrong) in tab.message.text()
        assert "b00020" in tab.scan_folder.styleSheet()
        assert not config_path().exists() and view.ctx.settings.camera == ""
    folder = tmp_path / "Máy quét"
    folder.mkdir()
    tab.scan_folder.setText(f" {folder} ")
    assert tab.save()
    assert Settings.load().scan_folder == str(folder) == view.ctx.settings.scan_folder
    assert tab.scan_folder.styleSheet() == ""
    folder.rmdir()  # the share is away today: the rest of the desk's settings still save
    tab.reload()
    tab.camera.setText("2")
    assert tab.save() and Settings.load().scan_folder == str(folder)
    tab.scan_folder.setText("")
    assert tab.save() and Settings.load().scan_folder == ""


@pytest.fixture
def printers(monkeypatch):
    """The print system of this computer, as Qt would list it."""
    from desk.hardware import printing

    names = ["Canon LBP2900", "Quầy 1 - HP LaserJet"]
    monkeypatch.setattr(printing, "available_printers", lambda: list(names))
    monkeypatch.setattr(printing, "default_printer", lambda: "Canon LBP2900")
    return names


def test_printer_tab_saves_and_the_next_receipt_goes_to_that_printer(qtbot, clerk, printers, finish, tmp_path):
    from desk.views.intake import IntakeView

    config_path().unlink(missing_ok=True)
    view = make_view(qtbot, clerk)  # a clerk sets up the desk's printer
    tab = view.printer_tab
    view.tabs.setCurrentWidget(tab)
    assert [tab.printer.itemData(i) for i in range(tab.printer.count())] == ["", *printers]
    assert "Canon LBP2900" in tab.printer.itemText(0) and tab.paper.currentData() == "A4"
    assert not tab.preview.isChecked()
    tab.printer.setCurrentIndex(tab.printer.findData("Quầy 1 - HP LaserJet"))
    tab.paper.setCurrentIndex(tab.paper.findData("A5"))
    tab.preview.setChecked(True)
    view.save_current()  # Ctrl+S saves the tab shown
    stored = Settings.load()
    assert (stored.printer, stored.receipt_paper, stored.print_preview) == ("Quầy 1 - HP LaserJet", "A5", True)
    assert "Quầy 1 - HP LaserJet" in tab.message.text()
    tab.preview.setChecked(False)
    assert tab.save()

    ctx = view.ctx
    ctx.output_dir = tmp_path / "slips"
    intake = IntakeView(ctx)
    qtbot.addWidget(intake)
    intake.choose_procedure("T-KT")
    for key, value in {"name": "Nguyễn Văn An", "address": "Số 5", "phone": "0912345678"}.items():
        getattr(intake, key).setText(value)
    assert finish(intake.save()).succeeded
    qtbot.waitUntil(lambda: bool(ctx.printer.printed), timeout=10_000)
    assert ctx.printer.calls == [(ctx.slip_path(f"{intake.last_code}-mau01.docx"), "Quầy 1 - HP LaserJet")]


def test_a_printer_no_longer_there_stays_chosen_and_is_marked(qtbot, clerk, printers):
    view = make_view(qtbot, clerk, Settings.parse({"printer": "Máy in cũ", "receipt_paper": "B5"}))
    tab = view.printer_tab
    assert tab.printer.currentData() == "Máy in cũ" and "Máy in cũ" in tab.printer.currentText()
    assert tab.printer.currentText() != "Máy in cũ"  # said to be missing
    assert tab.paper.currentData() == "A4"  # an unknown paper in the file means A4
    printers.clear()
    tab.reload_printers("")
    assert tab.printer.count() == 1 and tab.found.text()


def test_a_bad_database_address_is_refused_and_kept(qtbot, leader):
    config_path().unlink(missing_ok=True)
    view = make_view(qtbot, leader)
    tab = view.desk_tab
    qtbot.keyClicks(tab.database_url, "mysql://x")
    assert tab.save() is False
    assert tab.database_url.text() == "mysql://x" and "b00020" in tab.message.styleSheet()
    assert not config_path().exists()


def test_database_password_is_never_shown(qtbot, leader):
    settings = Settings(database_url="postgresql://desk:secret@db.local/onestop")
    view = make_view(qtbot, leader, settings)
    assert "secret" not in view.desk_tab.database_url.text()
    assert view.desk_tab.save()
    assert Settings.load().database_url == "postgresql://desk:secret@db.local/onestop"  # unchanged, not redacted


@pytest.mark.parametrize("password", ["secret@pa55", "Kq7v:Wx9L/Mn3p#Zz?9", "Kq7v%40Wx9L", "Kẹo Ngọt@🔑"])
def test_no_piece_of_a_database_password_is_shown(qtbot, leader, password):
    url = f"postgresql://desk:{password}@db.local/onestop"
    view = make_view(qtbot, leader, Settings(database_url=url))
    shown = view.desk_tab.database_url.text()
    assert shown == "postgresql://desk:***@db.local/onestop"
    assert not any(password[i:i + 4] in shown for i in range(len(password) - 3))
    assert view.desk_tab.save()
    assert Settings.load().database_url == url  # kept as it was, not replaced by what is shown


def test_office_tab_validates_then_saves(qtbot, leader, finish):
    view = make_view(qtbot, leader)
    tab = view.office_tab
    view.tabs.setCurrentWidget(tab)
    assert tab.inputs["code"].text() == "000.00.13.H42"
    before = rows(Office)
    tab.inputs["hours"].setText("8h-17h")
    tab.inputs["name"].setText("")
    op = tab.save()
    assert not tab.save_button.isEnabled() and tab.save() is None  # saving: the button waits
    assert not ok(finish, op) and tab.save_button.isEnabled()
    assert tab.message.text().count("\n") == 1 and rows(Office) == before
    assert "b00020" in tab.inputs["hours"].styleSheet()
    tab.inputs["hours"].setText("07:00-11:30,13:00-16:30")
    tab.inputs["name"].setText("UBND phường Bắc Hà")
    tab.weekdays.boxes[2].setChecked(False)
    tab.weekdays.boxes[4].setChecked(True)
    with qtbot.waitSignal(view.ctx.bus.office_changed, timeout=5000):
        assert tab.save()
    saved = office.get_office_settings()
    assert (saved.name, saved.hours, saved.no_appointment_weekdays) == (
        "UBND phường Bắc Hà", "07:00-11:30,13:00-16:30", "4")
    assert view.ctx.office_name == "UBND phường Bắc Hà"


def test_office_tab_keeps_the_public_lookup_address(qtbot, leader, finish):
    view = make_view(qtbot, leader)
    tab = view.office_tab
    view.tabs.setCurrentWidget(tab)
    edit = tab.inputs["lookup_url"]
    assert edit.text() == "" and edit.objectName() == "office_lookup_url"
    before = rows(Office)
    edit.setText("http://tracuu.example.vn")
    assert not ok(finish, tab.save())
    assert "https://" in tab.message.text() and rows(Office) == before
    assert "b00020" in edit.styleSheet()
    edit.setText("https://TraCuu.example.vn/")
    with qtbot.waitSignal(view.ctx.bus.office_changed, timeout=5000):
        assert ok(finish, tab.save())
    assert office.get_office_settings().lookup_url == "https://tracuu.example.vn"
    assert edit.text() == "https://tracuu.example.vn"  # shown as stored
    tab.inputs["phone"].setText("0239 3855 123")  # saving another field keeps the address
    assert ok(finish, tab.save())
    assert office.get_office_settings().lookup_url == "https://tracuu.example.vn"


def test_points_tab_adds_and_closes_a_point(qtbot, leader, finish):
    view = make_view(qtbot, leader)
    tab = view.points_tab
    count = tab.table.rowCount()
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    tab.name.setText("Điểm tiếp nhận điện tử Tổ dân phố 9")
    tab.address.setText("Nhà văn hóa Tổ dân phố 9")
    tab.weekdays.set_value("")
    tab.weekdays.boxes[5].setChecked(True)
    tab.hours.setText("07:30-11:30")
    assert ok(finish, tab.save())
    assert tab.table.rowCount() == count + 1
    point = office.find_point("Điểm tiếp nhận điện tử Tổ dân phố 9")
    assert (point.weekdays, point.hours, point.kind) == ("5", "07:30-11:30", "e_point")
    assert view.desk_tab.point.findData(point.name) > 0  # the desk tab can choose it at once
    tab.active.setChecked(False)
    assert ok(finish, tab.save())
    assert ReceptionPoint.get_by_id(point.id).active is False
    assert view.desk_tab.point.findData(point.name) < 0


def test_renaming_this_desks_point_keeps_the_desk_on_it(qtbot, leader, finish):
    config_path().unlink(missing_ok=True)
    view = make_view(qtbot, leader, Settings(reception_point="Điểm tiếp nhận điện tử Tổ dân phố 2"))
    tab = view.points_tab
    row = [p.name for p in tab.points].index("Điểm tiếp nhận điện tử Tổ dân phố 2")
    tab.table.selectRow(row)
    tab.name.setText("Điểm tiếp nhận điện tử Tổ dân phố 2 (mới)")
    assert ok(finish, tab.save())
    assert Settings.load().reception_point == "Điểm tiếp nhận điện tử Tổ dân phố 2 (mới)"
    assert view.desk_tab.point.currentData() == "Điểm tiếp nhận điện tử Tổ dân phố 2 (mới)"


def test_create_a_staff_account_and_log_in_with_it(qtbot, leader, finish):
    view = make_view(qtbot, leader)
    tab = view.staff_tab
    tab.reload(select="admin")
    assert tab.current.username == "admin" and not tab.save_button.isEnabled()  # leaders cannot touch admins
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    assert tab.role.findData("admin") < 0  # nor hand out the admin role
    qtbot.keyClicks(tab.username, "hang_nt")
    tab.full_name.setText("Nguyễn Thị Hằng")
    qtbot.keyClicks(tab.password, "batdau2026")
    assert ok(finish, tab.save()), tab.message.text()
    created = accounts.login("hang_nt", "batdau2026")
    assert created.role == "clerk"
    assert accounts.needs_new_password(created)  # the leader knows it: she chooses her own at first log-in
    assert tab.current.username == "hang_nt" and tab.username.isReadOnly()
    # reset the password: the person must choose a new one at the next log-in
    qtbot.keyClicks(tab.password, "matkhaumoi1")
    assert ok(finish, tab.reset_password())
    assert accounts.needs_new_password(accounts.login("hang_nt", "matkhaumoi1"))
    # make a leader of her, then deactivate the account
    tab.role.setCurrentIndex(tab.role.findData("leader"))
    assert ok(finish, tab.save())
    assert accounts.get_actor("hang_nt").role == "leader"
    tab.active.setChecked(False)
    assert ok(finish, tab.save())
    with pytest.raises(PermissionDenied):
        accounts.login("hang_nt", "matkhaumoi1")


def test_staff_problems_are_shown_inline(qtbot, leader, finish):
    view = make_view(qtbot, leader)
    tab = view.staff_tab
    tab.new_staff()
    qtbot.keyClicks(tab.username, "co dau")
    qtbot.keyClicks(tab.password, "ngan")
    assert not ok(finish, tab.save())
    assert tab.message.text().count("\n") == 2  # user name, full name, password
    assert tab.username.text() == "co dau"


def test_clerk_sees_office_read_only_and_no_staff_tab(qtbot, clerk):
    view = make_view(qtbot, clerk)
    assert view.staff_tab is None
    assert view.tabs.count() == 5  # the printer tab too: it is this desk's, not the office's
    assert view.tabs.indexOf(view.printer_tab) >= 0 and view.printer_tab.save_button.isEnabled()
    assert view.office_tab.inputs["name"].isReadOnly() and not view.office_tab.save_button.isEnabled()
    assert not view.points_tab.save_button.isEnabled() and view.points_tab.name.isReadOnly()
    assert view.desk_tab.database_url.isReadOnly()
    before = (rows(Office), rows(ReceptionPoint))
    view.office_tab.inputs["name"].setText("Khác")
    assert view.office_tab.save() is None
    assert view.points_tab.save() is None
    with pytest.raises(PermissionDenied):
        office.update_office(view.office_tab.values(), by=clerk)
    assert (rows(Office), rows(ReceptionPoint)) == before


def test_everyone_changes_their_own_password(qtbot, clerk, finish):
    view = make_view(qtbot, clerk)
    tab = view.password_tab
    qtbot.keyClicks(tab.current, "saimatkhau")
    qtbot.keyClicks(tab.new, "matkhaumoi1")
    qtbot.keyClicks(tab.repeat, "matkhaumoi1")
    assert not ok(finish, tab.save()) and "b00020" in tab.message.styleSheet()
    assert tab.message.text() == "Mật khẩu hiện tại không đúng."
    assert tab.new.text() == "matkhaumoi1"  # only the wrong current password is cleared
    qtbot.keyClicks(tab.current, "matkhau123")
    qtbot.keyClick(tab.current, Qt.Key.Key_Return)
    finish(tab.saving)
    assert "1b5e20" in tab.message.styleSheet()
    assert accounts.login("canbo", "matkhaumoi1").username == "canbo"
    assert not accounts.needs_new_password(clerk)
