"""Role checks live in the services, not only in hidden buttons.

Every service action that changes data, exports a file or reads personal data is called as a clerk,
a leader, an admin and as nobody (no account). The table below is the product rule: clerks do desk
work (register, advance, apologize, read dossiers, search, print slips and the log book, their own
password); leaders run the office (catalog, calendar, settings and points, staff, other people's
passwords, report exports); admins set the office up (init), make demo data, move and back up the
database, and touch admin accounts. A refused call raises PermissionDenied and changes nothing: no row
of any table, no file written.

The matrix is complete by construction: every public function of ``desk.services`` is either in
MATRIX (it takes an explicit ``actor``/``by`` with no default) or in NO_ACTOR with the reason it needs
none, and a function in NO_ACTOR that writes to the database (found by reading its code, and the code
it calls) must also be in WRITES_WITHOUT_ACTOR. A new public service function fails
``test_every_public_service_function_is_classified`` until someone decides which it is.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import pkgutil
import textwrap
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from peewee import Model

import desk.services
from desk.errors import DeskError, PermissionDenied, ValidationError
from desk.models import ReceptionPoint
from desk.models.entities import ALL_MODELS
from desk.services import (
    accounts,
    attachments,
    backup,
    calendar,
    catalog,
    catalog_edit,
    catalog_store,
    demo,
    documents,
    dossiers,
    migrate,
    office,
    queue,
    queue_report,
    ratings,
    report_workbook,
    scorecard,
    search,
    setup,
    statistics,
)
from desk.services.accounts import ROLES, SYSTEM, Actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.lifecycle import advance, apologize, stop

PASSWORD = "mật-khẩu-đủ-dài"
NOBODY = "nobody"  # the fourth column: no account at all (actor=None)
WHO = (*ROLES, NOBODY)


def _register(a: Actor, ctx) -> None:
    register(IntakeRequest("T-KS", Applicant(name="Lê Thị Mai")), actor=a)


def _advance(a: Actor, ctx) -> None:
    advance(ctx["code"], "processing", actor=a)


def _apologize(a: Actor, ctx) -> None:
    later = datetime.now(LOCAL_TZ) + timedelta(days=30)
    apologize(ctx["code"], later, reason="Cần xác minh thêm", actor=a)


def _stop(a: Actor, ctx) -> None:
    stop(ctx["code"], reason="Người nộp đề nghị dừng giải quyết", actor=a)


def _attach(a: Actor, ctx) -> None:
    attachments.attach(ctx["code"], b"%PDF-1.4\n%%EOF\n", component=1, actor=a)


def _list_attachments(a: Actor, ctx) -> None:
    assert attachments.list_attachments(ctx["code"], actor=a)


def _open_attachment(a: Actor, ctx) -> None:
    assert attachments.open_attachment(ctx["attachment_id"], actor=a)[1].startswith(b"%PDF-")


def _missing_components(a: Actor, ctx) -> None:
    assert attachments.missing_components(ctx["slip_code"], actor=a)


def _digitisation_counts(a: Actor, ctx) -> None:
    today = datetime.now(LOCAL_TZ).date()
    assert attachments.digitisation_counts(today, today, actor=a)


def _period_digitisation(a: Actor, ctx) -> None:
    stats = statistics.compute_statistics("2026-10")
    assert len(report_workbook.period_digitisation(stats, actor=a).rows) == len(stats.rows)


def _satisfaction(a: Actor, ctx) -> None:
    assert ratings.satisfaction("2026-10", by=a).by_field


def _scorecard(a: Actor, ctx) -> None:
    assert len(scorecard.compute_scorecard("2026-10", by=a).months) == 12


def _get_dossier(a: Actor, ctx) -> None:
    assert dossiers.get_dossier(ctx["code"], actor=a).applicant_name == "Đỗ Văn Hùng"


def _history(a: Actor, ctx) -> None:
    assert dossiers.history(ctx["code"], actor=a)


def _recent(a: Actor, ctx) -> None:
    assert dossiers.recent(10, actor=a)


def _search(a: Actor, ctx) -> None:
    assert search.search(search.DossierFilter(text="hung"), actor=a).rows


def _count(a: Actor, ctx) -> None:
    assert search.count(search.DossierFilter(text="hung"), actor=a) >= 1


def _receipt(a: Actor, ctx) -> None:
    documents.receipt(ctx["slip_code"], ctx["out"] / "01.docx", actor=a)


def _supplement_request(a: Actor, ctx) -> None:
    documents.supplement_request(ctx["slip_code"], ctx["out"] / "02.docx", items=["Bản sao CCCD"], actor=a)


def _refusal(a: Actor, ctx) -> None:
    documents.refusal(ctx["slip_code"], ctx["out"] / "03.docx", reasons=["Sai thẩm quyền"], actor=a)


def _apology_slip(a: Actor, ctx) -> None:
    documents.apology(ctx["slip_code"], ctx["out"] / "04.docx", actor=a)


def _stop_notice(a: Actor, ctx) -> None:
    documents.stop_notice(ctx["slip_code"], ctx["out"] / "05.docx", actor=a)


def _control_slip(a: Actor, ctx) -> None:
    documents.control_slip(ctx["slip_code"], ctx["out"] / "06.docx", actor=a)


def _render_form(a: Actor, ctx) -> None:
    documents.render_form(ctx["slip_code"], "01", ctx["out"] / "mau01.docx", actor=a)


def _log_rows(a: Actor, ctx) -> None:
    today = datetime.now(LOCAL_TZ).date()
    assert documents.log_rows(today, today, datetime.now(LOCAL_TZ), actor=a)


def _log_book(a: Actor, ctx) -> None:
    today = datetime.now(LOCAL_TZ).date()
    documents.log_book(today, today, ctx["out"] / "07.docx", actor=a)


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


def _catalog_import_xlsx(a: Actor, ctx) -> None:
    catalog.import_xlsx(ctx["catalog_file"], by=a)


def _load_seed(a: Actor, ctx) -> None:
    catalog.load_seed(by=a, update_existing=False)


def _apply_catalog(a: Actor, ctx) -> None:
    catalog_store.apply_changes([("DD", "Đất đai", 9)], [], by=a)


def _set_day(a: Actor, ctx) -> None:
    calendar.set_day(date(2026, 12, 24), "off", "Nghỉ bù", by=a)


def _update_office(a: Actor, ctx) -> None:
    office.update_office(dataclasses.replace(office.get_office_settings(), name="UBND phường Mới"), by=a)


def _set_up_office(a: Actor, ctx) -> None:
    office.set_up_office(dataclasses.replace(office.get_office_settings(), name="UBND phường Mới"), by=a)


def _add_point(a: Actor, ctx) -> None:
    office.add_point("Điểm tiếp nhận tổ dân phố 5", by=a)


def _update_point(a: Actor, ctx) -> None:
    office.update_point(ctx["point_id"], address="Số 1 Trần Phú", by=a)


def _list_staff(a: Actor, ctx) -> None:
    assert len(accounts.list_staff(by=a)) >= 5


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
    report_workbook.write_report(ctx["out"] / "report.xlsx", "2026-10", by=a)


def _detail_rows(a: Actor, ctx) -> None:
    with statistics.snapshot():
        list(statistics.detail_rows(statistics.compute_statistics("2026-10"), by=a))


def _call_next(a: Actor, ctx) -> None:
    assert queue.call_next(2, actor=a).number == 2


def _recall(a: Actor, ctx) -> None:
    assert queue.recall(1, actor=a).calls == 2


def _skip(a: Actor, ctx) -> None:
    queue.skip(1, actor=a)


def _link_ticket(a: Actor, ctx) -> None:
    assert queue.link_to_dossier(ctx["ticket_id"], ctx["code"], actor=a).dossier_code == ctx["code"]


def _start_service(a: Actor, ctx) -> None:
    queue.start_service(ctx["ticket_id"], actor=a)


def _save_group(a: Actor, ctx) -> None:
    queue.save_group("HT", "Hộ tịch", fields=["HT"], prefix="HT", by=a)


def _set_counter(a: Actor, ctx) -> None:
    queue.set_counter(2, ["HT"], by=a)


def _queue_workbook(a: Actor, ctx) -> None:
    today = datetime.now(LOCAL_TZ).date()
    queue_report.write_queue_workbook(ctx["out"] / "queue.xlsx", today, today, by=a)


def _initialize(a: Actor, ctx) -> None:
    setup.initialize(actor=a, load_catalog=False)


def _desk_role(a: Actor, ctx) -> None:
    """Allowed for an admin, where SQLite then answers that desk roles are a PostgreSQL thing."""
    try:
        setup.create_desk_role("desk_matrix", "mat-khau-ban-lam-viec", by=a)
    except PermissionDenied:
        raise
    except DeskError as exc:
        assert "PostgreSQL" in str(exc)


def _demo(a: Actor, ctx) -> None:
    demo.generate(5, months=1, actor=a, clock=FixedClock(datetime(2026, 11, 25, 16, 0, tzinfo=LOCAL_TZ)))


def _migrate(a: Actor, ctx) -> None:
    assert migrate.migrate_to(f"sqlite:///{ctx['out'] / 'moved.db'}", actor=a).ok


def _backup(a: Actor, ctx) -> None:
    backup.backup(ctx["out"] / "backup.db", actor=a)


def _auto_backup(a: Actor, ctx) -> None:
    backup.auto_backup(ctx["out"] / "daily", actor=a)


def _restore(a: Actor, ctx) -> None:
    """Over the live register (in place): that needs an administrator of it."""
    from desk.models.entities import database_proxy

    backup.restore(ctx["backup_file"], target_url=f"sqlite:///{database_proxy.obj.database}", actor=a)


# action → the least role allowed to do it (admin ⊇ leader ⊇ clerk; nobody may do none of them).
# The action's name up to " (" is the service function it calls.
MATRIX: list[tuple[str, str, object]] = [
    ("intake.register", "clerk", _register),
    ("lifecycle.advance", "clerk", _advance),
    ("lifecycle.apologize", "clerk", _apologize),
    ("lifecycle.stop", "clerk", _stop),
    ("dossiers.get_dossier", "clerk", _get_dossier),
    ("dossiers.history", "clerk", _history),
    ("dossiers.recent", "clerk", _recent),
    ("attachments.attach", "clerk", _attach),
    ("attachments.list_attachments", "clerk", _list_attachments),
    ("attachments.open_attachment", "clerk", _open_attachment),
    ("attachments.missing_components", "clerk", _missing_components),
    ("attachments.digitisation_counts", "clerk", _digitisation_counts),
    ("report_workbook.period_digitisation", "clerk", _period_digitisation),
    ("ratings.satisfaction", "leader", _satisfaction),
    ("scorecard.compute_scorecard", "leader", _scorecard),
    ("queue.call_next", "clerk", _call_next),
    ("queue.recall", "clerk", _recall),
    ("queue.skip", "clerk", _skip),
    ("queue.link_to_dossier", "clerk", _link_ticket),
    ("queue.start_service", "clerk", _start_service),
    ("queue.save_group", "leader", _save_group),
    ("queue.set_counter", "leader", _set_counter),
    ("queue_report.write_queue_workbook", "leader", _queue_workbook),
    ("search.search", "clerk", _search),
    ("search.count", "clerk", _count),
    ("documents.receipt", "clerk", _receipt),
    ("documents.supplement_request", "clerk", _supplement_request),
    ("documents.refusal", "clerk", _refusal),
    ("documents.apology", "clerk", _apology_slip),
    ("documents.stop_notice", "clerk", _stop_notice),
    ("documents.control_slip", "clerk", _control_slip),
    ("documents.render_form", "clerk", _render_form),
    ("documents.log_rows", "clerk", _log_rows),
    ("documents.log_book", "clerk", _log_book),
    ("accounts.change_password (own)", "clerk", _own_password),
    ("catalog_edit.save_procedure", "leader", _save_procedure),
    ("catalog_edit.set_procedure_active", "leader", _retire_procedure),
    ("catalog_edit.save_field", "leader", _save_field),
    ("catalog_edit.import_catalog", "leader", _import_catalog),
    ("catalog_edit.export_catalog", "leader", _export_catalog),
    ("catalog_excel.import_xlsx", "leader", _catalog_import_xlsx),
    ("catalog_seed.load_seed", "leader", _load_seed),
    ("catalog_store.apply_changes", "leader", _apply_catalog),
    ("calendar.set_day", "leader", _set_day),
    ("office.update_office", "leader", _update_office),
    ("office.set_up_office", "leader", _set_up_office),
    ("office.add_point", "leader", _add_point),
    ("office.update_point", "leader", _update_point),
    ("accounts.list_staff", "leader", _list_staff),
    ("accounts.create_staff (clerk)", "leader", _create_clerk),
    ("accounts.update_staff (clerk)", "leader", _update_clerk),
    ("accounts.change_password (a clerk's)", "leader", _reset_clerk_password),
    ("report_workbook.write_report", "leader", _write_report),
    ("statistics.detail_rows", "leader", _detail_rows),
    ("accounts.create_staff (admin)", "admin", _create_admin),
    ("accounts.update_staff (admin)", "admin", _update_admin),
    ("accounts.change_password (an admin's)", "admin", _reset_admin_password),
    ("setup.initialize (existing database)", "admin", _initialize),
    ("setup.create_desk_role", "admin", _desk_role),
    ("backup.auto_backup", "clerk", _auto_backup),
    ("demo.generate", "admin", _demo),
    ("migrate.migrate_to", "admin", _migrate),
    ("backup.backup", "admin", _backup),
    ("backup.restore", "admin", _restore),
]
NO_REAL_DOSSIERS = {_demo}  # demo refuses a register: these run on an office without dossiers


def _function(action: str):
    module, name = action.split(" (")[0].split(".")
    return getattr(importlib.import_module(f"desk.services.{module}"), name)


def _takes_actor(fn) -> bool:
    return any(p in inspect.signature(fn).parameters for p in ("actor", "by"))


def _allowed(role: str, least: str) -> bool:
    return role != NOBODY and ROLES.index(role) >= ROLES.index(least)


CASES = [
    pytest.param(action, who, _allowed(who, least), call,
                 id=f"{action}-{who}-{'allow' if _allowed(who, least) else 'deny'}")
    for action, least, call in MATRIX
    for who in WHO
]


def _snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    return {model._meta.table_name: sorted(model.select().tuples(), key=repr) for model in ALL_MODELS}


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _with_actor(fn, actor) -> dict:
    return {"actor": actor} if "actor" in inspect.signature(fn).parameters else {}


@pytest.fixture
def ctx(office, tmp_path, monkeypatch):
    monkeypatch.setitem(accounts._SCRYPT, "n", 2**10)  # the accounts of 200 cases; the cost is stored per hash
    actors = {role: accounts.create_staff(f"a_{role}", f"Cán bộ {role}", role, PASSWORD, by=SYSTEM)
              for role in ROLES}
    actors[NOBODY] = None
    accounts.create_staff("other_clerk", "Trần Thị Bình", "clerk", PASSWORD, by=SYSTEM)
    accounts.create_staff("other_admin", "Quản trị hai", "admin", PASSWORD, by=SYSTEM)
    catalog_file = tmp_path / "catalog-in.xlsx"
    catalog.export_xlsx(catalog_file)
    backup_file = tmp_path / "ctx-backup.db"
    out = tmp_path / "out"
    out.mkdir()
    point_id = ReceptionPoint.select().first().id
    data = {"actors": actors, "catalog_file": catalog_file, "backup_file": backup_file, "out": out,
            "point_id": point_id}

    def make_dossiers() -> None:
        clerk = actors["clerk"]
        data["code"] = register(IntakeRequest("T-TTHN", Applicant(name="Đỗ Văn Hùng")), actor=clerk).code
        slip = register(IntakeRequest("T-TTHN", Applicant(name="Đỗ Thị Hoa", gender="Nữ")), actor=clerk).code
        advance(slip, "processing", actor=clerk)
        apologize(slip, datetime.now(LOCAL_TZ) + timedelta(days=20), reason="Cần xác minh", actor=clerk)
        data["slip_code"] = slip
        queue.take("HT")  # the waiting room: ticket 1 called to counter 1, ticket 2 waiting
        queue.take("HT")
        data["ticket_id"] = queue.call_next(1, actor=clerk).id
        data["attachment_id"] = attachments.attach(data["code"], b"%PDF-1.4\n%%EOF\n", component=1, actor=clerk).id

    data["make_dossiers"] = make_dossiers
    data["make_backup"] = lambda: backup.backup(backup_file, **_with_actor(backup.backup, actors["admin"]))
    return data


def test_matrix_covers_every_role_and_both_outcomes():
    assert {least for _a, least, _c in MATRIX} == set(ROLES)
    assert len(CASES) == len(MATRIX) * len(WHO)


@pytest.mark.parametrize(("action", "who", "allowed", "call"), CASES)
def test_role_matrix(ctx, action, who, allowed, call):
    if not _takes_actor(_function(action)):
        pytest.skip(f"{action} takes no actor on this branch yet (issue 9: backup and restore get one)")
    if call not in NO_REAL_DOSSIERS:
        ctx["make_dossiers"]()
    if call is _restore:
        ctx["make_backup"]()
    actor = ctx["actors"][who]
    before, files_before = _snapshot(), _files(ctx["out"])
    if allowed:
        call(actor, ctx)
        return
    # create_staff reports "only an admin can create another admin" as a problem of the role field
    # (ValidationError, so the form marks it); every other refusal is PermissionDenied.
    as_field = call is _create_admin and actor is not None
    refusal = (PermissionDenied, ValidationError) if as_field else PermissionDenied
    with pytest.raises(refusal) as err:
        call(actor, ctx)
    assert str(err.value).strip(), "a refusal must say why"
    assert _snapshot() == before, f"{action} refused for {who} but the database changed"
    assert _files(ctx["out"]) == files_before, f"{action} refused for {who} but a file was written"


@pytest.mark.parametrize(("action", "_least", "_call"), MATRIX, ids=[a for a, _l, _c in MATRIX])
def test_every_action_needs_an_explicit_actor(action, _least, _call):
    """No silent default: leaving the actor out is a TypeError, not "the system" acting."""
    fn = _function(action)
    if not _takes_actor(fn):
        pytest.skip(f"{action} takes no actor on this branch yet")
    params = inspect.signature(fn).parameters
    param = params.get("actor") or params["by"]
    assert param.default is inspect.Parameter.empty, f"{action}: {param.name} has a default"


def test_audit_trail_names_the_account_not_the_system(ctx):
    """Each event records the acting account's id and its name as the staff table has it."""
    from desk.models import DossierEvent, Staff

    clerk = ctx["actors"]["clerk"]
    ctx["make_dossiers"]()
    forged = Actor(clerk.id, clerk.username, "Giám đốc Sở", "admin")  # claims another name and role
    advance(ctx["code"], "processing", actor=forged)
    events = list(DossierEvent.select().order_by(DossierEvent.id))
    assert events and all(e.actor_id == clerk.id and e.actor_name == "Cán bộ clerk" for e in events)
    assert all(e.actor_name != SYSTEM.full_name for e in events)
    for nobody in (SYSTEM, Actor(None, "ai", "Ai đó", "clerk"), Actor(10**6, "ai", "Ai đó", "admin")):
        before = _snapshot()
        with pytest.raises(PermissionDenied):
            register(IntakeRequest("T-KS", Applicant(name="Lê Thị Mai")), actor=nobody)
        assert _snapshot() == before
    accounts.update_staff(clerk.username, active=False, by=ctx["actors"]["admin"])
    with pytest.raises(PermissionDenied):  # deactivated while still logged in at a desk
        advance(ctx["code"], "needs_supplement", note="Thiếu giấy tờ", actor=clerk)
    assert Staff.get_by_id(clerk.id).active is False


def test_demo_refuses_a_register_and_marks_its_data(ctx):
    """demo writes only into a database with no real dossier, and its events say they are demo data."""
    from desk.models import Dossier, DossierEvent

    admin = ctx["actors"]["admin"]
    _demo(admin, ctx)
    assert demo.real_dossiers() == 0 and demo.demo_dossiers() == 5
    events = list(DossierEvent.select())
    made = [e for e in events if e.action not in ("stop", "attach")]
    assert made and all(e.actor_id == admin.id and e.actor_name.startswith(demo.DEMO_ACTOR) for e in made)
    # the few stops and files demo adds go through lifecycle and attachments, in the admin's own name
    assert all(e.actor_id == admin.id and e.actor_name == admin.full_name for e in events if e not in made)
    assert all('"demo": true' in e.data for e in events if e.action == "receive")
    _demo(admin, ctx)  # more demo data on demo data is fine
    ctx["make_dossiers"]()  # now the office holds real dossiers
    before = _snapshot()
    with pytest.raises(PermissionDenied, match="thật|real"):
        _demo(admin, ctx)
    assert _snapshot() == before and Dossier.select().count() == 12


def test_initialize_never_makes_a_second_office(ctx):
    from desk.models import Office

    admin = ctx["actors"]["admin"]
    with pytest.raises(PermissionDenied):
        setup.initialize(setup.OfficeDefaults(code="EVIL.01"), actor=None)
    with pytest.raises(ValidationError, match="office set"):  # a set-up office is changed by office set only
        setup.initialize(setup.OfficeDefaults(code="EVIL.01", name="Kẻ gian"), actor=admin, load_catalog=False)
    setup.initialize(actor=admin, load_catalog=False)
    assert [o.code for o in Office.select()] == ["000.00.13.H42"]


# -- completeness --------------------------------------------------------------------------------
# Public service functions that need no actor, and why. Pure: computes from its arguments.
PURE = {
    "accounts.hash_password", "accounts.verify_password", "accounts.to_actor", "accounts.check_new_password",
    "attachments.media_type_of",
    "barcode.code128_png", "barcode.module_count",
    "calendar.parse_cutoff", "calendar.at_or_after", "calendar.processing_time_label", "catalog_format.format_document",
    "catalog_format.parse_document_line", "catalog_format.documents_from_json", "catalog_format.documents_to_json",
    "catalog_format.is_json_list", "catalog_format.is_blank", "catalog_format.clean_multiline",
    "catalog_format.code_text", "catalog_format.parse_int", "catalog_format.parse_bool", "catalog_format.parse_choice",
    "catalog_format.normalise_cutoff", "catalog_validation.check_procedure", "catalog_validation.check_field",
    "catalog_validation.check_duplicates", "catalog_read.initials", "catalog_read.initials_matches",
    "catalog_read.matching_procedures", "catalog_read.rank_for_intake",
    "clock.aware", "clock.office_time", "clock.to_db", "clock.from_db", "clock.local_date", "clock.parse_datetime",
    "documents.two", "documents.long_date", "documents.long_time", "documents.short_date", "documents.short_time", "documents.honorific",
    "documents.processing_time", "documents.timeliness", "documents.handovers",
    "dossiers.classify", "dossiers.resolution_outcome", "dossiers.load_documents", "dossiers.to_info",
    "identity.province_name", "identity.looks_like_cccd", "identity.parse_cccd", "identity.validate_id_number", "identity.id_number_problems",
    "identity.mask_id", "identity.mask_name", "intake.normalize_phone",
    "kiosk.invalid_answer", "kiosk.format_day", "kiosk.format_moment", "lifecycle.allowed_moves",
    "office.parse_hours", "office.parse_weekdays", "office.format_hours", "office.format_weekdays",
    "payload.check_for", "periods.period_bounds", "periods.as_period", "report_workbook.row_formulas",
    "report_workbook.statistics_json",
    "search.normalise_text",
    "office.check_office_code", "office.check_lookup_url", "payload.slip_qr_text", "payload.looks_like_link",
    "payload.payload_of_link", "office.main_point_name", "office.not_set_up_message", "setup.settings_of",
    "search.urgency_of", "search.release_thread_connection", "search.forget_calendar",
    "queue.ticket_label", "queue.announcement", "queue.percentile", "queue_report.merged",
}
NO_ACTOR: dict[str, str] = {name: "pure: computes from its arguments" for name in PURE} | {
    "backup.desk_sessions": "lists connected sessions for restore, inside its checked call",
    "backup.target_state": "whether a restore target exists; reads no row",
    "limits.char_limit": "pure: reads a model column's declared length",
    "limits.birth_problem": "pure: computes from its arguments",
    "limits.check_name": "pure: computes from its arguments",
    "limits.check_text": "pure: computes from its arguments",
    "limits.day_problem": "pure: computes from its arguments",
    "limits.lookup_text": "pure: computes from its arguments",
    "limits.max_length": "pure: computes from its arguments",
    "limits.moment_in_range": "pure: computes from its arguments",
    "limits.name_problem": "pure: computes from its arguments",
    "limits.receipt_problem": "pure: computes from its arguments",
    "limits.too_long": "pure: computes from its arguments",
    "limits.year_in_range": "pure: computes from its arguments",
    "output.check_output_path": "checks a path; writes nothing",
    "payload.looks_like_slip": "pure: computes from its arguments",
    "scan.is_scan": "pure: computes from its arguments",
    "files.clean_program_folders": "files on disk, never the database: its callers check their actor",
    "accounts.get_actor": "an account by name, for tools and tests; the CLI and the GUI log in with login()",
    "accounts.login": "authentication itself: it makes the Actor the other functions need",
    "accounts.has_accounts": "whether any account exists (restore of an empty target)",
    "accounts.first_start_pending": "whether the first administrator password is still to be chosen",
    "accounts.set_first_admin_password": "the program's first start only: refused once a password is set",
    "accounts.ensure_admin": "a step of setup.initialize, inside its checked transaction",
    "accounts.require": "the role check itself",
    "accounts.acting_staff": "the role check plus the account row for the audit trail",
    "accounts.needs_new_password": "a question about the caller's own account",
    "backup.verify_backup": "reads a backup file's counts and version, no personal data",
    "backup.default_backup_folder": "a path",
    "backup.prune_backups": "removes the program's own old daily copies",
    "calendar.load_calendar": "office days off, no personal data",
    "calendar.list_overrides": "office days off, no personal data",
    "catalog_read.list_fields": "the public catalog",
    "catalog_read.list_procedures": "the public catalog",
    "catalog_read.get_procedure": "the public catalog",
    "catalog_read.search_procedures": "the public catalog",
    "catalog_excel.export_xlsx": "the public catalog (catalog_edit.export_catalog is the leaders' action)",
    "changes.latest_change": "a change mark (the latest event id and time), no personal data",
    "demo.demo_dossiers": "a count",
    "demo.real_dossiers": "a count",
    "dossiers.dossier_row": "the model row for other services inside their own checked call; views never query "
                            "models",
    "intake.validate": "checks a request against the catalog and points",
    "intake.next_sequence": "a step of intake.register, inside its checked transaction",
    "kiosk.lookup": "the citizens' kiosk: masked name and status of a verified slip, read-only",
    "ratings.rating_token": "the rating token of a code under the office's key; no dossier is read",
    "ratings.rating_form_for": "the citizens' rating form of a verified slip: a token and whether rated, nothing "
                               "personal",
    "ratings.rating_form_for_code": "the rating form of the dossier the pickup screen just returned: a token and "
                                    "whether rated, nothing personal",
    "ratings.rate": "a citizen's action (no account): accepted only with the dossier's token, once, after the return",
    "kiosk.enforce_read_only": "switches the kiosk's connection to read-only",
    "kiosk.staff_login_writes": "lets a staff login record its attempt at the kiosk",
    "kiosk.rating_writes": "lets the kiosk record a citizen's rating (ratings.rate checks it)",
    "migrate.table_checksum": "a digest of a table, no rows",
    "office.current_office": "the office's identity, public",
    "office.find_point": "a reception point, public",
    "office.get_office_settings": "the office's identity and hours, public",
    "office.points_overview": "the reception points, public",
    "office.office_status": "the office's identity, whether it is set up, its points: public",
    "office.is_set_up": "whether a person gave the office its identity",
    "office.require_set_up": "the gate before a registration or a document, inside their checked calls",
    "office.ensure_office": "a step of setup.initialize, inside its checked transaction",
    "office.ensure_point": "a step of setup.initialize, inside its checked transaction",
    "payload.make_payload": "the slip's QR text for a code",
    "demo.sample_slips": "slips of demo dossiers only, for trying the kiosk's camera; none on a real register",
    "payload.verify_payload": "checks a slip's QR text",
    "points.list_points": "the reception points, public",
    "statistics.compute_statistics": "counts per field, no personal data (every desk's dashboard)",
    "statistics.monthly_trend": "counts per month, no personal data (every desk's dashboard)",
    "statistics.snapshot": "a read-only transaction around the caller's own checked queries",
    "statistics.explain_queries": "the SQL text of the statistics, for the benchmarks; runs no query of dossiers",
    "xlsx_rows.save": "saves the workbook it is given; write_report calls it inside its checked call",
    "documents.queue_ticket": "the ticket's page: a number, a field, a time; no person's data (the kiosk prints it)",
    "queue.take": "the ticket kiosk: a numbered ticket, no person's data; it writes the queue tables only",
    "kiosk.take_ticket": "the ticket kiosk's one write: queue.take on its read-only connection, lifted for that call only",
    "queue.list_groups": "the kiosk's buttons: catalog fields, public",
    "queue.counter_groups": "which groups a counter calls, public",
    "queue.current_ticket": "a counter's ticket number, no personal data",
    "queue.status": "numbers waiting and called, no personal data (the calling display)",
    "queue.queue_figures": "waiting and service times per field, no personal data (every desk's dashboard)",
    "queue.queue_channel": "the name of the PostgreSQL NOTIFY channel",
    "queue_report.queue_rows": "waiting and service times per field, no personal data (the dashboard)",
    "queue_report.add_queue_sheet": "adds the figures' sheet to the workbook its caller exports, inside its checked call",
    "queue_report.write_queue_sheet": "writes rows its caller read (queue_rows) into its caller's sheet; reads nothing",
    "queue.hears_changes": "which engine: whether NOTIFY reaches the display",
    "queue.listen_for_changes": "wakes the calling display on a NOTIFY; reads no row",
    "sequences.next_value": "a step of intake.register and queue.take, inside their write transactions",
    "scan.interpret": "what a scan is; for a dossier only its code",
    "scan.describe": "a dossier's code and status for the status bar",
    "setup.needs_setup": "whether the database has its office yet",
}
# NO_ACTOR functions that do write to the database, and why that is safe.
WRITES_WITHOUT_ACTOR = {
    "accounts.login": "counts the attempt (the lockout), atomically",
    "accounts.set_first_admin_password": "only while no password was ever set",
    "accounts.ensure_admin": "called by setup.initialize",
    "intake.next_sequence": "called by intake.register",
    "sequences.next_value": "the day counter, called by intake.register and queue.take",
    "queue.take": "the ticket kiosk takes a number: queue tables only, no person's data (D50)",
    "kiosk.take_ticket": "queue.take for the ticket kiosk, its read-only connection lifted for that call only",
    "office.ensure_office": "called by setup.initialize",
    "office.ensure_point": "called by setup.initialize",
    "kiosk.staff_login_writes": "lifts read-only mode for login() only",
    "kiosk.rating_writes": "lifts read-only mode for ratings.rate() only",
    "backup.auto_backup": "the daily copy (no database write of its own)",
    "ratings.rate": "one rating per returned dossier, with the token bound to it; no personal data",
}
# They take an actor but are checks, not actions.
NOT_ACTIONS = {"accounts.require", "accounts.acting_staff", "accounts.needs_new_password"}


def _public_functions() -> dict[str, object]:
    """Every public function of a service module, named ``module.function``; a package's (documents) are
    named by the package: those it exports and those of its public submodules (its ``_`` ones are inside)."""
    found = {}
    for info in pkgutil.iter_modules(desk.services.__path__):
        module = importlib.import_module(f"desk.services.{info.name}")
        modules = [module]
        if info.ispkg:
            modules += [importlib.import_module(sub.name) for sub in pkgutil.iter_modules(
                module.__path__, f"{module.__name__}.") if not sub.name.rsplit(".", 1)[-1].startswith("_")]
        for source in modules:
            for name, fn in vars(source).items():
                if (not name.startswith("_") and inspect.isfunction(fn)
                        and (fn.__module__ == source.__name__
                             or source is module and fn.__module__.startswith(f"{module.__name__}."))):
                    assert found.get(f"{info.name}.{name}", fn) is fn, f"two functions {info.name}.{name}"
                    found[f"{info.name}.{name}"] = fn
    return found


def test_every_public_service_function_is_classified():
    functions = _public_functions()
    in_matrix = {a.split(" (")[0] for a, _l, _c in MATRIX}
    unclassified = sorted(set(functions) - in_matrix - set(NO_ACTOR))
    assert not unclassified, ("new public service functions: add each to MATRIX (it takes actor=/by=) or to "
                              f"NO_ACTOR with the reason it needs none: {unclassified}")
    assert not (in_matrix & set(NO_ACTOR)), in_matrix & set(NO_ACTOR)
    assert not sorted(in_matrix - set(functions)), "MATRIX names a function that does not exist"
    takes_actor = {name for name, fn in functions.items() if _takes_actor(fn)} - NOT_ACTIONS
    assert takes_actor <= in_matrix, f"these take an actor, not in MATRIX: {sorted(takes_actor - in_matrix)}"
    assert not {name for name in NO_ACTOR if name not in NOT_ACTIONS and _takes_actor(functions[name])}


def test_functions_without_an_actor_do_not_write():
    """Read each NO_ACTOR function (and what it calls inside desk.services): none writes to the database
    unless WRITES_WITHOUT_ACTOR says why it may."""
    functions = _public_functions()
    writers = sorted(name for name in NO_ACTOR if name in functions and _writes(functions[name]))
    assert set(writers) <= set(WRITES_WITHOUT_ACTOR), (
        f"these write without an actor: {sorted(set(writers) - set(WRITES_WITHOUT_ACTOR))}")
    assert _writes(register) and _writes(accounts.create_staff) and _writes(demo.generate)  # the reader works
    assert not _writes(catalog.list_procedures) and not _writes(statistics.compute_statistics)


_MODEL_WRITES = {"create", "insert", "insert_many", "insert_from", "update", "delete", "replace", "replace_many",
                 "get_or_create", "bulk_create", "bulk_update", "create_table", "create_tables", "drop_tables"}
_WRITE_CALLS = {"run_write", "write_transaction", "executemany"}
_SQL_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "TRUNCATE")


def _source_tree(fn) -> ast.AST | None:
    try:
        return ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError):
        return None


def _resolve(node: ast.AST, fn, local_imports: dict[str, object]):
    """The object a Name or a dotted Attribute stands for in ``fn``'s module, or None."""
    if isinstance(node, ast.Name):
        if node.id in local_imports:
            return local_imports[node.id]
        return fn.__globals__.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, fn, local_imports)
        return getattr(base, node.attr, None) if inspect.ismodule(base) or inspect.isclass(base) else None
    return None


def _local_imports(tree: ast.AST) -> dict[str, object]:
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("desk"):
            module = importlib.import_module(node.module)
            for alias in node.names:
                found[alias.asname or alias.name] = getattr(module, alias.name, None) or importlib.import_module(
                    f"{node.module}.{alias.name}")
    return found


@cache
def _writes(fn, _seen: frozenset = frozenset()) -> bool:
    tree = _source_tree(fn)
    if tree is None:
        return False
    local = _local_imports(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name in _WRITE_CALLS:
            return True
        if name == "execute_sql":
            sql = node.args[0] if node.args else None
            text = ast.unparse(sql) if sql is not None else ""
            if not isinstance(sql, ast.Constant | ast.JoinedStr) or any(w in text.upper() for w in _SQL_WRITES):
                return True
            continue
        if isinstance(func, ast.Attribute) and name in _MODEL_WRITES:
            receiver = _resolve(func.value, fn, local)
            if inspect.isclass(receiver) and issubclass(receiver, Model):
                return True
        target = _resolve(func, fn, local)
        if (inspect.isfunction(target) and target.__module__.startswith("desk.services")
                and target is not fn and target not in _seen and _writes(target, _seen | {fn})):
            return True
    return False


def test_the_kiosk_cannot_reach_a_writing_service():
    """The kiosk needs no actor because it cannot write: its modules import no service that changes data."""
    root = Path(desk.services.__file__).resolve().parents[1]
    writers = {"intake", "lifecycle", "catalog_edit", "demo", "migrate", "setup", "backup", "documents"}
    for path in (root / "services" / "kiosk.py", root / "views" / "kiosk.py"):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.rsplit(".", 1)[-1])
                imported |= {a.name for a in node.names}
            elif isinstance(node, ast.Import):
                imported |= {a.name.rsplit(".", 1)[-1] for a in node.names}
        assert not imported & writers, f"{path.name} imports {sorted(imported & writers)}"
