"""The office sets itself up (D27): the identity comes from a person, and nothing official is issued before."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from docx import Document

from desk.errors import OfficeNotSetUp, PermissionDenied, ValidationError
from desk.models import Dossier, Office, ReceptionPoint
from desk.models.db import run_write
from desk.services import demo, documents, office
from desk.services.accounts import get_actor
from desk.services.clock import LOCAL_TZ
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.office import OfficeSettings, PointSpec, check_office_code, is_set_up, set_up_office
from desk.services.setup import SAMPLE_OFFICE

WHEN = datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL_TZ)


def _receive(name: str = "Nguyễn Văn An"):
    return register(IntakeRequest("T-KS", Applicant(name=name), received_at=WHEN), actor=get_actor("admin"))


def _text(path) -> str:
    doc = Document(str(path))
    cells = [p.text for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.mark.parametrize("code, stored", [("000.00.13.H42", "000.00.13.H42"), (" 000.00.00.h00 ", "000.00.00.H00"),
                                          ("G22", "G22"), ("1" * 35, "1" * 35), ("A.B.C", "A.B.C")])
def test_codes_of_decision_20_are_accepted(code, stored):
    assert check_office_code(code) == stored


@pytest.mark.parametrize("code", ["", "1" * 36, "000.00 13", ".000", "000.", "000..13", "000-00", "Đ00",
                                  "０００", "000.\n00"])
def test_other_codes_are_refused_with_the_rule(code):
    with pytest.raises(ValidationError) as err:
        check_office_code(code)
    assert list(err.value.problems) == ["code"]
    if code.strip():
        assert "35" in str(err.value)


def test_nothing_is_received_or_printed_before_the_set_up(any_office, tmp_path):
    """An office that is not set up (the upgraded sample office with real dossiers): every gate holds."""
    admin = get_actor("admin")
    code = _receive().code
    run_write(lambda: Office.update(set_up_at=None).execute())
    with pytest.raises(OfficeNotSetUp, match="Cài đặt → Cơ quan.*office set --code"):
        _receive("Trần Thị Bình")
    for form in ("01", "05"):
        with pytest.raises(OfficeNotSetUp):
            documents.render_form(code, form, tmp_path / f"mau{form}.docx", actor=admin)
    with pytest.raises(OfficeNotSetUp):
        documents.receipt(code, tmp_path / "receipt.docx", actor=admin)
    with pytest.raises(OfficeNotSetUp):
        documents.log_book(date(2026, 11, 1), date(2026, 11, 30), tmp_path / "so.docx", actor=admin)
    assert not list(tmp_path.glob("*.docx")) and Dossier.select().count() == 1
    office.update_office(office.get_office_settings(), by=admin)  # a person confirms who the office is
    assert is_set_up()
    assert _receive("Trần Thị Bình").code.endswith("-0002")
    assert documents.render_form(code, "01", tmp_path / "mau01.docx", actor=admin).exists()


def test_set_up_gives_one_main_point_and_an_empty_parent_line(any_bare_office, tmp_path):
    admin = get_actor("admin")
    with pytest.raises(ValidationError) as err:
        set_up_office(OfficeSettings(code="000.00.00 H00", name=""), by=admin)
    assert set(err.value.problems) == {"code", "name"} and not is_set_up()
    saved = set_up_office(OfficeSettings(code="000.00.00.h00", name="UBND  xã Thử", address="Thôn 1"), by=admin)
    assert (saved.code, saved.name, saved.parent_name) == ("000.00.00.H00", "UBND xã Thử", "")
    assert [(p.name, p.kind, p.address) for p in office.points_overview()] == [
        ("Bộ phận Một cửa UBND xã Thử", "office", "Thôn 1")]
    code = _receive().code
    assert code.startswith("000.00.00.H00-")
    header = Document(str(documents.receipt(code, tmp_path / "mau01.docx", actor=admin))).tables[0].cell(0, 0)
    assert header.paragraphs[0].text == "UBND XÃ THỬ"  # the office stands alone: no empty superior line
    assert "Trần Phú" not in _text(tmp_path / "mau01.docx") and documents.DEMO_MARK not in _text(
        tmp_path / "mau01.docx")
    # set up again later (the wizard a second time): the points it names are added or updated, none removed
    set_up_office(office.get_office_settings(), [PointSpec("Điểm tiếp nhận điện tử Thôn 2", "e_point")], by=admin)
    assert ReceptionPoint.select().count() == 2


def test_points_of_the_wizard_are_checked_all_at_once(any_bare_office):
    admin = get_actor("admin")
    with pytest.raises(ValidationError) as err:
        set_up_office(OfficeSettings(code="000.00.00.H00", name="UBND xã Thử"),
                      [PointSpec("Trụ sở", "office"), PointSpec("Trụ sở", "e_point"),
                       PointSpec("Thôn 3", "e_point", hours="8-17")], by=admin)
    assert set(err.value.problems) == {"point2", "point3"} and not is_set_up()
    assert ReceptionPoint.select().count() == 0  # nothing half-saved


def test_a_clerk_cannot_set_the_office_up(any_bare_office):
    from desk.services.accounts import SYSTEM, create_staff, to_actor

    clerk = to_actor(create_staff("clerk1", "Lê Thị Cúc", "clerk", "matkhau-mot-cua", by=SYSTEM))
    with pytest.raises(PermissionDenied):
        set_up_office(OfficeSettings(code="000.00.00.H00", name="UBND xã Thử"), by=clerk)
    assert not is_set_up()


def test_demo_makes_a_demo_office_whose_documents_say_so(any_bare_office, tmp_path):
    admin = get_actor("admin")
    demo.generate(15, actor=admin, months=1)
    row = Office.get()
    assert row.demo and is_set_up() and row.code == SAMPLE_OFFICE.code  # the sample ward, marked as demo
    code = Dossier.select().first().code
    assert documents.DEMO_MARK in _text(documents.receipt(code, tmp_path / "mau01.docx", actor=admin))
    # a demo office stays one, even renamed
    office.update_office(OfficeSettings(code="000.00.00.H00", name="UBND xã Thử"), by=admin)
    assert Office.get().demo


def test_demo_on_a_real_office_keeps_its_identity_and_marks_it(any_office, tmp_path):
    admin = get_actor("admin")
    office.update_office(OfficeSettings(code="000.00.00.H00", name="UBND xã Thử"), by=admin)
    demo.generate(10, actor=admin, months=1)
    assert Office.get().demo and Office.get().code == "000.00.00.H00"
    _receive()  # a demo office works like any other, but every paper it prints says it is sample data
    path = documents.log_book(date(2026, 11, 1), date(2026, 11, 30), tmp_path / "so.docx", actor=admin)
    assert documents.DEMO_MARK in _text(path)


def test_the_set_up_time_is_the_callers_clock(any_bare_office):
    """Saving the identity stamps the office with the moment of the clock passed down, not the system's."""
    from desk.services.clock import FixedClock, from_db

    admin = get_actor("admin")
    first = FixedClock(datetime(2026, 11, 23, 8, 15))
    set_up_office(OfficeSettings(code="000.00.00.H00", name="UBND xã Thử"), by=admin, clock=first)
    assert from_db(Office.get().set_up_at) == first.now()
    # a later save keeps the moment the office was set up
    office.update_office(OfficeSettings(code="000.00.00.H00", name="UBND xã Thử mới"), by=admin,
                         clock=FixedClock(datetime(2026, 12, 1, 9, 0)))
    assert from_db(Office.get().set_up_at) == first.now()
    # an office not set up (an upgraded register) is set up by the save, at the clock's moment
    run_write(lambda: Office.update(set_up_at=None).execute())
    later = FixedClock(datetime(2026, 12, 2, 10, 30))
    office.update_office(OfficeSettings(code="000.00.00.H00", name="UBND xã Thử"), by=admin, clock=later)
    assert from_db(Office.get().set_up_at) == later.now()
