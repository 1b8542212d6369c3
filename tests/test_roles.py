"""Role checks live in the services, not only in hidden buttons.

Every service action that changes data or exports a file is called as a clerk, a leader and an
admin. The table below is the product rule: clerks do desk work (register, advance, apologize,
their own password); leaders and admins run the office (catalog, calendar, settings and points,
staff, other people's passwords, report exports); only admins touch admin accounts. A refused call
raises PermissionDenied and changes nothing: no row of any table, no file written.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from desk.models import ReceptionPoint
from desk.models.entities import ALL_MODELS
from desk.services import accounts, calendar, catalog, catalog_edit, office, reports
from desk.services.accounts import ROLES, SYSTEM, Actor
from desk.services.clock import LOCAL_TZ
from desk.services.errors import PermissionDenied, ValidationError
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.lifecycle import advance, apologize

PASSWORD = "mật-khẩu-đủ-dài"


def _register(a: Actor, ctx) -> None:
    register(IntakeRequest("T-KS", Applicant(name="Lê Thị Mai")), actor=a)


def _advance(a: Actor, ctx) -> None:
    advance(ctx["code"], "processing", actor=a)


def _apologize(a: Actor, ctx) -> None:
    later = datetime.now(LOCAL_TZ) + timedelta(days=30)
    apologize(ctx["code"], later, reason="Cần xác minh thêm", actor=a)


def _own_password(a: Actor, ctx) -> None:
    accounts.change_password(a, "mật-khẩu-mới-123")


def _save_procedure(a: Actor, ctx) -> None:
    catalog_edit.save_procedure(code="T-NEW", name="Thủ tục mới", field_code="HT", processing_days=3, by=a)


def _retire_procedure(a: Actor, ctx) -> None:
    catalog_edit.set_procedure_active("T-KT", False, by=a)


def _save_field(a: Actor, ctx) -> None:
    catalog_edit.save_field("DD", "Đất đai", 9, by=a)


def _import_catalog(a: Actor, ctx) -> None:
    catalog_edit.import_catalog(ctx["catalog_file"], by=a)


def _export_catalog(a: Actor, ctx) -> None:
    catalog_edit.export_catalog(ctx["out"] / "catalog.xlsx", by=a)


def _set_day(a: Actor, ctx) -> None:
    calendar.set_day(date(2026, 12, 24), "off", "Nghỉ bù", by=a)


def _update_office(a: Actor, ctx) -> None:
    office.update_office(dataclasses.replace(office.get_office_settings(), name="UBND phường Mới"), by=a)


def _add_point(a: Actor, ctx) -> None:
    office.add_point("Điểm tiếp nhận tổ dân phố 5", by=a)


def _update_point(a: Actor, ctx) -> None:
    office.update_point(ctx["point_id"], address="Số 1 Trần Phú", by=a)


def _create_clerk(a: Actor, ctx) -> None:
    accounts.create_staff("new_clerk", "Phạm Văn Nam", "clerk", PASSWORD, by=a)


def _create_admin(a: Actor, ctx) -> None:
    accounts.create_staff("new_admin", "Phạm Văn Quản", "admin", PASSWORD, by=a)


def _update_clerk(a: Actor, ctx) -> None:
    accounts.update_staff("other_clerk", full_name="Trần Thị Bình Mới", by=a)


def _update_admin(a: Actor, ctx) -> None:
    accounts.update_staff("other_admin", full_name="Quản trị mới", by=a)


def _reset_clerk_password(a: Actor, ctx) -> None:
    accounts.change_password(a, "mật-khẩu-mới-123", username="other_clerk")


def _reset_admin_password(a: Actor, ctx) -> None:
    accounts.change_password(a, "mật-khẩu-mới-123", username="other_admin")


def _write_report(a: Actor, ctx) -> None:
    reports.write_report(ctx["out"] / "report.xlsx", "2026-10", by=a)


# action → the least role allowed to do it (admin ⊇ leader ⊇ clerk)
MATRIX: list[tuple[str, str, object]] = [
    ("intake.register", "clerk", _register),
    ("lifecycle.advance", "clerk", _advance),
    ("lifecycle.apologize", "clerk", _apologize),
    ("accounts.change_password (own)", "clerk", _own_password),
    ("catalog_edit.save_procedure", "leader", _save_procedure),
    ("catalog_edit.set_procedure_active", "leader", _retire_procedure),
    ("catalog_edit.save_field", "leader", _save_field),
    ("catalog_edit.import_catalog", "leader", _import_catalog),
    ("catalog_edit.export_catalog", "leader", _export_catalog),
    ("calendar.set_day", "leader", _set_day),
    ("office.update_office", "leader", _update_office),
    ("office.add_point", "leader", _add_point),
    ("office.update_point", "leader", _update_point),
    ("accounts.create_staff (clerk)", "leader", _create_clerk),
    ("accounts.update_staff (clerk)", "leader", _update_clerk),
    ("accounts.change_password (a clerk's)", "leader", _reset_clerk_password),
    ("reports.write_report", "leader", _write_report),
    ("accounts.create_staff (admin)", "admin", _create_admin),
    ("accounts.update_staff (admin)", "admin", _update_admin),
    ("accounts.change_password (an admin's)", "admin", _reset_admin_password),
]

CASES = [
    pytest.param(action, role, ROLES.index(role) >= ROLES.index(least), call,
                 id=f"{action}-{role}-{'allow' if ROLES.index(role) >= ROLES.index(least) else 'deny'}")
    for action, least, call in MATRIX
    for role in ROLES
]


def _snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    return {model._meta.table_name: sorted(model.select().tuples(), key=repr) for model in ALL_MODELS}


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def ctx(office, tmp_path):
    actors = {role: accounts.create_staff(f"a_{role}", f"Cán bộ {role}", role, PASSWORD, by=SYSTEM)
              for role in ROLES}
    accounts.create_staff("other_clerk", "Trần Thị Bình", "clerk", PASSWORD, by=SYSTEM)
    accounts.create_staff("other_admin", "Quản trị hai", "admin", PASSWORD, by=SYSTEM)
    catalog_file = tmp_path / "catalog-in.xlsx"
    catalog.export_xlsx(catalog_file)
    out = tmp_path / "out"
    out.mkdir()
    code = register(IntakeRequest("T-TTHN", Applicant(name="Đỗ Văn Hùng"))).code
    point_id = ReceptionPoint.select().first().id
    return {"actors": actors, "code": code, "catalog_file": catalog_file, "out": out, "point_id": point_id}


def test_matrix_covers_every_role_and_both_outcomes():
    assert {least for _a, least, _c in MATRIX} == set(ROLES)
    assert len(CASES) == len(MATRIX) * len(ROLES)


@pytest.mark.parametrize(("action", "role", "allowed", "call"), CASES)
def test_role_matrix(ctx, action, role, allowed, call):
    actor = ctx["actors"][role]
    before, files_before = _snapshot(), _files(ctx["out"])
    if allowed:
        call(actor, ctx)
        return
    # create_staff reports "only an admin can create another admin" as a problem of the role field
    # (ValidationError, so the form marks it); every other refusal is PermissionDenied.
    refusal = (PermissionDenied, ValidationError) if call is _create_admin else PermissionDenied
    with pytest.raises(refusal) as err:
        call(actor, ctx)
    assert str(err.value).strip(), "a refusal must say why"
    assert _snapshot() == before, f"{action} refused for a {role} but the database changed"
    assert _files(ctx["out"]) == files_before, f"{action} refused for a {role} but a file was written"


def test_report_without_actor_still_works_for_callers_that_check_themselves(ctx):
    """The CLI and the report view check the role themselves and call without ``by``."""
    assert reports.write_report(ctx["out"] / "r.xlsx", "2026-10").exists()
