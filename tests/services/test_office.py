"""Office settings and reception points: validation, leaders only, nothing changes when refused."""

from __future__ import annotations

import dataclasses

import pytest

from desk.errors import NotFound, PermissionDenied, ValidationError
from desk.models import Office, ReceptionPoint
from desk.services import office as offices
from desk.services import points
from desk.services.accounts import SYSTEM, Actor, create_staff
from desk.services.calendar import load_calendar


@pytest.fixture
def leader(office) -> Actor:
    return create_staff("lanhdao", "Trần Văn Lãnh", "leader", "matkhau123", by=SYSTEM)


@pytest.fixture
def clerk(office) -> Actor:
    return create_staff("canbo", "Nguyễn Thị Hằng", "clerk", "matkhau123", by=SYSTEM)


def office_rows() -> list:
    return sorted(tuple(sorted(r.items())) for r in Office.select().dicts())


def point_rows() -> list:
    return sorted(tuple(sorted(r.items())) for r in ReceptionPoint.select().dicts())


def test_get_office_settings_reads_the_office(office):
    settings = offices.get_office_settings()
    assert settings.code == "000.00.13.H42"
    assert settings.name == "UBND phường Trần Phú"
    assert settings.hours == "07:30-11:30,13:30-17:00"
    assert settings.no_appointment_weekdays == "2"


def test_leader_updates_identity_hours_and_rule_days(leader):
    changed = dataclasses.replace(
        offices.get_office_settings(), name="  UBND phường  Bắc Hà ", phone="0239 3855 123",
        hours="7:00-11:30, 13:00-16:30", no_appointment_weekdays="4,2")
    saved = offices.update_office(changed, by=leader)
    assert saved.name == "UBND phường Bắc Hà"
    assert saved.hours == "07:00-11:30,13:00-16:30"
    assert saved.no_appointment_weekdays == "2,4"
    assert offices.get_office_settings() == saved
    cal = load_calendar()
    assert f"{cal.hours.closes:%H:%M}" == "16:30"
    assert cal.no_appointment_weekdays == frozenset({2, 4})


def test_office_code_change_is_kept(leader):
    saved = offices.update_office(dataclasses.replace(offices.get_office_settings(), code="000.00.20.H42"), by=leader)
    assert saved.code == "000.00.20.H42"
    assert offices.current_office().code == "000.00.20.H42"


def test_every_problem_is_reported_and_nothing_changes(leader):
    before = office_rows()
    bad = dataclasses.replace(offices.get_office_settings(), code=" ", name="", hours="8h-17h",
                              no_appointment_weekdays="9", phone="9" * 51)
    with pytest.raises(ValidationError) as caught:
        offices.update_office(bad, by=leader)
    assert set(caught.value.problems) == {"code", "name", "hours", "no_appointment_weekdays", "phone"}
    assert office_rows() == before


def test_overlapping_hours_are_refused(leader):
    bad = dataclasses.replace(offices.get_office_settings(), hours="07:30-12:00,11:00-17:00")
    with pytest.raises(ValidationError) as caught:
        offices.update_office(bad, by=leader)
    assert "hours" in caught.value.problems


def test_clerk_cannot_change_the_office(clerk):
    before = office_rows()
    with pytest.raises(PermissionDenied):
        offices.update_office(dataclasses.replace(offices.get_office_settings(), name="Khác"), by=clerk)
    assert office_rows() == before


def test_points_overview_lists_the_office_desk_first(office):
    points = offices.points_overview()
    assert [p.kind for p in points][0] == "office"
    assert {p.name for p in points} >= {"Bộ phận Một cửa UBND phường", "Điểm tiếp nhận điện tử Tổ dân phố 5"}
    five = next(p for p in points if p.name.endswith("5"))
    assert five.weekdays == (0, 1, 2, 3, 4, 5) and five.active


def test_add_point_and_update_it(leader):
    point = offices.add_point("Điểm tiếp nhận điện tử Tổ dân phố 7", "e_point", "Nhà văn hóa TDP 7", "5,0, 1",
                             "07:30-11:30", by=leader)
    assert point.weekdays == (0, 1, 5) and point.hours == "07:30-11:30" and point.active
    assert offices.find_point(point.name).id == point.id
    changed = offices.update_point(point.id, hours="08:00-11:00", weekdays="5", by=leader)
    assert (changed.hours, changed.weekdays, changed.name) == ("08:00-11:00", (5,), point.name)


def test_one_reading_of_weekdays(office):
    assert offices.parse_weekdays(" 4,0, 2,,") == {0, 2, 4}
    for bad in ("7", "01", "x", "-1", "٣", "1" * 5000):  # "٣": a digit to str.isdigit, not a weekday
        with pytest.raises(ValidationError, match="0 .*6"):
            offices.parse_weekdays(f"0,{bad}")
        assert offices.parse_weekdays(f"0,{bad},3", lenient=True) == {0, 3}  # a damaged row still shows
    assert offices.format_weekdays(offices.parse_weekdays("5,0,1")) == "0,1,5"


def test_one_point_value_for_every_screen(office):
    five = next(p for p in offices.points_overview() if p.name.endswith("5"))
    ReceptionPoint.update(weekdays="0,9,x,2").where(ReceptionPoint.id == five.id).execute()  # damaged by hand
    assert {p.id: p for p in points.list_points()}[five.id] == next(
        p for p in offices.points_overview() if p.id == five.id)
    shown = next(p for p in points.list_points() if p.id == five.id)
    assert shown.weekdays == (0, 2) and not shown.is_office and points.PointInfo is offices.PointInfo
    assert next(p for p in points.list_points() if p.kind == "office").is_office
    listed = offices.office_status().to_json()["points"]
    assert next(p for p in listed if p["id"] == five.id)["weekdays"] == "0,2"  # office show's JSON: the stored form


def test_points_are_deactivated_not_deleted(leader):
    point = offices.points_overview()[-1]
    offices.update_point(point.id, active=False, by=leader)
    assert point.id in {p.id for p in offices.points_overview()}
    assert point.id not in {p.id for p in offices.points_overview(include_inactive=False)}
    assert ReceptionPoint.get_by_id(point.id).active is False
    offices.update_point(point.id, active=True, by=leader)
    assert ReceptionPoint.get_by_id(point.id).active is True


def test_point_validation(leader):
    existing = offices.points_overview()[0]
    before = point_rows()
    with pytest.raises(ValidationError) as caught:
        offices.add_point(existing.name, "kiosk", "", "", "whenever", by=leader)
    assert set(caught.value.problems) == {"name", "kind", "weekdays", "hours"}
    with pytest.raises(ValidationError):
        offices.update_point(existing.id, name=" ", by=leader)
    with pytest.raises(NotFound):
        offices.update_point(9999, name="X", by=leader)
    assert point_rows() == before


def test_clerk_cannot_edit_points(clerk):
    before = point_rows()
    with pytest.raises(PermissionDenied):
        offices.add_point("Điểm mới", "e_point", by=clerk)
    with pytest.raises(PermissionDenied):
        offices.update_point(offices.points_overview()[0].id, active=False, by=clerk)
    assert point_rows() == before
